//===- SimMemoryTest.cpp - Simulated devices, memory and copies -----------===//

#include "SimTestUtil.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace {

TEST_F(Sim, DevicesAndProperties) {
  cudaDeviceProp prop;
  ASSERT_CUDA_OK(cudaGetDeviceProperties(&prop, 1));
  EXPECT_EQ(prop.maxThreadsPerBlock, 1024);
  EXPECT_EQ(prop.maxGridSize[1], 65535);
  EXPECT_STREQ(prop.name, "alexnet CUDA simulator, GPU 1");
  EXPECT_CUDA(cudaErrorInvalidDevice, cudaSetDevice(2));
  EXPECT_CUDA(cudaErrorInvalidDevice, cudaGetLastError());
  EXPECT_CUDA(cudaSuccess, cudaGetLastError()); // read, then cleared
  int device = -1;
  ASSERT_CUDA_OK(cudaGetDevice(&device));
  EXPECT_EQ(device, 0);
}

TEST_F(Sim, FreshMemoryIsNaN) {
  // What a kernel reads before anything wrote it shows up.
  float *p = deviceFloats(4);
  for (float v : hostFloats(p, 4))
    EXPECT_TRUE(std::isnan(v));
  ASSERT_CUDA_OK(cudaMemset(p, 0, 4 * sizeof(float)));
  EXPECT_EQ(hostFloats(p, 4), std::vector<float>(4, 0.0f));
  ASSERT_CUDA_OK(cudaFree(p));
}

TEST_F(Sim, CopiesCheckTheirKind) {
  float *d = deviceFloats(8);
  std::vector<float> host(8, 1.0f), other(8);
  // The pointers must be what the kind says.
  EXPECT_CUDA(cudaErrorInvalidValue,
              cudaMemcpy(other.data(), host.data(), 32, cudaMemcpyHostToDevice));
  EXPECT_CUDA(cudaErrorInvalidValue,
              cudaMemcpy(d, host.data(), 32, cudaMemcpyDeviceToHost));
  EXPECT_CUDA(cudaErrorInvalidValue,
              cudaMemcpy(d, d, 32, cudaMemcpyHostToHost));
  EXPECT_CUDA(cudaErrorInvalidMemcpyDirection,
              cudaMemcpy(d, host.data(), 32, static_cast<cudaMemcpyKind>(7)));
  // No copy runs past its allocation.
  EXPECT_CUDA(cudaErrorInvalidValue,
              cudaMemcpy(d + 4, host.data(), 32, cudaMemcpyHostToDevice));
  // cudaMemcpyDefault infers the kind under unified addressing.
  EXPECT_CUDA(cudaSuccess,
              cudaMemcpy(d, host.data(), 32, cudaMemcpyDefault));
  EXPECT_EQ(hostFloats(d, 8), host);
  EXPECT_CUDA(cudaErrorInvalidValue, cudaFree(d + 1));
  EXPECT_CUDA(cudaErrorInvalidValue, cudaFree(host.data()));
  ASSERT_CUDA_OK(cudaFree(d));
}

TEST_F(Sim, PointerAttributesTellMemoryApart) {
  float *d = deviceFloats(4);
  void *pinned = nullptr;
  ASSERT_CUDA_OK(cudaHostAlloc(&pinned, 16, cudaHostAllocPortable));
  float pageable[4];
  cudaPointerAttributes a;
  ASSERT_CUDA_OK(cudaPointerGetAttributes(&a, d + 2));
  EXPECT_EQ(a.type, cudaMemoryTypeDevice);
  EXPECT_EQ(a.device, 0);
  ASSERT_CUDA_OK(cudaPointerGetAttributes(&a, pinned));
  EXPECT_EQ(a.type, cudaMemoryTypeHost);
  ASSERT_CUDA_OK(cudaPointerGetAttributes(&a, pageable));
  EXPECT_EQ(a.type, cudaMemoryTypeUnregistered);
  ASSERT_CUDA_OK(cudaFreeHost(pinned));
  ASSERT_CUDA_OK(cudaPointerGetAttributes(&a, pinned));
  EXPECT_EQ(a.type, cudaMemoryTypeUnregistered);
}

