//===- Passes.h - nn dialect passes -----------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_H
#define ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace alexnet::nn {

#define GEN_PASS_DECL
#include "alexnet/Dialect/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "alexnet/Dialect/NN/Transforms/Passes.h.inc"

} // namespace alexnet::nn

#endif // ALEXNET_DIALECT_NN_TRANSFORMS_PASSES_H
