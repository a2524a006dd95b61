//===- MLIRGen.h - Checked graph to the nn dialect --------------*- C++ -*-===//

#ifndef ALEXNET_FRONTEND_MLIRGEN_H
#define ALEXNET_FRONTEND_MLIRGEN_H

#include "alexnet/Frontend/Graph.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace alexnet::frontend {

/// Builds the nn module for a checked graph: one `nn.parameter` per weight and
/// bias, `func.func @inference` computing the declared output and, when the
/// model declares a loss, `func.func @loss` computing it from the inputs and
/// labels. Every op carries `loc("layer"("file":line:col))`. The graph was
/// checked by the front end, so the result verifies; a failure here is a bug
/// and is reported as an error on the module.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext &context,
                                              const Graph &graph);

} // namespace alexnet::frontend

#endif // ALEXNET_FRONTEND_MLIRGEN_H
