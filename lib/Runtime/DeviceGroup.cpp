//===- DeviceGroup.cpp - Logical devices on the CPU -----------------------===//

#include "alexnet/Runtime/DeviceGroup.h"

#include <algorithm>

namespace alexnet::runtime {

DeviceGroup::DeviceGroup(int devices, int totalThreads) {
  devices = std::max(1, devices);
  int total = totalThreads > 0
                  ? totalThreads
                  : int(std::max(1u, std::thread::hardware_concurrency()));
  for (int d = 0; d < devices; ++d) {
    // A fair share; the first total % devices devices get one more.
    int share = total / devices + (d < total % devices ? 1 : 0);
    pools.push_back(std::make_unique<ThreadPool>(std::max(1, share)));
  }
  for (int d = 1; d < devices; ++d)
    threads.emplace_back([this, d] { deviceLoop(d); });
}

DeviceGroup::~DeviceGroup() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &t : threads)
    t.join();
}

void DeviceGroup::runErased(int events, CallFn fn) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (int(eventGeneration.size()) < events)
      eventGeneration.resize(events, 0);
    job = &fn;
    pending = int(threads.size());
    ++generation;
  }
  wake.notify_all();
  fn(0);
  std::unique_lock<std::mutex> lock(mutex);
  done.wait(lock, [this] { return pending == 0; });
  job = nullptr;
}

void DeviceGroup::deviceLoop(int device) {
  uint64_t seen = 0;
  for (;;) {
    const CallFn *fn;
    {
      std::unique_lock<std::mutex> lock(mutex);
      wake.wait(lock, [&] { return stopping || generation != seen; });
      if (stopping)
        return;
      seen = generation;
      fn = job;
    }
    (*fn)(device);
    std::lock_guard<std::mutex> lock(mutex);
    if (--pending == 0)
      done.notify_one();
  }
}

void DeviceGroup::record(int event) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    eventGeneration[event] = generation;
  }
  reached.notify_all();
}

void DeviceGroup::wait(int event) {
  std::unique_lock<std::mutex> lock(mutex);
  reached.wait(lock, [&] { return eventGeneration[event] == generation; });
}

} // namespace alexnet::runtime
