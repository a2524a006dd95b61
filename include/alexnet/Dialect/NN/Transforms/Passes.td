//===- Passes.td - nn dialect passes -----------------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD
#define ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PartitionPass : Pass<"nn-partition", "mlir::ModuleOp"> {
  let summary = "split the model over devices: placement attributes and explicit transfers";
  let description = [{
    Places every op of the forward graphs (`@inference`, `@loss`) on a
    logical device (`nn.device`) and splits layers across devices, as
    Krizhevsky et al. (2012, section 3.2) split AlexNet over two GPUs. Run
    it before nn-autodiff, which places each gradient op with its forward
    op, keeps every parameter shard's gradient, momentum and SGD update on
    the shard's device, and sends activation gradients back through reverse
    transfers.

    Rules (`parallel=model`, the paper's towers):

    - `nn.conv2d` and `nn.dense` split along output channels / units: device
      d computes rows [d*F/N, (d+1)*F/N) of the weight and bias, read as
      parameter shards (`nn.param_ref ... {row_offset}`), from the whole
      input gathered on it. A `groups = k*N` convolution whose input is
      split by channels keeps k groups per device and needs no input from
      the others (conv2, conv4, conv5).
    - `nn.relu`, `nn.dropout`, pooling and `nn.flatten` follow their input.
      The pieces of a split dropout draw the whole layer's mask (`stream`
      and `window` attributes).
    - `nn.lrn` on split channels: each device normalises its channels with
      `size/2` halo channels from each neighbour (`nn.lrn_halo`), so the
      result is the unpartitioned LRN's.
    - Softmax, the loss, `nn.concat` and layers too small to split (fewer
      than `min-part` channels per device, or not divisible by the device
      count, or groups that do not map onto the devices) run whole on
      device 0; function results are gathered on device 0.
    - A value crosses devices only through `nn.transfer`; a gather is an
      `nn.concat` of the local part and transferred parts.

    `parallel=hybrid` (Krizhevsky 2014, "One weird trick"): convolutions
    split the batch instead (data parallel), reading copies of the whole
    weights transferred from device 0, whose gradients return the same way;
    dense layers stay model-parallel.

    With `devices=1` the pass changes nothing. It records the graph hash of
    the unpartitioned model (`nn.graph_hash`), so weights files move freely
    between builds for different device counts, and sets `nn.devices`.

    For AlexNet with devices=2 the gathers sit exactly at the inputs of
    conv3, fc6, fc7, fc8 and the softmax/loss (the paper's figure 2), plus
    the two-channel halos of norm1 and norm2.
  }];
  let options = [
    Option<"devices", "devices", "int64_t", /*default=*/"1",
           "Number of logical devices">,
    Option<"parallel", "parallel", "std::string", /*default=*/"\"model\"",
           "model (split every layer) or hybrid (data-parallel convolutions)">,
    Option<"minPart", "min-part", "int64_t", /*default=*/"8",
           "Split a layer only if every device gets at least this many "
           "output channels or units">,
  ];
}

def AutodiffPass : Pass<"nn-autodiff", "mlir::ModuleOp"> {
  let summary = "build the training graph: gradients and the paper's SGD step";
  let description = [{
    From `@loss` (inputs and labels to the mean cross-entropy) builds

    - `@gradients(inputs..., %seed, %step, %dropout) -> (loss, <p>.grad...)`:
      the forward pass with dropout as `nn.dropout_mask` x input (masks from
      Philox keyed by seed, step and a per-layer stream; all ones when
      `%dropout` is false), then reverse-mode gradients of every op, for
      every parameter in `nn.parameter` order. Only values that depend on a
      parameter get gradients (never the image), and a value used twice has
      its gradients summed.
    - `@train_step(inputs..., %lr, %seed, %step, %dropout) -> loss`: the same,
      then per parameter the paper's update (section 5)
      `v <- momentum v - weight_decay lr w - lr dL/dw; w <- w + v`, stored
      back with `nn.param_store`; the momentum `v` is a new parameter
      `<p>.momentum` marked `optimizer_state`, initialised to 0.

    momentum and weight decay come from the module's `nn.train` attribute
    (the DSL's train block; 0.9 and 5e-4 without one). `@loss` is erased.

    Before:
    ```mlir
    func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi32>) -> tensor<f32> {
      %w = nn.param_ref @fc.weight : tensor<3x4xf32>
      %y = nn.dense %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
      %e = nn.softmax_cross_entropy %y, %l : ...
      return %e : tensor<f32>
    }
    ```
    After (@gradients):
    ```mlir
      %dy = nn.softmax_cross_entropy_backward %y, %l : ...
      %dw = nn.dense_backward_weight %x, %dy : ...
      return %e, %dw : tensor<f32>, tensor<3x4xf32>
    ```
  }];
}

def FusePass : Pass<"nn-fuse", "mlir::ModuleOp"> {
  let summary = "fuse conv2d/dense with relu (and lrn), and ReLU gradients into their producers";
  let description = [{
    Rewrites, in every function of the module:

    - `nn.conv2d` -> `nn.relu` into `nn.conv2d_relu`;
    - `nn.conv2d_relu` -> `nn.lrn` into `nn.conv2d_relu_lrn` (so
      conv2d -> relu -> lrn, the paper's conv1 and conv2, becomes one op);
    - `nn.dense` (with a bias) -> `nn.relu` into `nn.dense_relu`;
    - in the backward pass, `nn.relu_backward(g, r)` where g is
      `nn.lrn_backward` or `nn.maxpool_backward` of the same r (the ReLU's
      output feeding the LRN or the pool) into that gradient op with
      `through_relu`: the ReLU's mask is applied in the same pass.

    Legality is explicit. A chain is not fused when a value it would hide
    has another user (the convolution or GEMM would have to be recomputed;
    a ReLU output that the backward pass reads stays visible instead, as
    conv2d_relu_lrn's first result), when the ops are on different devices
    (`nn.device`), when an LRN has more channels than the fused epilogue's
    tile (1024), or when a dense has no bias (no epilogue pass to fold the
    ReLU into). Each refusal says why through `notifyMatchFailure`; with
    `remarks=true` the pass reports every refusal and every fused op as a
    remark (`alexnet-compile --print-fusions`).

    Run it after nn-autodiff, which has no gradient rules for fused ops.
    Before the first rewrite the pass records the graph hash of the unfused
    model (`nn.graph_hash`), so fused and unfused builds share weights.

    Before:
    ```mlir
    %conv1 = nn.conv2d %x, %w, %b stride [4, 4] pad [2, 2] groups 1 : ...
    %relu1 = nn.relu %conv1 : tensor<1x96x55x55xf32>
    %norm1 = nn.lrn %relu1 size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x96x55x55xf32>
    ```
    After:
    ```mlir
    %relu1, %norm1 = nn.conv2d_relu_lrn %x, %w, %b stride [4, 4] pad [2, 2] groups 1
        size 5 alpha 1.0e-4 beta 0.75 k 2.0 : ...
    ```
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each fused op and each refused fusion as a remark">,
  ];
}

#endif // ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD
