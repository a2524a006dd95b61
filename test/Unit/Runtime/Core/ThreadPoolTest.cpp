//===- ThreadPoolTest.cpp - The runtime's parallel loops ------------------===//

#include "alexnet/Runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

using namespace alexnet::runtime;

namespace {

/// Every index of [0, n) is visited exactly once, whatever the size and
/// chunking, including sizes below, at and above one chunk per thread.
TEST(ThreadPool, VisitsEveryIndexOnce) {
  ThreadPool pool(3);
  for (int64_t n : {0, 1, 2, 3, 7, 4095, 4096, 4097, 100000}) {
    for (int64_t grain : {1, 16, 4096}) {
      std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
      pool.forEach(n, [&](int64_t i) { seen[size_t(i)]++; }, grain);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(seen[size_t(i)].load(), 1) << "n=" << n << " i=" << i;
    }
  }
}

/// Chunks are contiguous and disjoint: kernels stream through memory.
TEST(ThreadPool, ChunksAreContiguousAndDisjoint) {
  ThreadPool pool(4);
  std::vector<std::pair<int64_t, int64_t>> chunks(4, {-1, -1});
  std::atomic<int> count{0};
  auto body = [&](int64_t begin, int64_t end) {
    chunks[size_t(count++)] = {begin, end};
  };
  pool.parallelFor(40000, body, 1);
  ASSERT_EQ(count.load(), 4);
  std::sort(chunks.begin(), chunks.end());
  EXPECT_EQ(chunks.front().first, 0);
  EXPECT_EQ(chunks.back().second, 40000);
  for (size_t i = 1; i < chunks.size(); ++i)
    EXPECT_EQ(chunks[i].first, chunks[i - 1].second);
}

/// Small loops run on the caller alone (no wake-up cost), large ones use
/// every worker.
TEST(ThreadPool, SmallLoopsStayOnTheCaller) {
  ThreadPool pool(2);
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  pool.forEach(100, [&](int64_t) {
    if (std::this_thread::get_id() != caller)
      ++elsewhere;
  });
  EXPECT_EQ(elsewhere.load(), 0);
  std::atomic<int> threads{0};
  std::atomic<bool> sawWorker{false};
  auto body = [&](int64_t, int64_t) {
    ++threads;
    if (std::this_thread::get_id() != caller)
      sawWorker = true;
  };
  pool.parallelFor(1 << 20, body, 1);
  EXPECT_EQ(threads.load(), 2);
  EXPECT_TRUE(sawWorker.load());
}

/// Many loops in a row (as a schedule issues them) all complete, and the
/// pool shuts down cleanly afterwards.
TEST(ThreadPool, ManyConsecutiveLoops) {
  std::atomic<int64_t> total{0};
  {
    ThreadPool pool(3);
    for (int round = 0; round < 2000; ++round)
      pool.forEach(5000, [&](int64_t) { ++total; }, 64);
  }
  EXPECT_EQ(total.load(), int64_t(2000) * 5000);
}

TEST(ThreadPool, DefaultsToTheHardwareThreads) {
  ThreadPool pool;
  EXPECT_GE(pool.size(), 1);
  EXPECT_EQ(ThreadPool(1).size(), 1);
}

} // namespace
