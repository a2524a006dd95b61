//===- Passes.h - exec dialect passes ---------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_H
#define ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace alexnet::exec {

#define GEN_PASS_DECL
#include "alexnet/Dialect/Exec/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "alexnet/Dialect/Exec/Transforms/Passes.h.inc"

} // namespace alexnet::exec

#endif // ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_H
