//===- ExecContext.h - What a compiled entry point runs against -*- C++ -*-===//
//
// Everything generated code touches at run time: the per-device arenas the
// memory planner laid out, the parameter block, the caller's input and output
// buffers, the logical devices with their thread pools and events, and the
// step counter/seed used by training.
//
// With a DeviceBackend (the CUDA target) the arenas live on the devices and
// params()/momentum() are the host's copies: params() hands out the host
// block for writing (fetching it from the device first when a training step
// changed it there), readParams() for reading, and the next run uploads
// what the host changed.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_EXECCONTEXT_H
#define ALEXNET_RUNTIME_EXECCONTEXT_H

#include "alexnet/Runtime/DeviceBackend.h"
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
  ~ExecContext();

  const ModelDesc &model() const { return desc; }

  char *arena(int device) const { return arenas[device].data(); }
  /// The parameter block, for writing: with a device backend the host's
  /// copy, which the next run uploads. Generated CPU code calls it too.
  float *params() {
    pullFromDevice();
    hostChanged = backend != nullptr;
    return reinterpret_cast<float *>(paramBlock.data());
  }
  /// SGD velocities, laid out like params(); zero until a step or a
  /// checkpoint fills it. Empty when the model has no train_step.
  float *momentum() {
    pullFromDevice();
    hostChanged = backend != nullptr;
    return reinterpret_cast<float *>(momentumBlock.data());
  }
  /// The parameters and momentum as the last run left them, for reading.
  const float *readParams() {
    pullFromDevice();
    return reinterpret_cast<const float *>(paramBlock.data());
  }
  const float *readMomentum() {
    pullFromDevice();
    return reinterpret_cast<const float *>(momentumBlock.data());
  }
  /// The device backend, or null when the model runs in host memory.
  DeviceBackend *deviceBackend() const { return backend.get(); }

  void setInput(int index, const void *data) { inputs.at(index) = data; }
  void setOutput(int index, void *data) { outputs.at(index) = data; }
  const void *input(int index) const { return inputs[index]; }
  void *output(int index) const { return outputs[index]; }

  /// The threads that run device `device`'s kernels. With a device backend
  /// there is one pool, device 0's, with every thread, for host work.
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
  void runInference();

  /// Runs `entry` (e.g. *model().gradients) on the bound inputs and
  /// outputs; the slots are shared, so bind them for this entry point first.
  void run(const EntryPoint &entry);

  /// Per-op timing for `bench --profile`: generated schedules call
  /// mark(label, device) after every op when profiling() is on; each call
  /// charges the time since the device's previous mark to `label` (nullptr
  /// restarts the device's clock). Devices time their ops concurrently.
  bool profiling() const { return profileOn; }
  void setProfiling(bool on) { profileOn = on; }
  void mark(const char *label, int device = 0);
  /// Adds `seconds` to `label`'s total (a device backend's own timings).
  void addProfileTime(const char *label, double seconds);
  /// Accumulated seconds per label, in first-seen order.
  const std::vector<std::pair<const char *, double>> &profile() const {
    return profileTimes;
  }

private:
  void pullFromDevice();

  const ModelDesc &desc;
  std::unique_ptr<DeviceBackend> backend;
  /// Which copy of the parameter and momentum blocks is newer.
  bool hostChanged = false, deviceChanged = false;
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
