//===- ModelSummary.h - Per-layer shapes, parameters and FLOPs --*- C++ -*-===//

#ifndef ALEXNET_ANALYSIS_MODELSUMMARY_H
#define ALEXNET_ANALYSIS_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace alexnet {

/// One row of `--emit=summary`: a layer of the inference graph.
struct LayerSummary {
  std::string name;             ///< the DSL layer name (from its NameLoc)
  std::string op;               ///< nn op mnemonic, e.g. "conv2d"
  std::vector<int64_t> shape;   ///< the result shape, batch included
  int64_t parameters = 0;       ///< elements of the parameters it reads
  int64_t flops = 0;            ///< forward FLOPs for the whole batch
  /// Bytes of activations the layer's kernels read and write for the whole
  /// batch (see activationTraffic), unfused and as compiled. A layer fused
  /// into another has fusedTraffic 0 and `fusedInto` naming the head.
  int64_t traffic = 0;
  int64_t fusedTraffic = 0;
  std::string fusion;    ///< head of a fused chain: the fused op's mnemonic
  std::string fusedInto; ///< a layer absorbed by a fusion: the head's name
  int64_t device = -1;   ///< nn.device after nn-partition, else -1
};

/// Activation bytes moved, without fusion and as the graph stands.
struct Traffic {
  int64_t unfused = 0;
  int64_t fused = 0;
};

struct ModelSummary {
  std::string model;
  int64_t batch = 1;
  std::vector<LayerSummary> layers;
  int64_t totalParameters = 0; ///< over every nn.parameter of the module
  int64_t totalFlops = 0;
  Traffic forwardTraffic;                ///< @inference, whole batch
  std::optional<Traffic> trainTraffic;   ///< @train_step, when present
  /// After nn-partition: the device count, each device's share of the
  /// parameters and the bytes nn.transfer moves per batch (inference, and
  /// the train step when present).
  int64_t devices = 1;
  std::vector<int64_t> deviceParameters;
  int64_t forwardTransferBytes = 0;
  std::optional<int64_t> trainTransferBytes;
};

/// The activation traffic model of one nn op, for the whole batch: every
/// kernel reads each activation operand once and writes its result once
/// (parameters, their gradients, scalars and views such as flatten are not
/// counted; im2col's
/// column matrix is the same with and without fusion and is left out). A
/// conv2d or dense with a bias pays one more pass over its result (the
/// GEMM cannot add it: read + write). Fused ops: conv2d_relu and dense_relu
/// cost x + 3y (GEMM write, one epilogue read + write) instead of the
/// unfused x + 3y + 2y; conv2d_relu_lrn costs x + 3y (+ y when its ReLU
/// output is stored for the backward pass) instead of x + 7y; a gradient
/// with through_relu saves relu_backward's 3 passes. `unfused` is the cost
/// of the ops a fused op replaced.
Traffic activationTraffic(mlir::Operation *op);

/// Summarises `@inference` of an nn module, fused or not (a fused op
/// expands back into one row per layer it absorbed; its traffic goes to the
/// first). FLOPs count a multiply-add as 2
/// (conv2d, dense), one per compared or added element for pooling, add and
/// relu, and the per-element arithmetic of lrn and softmax; see
/// docs/UserGuide.md. Fails with a diagnostic when there is no @inference.
mlir::FailureOr<ModelSummary> summarizeModel(mlir::ModuleOp module);

/// Prints the table: name, op, output shape per image (HxWxC for 4-D, as
/// the paper writes it), parameters, forward FLOPs and activation traffic
/// (unfused and as compiled), then totals and the traffic per image.
void printModelSummary(const ModelSummary &summary, llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_ANALYSIS_MODELSUMMARY_H
