//===- CudaSimTarget.h - What generated cuda-sim code includes -*- C++ -*-===//
//
// --target=cuda-sim compiles exactly the CUDA C++ that --target=cuda
// writes, with the host C++ compiler: only this include line differs. The
// two macros the emitter writes kernels and launches with are the
// simulator's here (CudaTarget.h has CUDA's): the launch bound travels to
// the simulator as a constant beside the kernel, and a launch checks it.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CUDASIM_CUDASIMTARGET_H
#define ALEXNET_RUNTIME_CUDASIM_CUDASIMTARGET_H

#include <cuda_runtime.h> // the simulator's (toolkit/ is first on the path)

/// ALEXNET_KERNEL(name, maxThreads)(params) { body }: a __global__ kernel.
#define ALEXNET_KERNEL(name, maxThreads)                                      \
  [[maybe_unused]] constexpr int name##_maxThreadsPerBlock = maxThreads;      \
  void name

/// ALEXNET_LAUNCH(name, grid, block, sharedBytes, stream)(args...).
#define ALEXNET_LAUNCH(name, grid, block, sharedBytes, stream)                \
  ::alexnet::cudasim::makeLaunch<&name>(                                      \
      name, {#name, name##_maxThreadsPerBlock, grid, block, sharedBytes,      \
             stream})

#include "alexnet/Runtime/Cuda/CudaTarget.h"

#endif // ALEXNET_RUNTIME_CUDASIM_CUDASIMTARGET_H
