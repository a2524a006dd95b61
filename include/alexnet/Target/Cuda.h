//===- Cuda.h - The CUDA target ---------------------------------*- C++ -*-===//

#ifndef ALEXNET_TARGET_CUDA_H
#define ALEXNET_TARGET_CUDA_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace alexnet {

struct CudaTargetOptions {
  /// Let cuBLAS use TF32 tensor cores (alexnet-compile --tf32).
  bool tf32 = false;
  /// An element or a pixel per index (KernelBodies.h); coarse bodies only
  /// to compare with the CPU's.
  bool fineKernels = true;
  /// Include the CUDA simulator's target header (--target=cuda-sim): the
  /// only line that differs.
  bool simulator = false;
};

/// CUDA C++ (.cu): every kernel body as a grid-stride __global__ kernel
/// launched on its device's stream, GEMMs through cuBLAS, transfers as
/// event-ordered (peer) copies; one schedule per entry point enqueues all
/// devices' work in program order.
mlir::LogicalResult translateToCuda(mlir::ModuleOp module,
                                    const CudaTargetOptions &options,
                                    llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_TARGET_CUDA_H
