//===- Blas.cpp - Single-precision GEMM on the CPU ------------------------===//

#include "alexnet/Runtime/Cpu/Blas.h"

#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <unistd.h>

extern "C" void openblas_set_num_threads(int);
extern "C" char *openblas_get_corename(void);

namespace alexnet::runtime::cpu {

void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
           float alpha, const float *a, int64_t lda, const float *b,
           int64_t ldb, float beta, float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, int(m), int(n), int(k), alpha,
              a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void sgemv(bool transA, int64_t m, int64_t n, float alpha, const float *a,
           int64_t lda, const float *x, float beta, float *y) {
  cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, int(m), int(n),
              alpha, a, int(lda), x, 1, beta, y, 1);
}

void setBlasThreads(int threads) { openblas_set_num_threads(threads); }

const char *blasCoreName() { return openblas_get_corename(); }

void selectBlasKernels(char **argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("ALEXNET_KEEP_BLAS_CORE"))
    return;
  const char *want = nullptr;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    want = "SkylakeX";
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    want = "Haswell";
  const char *have = blasCoreName();
  if (!want || !have || std::strcmp(have, "Prescott") != 0)
    return; // recognised, or nothing better to offer
  setenv("OPENBLAS_CORETYPE", want, 1);
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE"); // exec failed: carry on with what we have
}

} // namespace alexnet::runtime::cpu