TEST_F(Sim, PeerAccess) {
  int can = 0;
  ASSERT_CUDA_OK(cudaDeviceCanAccessPeer(&can, 0, 1));
  EXPECT_EQ(can, 1);
  ASSERT_CUDA_OK(cudaDeviceCanAccessPeer(&can, 0, 0));
  EXPECT_EQ(can, 0);
  EXPECT_CUDA(cudaErrorInvalidDevice, cudaDeviceEnablePeerAccess(0, 0));
  EXPECT_CUDA(cudaErrorPeerAccessNotEnabled, cudaDeviceDisablePeerAccess(1));
  EXPECT_CUDA(cudaSuccess, cudaDeviceEnablePeerAccess(1, 0));
  EXPECT_CUDA(cudaErrorPeerAccessAlreadyEnabled,
              cudaDeviceEnablePeerAccess(1, 0));
  EXPECT_CUDA(cudaSuccess, cudaDeviceDisablePeerAccess(1));
}

TEST_F(Sim, PeerCopiesNeedNoPeerAccess) {
  float *a = deviceFloats(4, {1, 2, 3, 4});
  ASSERT_CUDA_OK(cudaSetDevice(1));
  float *b = deviceFloats(4);
  cudaStream_t s;
  ASSERT_CUDA_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  EXPECT_CUDA(cudaErrorInvalidValue,
              cudaMemcpyPeerAsync(b, 0, a, 0, 16, s)); // b is on GPU 1
  ASSERT_CUDA_OK(cudaMemcpyPeerAsync(b, 1, a, 0, 16, s));
  ASSERT_CUDA_OK(cudaStreamSynchronize(s));
  EXPECT_EQ(hostFloats(b, 4), (std::vector<float>{1, 2, 3, 4}));
  ASSERT_CUDA_OK(cudaStreamDestroy(s));
}

TEST_F(Sim, OutOfMemory) {
  void *p = nullptr;
  size_t freeBytes = 0, total = 0;
  ASSERT_CUDA_OK(cudaMemGetInfo(&freeBytes, &total));
  EXPECT_CUDA(cudaErrorMemoryAllocation, cudaMalloc(&p, total + 1));
  EXPECT_EQ(p, nullptr);
}

TEST_F(Sim, EventsTimeAndCheckTheirDevice) {
  cudaStream_t s;
  ASSERT_CUDA_OK(cudaStreamCreate(&s));
  cudaEvent_t a, b, untimed;
  ASSERT_CUDA_OK(cudaEventCreate(&a));
  ASSERT_CUDA_OK(cudaEventCreate(&b));
  ASSERT_CUDA_OK(cudaEventCreateWithFlags(&untimed, cudaEventDisableTiming));
  float ms = -1;
  EXPECT_CUDA(cudaErrorInvalidResourceHandle, cudaEventElapsedTime(&ms, a, b));
  ASSERT_CUDA_OK(cudaEventRecord(a, s));
  ASSERT_CUDA_OK(cudaEventRecord(b, s));
  ASSERT_CUDA_OK(cudaEventRecord(untimed, s));
  ASSERT_CUDA_OK(cudaEventSynchronize(b));
  EXPECT_CUDA(cudaSuccess, cudaEventQuery(b));
  ASSERT_CUDA_OK(cudaEventElapsedTime(&ms, a, b));
  EXPECT_GE(ms, 0.0f);
  EXPECT_CUDA(cudaErrorInvalidResourceHandle,
              cudaEventElapsedTime(&ms, a, untimed));
  // An event belongs to its GPU: recording it on another's stream fails.
  ASSERT_CUDA_OK(cudaSetDevice(1));
  cudaStream_t t;
  ASSERT_CUDA_OK(cudaStreamCreate(&t));
  EXPECT_CUDA(cudaErrorInvalidResourceHandle, cudaEventRecord(a, t));
  // Waiting for another GPU's event is fine.
  EXPECT_CUDA(cudaSuccess, cudaStreamWaitEvent(t, a, 0));
  ASSERT_CUDA_OK(cudaStreamSynchronize(t));
  for (cudaEvent_t e : {a, b, untimed})
    ASSERT_CUDA_OK(cudaEventDestroy(e));
  EXPECT_CUDA(cudaErrorInvalidResourceHandle, cudaEventDestroy(a));
}

} // namespace
