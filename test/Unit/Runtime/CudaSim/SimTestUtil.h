//===- SimTestUtil.h - Fixtures for the CUDA simulator's tests -*- C++ -*-===//
//
// Tests run the simulator in-process with its default two GPUs. A test
// that faults a GPU (the error is sticky, as on a GPU) leaves it to the
// fixture, which resets both GPUs afterwards with cudaDeviceReset.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TEST_UNIT_RUNTIME_CUDASIM_SIMTESTUTIL_H
#define ALEXNET_TEST_UNIT_RUNTIME_CUDASIM_SIMTESTUTIL_H

#include "alexnet/Runtime/CudaSim/CudaSimTarget.h"

#include <gtest/gtest.h>

#include <vector>

/// Compares CUDA errors by name, so a failure prints both names.
#define EXPECT_CUDA(expected, call)                                           \
  EXPECT_STREQ(cudaGetErrorName(call), #expected)
#define ASSERT_CUDA_OK(call) ASSERT_STREQ(cudaGetErrorName(call), "cudaSuccess")

class Sim : public ::testing::Test {
protected:
  void SetUp() override {
    int count = 0;
    ASSERT_CUDA_OK(cudaGetDeviceCount(&count));
    ASSERT_GE(count, 2) << "the simulator's tests expect its default two "
                           "GPUs (ALEXNET_CUDASIM_DEVICES unset)";
    ASSERT_CUDA_OK(cudaSetDevice(0));
  }
  void TearDown() override {
    for (int device : {1, 0}) {
      cudaSetDevice(device);
      cudaDeviceReset();
    }
    cudaGetLastError();
  }

  /// A device buffer of `n` floats holding `values` (else 0xff bytes).
  float *deviceFloats(size_t n, const std::vector<float> &values = {}) {
    float *p = nullptr;
    EXPECT_CUDA(cudaSuccess, cudaMalloc(reinterpret_cast<void **>(&p),
                                        n * sizeof(float)));
    if (!values.empty()) {
      EXPECT_CUDA(cudaSuccess, cudaMemcpy(p, values.data(),
                                          values.size() * sizeof(float),
                                          cudaMemcpyHostToDevice));
      // From pageable memory cudaMemcpy returns once its data is staged;
      // a non-blocking stream would not wait for the rest.
      EXPECT_CUDA(cudaSuccess, cudaDeviceSynchronize());
    }
    return p;
  }
  std::vector<float> hostFloats(const float *p, size_t n) {
    std::vector<float> out(n);
    EXPECT_CUDA(cudaSuccess, cudaMemcpy(out.data(), p, n * sizeof(float),
                                        cudaMemcpyDeviceToHost));
    return out;
  }
};

#endif // ALEXNET_TEST_UNIT_RUNTIME_CUDASIM_SIMTESTUTIL_H
