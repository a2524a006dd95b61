//===- SimKernelTest.cpp - Kernel launches in the CUDA simulator ----------===//
//
// What a launch may be (block, grid, launch bounds, shared memory, stream,
// pointer arguments), checked with CUDA's errors, and what a kernel may do:
// every thread of every block runs with its coordinates, and the threads of
// a block meet at __syncthreads over __shared__ memory.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include <algorithm>
#include <numeric>

namespace {

/// out[global linear thread] = that index, for any grid and block shape.
ALEXNET_KERNEL(writeIndex, 1024)(int n, int *out) {
  unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned perBlock = blockDim.x * blockDim.y * blockDim.z;
  unsigned thread =
      threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  int i = int(block * perBlock + thread);
  if (i < n)
    out[i] = i;
}

ALEXNET_KERNEL(bounded128, 128)(float *out) { out[threadIdx.x] = 1.0f; }

/// A tree reduction of each block's 256 inputs through shared memory.
ALEXNET_KERNEL(blockSum, 256)(const float *in, float *out) {
  __shared__ float partial[256];
  unsigned t = threadIdx.x;
  partial[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s /= 2) {
    if (t < s)
      partial[t] += partial[t + s];
    __syncthreads();
  }
  if (t == 0)
    out[blockIdx.x] = partial[0];
}

/// Odd threads leave before the barrier the even ones wait at.
ALEXNET_KERNEL(divergentBarrier, 64)(float *out) {
  if (threadIdx.x % 2)
    return;
  __syncthreads();
  out[threadIdx.x] = 1.0f;
}

ALEXNET_KERNEL(scale, 256)(int64_t n, const float *in, float *out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = 2.0f * in[i];
}

TEST_F(Sim, EveryThreadRunsWithItsCoordinates) {
  int *out = nullptr;
  const int n = 2 * 3 * 2 * 4 * 2 * 2;
  ASSERT_CUDA_OK(cudaMalloc(&out, n * sizeof(int)));
  ALEXNET_LAUNCH(writeIndex, dim3(2, 3, 2), dim3(4, 2, 2), 0, nullptr)(n, out);
  ASSERT_CUDA_OK(cudaGetLastError());
  std::vector<int> got(n), want(n);
  ASSERT_CUDA_OK(cudaMemcpy(got.data(), out, n * sizeof(int),
                            cudaMemcpyDeviceToHost));
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(got, want);
}

TEST_F(Sim, LaunchConfigurationLimits) {
  float *out = deviceFloats(2048);
  // More than 1,024 threads per block, or a block dimension past its limit.
  ALEXNET_LAUNCH(writeIndex, 1, 1025, 0, nullptr)(1, nullptr);
  EXPECT_CUDA(cudaErrorInvalidConfiguration, cudaGetLastError());
  ALEXNET_LAUNCH(writeIndex, 1, dim3(1, 1, 65), 0, nullptr)(1, nullptr);
  EXPECT_CUDA(cudaErrorInvalidConfiguration, cudaGetLastError());
  // Grid y and z stop at 65,535; an empty grid is no grid.
  ALEXNET_LAUNCH(writeIndex, dim3(1, 65536), 32, 0, nullptr)(1, nullptr);
  EXPECT_CUDA(cudaErrorInvalidConfiguration, cudaGetLastError());
  ALEXNET_LAUNCH(writeIndex, 0, 32, 0, nullptr)(1, nullptr);
  EXPECT_CUDA(cudaErrorInvalidConfiguration, cudaGetLastError());
  // More threads than the kernel's __launch_bounds__.
  ALEXNET_LAUNCH(bounded128, 1, 256, 0, nullptr)(out);
  EXPECT_CUDA(cudaErrorLaunchOutOfResources, cudaGetLastError());
  ALEXNET_LAUNCH(bounded128, 1, 128, 0, nullptr)(out);
  EXPECT_CUDA(cudaSuccess, cudaGetLastError());
  // Dynamic shared memory beyond 48 KiB needs an opt-in.
  ALEXNET_LAUNCH(bounded128, 1, 128, 64 << 10, nullptr)(out);
  EXPECT_CUDA(cudaErrorInvalidValue, cudaGetLastError());
  // None of these is sticky: the GPU goes on.
  EXPECT_CUDA(cudaSuccess, cudaDeviceSynchronize());
}

TEST_F(Sim, SharedMemoryAndSyncthreads) {
  const int blocks = 5;
  std::vector<float> in(blocks * 256);
  for (size_t i = 0; i < in.size(); ++i)
    in[i] = float(i % 97) * 0.25f;
  float *d = deviceFloats(in.size(), in), *sums = deviceFloats(blocks);
  ALEXNET_LAUNCH(blockSum, blocks, 256, 0, nullptr)(d, sums);
  ASSERT_CUDA_OK(cudaGetLastError());
  std::vector<float> got = hostFloats(sums, blocks);
  for (int b = 0; b < blocks; ++b) {
    float want = 0;
    for (int t = 0; t < 256; ++t)
      want += in[size_t(b * 256 + t)];
    EXPECT_NEAR(got[size_t(b)], want, 1e-3f * want) << "block " << b;
  }
}

TEST_F(Sim, DivergentBarrierFaults) {
  float *out = deviceFloats(64);
  ALEXNET_LAUNCH(divergentBarrier, 1, 64, 0, nullptr)(out);
  EXPECT_CUDA(cudaSuccess, cudaGetLastError()); // the launch itself was fine
  EXPECT_CUDA(cudaErrorLaunchFailure, cudaDeviceSynchronize());
  // Sticky, as a GPU's: every later call fails until the device is reset.
  void *p = nullptr;
  EXPECT_CUDA(cudaErrorLaunchFailure, cudaMalloc(&p, 4));
}

TEST_F(Sim, HostPointerArgumentFaults) {
  std::vector<float> pageable(16, 1.0f);
  float *out = deviceFloats(16);
  ALEXNET_LAUNCH(scale, 1, 256, 0, nullptr)(16, pageable.data(), out);
  EXPECT_CUDA(cudaErrorIllegalAddress, cudaGetLastError());
  EXPECT_CUDA(cudaErrorIllegalAddress, cudaDeviceSynchronize());
}

TEST_F(Sim, PinnedHostMemoryIsAddressable) {
  float *pinned = nullptr;
  ASSERT_CUDA_OK(cudaMallocHost(&pinned, 16 * sizeof(float)));
  for (int i = 0; i < 16; ++i)
    pinned[i] = float(i);
  float *out = deviceFloats(16);
  ALEXNET_LAUNCH(scale, 1, 256, 0, nullptr)(16, pinned, out);
  ASSERT_CUDA_OK(cudaGetLastError());
  EXPECT_EQ(hostFloats(out, 16)[5], 10.0f);
  ASSERT_CUDA_OK(cudaFreeHost(pinned));
}

TEST_F(Sim, AnotherGpusMemoryNeedsPeerAccess) {
  float *onZero = deviceFloats(16, std::vector<float>(16, 3.0f));
  ASSERT_CUDA_OK(cudaSetDevice(1));
  float *onOne = deviceFloats(16);
  cudaStream_t s;
  ASSERT_CUDA_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  ASSERT_CUDA_OK(cudaDeviceEnablePeerAccess(0, 0));
  ALEXNET_LAUNCH(scale, 1, 256, 0, s)(16, onZero, onOne);
  ASSERT_CUDA_OK(cudaGetLastError());
  // A non-blocking stream: the legacy stream's copy does not wait for it.
  ASSERT_CUDA_OK(cudaStreamSynchronize(s));
  EXPECT_EQ(hostFloats(onOne, 16)[0], 6.0f);
  ASSERT_CUDA_OK(cudaDeviceDisablePeerAccess(0));
  ALEXNET_LAUNCH(scale, 1, 256, 0, s)(16, onZero, onOne);
  EXPECT_CUDA(cudaErrorIllegalAddress, cudaGetLastError());
}

TEST_F(Sim, KernelOnAnotherGpusStreamFails) {
  ASSERT_CUDA_OK(cudaSetDevice(1));
  cudaStream_t s;
  ASSERT_CUDA_OK(cudaStreamCreate(&s));
  ASSERT_CUDA_OK(cudaSetDevice(0));
  float *out = deviceFloats(16);
  ALEXNET_LAUNCH(scale, 1, 256, 0, s)(16, out, out);
  EXPECT_CUDA(cudaErrorInvalidResourceHandle, cudaGetLastError());
}

TEST_F(Sim, StreamsOrderByEvents) {
  // Stream a fills x; stream b, after waiting for a's event, scales it. The
  // order holds whatever the workers' timing.
  const int64_t n = 1 << 16;
  float *x = deviceFloats(size_t(n)), *y = deviceFloats(size_t(n));
  float *pinned = nullptr;
  ASSERT_CUDA_OK(cudaMallocHost(&pinned, size_t(n) * sizeof(float)));
  cudaStream_t a, b;
  ASSERT_CUDA_OK(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking));
  ASSERT_CUDA_OK(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking));
  cudaEvent_t filled;
  ASSERT_CUDA_OK(cudaEventCreateWithFlags(&filled, cudaEventDisableTiming));
  for (int round = 1; round <= 20; ++round) {
    std::fill(pinned, pinned + n, float(round));
    ASSERT_CUDA_OK(cudaMemcpyAsync(x, pinned, size_t(n) * sizeof(float),
                                   cudaMemcpyHostToDevice, a));
    ALEXNET_LAUNCH(scale, 256, 256, 0, a)(n, x, x);
    ASSERT_CUDA_OK(cudaEventRecord(filled, a));
    ASSERT_CUDA_OK(cudaStreamWaitEvent(b, filled, 0));
    ALEXNET_LAUNCH(scale, 256, 256, 0, b)(n, x, y);
    ASSERT_CUDA_OK(cudaStreamSynchronize(b));
    ASSERT_EQ(hostFloats(y, size_t(n)),
              std::vector<float>(size_t(n), 4.0f * float(round)));
  }
}

TEST_F(Sim, LegacyStreamOrdersBlockingStreams) {
  // A blocking stream's kernel, then a memset on the legacy default
  // stream: the memset waits for it. (A non-blocking stream's would not.)
  const int64_t n = 1 << 16;
  float *x = deviceFloats(size_t(n), std::vector<float>(size_t(n), 1.0f));
  cudaStream_t blocking;
  ASSERT_CUDA_OK(cudaStreamCreate(&blocking));
  ALEXNET_LAUNCH(scale, 256, 256, 0, blocking)(n, x, x);
  ASSERT_CUDA_OK(cudaMemsetAsync(x, 0, size_t(n) * sizeof(float), nullptr));
  ALEXNET_LAUNCH(scale, 256, 256, 0, blocking)(n, x, x);
  ASSERT_CUDA_OK(cudaStreamSynchronize(blocking));
  EXPECT_EQ(hostFloats(x, size_t(n)), std::vector<float>(size_t(n), 0.0f));
}

} // namespace
