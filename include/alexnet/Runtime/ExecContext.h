//===- ExecContext.h - What a compiled entry point runs against -*- C++ -*-===//
//
// Everything generated code touches at run time: the per-device arenas the
// memory planner laid out, the parameter block, the caller's input and output
// buffers, the logical devices with their thread pools and events, and the
// step counter/seed used by training.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_EXECCONTEXT_H
#define ALEXNET_RUNTIME_EXECCONTEXT_H

#include "alexnet/Runtime/DeviceGroup.h"
#include "alexnet/Runtime/Model.h"
#include "alexnet/Runtime/ThreadPool.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace alexnet::runtime {

/// 64-byte aligned, zero-initialised memory that frees itself.
class AlignedBuffer {
public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes);
  char *data() const { return ptr.get(); }
  size_t size() const { return bytes; }

private:
  struct Free {
    void operator()(char *p) const;
  };
  std::unique_ptr<char, Free> ptr;
  size_t bytes = 0;
};

class ExecContext {
public:
  /// Allocates the arenas the model's entry points need (the largest over
  /// entry points, per device), the parameter block (and the momentum block
  /// when the model trains) and as many input and output slots as the entry
  /// point with the most of them takes. `threads` are shared fairly among
  /// the model's logical devices.
  ExecContext(const ModelDesc &model, int threads);

  const ModelDesc &model() const { return desc; }

  char *arena(int device) const { return arenas[device].data(); }
  float *params() const { return reinterpret_cast<float *>(paramBlock.data()); }
  /// SGD velocities, laid out like params(); zero until a step or a
  /// checkpoint fills it. Empty when the model has no train_step.
  float *momentum() const {
    return reinterpret_cast<float *>(momentumBlock.data());
  }

  void setInput(int index, const void *data) { inputs.at(index) = data; }
  void setOutput(int index, void *data) { outputs.at(index) = data; }
  const void *input(int index) const { return inputs[index]; }
  void *output(int index) const { return outputs[index]; }

  /// The threads that run device `device`'s kernels.
  ThreadPool &pool(int device = 0) { return devices.pool(device); }
  /// Every thread, for work between runs (parameter initialisation, input
  /// preparation): device 0's pool, or with several devices one of its own.
  ThreadPool &hostPool() { return allThreads ? *allThreads : devices.pool(0); }

  /// Runs a partitioned entry point: fns[d] on device d, all at once,
  /// ordered by `events` events (record/wait). Generated code calls it.
  void runDevices(const DeviceFn *fns, int events) {
    devices.run(events, [&](int device) { fns[device](*this); });
  }
  void record(int event) { devices.record(event); }
  void wait(int event) { devices.wait(event); }

  /// Runs the inference entry point on the bound inputs and outputs.
  void runInference() { desc.inference(*this); }

  /// Runs `entry` (e.g. *model().gradients) on the bound inputs and
  /// outputs; the slots are shared, so bind them for this entry point first.
  void run(const EntryPoint &entry) { entry.fn(*this); }

  /// Per-op timing for `bench --profile`: generated schedules call
  /// mark(label, device) after every op when profiling() is on; each call
  /// charges the time since the device's previous mark to `label` (nullptr
  /// restarts the device's clock). Devices time their ops concurrently.
  bool profiling() const { return profileOn; }
  void setProfiling(bool on) { profileOn = on; }
  void mark(const char *label, int device = 0);
  /// Accumulated seconds per label, in first-seen order.
  const std::vector<std::pair<const char *, double>> &profile() const {
    return profileTimes;
  }

private:
  const ModelDesc &desc;
  DeviceGroup devices;
  std::unique_ptr<ThreadPool> allThreads; ///< only with several devices
  std::vector<AlignedBuffer> arenas;
  AlignedBuffer paramBlock;
  AlignedBuffer momentumBlock;
  std::vector<const void *> inputs;
  std::vector<void *> outputs;
  bool profileOn = false;
  std::mutex profileMutex;
  std::vector<std::chrono::steady_clock::time_point> lastMark; ///< per device
  std::vector<std::pair<const char *, double>> profileTimes;
};

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_EXECCONTEXT_H
