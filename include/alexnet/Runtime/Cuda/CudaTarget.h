//===- CudaTarget.h - What generated CUDA code includes ---------*- C++ -*-===//
//
// The one header the CUDA emitter's output includes: the CUDA backend the
// schedules enqueue work on, Philox (dropout masks), the ALEXNET_HD marker
// that makes the shared kernel bodies __host__ __device__, and the two
// macros kernels are declared and launched with. The CUDA simulator's
// CudaSimTarget.h defines those two its own way and then includes this
// header, so the generated code is the same for both.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CUDA_CUDATARGET_H
#define ALEXNET_RUNTIME_CUDA_CUDATARGET_H

#ifndef ALEXNET_HD
#define ALEXNET_HD __host__ __device__
#endif

#ifndef ALEXNET_LAUNCH
/// ALEXNET_KERNEL(name, maxThreads)(params) { body }: a __global__ kernel.
#define ALEXNET_KERNEL(name, maxThreads)                                      \
  __global__ void __launch_bounds__(maxThreads) name
/// ALEXNET_LAUNCH(name, grid, block, sharedBytes, stream)(args...).
#define ALEXNET_LAUNCH(name, grid, block, sharedBytes, stream)                \
  name<<<grid, block, sharedBytes, stream>>>
#endif

#include "alexnet/Runtime/Cuda/CudaContext.h"
#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/Model.h"
#include "alexnet/Runtime/Philox.h" // dropout masks

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#endif // ALEXNET_RUNTIME_CUDA_CUDATARGET_H
