//===- PlantedRace.cpp - A missing event wait, for ThreadSanitizer --------===//
//
//   cuda-sim-planted-race wait|nowait [ROUNDS]
//   cuda-sim-planted-race blocks
//
// Stream a fills x, stream b copies it, ROUNDS times (20); with `wait` b first
// waits for a's event and a for b's before the next fill, as CUDA requires.
// Built with -fsanitize=thread against a TSan build
// of the simulator, whose workers are real threads: ThreadSanitizer reports
// the `nowait` run's race (kernel `fill` writing x, kernel `copyOut` reading
// it) and nothing for `wait` (test/e2e/cuda-sim-planted-race.test).
//
// `blocks` runs one grid of 100,000 blocks, which the worker's one fiber
// runs one after another: its shadow call stack must stay flat (it once
// grew by two frames a block until TSan's stack depot overflowed).
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/CudaSim/CudaSimTarget.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

ALEXNET_KERNEL(fill, 256)(int64_t n, float *x) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    x[i] = float(i);
}

ALEXNET_KERNEL(copyOut, 256)(int64_t n, const float *x, float *y) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = x[i];
}

int check(cudaError_t e, const char *what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", what, cudaGetErrorName(e));
    std::exit(1);
  }
  return 0;
}

} // namespace

static int manyBlocks() {
  const int64_t blocks = 100000, n = blocks * 32;
  float *x = nullptr;
  check(cudaMalloc(&x, n * sizeof(float)), "cudaMalloc");
  ALEXNET_LAUNCH(fill, blocks, 32, 0, 0)(n, x);
  check(cudaGetLastError(), "fill");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  float last = 0;
  check(cudaMemcpy(&last, x + n - 1, sizeof(float), cudaMemcpyDeviceToHost),
        "cudaMemcpy");
  std::printf("ran %lld blocks, x[n - 1] = %.0f\n", (long long)blocks, last);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "blocks") == 0)
    return manyBlocks();
  bool wait = argc > 1 && std::strcmp(argv[1], "wait") == 0;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const int64_t n = 1 << 14;
  float *x = nullptr, *y = nullptr;
  check(cudaMalloc(&x, n * sizeof(float)), "cudaMalloc");
  check(cudaMalloc(&y, n * sizeof(float)), "cudaMalloc");
  cudaStream_t a, b;
  check(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking), "stream");
  check(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking), "stream");
  cudaEvent_t filled, copied;
  check(cudaEventCreateWithFlags(&filled, cudaEventDisableTiming), "event");
  check(cudaEventCreateWithFlags(&copied, cudaEventDisableTiming), "event");
  // Rounds of the pattern: TSan sees a race in a round most of the time,
  // not always (see the closing note of issue 15), so 20 of them.
  for (int round = 0; round < rounds; ++round) {
    ALEXNET_LAUNCH(fill, 64, 256, 0, a)(n, x);
    check(cudaGetLastError(), "fill");
    check(cudaEventRecord(filled, a), "cudaEventRecord");
    if (wait)
      check(cudaStreamWaitEvent(b, filled, 0), "cudaStreamWaitEvent");
    ALEXNET_LAUNCH(copyOut, 64, 256, 0, b)(n, x, y);
    check(cudaGetLastError(), "copyOut");
    // The next round's fill must not overwrite x under this copy either.
    check(cudaEventRecord(copied, b), "cudaEventRecord");
    if (wait)
      check(cudaStreamWaitEvent(a, copied, 0), "cudaStreamWaitEvent");
  }
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  std::printf("done (%s)\n", wait ? "b waited for a" : "no wait");
  return 0;
}
