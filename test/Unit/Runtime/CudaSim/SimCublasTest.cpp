//===- SimCublasTest.cpp - cuBLAS's SGEMM in the CUDA simulator -----------===//

#include "SimTestUtil.h"

#include <cublas_v2.h>

#include <cmath>
#include <cstring>

namespace {

/// Column-major rows x cols with leading dimension ld, deterministic values.
std::vector<float> matrix(int rows, int cols, int ld, float seed) {
  std::vector<float> m(size_t(ld) * size_t(cols), NAN);
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i)
      m[size_t(j) * size_t(ld) + size_t(i)] =
          std::sin(seed + 0.37f * float(i) + 1.13f * float(j)) + 0.01f * seed;
  return m;
}

float at(const std::vector<float> &m, int ld, int i, int j, bool trans) {
  return trans ? m[size_t(i) * size_t(ld) + size_t(j)]
               : m[size_t(j) * size_t(ld) + size_t(i)];
}

float tf32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits = (bits + 0x1000u) & ~0x1fffu;
  std::memcpy(&v, &bits, 4);
  return v;
}

class SimCublas : public Sim {
protected:
  void SetUp() override {
    Sim::SetUp();
    ASSERT_EQ(cublasCreate(&handle), CUBLAS_STATUS_SUCCESS);
  }
  void TearDown() override {
    cublasDestroy(handle);
    Sim::TearDown();
  }

  /// C = alpha op(A) op(B) + beta C through the simulator, against a
  /// double-precision loop; `round` rounds A and B first (TF32).
  void check(bool ta, bool tb, int m, int n, int k, bool round,
             double tolerance) {
    int lda = (ta ? k : m) + 3, ldb = (tb ? n : k) + 1, ldc = m + 2;
    auto a = matrix(ta ? k : m, ta ? m : k, lda, 1);
    auto b = matrix(tb ? n : k, tb ? k : n, ldb, 2);
    auto c = matrix(m, n, ldc, 3);
    float *da = deviceFloats(a.size(), a), *db = deviceFloats(b.size(), b),
          *dc = deviceFloats(c.size(), c);
    float alpha = 0.75f, beta = 0.5f;
    ASSERT_EQ(cublasSgemm(handle, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                          tb ? CUBLAS_OP_T : CUBLAS_OP_N, m, n, k, &alpha, da,
                          lda, db, ldb, &beta, dc, ldc),
              CUBLAS_STATUS_SUCCESS);
    std::vector<float> got = hostFloats(dc, c.size());
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) {
        double sum = 0;
        for (int p = 0; p < k; ++p) {
          float x = at(a, lda, i, p, ta), y = at(b, ldb, p, j, tb);
          sum += double(round ? tf32(x) : x) * double(round ? tf32(y) : y);
        }
        double want = alpha * sum + beta * double(at(c, ldc, i, j, false));
        EXPECT_NEAR(got[size_t(j) * size_t(ldc) + size_t(i)], want,
                    tolerance * (1 + std::fabs(want)))
            << "C(" << i << ", " << j << ")";
      }
    // Rows below m in each column are not C's: untouched.
    EXPECT_TRUE(std::isnan(got[size_t(m)]));
  }

  cublasHandle_t handle = nullptr;
};

TEST_F(SimCublas, SgemmMatchesALoop) {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      check(ta, tb, 7, 5, 9, false, 1e-5);
}

TEST_F(SimCublas, Tf32RoundsTheOperands) {
  ASSERT_EQ(cublasSetMathMode(handle, CUBLAS_TF32_TENSOR_OP_MATH),
            CUBLAS_STATUS_SUCCESS);
  check(false, true, 6, 4, 33, true, 1e-5);
  // Rounding matters: the same product in fp32 is not what TF32 gives.
  float x = 1.0f + 1.0f / 4096, one = 1.0f, zero = 0.0f;
  float *dx = deviceFloats(1, {x}), *dy = deviceFloats(1, {x}),
        *dz = deviceFloats(1, {0.0f});
  ASSERT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, dx, 1,
                        dy, 1, &zero, dz, 1),
            CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(hostFloats(dz, 1)[0], 1.0f); // x rounds to 1 in TF32
  ASSERT_EQ(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, dx, 1,
                        dy, 1, &zero, dz, 1),
            CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(hostFloats(dz, 1)[0], x * x);
}

TEST_F(SimCublas, ArgumentsCheckedAsCublasChecksThem) {
  float *d = deviceFloats(64, std::vector<float>(64, 1.0f));
  float one = 1.0f;
  // lda below op(A)'s rows, ldb below op(B)'s, ldc below m, negative sizes.
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, d, 3,
                        d, 4, &one, d, 4),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_T, 4, 4, 4, &one, d, 4,
                        d, 3, &one, d, 4),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, d, 4,
                        d, 4, &one, d, 3),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, 4, 4, &one, d, 4,
                        d, 4, &one, d, 4),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_STREQ(cublasGetStatusString(CUBLAS_STATUS_INVALID_VALUE),
               "an unsupported value or parameter was passed to the function");
  // The workspace is 256-byte aligned memory of the handle's GPU.
  EXPECT_EQ(cublasSetWorkspace(handle, d + 1, 128),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(cublasSetWorkspace(handle, d, 256), CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(cublasSetMathMode(handle, static_cast<cublasMath_t>(9)),
            CUBLAS_STATUS_INVALID_VALUE);
}

TEST_F(SimCublas, OperandsMustBeAddressable) {
  std::vector<float> host(16, 1.0f);
  float *d = deviceFloats(16, host);
  float one = 1.0f;
  // A host operand faults the GPU, as the GEMM kernel would.
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one,
                        host.data(), 4, d, 4, &one, d, 4),
            CUBLAS_STATUS_EXECUTION_FAILED);
  EXPECT_CUDA(cudaErrorIllegalAddress, cudaDeviceSynchronize());
}

TEST_F(SimCublas, HandleBelongsToItsGpu) {
  float *d = deviceFloats(16, std::vector<float>(16, 1.0f));
  float one = 1.0f;
  ASSERT_CUDA_OK(cudaSetDevice(1));
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, d, 4,
                        d, 4, &one, d, 4),
            CUBLAS_STATUS_EXECUTION_FAILED);
  cudaStream_t other;
  ASSERT_CUDA_OK(cudaStreamCreate(&other));
  ASSERT_CUDA_OK(cudaSetDevice(0));
  ASSERT_EQ(cublasSetStream(handle, other), CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 4, 4, &one, d, 4,
                        d, 4, &one, d, 4),
            CUBLAS_STATUS_EXECUTION_FAILED);
}

} // namespace
