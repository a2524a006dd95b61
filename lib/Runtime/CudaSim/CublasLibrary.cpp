//===- CublasLibrary.cpp - cuBLAS for CudaContext, simulated --------------===//
//
// The CUDA target's CudaContext calls cuBLAS through CublasLibrary (loaded
// with dlopen on a GPU machine); in a cuda-sim executable the entry points
// are the simulator's, linked in.
//
//===----------------------------------------------------------------------===//

#include "Cuda/CublasLibrary.h"

namespace alexnet::runtime::cuda {

const CublasLibrary &cublas() {
  static const CublasLibrary library = [] {
    CublasLibrary l;
    l.path = "the CUDA simulator (built in)";
    l.version = "simulated";
    l.create = &cublasCreate_v2;
    l.destroy = &cublasDestroy_v2;
    l.setStream = &cublasSetStream_v2;
    l.setWorkspace = &cublasSetWorkspace_v2;
    l.setMathMode = &cublasSetMathMode;
    l.sgemm = &cublasSgemm_v2;
    l.statusString = &cublasGetStatusString;
    return l;
  }();
  return library;
}

} // namespace alexnet::runtime::cuda
