//===- Passes.td - nn dialect passes -----------------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD
#define ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

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

#endif // ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_TD
