//===- cuda_runtime.h - CUDA's kernel language, simulated ------*- C++ -*-===//
//
// What CUDA C++ adds to C++ for kernels, as plain C++ for the host compiler:
// the execution-space keywords, dim3/uint3, the built-in thread coordinates
// (read from the simulator's current CUDA thread), __syncthreads and
// __shared__ (one block runs on one host thread, its CUDA threads as
// fibers, so a thread_local is the block's shared memory). Kernels are
// launched with ALEXNET_LAUNCH (CudaSimTarget.h), not <<<...>>>.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_CUDASIM_CUDA_RUNTIME_H
#define ALEXNET_CUDASIM_CUDA_RUNTIME_H

#include "cuda_runtime_api.h"

#include "alexnet/Runtime/CudaSim/CudaSim.h"

#define __host__
#define __device__
#define __global__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __shared__ static thread_local

#define threadIdx (::alexnet::cudasim::cudaThread.threadIdx)
#define blockIdx (::alexnet::cudasim::cudaThread.blockIdx)
#define blockDim (::alexnet::cudasim::cudaThread.blockDim)
#define gridDim (::alexnet::cudasim::cudaThread.gridDim)

constexpr int warpSize = 32;

inline void __syncthreads() { ::alexnet::cudasim::syncThreads(); }

template <class T> cudaError_t cudaMalloc(T **devPtr, size_t size) {
  return ::cudaMalloc(reinterpret_cast<void **>(devPtr), size);
}
template <class T> cudaError_t cudaMallocHost(T **ptr, size_t size) {
  return ::cudaMallocHost(reinterpret_cast<void **>(ptr), size);
}
template <class T>
cudaError_t cudaHostAlloc(T **ptr, size_t size, unsigned int flags) {
  return ::cudaHostAlloc(reinterpret_cast<void **>(ptr), size, flags);
}

#endif // ALEXNET_CUDASIM_CUDA_RUNTIME_H
