//===- CudaTarget.h - What generated CUDA code includes ---------*- C++ -*-===//
//
// The one header the CUDA emitter's output includes: the CUDA backend the
// schedules enqueue work on, Philox (dropout masks), and the ALEXNET_HD
// marker that makes the shared kernel bodies __host__ __device__.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CUDA_CUDATARGET_H
#define ALEXNET_RUNTIME_CUDA_CUDATARGET_H

#ifndef ALEXNET_HD
#define ALEXNET_HD __host__ __device__
#endif

#include "alexnet/Runtime/Cuda/CudaContext.h"
#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/Model.h"
#include "alexnet/Runtime/Philox.h" // dropout masks

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#endif // ALEXNET_RUNTIME_CUDA_CUDATARGET_H
