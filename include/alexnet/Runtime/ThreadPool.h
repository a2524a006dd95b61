//===- ThreadPool.h - Persistent workers for parallel loops -----*- C++ -*-===//
//
// Generated CPU kernels run `parallelFor(n, body)`: the range is cut into one
// contiguous chunk per thread (the caller takes the first), so each worker
// streams through memory and the small element-wise kernels stay
// vectorisable. Workers sleep between loops; a loop costs one wake-up.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_THREADPOOL_H
#define ALEXNET_RUNTIME_THREADPOOL_H

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace alexnet::runtime {

/// A non-owning reference to a callable `void(int64_t begin, int64_t end)`.
class RangeFn {
public:
  template <typename F>
  RangeFn(F &fn) // NOLINT: implicit by design, like llvm::function_ref
      : object(&fn), call([](void *o, int64_t b, int64_t e) {
          (*static_cast<F *>(o))(b, e);
        }) {}
  void operator()(int64_t begin, int64_t end) const { call(object, begin, end); }

private:
  void *object;
  void (*call)(void *, int64_t, int64_t);
};

class ThreadPool {
public:
  /// `threads` <= 0 means one per hardware thread.
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int size() const { return numThreads; }

  /// Calls body(begin, end) on disjoint chunks covering [0, n); returns when
  /// all are done. Ranges shorter than `minChunk` per thread use fewer threads.
  void parallelFor(int64_t n, RangeFn body, int64_t minChunk = 4096);

  /// Element-wise convenience: body(i) for every i in [0, n).
  template <typename F>
  void forEach(int64_t n, F &&body, int64_t minChunk = 4096) {
    auto range = [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        body(i);
    };
    parallelFor(n, range, minChunk);
  }

private:
  void workerLoop(int index);

  int numThreads;
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable wake, done;
  uint64_t generation = 0;
  int pending = 0;
  bool stopping = false;
  // The current loop, valid while pending > 0.
  const RangeFn *job = nullptr;
  int64_t jobSize = 0;
  int jobThreads = 0;
};

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_THREADPOOL_H
