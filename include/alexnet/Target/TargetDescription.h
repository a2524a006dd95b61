//===- TargetDescription.h - What the compiler knows of a target -*- C++ -*-===//
//
// One owner for every fact that differs between --target=cpu, cuda and
// cuda-sim: the pipeline's defaults (arena alignment, im2col budget,
// convolution gradients), the emitter's (kernel granularity, CUDA source)
// and the build's (nvcc or the host C++ compiler, the source extension).
// alexnet-compile, the lowering pipeline and buildExecutable ask this table;
// nothing else compares a target's name.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TARGET_TARGETDESCRIPTION_H
#define ALEXNET_TARGET_TARGETDESCRIPTION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace alexnet {

enum class TargetKind { Cpu, Cuda, CudaSim };

struct TargetDescription {
  TargetKind kind;
  /// --target's value.
  llvm::StringRef name;
  /// One line for --help.
  llvm::StringRef summary;
  /// Emits CUDA C++ (kernels, CudaContext, cuBLAS); the simulator builds
  /// exactly that source.
  bool emitsCuda;
  /// Built by nvcc against libcudart and cuBLAS; otherwise by the host C++
  /// compiler.
  bool buildsWithNvcc;
  /// exec-plan-memory's arena alignment in bytes: a cache line on the CPU,
  /// 256 for cuBLAS and vector loads on a GPU.
  int64_t bufferAlignment;
  /// convert-nn-to-exec's im2col-budget; unset: the pass's default (2 MiB,
  /// cache-sized pieces). A GPU gains nothing from pieces and pays a launch
  /// per image.
  std::optional<int64_t> im2colBudget;
  /// convert-nn-to-exec's batch-backward default: a GPU takes the whole
  /// batch in one GEMM per group, the CPU one image at a time.
  bool batchBackward;
  /// The emitter's default --kernel-granularity (fine: one element per
  /// index, as GPU threads want).
  bool fineKernels;
};

/// Every target, in the order --help lists them.
llvm::ArrayRef<TargetDescription> allTargets();
/// The target named `name`, or null.
const TargetDescription *lookupTarget(llvm::StringRef name);
const TargetDescription &getTarget(TargetKind kind);
/// "--target=cpu, --target=cuda or --target=cuda-sim", for diagnostics.
std::string listTargetFlags();

} // namespace alexnet

#endif // ALEXNET_TARGET_TARGETDESCRIPTION_H
