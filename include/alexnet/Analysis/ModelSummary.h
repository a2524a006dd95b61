//===- ModelSummary.h - Per-layer shapes, parameters and FLOPs --*- C++ -*-===//

#ifndef ALEXNET_ANALYSIS_MODELSUMMARY_H
#define ALEXNET_ANALYSIS_MODELSUMMARY_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
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
};

struct ModelSummary {
  std::string model;
  int64_t batch = 1;
  std::vector<LayerSummary> layers;
  int64_t totalParameters = 0; ///< over every nn.parameter of the module
  int64_t totalFlops = 0;
};

/// Summarises `@inference` of an nn module. FLOPs count a multiply-add as 2
/// (conv2d, dense), one per compared or added element for pooling, add and
/// relu, and the per-element arithmetic of lrn and softmax; see
/// docs/UserGuide.md. Fails with a diagnostic when there is no @inference.
mlir::FailureOr<ModelSummary> summarizeModel(mlir::ModuleOp module);

/// Prints the table: name, op, output shape per image (HxWxC for 4-D, as
/// the paper writes it), parameters and forward FLOPs, then totals.
void printModelSummary(const ModelSummary &summary, llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_ANALYSIS_MODELSUMMARY_H
