//===- BuildExecutable.h - Compile and link emitted source ------*- C++ -*-===//

#ifndef ALEXNET_TARGET_BUILDEXECUTABLE_H
#define ALEXNET_TARGET_BUILDEXECUTABLE_H

#include "alexnet/Target/TargetDescription.h"

#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace alexnet {

struct BuildOptions {
  /// The compiler (TargetDescription::buildsWithNvcc) and the archives:
  /// the runtime, and the CUDA backend (on the CUDA simulator for cuda-sim).
  TargetKind target = TargetKind::Cpu;
  /// CUDA: the GPU architectures to compile for ("80" for sm_80).
  std::vector<std::string> cudaArchs = {"80", "90"};
  /// alexnet-compile's own path (argv[0] resolved); the runtime is found
  /// relative to it.
  std::string compilerPath;
  /// Extra C++ flags, e.g. -march=native (CUDA: for the host compiler).
  std::vector<std::string> extraFlags;
  /// Keep the generated source next to the output (`<output>.cpp`, CUDA
  /// `<output>.cu`).
  bool keepSource = false;
  bool verbose = false;
};

/// Writes `source` to a temporary file and runs the recorded C++ compiler
/// (nvcc for CUDA) to produce the executable `output`, statically linked with
/// the runtime.
/// On failure prints the compiler's command line and its exit status after
/// its own diagnostics, and returns failure.
mlir::LogicalResult buildExecutable(llvm::StringRef source,
                                    llvm::StringRef output,
                                    const BuildOptions &options);

} // namespace alexnet

#endif // ALEXNET_TARGET_BUILDEXECUTABLE_H
