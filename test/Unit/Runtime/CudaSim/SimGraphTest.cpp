//===- SimGraphTest.cpp - Stream capture and CUDA graphs, simulated -------===//
//
// A captured graph replays its work reading its buffers when it runs; a
// fork into another stream must be joined back; the calls CUDA forbids
// during capture fail with its errors and invalidate the capture.
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include <thread>

namespace {

ALEXNET_KERNEL(addOne, 256)(int64_t n, float *x) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    x[i] += 1.0f;
}

ALEXNET_KERNEL(twice, 256)(int64_t n, const float *in, float *out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    out[i] = 2.0f * in[i];
}

class SimGraph : public Sim {
protected:
  void SetUp() override {
    Sim::SetUp();
    for (cudaStream_t *s : {&main, &side})
      ASSERT_CUDA_OK(cudaStreamCreateWithFlags(s, cudaStreamNonBlocking));
    for (cudaEvent_t *e : {&fork, &join})
      ASSERT_CUDA_OK(cudaEventCreateWithFlags(e, cudaEventDisableTiming));
  }
  cudaStream_t main = nullptr, side = nullptr;
  cudaEvent_t fork = nullptr, join = nullptr;
};

TEST_F(SimGraph, ReplayReadsBuffersWhenItRuns) {
  const int64_t n = 1000;
  float *x = deviceFloats(n, std::vector<float>(n, 1.0f));
  float *y = deviceFloats(n);
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  cudaStreamCaptureStatus status;
  ASSERT_CUDA_OK(cudaStreamIsCapturing(main, &status));
  EXPECT_EQ(status, cudaStreamCaptureStatusActive);
  // Fork: the side stream joins the capture through the event.
  ASSERT_CUDA_OK(cudaEventRecord(fork, main));
  ASSERT_CUDA_OK(cudaStreamWaitEvent(side, fork, 0));
  ALEXNET_LAUNCH(addOne, 4, 256, 0, side)(n, x);
  ASSERT_CUDA_OK(cudaEventRecord(join, side));
  ASSERT_CUDA_OK(cudaStreamWaitEvent(main, join, 0));
  ALEXNET_LAUNCH(twice, 4, 256, 0, main)(n, x, y);
  cudaGraph_t graph = nullptr;
  ASSERT_CUDA_OK(cudaStreamEndCapture(main, &graph));
  ASSERT_NE(graph, nullptr);
  // Capture ran nothing.
  EXPECT_EQ(hostFloats(x, 1)[0], 1.0f);

  cudaGraphExec_t exec;
  ASSERT_CUDA_OK(cudaGraphInstantiate(&exec, graph, 0));
  ASSERT_CUDA_OK(cudaGraphDestroy(graph));
  ASSERT_CUDA_OK(cudaGraphLaunch(exec, main));
  ASSERT_CUDA_OK(cudaStreamSynchronize(main));
  EXPECT_EQ(hostFloats(y, n), std::vector<float>(n, 4.0f));
  // New contents, same graph: the replay reads them.
  std::vector<float> ten(n, 10.0f);
  ASSERT_CUDA_OK(cudaMemcpy(x, ten.data(), n * sizeof(float),
                            cudaMemcpyHostToDevice));
  ASSERT_CUDA_OK(cudaDeviceSynchronize());
  ASSERT_CUDA_OK(cudaGraphLaunch(exec, main));
  ASSERT_CUDA_OK(cudaGraphLaunch(exec, main));
  ASSERT_CUDA_OK(cudaStreamSynchronize(main));
  EXPECT_EQ(hostFloats(y, n), std::vector<float>(n, 24.0f));
  ASSERT_CUDA_OK(cudaGraphExecDestroy(exec));
}

TEST_F(SimGraph, AllocationDuringCaptureInvalidatesIt) {
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  void *p = nullptr;
  EXPECT_CUDA(cudaErrorStreamCaptureUnsupported, cudaMalloc(&p, 64));
  cudaStreamCaptureStatus status;
  ASSERT_CUDA_OK(cudaStreamIsCapturing(main, &status));
  EXPECT_EQ(status, cudaStreamCaptureStatusInvalidated);
  float *x = nullptr;
  ALEXNET_LAUNCH(addOne, 1, 32, 0, main)(0, x);
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated, cudaGetLastError());
  cudaGraph_t graph = reinterpret_cast<cudaGraph_t>(1);
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated,
              cudaStreamEndCapture(main, &graph));
  EXPECT_EQ(graph, nullptr);
  // The capture is over: the stream works again.
  ASSERT_CUDA_OK(cudaStreamIsCapturing(main, &status));
  EXPECT_EQ(status, cudaStreamCaptureStatusNone);
  EXPECT_CUDA(cudaSuccess, cudaStreamSynchronize(main));
}

