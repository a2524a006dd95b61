//===- CublasLibrary.h - cuBLAS, found and loaded at run time ---*- C++ -*-===//
//
// CUDA executables do not link cuBLAS: they are built on one machine and run
// on another whose toolkit may live elsewhere (or only in PyTorch's pip
// wheels), and cuBLAS is too large to carry with them. The backend loads
// libcublas.so.<major of the headers> with dlopen on first use and calls it
// through the few entry points below. The search, in order:
//
//   1. $ALEXNET_CUBLAS: the library file, or a folder holding it (when set,
//      nothing else is tried);
//   2. the lib folder of the toolkit this runtime was built with;
//   3. /usr/local/cuda/lib64, /usr/local/cuda/lib, then every other
//      /usr/local/cuda-*/{lib64,lib}, newest version first;
//   4. nvidia/cublas/lib and nvidia/cu<major>/lib under the site-packages of
//      the python3 on PATH (PyTorch's pip wheels);
//   5. the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache).
//
// 4 and 5 are looked at only when 1-3 have no cuBLAS that loads (asking
// python3 starts a process).
//
// The library loaded is reported (bench, and every cuBLAS error); when none
// loads, the error lists every place looked at and why each failed.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CUDA_CUBLASLIBRARY_H
#define ALEXNET_LIB_RUNTIME_CUDA_CUBLASLIBRARY_H

#include <cublas_v2.h>

#include <string>
#include <vector>

namespace alexnet::runtime::cuda {

/// The cuBLAS entry points the backend calls, resolved from one library.
struct CublasLibrary {
  std::string path;    ///< the file loaded
  std::string version; ///< "13.1.0" (cublasGetProperty)
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) setStream = nullptr;
  decltype(&cublasSetWorkspace_v2) setWorkspace = nullptr;
  decltype(&cublasSetMathMode) setMathMode = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  decltype(&cublasGetStatusString) statusString = nullptr;
};

/// The library file name searched for: "libcublas.so.13".
std::string cublasFileName();

/// The candidate files, in search order (see above); without `everywhere`
/// only 1-3 (no python3 process, no loader search).
std::vector<std::string> cublasCandidates(bool everywhere = true);

/// Whether toolkit folder `a` is newer than `b`: digit runs compare as
/// numbers, so /usr/local/cuda-12.10 is newer than /usr/local/cuda-12.8.
bool newerToolkit(const std::string &a, const std::string &b);

/// Loads the first of `candidates` that dlopen accepts (a path, or a bare
/// file name for the loader's search); throws std::runtime_error listing
/// every candidate with dlopen's error when none loads, or naming the file
/// when it lacks an entry point.
CublasLibrary loadCublas(const std::vector<std::string> &candidates);

/// Loads cuBLAS from cublasCandidates() on the first call (thread-safe)
/// and returns it; every later call returns it again, or throws the first
/// call's error again.
const CublasLibrary &cublas();

} // namespace alexnet::runtime::cuda

#endif // ALEXNET_LIB_RUNTIME_CUDA_CUBLASLIBRARY_H
