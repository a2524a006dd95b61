//===- Blas.cpp - Single-precision GEMM on the CPU ------------------------===//

#include "alexnet/Runtime/Cpu/Blas.h"

#include <cblas.h>

extern "C" void openblas_set_num_threads(int);

namespace alexnet::runtime::cpu {

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b,
           int64_t ldb, float beta, float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha,
              a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void setBlasThreads(int threads) { openblas_set_num_threads(threads); }

} // namespace alexnet::runtime::cpu
