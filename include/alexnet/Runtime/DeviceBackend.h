//===- DeviceBackend.h - Memory and execution off the host ------*- C++ -*-===//
//
// A target whose kernels run outside the host's memory (the CUDA target)
// installs a DeviceBackend factory before the driver runs. ExecContext then
// keeps its parameter and momentum blocks on the host for the driver (weights
// files, checkpoints, initialisation) and lets the backend mirror them,
// copying whichever side changed last; entry points run through the backend,
// which copies the bound inputs in and the outputs back.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_DEVICEBACKEND_H
#define ALEXNET_RUNTIME_DEVICEBACKEND_H

#include "alexnet/Runtime/Model.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace alexnet::runtime {

class ExecContext;

/// Thrown when the target's devices are missing; the driver exits 2.
class DeviceUnavailable : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Options of the device a backend runs on, from the executable's command
/// line (`--cuda-graph=on|off`).
struct DeviceOptions {
  /// Capture each entry point into a graph on its first run, replay it after.
  bool graphs = false;
};

class DeviceBackend {
public:
  virtual ~DeviceBackend() = default;
  /// Copies the host's parameter block (and the momentum block, when not
  /// null) of `floats` floats to the device.
  virtual void uploadParams(const float *params, const float *momentum,
                            int64_t floats) = 0;
  /// The reverse of uploadParams.
  virtual void downloadParams(float *params, float *momentum,
                              int64_t floats) = 0;
  /// Runs `fn` on ctx's bound inputs (host memory, shaped by `inputs`) and
  /// writes its results to ctx's bound outputs; returns when they are there.
  virtual void run(ExecContext &ctx, EntryFn fn, const TensorSpec *inputs,
                   int numInputs, const TensorSpec *outputs,
                   int numOutputs) = 0;
  /// One line per device for `info` (e.g. "device 0: GPU 0 (NVIDIA H200)").
  virtual std::vector<std::string> describe() const = 0;
};

/// Creates the backend of an ExecContext for `model`; throws
/// DeviceUnavailable when there is no device to run on.
using DeviceBackendFactory = std::unique_ptr<DeviceBackend> (*)(
    const ModelDesc &model, const DeviceOptions &options);

/// Called by a target's generated main before the driver runs.
void installDeviceBackend(DeviceBackendFactory factory);
/// The installed factory, or null (the CPU target: memory is the host's).
DeviceBackendFactory deviceBackendFactory();
/// The options every later backend is created with (set by the driver).
DeviceOptions &deviceOptions();

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_DEVICEBACKEND_H
