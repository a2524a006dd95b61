//===- NNOps.h - nn dialect ops ---------------------------------*- C++ -*-===//

#ifndef ALEXNET_DIALECT_NN_NNOPS_H
#define ALEXNET_DIALECT_NN_NNOPS_H

#include "alexnet/Dialect/NN/NNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "alexnet/Dialect/NN/NNOps.h.inc"

namespace alexnet::nn {

/// The DSL layer an op came from: the name of its `loc("layer"(...))`, or
/// `fallback` when the location carries none (hand-written IR).
llvm::StringRef layerName(mlir::Location loc, llvm::StringRef fallback);

/// Every layer name in `loc`: one for an op from the DSL, the whole chain
/// (in order) for a fused op, whose location is a FusedLoc of its layers'.
llvm::SmallVector<llvm::StringRef> fusedLayerNames(mlir::Location loc);

/// Whether `op` is a gradient (lrn_backward, maxpool_backward) that nn-fuse
/// marked `through_relu`: it also applies the ReLU's mask.
bool passesThroughRelu(mlir::Operation *op);

/// The logical device nn-partition placed `op` on (`nn.device`), if any.
std::optional<int64_t> deviceOf(mlir::Operation *op);

/// Places `op` on `device` (`nn.device`).
void setDevice(mlir::Operation *op, int64_t device);

} // namespace alexnet::nn

#endif // ALEXNET_DIALECT_NN_NNOPS_H