TEST_F(SimGraph, CallsForbiddenDuringCapture) {
  float *x = deviceFloats(4);
  std::vector<float> host(4);
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  EXPECT_CUDA(cudaErrorStreamCaptureUnsupported, cudaStreamSynchronize(main));
  cudaGraph_t graph;
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated,
              cudaStreamEndCapture(main, &graph));

  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  EXPECT_CUDA(cudaErrorStreamCaptureUnsupported,
              cudaMemcpy(host.data(), x, 16, cudaMemcpyDeviceToHost));
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated,
              cudaStreamEndCapture(main, &graph));

  // Relaxed mode allows what may synchronise elsewhere.
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeRelaxed));
  void *p = nullptr;
  EXPECT_CUDA(cudaSuccess, cudaMalloc(&p, 64));
  ASSERT_CUDA_OK(cudaStreamEndCapture(main, &graph));
  ASSERT_CUDA_OK(cudaGraphDestroy(graph));
}

TEST_F(SimGraph, ForkMustBeJoined) {
  float *x = deviceFloats(4);
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  ASSERT_CUDA_OK(cudaEventRecord(fork, main));
  ASSERT_CUDA_OK(cudaStreamWaitEvent(side, fork, 0));
  ALEXNET_LAUNCH(addOne, 1, 32, 0, side)(4, x);
  cudaGraph_t graph;
  // Ending from the forked stream is not the capture's end.
  EXPECT_CUDA(cudaErrorStreamCaptureUnmatched,
              cudaStreamEndCapture(side, &graph));
  EXPECT_CUDA(cudaErrorStreamCaptureUnjoined,
              cudaStreamEndCapture(main, &graph));
  cudaStreamCaptureStatus status;
  ASSERT_CUDA_OK(cudaStreamIsCapturing(side, &status));
  EXPECT_EQ(status, cudaStreamCaptureStatusNone);
}

TEST_F(SimGraph, IsolationAndImplicitDependencies) {
  // Waiting inside a capture for work recorded outside it.
  ASSERT_CUDA_OK(cudaEventRecord(join, side));
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  EXPECT_CUDA(cudaErrorStreamCaptureIsolation,
              cudaStreamWaitEvent(main, join, 0));
  cudaGraph_t graph;
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated,
              cudaStreamEndCapture(main, &graph));
  // The legacy stream while a blocking stream captures.
  cudaStream_t blocking;
  ASSERT_CUDA_OK(cudaStreamCreate(&blocking));
  ASSERT_CUDA_OK(cudaStreamBeginCapture(blocking,
                                        cudaStreamCaptureModeRelaxed));
  float *x = deviceFloats(4);
  EXPECT_CUDA(cudaErrorStreamCaptureImplicit,
              cudaMemsetAsync(x, 0, 16, nullptr));
  EXPECT_CUDA(cudaErrorStreamCaptureInvalidated,
              cudaStreamEndCapture(blocking, &graph));
  // The legacy stream itself is never captured.
  EXPECT_CUDA(cudaErrorStreamCaptureUnsupported,
              cudaStreamBeginCapture(nullptr, cudaStreamCaptureModeGlobal));
}

TEST_F(SimGraph, ThreadLocalCaptureEndsOnItsThread) {
  ASSERT_CUDA_OK(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal));
  cudaError_t other = cudaSuccess;
  std::thread([&] {
    cudaGraph_t graph;
    other = cudaStreamEndCapture(main, &graph);
  }).join();
  EXPECT_CUDA(cudaErrorStreamCaptureWrongThread, other);
  cudaGraph_t graph;
  ASSERT_CUDA_OK(cudaStreamEndCapture(main, &graph));
  ASSERT_CUDA_OK(cudaGraphDestroy(graph));
}

} // namespace
