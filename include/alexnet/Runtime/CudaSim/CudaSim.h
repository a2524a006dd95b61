//===- CudaSim.h - Kernel launches in the CUDA simulator -------*- C++ -*-===//
//
// The CUDA simulator runs a --target=cuda-sim executable's CUDA program on
// the host: N simulated GPUs, each with its own allocations; every stream a
// FIFO worked off by its own host thread; kernels as plain C++ functions
// run once per CUDA thread (a block's threads as fibers on one host thread,
// so __syncthreads works); cuBLAS on OpenBLAS. It checks what a GPU (or
// compute-sanitizer) would reject and fails with CUDA's own error codes.
//
// This header is the launch half that generated code instantiates: a
// kernel's arguments are converted to its parameter types on the host,
// its pointer arguments checked (each must be memory the launching GPU can
// address), and one closure per launch is queued on the stream.
//
// Environment (read once):
//   ALEXNET_CUDASIM_DEVICES  simulated GPUs (default 2; 0: no device)
//   ALEXNET_CUDASIM_PEER     1 (default): GPUs may enable peer access;
//                            0: cudaDeviceCanAccessPeer says no, as on many
//                            PCIe machines and cloud VMs
//   ALEXNET_CUDASIM_DELAY    a seed: every operation starts after a random
//                            delay (0-300 us), to shake out missing waits
//   ALEXNET_CUDASIM_MEMORY   bytes of memory per GPU (default 16 GiB)
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CUDASIM_CUDASIM_H
#define ALEXNET_RUNTIME_CUDASIM_CUDASIM_H

#include <cuda_runtime_api.h>

#include <cstddef>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

struct uint3 {
  unsigned int x, y, z;
};

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int x = 1, unsigned int y = 1, unsigned int z = 1)
      : x(x), y(y), z(z) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

namespace alexnet::cudasim {

/// The built-in variables of the CUDA thread the calling host thread runs.
struct ThreadCoordinates {
  uint3 threadIdx{0, 0, 0};
  uint3 blockIdx{0, 0, 0};
  dim3 blockDim;
  dim3 gridDim;
};

/// The calling host thread's current CUDA thread (all zero outside kernels).
ThreadCoordinates &currentThread();

/// __syncthreads: the calling CUDA thread waits until every thread of its
/// block has arrived. A barrier some threads of the block never reach
/// (divergent, or after some exited) fails the kernel.
void syncThreads();

/// A pointer argument of a kernel launch.
struct KernelPointer {
  int argument;        ///< 0-based position in the kernel's parameters
  const void *address;
};

/// What ALEXNET_LAUNCH says about a launch.
struct LaunchRequest {
  const char *kernel;       ///< the kernel's name
  int maxThreadsPerBlock;   ///< its __launch_bounds__
  dim3 grid, block;
  size_t sharedBytes;       ///< dynamic shared memory
  cudaStream_t stream;
};

/// Checks the launch configuration, the stream and every pointer argument
/// and queues `thread` (the kernel body of one CUDA thread) on the stream;
/// an error becomes the calling thread's last error (cudaGetLastError), as
/// with <<<...>>>.
void launchKernel(const LaunchRequest &request,
                  std::vector<KernelPointer> pointers,
                  std::function<void()> thread);

/// The callable ALEXNET_LAUNCH returns: called with the kernel's arguments.
template <class... Params> class KernelLaunch {
public:
  KernelLaunch(void (*kernel)(Params...), const LaunchRequest &request)
      : kernel(kernel), request(request) {}

  template <class... Args> void operator()(Args &&...args) const {
    static_assert(sizeof...(Args) == sizeof...(Params),
                  "a kernel launch needs one argument per parameter");
    // Converted once, on the host, as CUDA copies a launch's arguments.
    std::tuple<std::decay_t<Params>...> values(std::forward<Args>(args)...);
    std::vector<KernelPointer> pointers;
    collectPointers(values, pointers, std::index_sequence_for<Params...>{});
    launchKernel(request, std::move(pointers),
                 [fn = kernel, values] { std::apply(fn, values); });
  }

private:
  template <class Tuple, size_t... I>
  static void collectPointers(const Tuple &values,
                              std::vector<KernelPointer> &pointers,
                              std::index_sequence<I...>) {
    (addPointer(int(I), std::get<I>(values), pointers), ...);
  }
  template <class T>
  static void addPointer(int argument, const T &value,
                         std::vector<KernelPointer> &pointers) {
    if constexpr (std::is_pointer_v<T>)
      pointers.push_back({argument, static_cast<const void *>(value)});
  }

  void (*kernel)(Params...);
  LaunchRequest request;
};

template <class... Params>
KernelLaunch<Params...> makeLaunch(void (*kernel)(Params...),
                                   const LaunchRequest &request) {
  return KernelLaunch<Params...>(kernel, request);
}

} // namespace alexnet::cudasim

#endif // ALEXNET_RUNTIME_CUDASIM_CUDASIM_H
