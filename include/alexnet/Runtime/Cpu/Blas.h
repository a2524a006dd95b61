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

/// Sets the number of threads OpenBLAS uses inside one GEMM.
void setBlasThreads(int threads);

} // namespace alexnet::runtime::cpu

#endif // ALEXNET_RUNTIME_CPU_BLAS_H
