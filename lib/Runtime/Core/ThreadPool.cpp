//===- ThreadPool.cpp - Persistent workers for parallel loops -------------===//

#include "alexnet/Runtime/ThreadPool.h"

#include <algorithm>

namespace alexnet::runtime {

ThreadPool::ThreadPool(int threads) {
  numThreads = threads > 0 ? threads
                           : std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < numThreads; ++i)
    workers.emplace_back([this, i] { workerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

static void chunkOf(int64_t n, int parts, int index, int64_t &begin,
                    int64_t &end) {
  begin = n * index / parts;
  end = n * (index + 1) / parts;
}

void ThreadPool::parallelFor(int64_t n, RangeFn body, int64_t minChunk) {
  if (n <= 0)
    return;
  int64_t useful = std::max<int64_t>(1, n / std::max<int64_t>(1, minChunk));
  int parts = int(std::min<int64_t>(numThreads, useful));
  if (parts <= 1) {
    body(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    job = &body;
    jobSize = n;
    jobThreads = parts;
    pending = parts - 1;
    ++generation;
  }
  wake.notify_all();
  int64_t begin, end;
  chunkOf(n, parts, 0, begin, end);
  body(begin, end);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [this] { return pending == 0; });
  job = nullptr;
}

void ThreadPool::workerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    const RangeFn *body;
    int64_t n;
    int parts;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      body = job;
      n = jobSize;
      parts = jobThreads;
    }
    if (index < parts) {
      int64_t begin, end;
      chunkOf(n, parts, index, begin, end);
      (*body)(begin, end);
      std::lock_guard<std::mutex> lock(mutex);
      if (--pending == 0)
        done.notify_one();
    }
  }
}

} // namespace alexnet::runtime
