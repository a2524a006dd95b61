//===- CpuTarget.h - What generated CPU code includes -----------*- C++ -*-===//
//
// The one header the CPU emitter's output includes: the execution context,
// the thread pool the kernel launchers run on, the BLAS binding, Philox (for
// dropout masks), and the
// ALEXNET_HD marker that makes the shared kernel bodies host-only here
// (__host__ __device__ under nvcc).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CPU_CPUTARGET_H
#define ALEXNET_RUNTIME_CPU_CPUTARGET_H

#include "alexnet/Runtime/Cpu/Blas.h"
#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/Model.h"
#include "alexnet/Runtime/Philox.h" // dropout masks

#include <cmath>
#include <cstdint>

#ifndef ALEXNET_HD
#ifdef __CUDACC__
#define ALEXNET_HD __host__ __device__
#else
#define ALEXNET_HD
#endif
#endif

#endif // ALEXNET_RUNTIME_CPU_CPUTARGET_H
