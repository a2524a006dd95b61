//===- DeviceGroupTest.cpp - Logical CPU devices and their events ---------===//

#include "alexnet/Runtime/DeviceGroup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace alexnet::runtime;

namespace {

/// Threads are shared fairly, at least one per device; the first devices
/// get the remainder.
TEST(DeviceGroup, SharesThreadsFairly) {
  DeviceGroup two(2, 2);
  EXPECT_EQ(two.size(), 2);
  EXPECT_EQ(two.pool(0).size(), 1);
  EXPECT_EQ(two.pool(1).size(), 1);
  DeviceGroup odd(2, 5);
  EXPECT_EQ(odd.pool(0).size(), 3);
  EXPECT_EQ(odd.pool(1).size(), 2);
  DeviceGroup few(3, 1);
  for (int d = 0; d < 3; ++d)
    EXPECT_EQ(few.pool(d).size(), 1);
}

/// Every device runs once per run, devices 1.. on their own threads and
/// device 0 on the caller's.
TEST(DeviceGroup, RunsEveryDeviceOnItsThread) {
  DeviceGroup group(3, 3);
  for (int run = 0; run < 5; ++run) {
    std::vector<std::thread::id> ids(3);
    std::atomic<int> calls{0};
    group.run(0, [&](int device) {
      ids[size_t(device)] = std::this_thread::get_id();
      ++calls;
    });
    EXPECT_EQ(calls.load(), 3);
    EXPECT_EQ(ids[0], std::this_thread::get_id());
    EXPECT_NE(ids[1], ids[0]);
    EXPECT_NE(ids[2], ids[0]);
    EXPECT_NE(ids[1], ids[2]);
  }
}

/// Devices run at the same time: each waits for the other's event, which
/// only works when both run concurrently (a sequential run would hang).
TEST(DeviceGroup, DevicesRunConcurrently) {
  DeviceGroup group(2, 2);
  std::atomic<int> done{0};
  group.run(2, [&](int device) {
    group.record(device);
    group.wait(1 - device);
    ++done;
  });
  EXPECT_EQ(done.load(), 2);
}

/// A wait returns only after the matching record, in every run: events do
/// not carry over from one run to the next.
TEST(DeviceGroup, WaitFollowsRecordInEveryRun) {
  DeviceGroup group(2, 2);
  for (int run = 0; run < 20; ++run) {
    std::atomic<int> produced{0};
    int seen = -1;
    group.run(1, [&](int device) {
      if (device == 1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(run % 3));
        produced.store(run + 1, std::memory_order_relaxed);
        group.record(0);
      } else {
        group.wait(0);
        seen = produced.load(std::memory_order_relaxed);
      }
    });
    EXPECT_EQ(seen, run + 1) << "run " << run;
  }
}

/// Kernels launched on a device's pool cover their range once.
TEST(DeviceGroup, PoolsRunKernelsOfTheirDevice) {
  DeviceGroup group(2, 4);
  std::vector<std::atomic<int>> hits(2 * 10000);
  group.run(0, [&](int device) {
    group.pool(device).forEach(10000, [&](int64_t i) {
      hits[size_t(device * 10000 + i)]++;
    }, 16);
  });
  for (size_t i = 0; i < hits.size(); ++i)
    ASSERT_EQ(hits[i].load(), 1) << i;
}

} // namespace
