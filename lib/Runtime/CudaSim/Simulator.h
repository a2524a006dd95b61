//===- Simulator.h - The CUDA simulator's state (internal) -----*- C++ -*-===//
//
// One lock guards all of it: devices, allocations, streams and their
// queues, events, captures. Host API calls take the lock, check, and queue
// operations; each stream's worker thread takes an operation off its queue,
// waits (on `progress`) for what it depends on, and runs it without the
// lock. An operation that faults (a bad pointer met at run time, a
// divergent barrier) makes its device's error sticky, as a GPU context's
// is: every later call on that device returns it.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CUDASIM_SIMULATOR_H
#define ALEXNET_LIB_RUNTIME_CUDASIM_SIMULATOR_H

#include "alexnet/Runtime/CudaSim/CudaSim.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

// Which sanitizer this build has (GCC's and Clang's spellings): the fibers
// and the stream workers tell it what it cannot see.
#if defined(__SANITIZE_ADDRESS__)
#define ALEXNET_CUDASIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALEXNET_CUDASIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define ALEXNET_CUDASIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ALEXNET_CUDASIM_TSAN 1
#endif
#endif

namespace alexnet::cudasim {

struct Capture;

//===--- Configuration, locking, diagnostics ------------------------------===//

struct Config {
  int devices = 2;
  bool peer = true;
  bool delay = false;
  uint64_t delaySeed = 0;
  bool serial = false;
  size_t memoryPerDevice = size_t(16) << 30;
};
const Config &config();

std::mutex &simMutex();
/// Notified whenever an operation completes or a queue gets work.
std::condition_variable &progress();

/// Prints "cuda-sim: <message>" on stderr: the detail a CUDA error code
/// cannot carry (which kernel, which argument, which rule).
void report(const std::string &message);

/// Records `error` as the calling thread's last error (cudaGetLastError)
/// and returns it; `detail`, when given, is reported.
cudaError_t fail(cudaError_t error, const std::string &detail = {});

//===--- Devices ----------------------------------------------------------===//

bool validDevice(int device);
/// The calling host thread's current device.
int currentDevice();
/// Whether GPU `from` has enabled peer access to `to` (lock held).
bool peerEnabled(int from, int to);
/// The device's sticky error, cudaSuccess while it has none (lock held).
cudaError_t stickyError(int device);
/// Makes `error` sticky on `device` and reports `what` (lock held).
void setStickyError(int device, cudaError_t error, const std::string &what);

//===--- Memory -----------------------------------------------------------===//

enum class MemoryKind { Device, PinnedHost };

struct Allocation {
  char *base;
  size_t bytes;
  MemoryKind kind;
  int device; ///< the GPU owning device memory; -1 for pinned host memory
};

/// The allocation holding `p`, or null (lock held).
const Allocation *findAllocation(const void *p);
/// Whether GPU `device` may load and store [p, p + bytes): its own memory,
/// a peer's with peer access enabled, or pinned host memory (mapped, as
/// under unified addressing). Otherwise `why` says what `p` is (lock held).
bool deviceCanAccess(int device, const void *p, size_t bytes,
                     std::string &why);
/// What `p` is, for diagnostics (lock held).
std::string describePointer(const void *p);

//===--- Streams and operations -------------------------------------------===//

/// "Stream `stream` has completed `sequence` operations."
struct Dependency {
  CUstream_st *stream;
  uint64_t sequence;
};

/// One unit of stream work: a kernel, a copy, a GEMM, an event record.
struct Operation {
  std::string what; ///< for diagnostics: "kernel k3_c3_im2col_grid"
  int device = 0;   ///< the GPU that executes it
  std::vector<Dependency> after;
  /// Runs on the stream's worker; an error becomes the device's sticky one.
  std::function<cudaError_t()> body;
};

/// Resolves a stream handle (0 and cudaStreamLegacy: the current device's
/// legacy default stream); null when the handle is not a live stream
/// (lock held).
CUstream_st *resolveStream(cudaStream_t stream);
/// Queues `op` on `stream`, adding the legacy default stream's implicit
/// ordering, or records it into the stream's capture; returns an error
/// when the stream's capture forbids it (lock held).
cudaError_t submit(CUstream_st *stream, Operation op);
/// Waits until `dependency` has completed (lock held by `lock`).
void waitFor(std::unique_lock<std::mutex> &lock, const Dependency &dependency);
/// Waits for everything queued on `device`'s streams (lock held by `lock`).
void drainDevice(std::unique_lock<std::mutex> &lock, int device);
/// A stream made by the simulator itself (a graph's lanes).
CUstream_st *createInternalStream(int device);
void destroyStream(std::unique_lock<std::mutex> &lock, CUstream_st *stream);
/// cudaDeviceReset's part for streams and events: destroys `device`'s.
void resetStreams(std::unique_lock<std::mutex> &lock, int device);
/// cudaDeviceReset's part for memory: frees `device`'s allocations.
void resetMemory(int device);

//===--- Capture (lock held) ----------------------------------------------===//

/// Fails with cudaErrorStreamCaptureUnsupported, and invalidates the
/// captures concerned, when the calling thread may not make `call` now
/// (a capture it started that is not relaxed, or any global-mode capture).
cudaError_t checkCaptureSafe(const char *call);
void invalidateCapture(Capture *capture, cudaError_t reason,
                       const std::string &what);
/// Events last recorded in `capture` become unrecorded (it ended).
void forgetCapturedEvents(Capture *capture);

//===--- cuBLAS's GEMM ----------------------------------------------------===//

/// Column-major C = alpha op(A) op(B) + beta C, on the host (OpenBLAS).
void hostSgemm(bool transA, bool transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta,
               float *c, int ldc);

} // namespace alexnet::cudasim

