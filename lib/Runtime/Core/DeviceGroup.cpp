//===- DeviceGroup.cpp - Logical devices on the CPU -----------------------===//

#include "alexnet/Runtime/DeviceGroup.h"

#include <algorithm>
#include <thread>

namespace alexnet::runtime {

DeviceGroup::DeviceGroup(int devices, int totalThreads)
    : launcher(std::max(1, devices)) {
  devices = std::max(1, devices);
  int total = totalThreads > 0
                  ? totalThreads
                  : int(std::max(1u, std::thread::hardware_concurrency()));
  for (int d = 0; d < devices; ++d) {
    // A fair share; the first total % devices devices get one more.
    int share = total / devices + (d < total % devices ? 1 : 0);
    pools.push_back(std::make_unique<ThreadPool>(std::max(1, share)));
  }
}

void DeviceGroup::startRun(int events) {
  std::lock_guard<std::mutex> lock(mutex);
  if (int(eventGeneration.size()) < events)
    eventGeneration.resize(events, 0);
  ++generation;
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
