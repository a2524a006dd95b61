//===- Cpu.h - The CPU target -----------------------------------*- C++ -*-===//

#ifndef ALEXNET_TARGET_CPU_H
#define ALEXNET_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace alexnet {

/// C++ for the CPU: kernel bodies launched over the runtime's thread pool,
/// GEMMs through OpenBLAS.
mlir::LogicalResult translateToCpp(mlir::ModuleOp module,
                                   llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_TARGET_CPU_H
