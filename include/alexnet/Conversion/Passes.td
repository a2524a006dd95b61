//===- Passes.td - Conversion passes -----------------------*- tablegen -*-===//

#ifndef ALEXNET_CONVERSION_PASSES_TD
#define ALEXNET_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertNNToExecPass : Pass<"convert-nn-to-exec", "mlir::ModuleOp"> {
  let summary = "lower nn tensor graphs to exec buffers, kernels and GEMMs";
  let description = [{
    Rewrites each function named in `entry-points` from value-semantics
    tensors to destination-passing buffers: inputs and outputs become memref
    arguments, every intermediate tensor an `exec.alloc`, parameters
    `exec.param` views. Convolutions become im2col + one GEMM per group
    (+ a reorder with bias when the batch is above 1), dense layers a GEMM
    + bias; dropout is the identity and flatten a reshape (no copies); the
    op that produces the result writes straight into the output argument.
    Functions not named are erased. The module gets `exec.graph_hash` and
    the per-layer table `exec.layers` computed from the nn graph.

    Before:
    ```mlir
    func.func @inference(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
      %y = nn.relu %x : tensor<1x4xf32>
      return %y : tensor<1x4xf32>
    }
    ```
    After:
    ```mlir
    func.func @inference(%x: memref<1x4xf32> {exec.input = "image"},
                         %y: memref<1x4xf32> {exec.output = "probs"}) {
      exec.relu %x -> %y : memref<1x4xf32> -> memref<1x4xf32>
      return
    }
    ```
  }];
  let options = [
    ListOption<"entryPoints", "entry-points", "std::string",
               "functions to lower (default: inference)">,
    Option<"im2colBudget", "im2col-budget", "int64_t", "2 << 20",
           "bytes of one image's im2col matrix above which a convolution's "
           "forward pass unfolds and multiplies one image at a time (the CPU "
           "keeps it in cache; the CUDA target lifts the budget for one wide "
           "GEMM per group)">,
    Option<"batchBackward", "batch-backward", "bool", "false",
           "convolution gradients multiply the whole batch at once (dy "
           "reordered to [F, N*P], batch-wide im2col/col2im, one GEMM per "
           "group and gradient) instead of one image at a time">
  ];
  let dependentDialects = ["::alexnet::exec::ExecDialect"];
}

#endif // ALEXNET_CONVERSION_PASSES_TD