/// A stream: a FIFO of operations and the host thread that runs them.
struct CUstream_st {
  int device = 0;
  bool blocking = true;  ///< synchronises with the legacy default stream
  bool legacy = false;   ///< the device's legacy default stream
  bool internal = false; ///< made by the simulator (a graph lane)
  std::deque<alexnet::cudasim::Operation> queue;
  uint64_t submitted = 0, completed = 0;
  bool stopping = false;
  std::thread worker;
  uint64_t delayState = 0;
  /// ThreadSanitizer builds: operation k's happens-before token, tokens[k-1].
  std::vector<std::unique_ptr<char>> tokens;

  // Capture (null when not capturing).
  alexnet::cudasim::Capture *capture = nullptr;
  /// The captured nodes the stream's next node depends on.
  std::vector<int> captureTail;
};

/// An event: the point of a stream it last recorded.
struct CUevent_st {
  int device = 0;
  unsigned flags = 0;
  CUstream_st *stream = nullptr; ///< null until recorded outside a capture
  uint64_t sequence = 0;
  std::shared_ptr<double> when; ///< ms, set when the stream passes the point
  alexnet::cudasim::Capture *capture = nullptr; ///< recorded in a capture
  std::vector<int> captureNodes;
};

namespace alexnet::cudasim {

/// A recorded node of a stream capture.
struct GraphNode {
  Operation op;
  int lane;                ///< which captured stream it came from
  std::vector<int> after;  ///< nodes it depends on
};

struct Capture {
  CUstream_st *origin;
  cudaStreamCaptureMode mode;
  std::thread::id thread;
  std::vector<GraphNode> nodes;
  std::vector<CUstream_st *> streams; ///< lane i is streams[i]
  cudaError_t invalidated = cudaSuccess;
};

/// Lane of `stream` in `capture`, adding it (lock held).
int laneOf(Capture *capture, CUstream_st *stream);

} // namespace alexnet::cudasim

struct CUgraph_st {
  std::vector<alexnet::cudasim::GraphNode> nodes;
  std::vector<int> laneDevices;
};

struct CUgraphExec_st {
  std::vector<alexnet::cudasim::GraphNode> nodes;
  std::vector<CUstream_st *> lanes;
};

#endif // ALEXNET_LIB_RUNTIME_CUDASIM_SIMULATOR_H
