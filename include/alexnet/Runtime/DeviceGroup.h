//===- DeviceGroup.h - Logical devices on the CPU ---------------*- C++ -*-===//
//
// A partitioned model (nn-partition) runs one schedule per logical device,
// concurrently. On the CPU each device is a thread with its own share of the
// worker threads for its kernels; device 0 is the calling thread. Devices
// order their cross-device copies with events, like CUDA streams: the
// source records event k when it reaches transfer k, the target waits for it
// before copying. Events are per run (a generation count), so nothing is
// reset between runs.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_DEVICEGROUP_H
#define ALEXNET_RUNTIME_DEVICEGROUP_H

#include "alexnet/Runtime/ThreadPool.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace alexnet::runtime {

class DeviceGroup {
public:
  /// `devices` logical devices sharing `threads` threads (<= 0: one per
  /// hardware thread) as evenly as possible, at least one each.
  DeviceGroup(int devices, int threads);

  int size() const { return int(pools.size()); }
  /// The threads device `device`'s kernels run on.
  ThreadPool &pool(int device) { return *pools[device]; }

  /// Runs fn(device) for every device at once (device 0 on the calling
  /// thread) with `events` fresh events; returns when all are done.
  template <typename F> void run(int events, F &&fn) {
    startRun(events);
    // One index per device: the launcher gives chunk d to its thread d.
    auto devices = [&](int64_t begin, int64_t end) {
      for (int64_t device = begin; device < end; ++device)
        fn(int(device));
    };
    launcher.parallelFor(size(), devices, /*minChunk=*/1);
  }

  /// Marks event `event` of the current run as reached.
  void record(int event);
  /// Blocks until event `event` of the current run is recorded.
  void wait(int event);

private:
  /// A new generation of events, `events` of them.
  void startRun(int events);

  std::vector<std::unique_ptr<ThreadPool>> pools;
  /// A thread per device (the caller is device 0) that runs its schedule.
  ThreadPool launcher;
  std::mutex mutex;
  std::condition_variable reached;
  uint64_t generation = 0;
  std::vector<uint64_t> eventGeneration; ///< == generation: recorded this run
};

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_DEVICEGROUP_H
