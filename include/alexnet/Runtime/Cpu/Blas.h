//===- Blas.h - Single-precision GEMM on the CPU ----------------*- C++ -*-===//
//
// Row-major C = alpha * op(A) * op(B) + beta * C through OpenBLAS
// (cblas_sgemm), the CPU counterpart of the CUDA target's cuBLAS call.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CPU_BLAS_H
#define ALEXNET_RUNTIME_CPU_BLAS_H

#include <cstdint>

namespace alexnet::runtime::cpu {

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b,
           int64_t ldb, float beta, float *c, int64_t ldc);

/// Row-major y = alpha * op(A) * x + beta * y, A is [m, n].
void sgemv(bool transA, int64_t m, int64_t n, float alpha, const float *a,
           int64_t lda, const float *x, float beta, float *y);

/// Sets the number of threads OpenBLAS uses inside one GEMM.
void setBlasThreads(int threads);

/// The kernel family OpenBLAS chose at load time ("Prescott", "SkylakeX").
const char *blasCoreName();

/// OpenBLAS picks its kernels once, when it is loaded, from CPUID; on CPUs
/// it does not recognise (common in VMs) it falls back to generic SSE3
/// kernels ("Prescott"), 4-5x slower than the AVX2/AVX-512 ones the CPU
/// supports. If that happened and the user did not set OPENBLAS_CORETYPE,
/// this re-executes the program with OPENBLAS_CORETYPE set to the best
/// family the CPU reports (SkylakeX for AVX-512, Haswell for AVX2+FMA).
/// Returns normally when nothing needs to change or re-execution fails.
/// ALEXNET_KEEP_BLAS_CORE=1 disables it.
void selectBlasKernels(char **argv);

} // namespace alexnet::runtime::cpu

#endif // ALEXNET_RUNTIME_CPU_BLAS_H
