//===- GraphHash.h - A batch-independent identity for a model --*- C++ -*-===//

#ifndef ALEXNET_ANALYSIS_GRAPHHASH_H
#define ALEXNET_ANALYSIS_GRAPHHASH_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace alexnet {

/// A 64-bit FNV-1a hash (16 hex digits) of what makes weights fit a model:
/// the model name, every parameter's name and shape, and every op of
/// `@inference` with its attributes and non-batch operand dimensions. The
/// batch size is left out, so weights move between executables compiled
/// with different --batch values; any other change to the architecture
/// changes the hash. Weights files store it and the runtime compares it.
/// A module that carries `nn.graph_hash` (recorded by nn-fuse before it
/// rewrites @inference) returns that: the hash always names the unfused
/// graph, so fused and --no-fuse builds accept the same weights.
std::string computeGraphHash(mlir::ModuleOp module);

} // namespace alexnet

#endif // ALEXNET_ANALYSIS_GRAPHHASH_H
