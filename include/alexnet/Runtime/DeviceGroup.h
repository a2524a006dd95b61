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
#include <thread>
#include <vector>

namespace alexnet::runtime {

class DeviceGroup {
public:
  /// `devices` logical devices sharing `threads` threads (<= 0: one per
  /// hardware thread) as evenly as possible, at least one each.
  DeviceGroup(int devices, int threads);
  ~DeviceGroup();
  DeviceGroup(const DeviceGroup &) = delete;
  DeviceGroup &operator=(const DeviceGroup &) = delete;

  int size() const { return int(pools.size()); }
  /// The threads device `device`'s kernels run on.
  ThreadPool &pool(int device) { return *pools[device]; }

  /// Runs fn(device) for every device at once (device 0 on the calling
  /// thread) with `events` fresh events; returns when all are done.
  template <typename F> void run(int events, F &&fn) {
    auto call = [&](int device) { fn(device); };
    runErased(events, CallFn(call));
  }

  /// Marks event `event` of the current run as reached.
  void record(int event);
  /// Blocks until event `event` of the current run is recorded.
  void wait(int event);

private:
  /// A non-owning reference to a callable `void(int device)`.
  class CallFn {
  public:
    template <typename F>
    explicit CallFn(F &fn)
        : object(&fn),
          call([](void *o, int device) { (*static_cast<F *>(o))(device); }) {}
    void operator()(int device) const { call(object, device); }

  private:
    void *object;
    void (*call)(void *, int);
  };

  void runErased(int events, CallFn fn);
  void deviceLoop(int device);

  std::vector<std::unique_ptr<ThreadPool>> pools;
  std::vector<std::thread> threads; ///< devices 1..N-1
  std::mutex mutex;
  std::condition_variable wake, done, reached;
  uint64_t generation = 0;
  int pending = 0;
  bool stopping = false;
  const CallFn *job = nullptr;
  std::vector<uint64_t> eventGeneration; ///< == generation: recorded this run
};

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_DEVICEGROUP_H
