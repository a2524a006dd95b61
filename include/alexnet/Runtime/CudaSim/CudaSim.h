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
//   ALEXNET_CUDASIM_SERIAL   1: every operation also waits for everything
//                            the host issued before it, on any stream (a
//                            failure that goes away is a missing wait)
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

/// The built-in variables of a CUDA thread (blockDim and gridDim as uint3:
/// their .x/.y/.z read the same).
struct ThreadCoordinates {
  uint3 threadIdx, blockIdx, blockDim, gridDim;
};

/// The CUDA thread the calling host thread runs now (zero outside kernels).
/// A plain __thread variable, so a kernel reads it inline.
extern __thread ThreadCoordinates cudaThread;

/// __syncthreads: the calling CUDA thread waits until every thread of its
/// block has arrived. A barrier some threads of the block never reach
/// (divergent, or after some exited) fails the kernel.
void syncThreads();

/// The threads of the block being run that have not started yet. A fiber
/// starts them one after another until one parks at __syncthreads; the
/// next fiber goes on from there.
struct BlockThreads {
  int next = 0;
  int count = 0;
  int finished = 0;
  uint3 dim{1, 1, 1};

  /// Makes linear thread `t` of the block the current CUDA thread.
  void start(int t) const {
    unsigned u = unsigned(t);
    cudaThread.threadIdx = dim.y == 1 && dim.z == 1
                               ? uint3{u, 0, 0}
                               : uint3{u % dim.x, (u / dim.x) % dim.y,
                                       u / (dim.x * dim.y)};
  }
};

/// A kernel's threads, bound to their arguments: runs the block's threads
/// that have not started.
using BlockBody = std::function<void(BlockThreads &)>;

/// A pointer argument of a kernel launch.
struct KernelPointer {
  int argument; ///< 0-based position in the kernel's parameters
  const void *address;
};

/// What ALEXNET_LAUNCH says about a launch.
struct LaunchRequest {
  const char *kernel;     ///< the kernel's name
  int maxThreadsPerBlock; ///< its __launch_bounds__
  dim3 grid, block;
  size_t sharedBytes; ///< dynamic shared memory
  cudaStream_t stream;
};

/// Checks the launch configuration, the stream and every pointer argument
/// and queues the grid on the stream; an error becomes the calling thread's
/// last error (cudaGetLastError), as with <<<...>>>.
void launchKernel(const LaunchRequest &request,
                  std::vector<KernelPointer> pointers, BlockBody body);

/// The callable ALEXNET_LAUNCH returns: called with the kernel's arguments.
/// The kernel is a template argument, so each CUDA thread is a direct
/// (inlinable) call.
template <auto Kernel, class... Params> class KernelLaunch {
public:
  explicit KernelLaunch(const LaunchRequest &request) : request(request) {}

  template <class... Args> void operator()(Args &&...args) const {
    static_assert(sizeof...(Args) == sizeof...(Params),
                  "a kernel launch needs one argument per parameter");
    // Converted once, on the host, as CUDA copies a launch's arguments.
    std::tuple<std::decay_t<Params>...> values(std::forward<Args>(args)...);
    std::vector<KernelPointer> pointers;
    collectPointers(values, pointers, std::index_sequence_for<Params...>{});
    launchKernel(request, std::move(pointers), [values](BlockThreads &block) {
      while (block.next < block.count) {
        block.start(block.next++);
        std::apply(Kernel, values);
        ++block.finished;
      }
    });
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

  LaunchRequest request;
};

/// ALEXNET_LAUNCH's: makeLaunch<&kernel>(kernel, request).
template <auto Kernel, class... Params>
KernelLaunch<Kernel, Params...> makeLaunch(void (*)(Params...),
                                           const LaunchRequest &request) {
  return KernelLaunch<Kernel, Params...>(request);
}

} // namespace alexnet::cudasim

#endif // ALEXNET_RUNTIME_CUDASIM_CUDASIM_H
