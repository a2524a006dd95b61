//===- Dot.h - The nn graph as Graphviz -------------------------*- C++ -*-===//

#ifndef ALEXNET_TARGET_DOT_H
#define ALEXNET_TARGET_DOT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace alexnet {

/// Writes `@inference` of an nn module as a Graphviz digraph (`--emit=dot`):
/// one node per input and per layer (its name, op, output shape and
/// parameter count), one edge per tensor flowing between them. Parameters
/// are folded into their layer's node.
mlir::LogicalResult translateToDot(mlir::ModuleOp module,
                                   llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_TARGET_DOT_H
