//===- Cpu.h - The CPU target -----------------------------------*- C++ -*-===//

#ifndef ALEXNET_TARGET_CPU_H
#define ALEXNET_TARGET_CPU_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace alexnet {

/// C++ for the CPU: kernel bodies launched over the runtime's thread pool,
/// GEMMs through OpenBLAS. `fineKernels` uses the CUDA target's bodies (an
/// element or a pixel per index), which checks them on the CPU.
mlir::LogicalResult translateToCpp(mlir::ModuleOp module,
                                   llvm::raw_ostream &os,
                                   bool fineKernels = false);

} // namespace alexnet

#endif // ALEXNET_TARGET_CPU_H
