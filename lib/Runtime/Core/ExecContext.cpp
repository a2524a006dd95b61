//===- ExecContext.cpp - What a compiled entry point runs against ---------===//

#include "alexnet/Runtime/ExecContext.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace alexnet::runtime {

AlignedBuffer::AlignedBuffer(size_t size) : bytes(size) {
  // aligned_alloc wants a multiple of the alignment, and at least one byte.
  size_t rounded = ((size ? size : 1) + 63) / 64 * 64;
  char *p = static_cast<char *>(std::aligned_alloc(64, rounded));
  if (!p)
    throw std::bad_alloc();
  std::memset(p, 0, rounded);
  ptr.reset(p);
}

void AlignedBuffer::Free::operator()(char *p) const { std::free(p); }

ExecContext::ExecContext(const ModelDesc &model, int numThreads)
    // A device backend runs the logical devices itself: the host needs one
    // pool, for its own work (initialisation, input preparation).
    : desc(model),
      devices(deviceBackendFactory() ? 1 : model.numDevices, numThreads),
      lastMark(size_t(std::max(1, model.numDevices))) {
  if (DeviceBackendFactory factory = deviceBackendFactory())
    backend = factory(model, deviceOptions());
  if (devices.size() > 1)
    allThreads = std::make_unique<ThreadPool>(numThreads);
  // One set of arenas and slots serves every entry point: they never run
  // concurrently on one context.
  const EntryPoint *entries[] = {model.gradients, model.trainStep};
  for (int d = 0; d < model.numDevices; ++d) {
    int64_t bytes = model.inferenceMemory[d].arenaBytes;
    for (const EntryPoint *entry : entries)
      if (entry)
        bytes = std::max(bytes, entry->memory[d].arenaBytes);
    // A device backend keeps the arenas on its devices.
    arenas.emplace_back(backend ? 0 : size_t(bytes));
  }
  paramBlock = AlignedBuffer(size_t(model.paramFloats) * sizeof(float));
  if (model.trainStep)
    momentumBlock = AlignedBuffer(size_t(model.paramFloats) * sizeof(float));
  int32_t numInputs = model.numInputs, numOutputs = model.numOutputs;
  for (const EntryPoint *entry : entries)
    if (entry) {
      numInputs = std::max(numInputs, entry->numInputs);
      numOutputs = std::max(numOutputs, entry->numOutputs);
    }
  inputs.assign(numInputs, nullptr);
  outputs.assign(numOutputs, nullptr);
  // The device's blocks start as the host's: zero.
  hostChanged = backend != nullptr;
}

ExecContext::~ExecContext() = default;

void ExecContext::pullFromDevice() {
  if (!deviceChanged)
    return;
  backend->downloadParams(
      reinterpret_cast<float *>(paramBlock.data()),
      desc.trainStep ? reinterpret_cast<float *>(momentumBlock.data())
                     : nullptr,
      desc.paramFloats);
  deviceChanged = false;
}

void ExecContext::runInference() {
  if (!backend) {
    desc.inference(*this);
    return;
  }
  EntryPoint entry = {"inference",  desc.inference,  desc.inputs,
                      desc.numInputs, desc.outputs, desc.numOutputs,
                      desc.inferenceMemory};
  run(entry);
}

void ExecContext::run(const EntryPoint &entry) {
  if (!backend) {
    entry.fn(*this);
    return;
  }
  if (hostChanged) {
    backend->uploadParams(
        reinterpret_cast<const float *>(paramBlock.data()),
        desc.trainStep ? reinterpret_cast<const float *>(momentumBlock.data())
                       : nullptr,
        desc.paramFloats);
    hostChanged = false;
  }
  backend->run(*this, entry.fn, entry.inputs, entry.numInputs, entry.outputs,
               entry.numOutputs);
  // Only the training step writes parameters (and momentum).
  if (desc.trainStep && entry.fn == desc.trainStep->fn)
    deviceChanged = true;
}

void ExecContext::mark(const char *label, int device) {
  auto now = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last;
  {
    std::lock_guard<std::mutex> lock(profileMutex);
    last = lastMark[device];
    lastMark[device] = now;
  }
  if (label)
    addProfileTime(label, std::chrono::duration<double>(now - last).count());
}

void ExecContext::addProfileTime(const char *label, double seconds) {
  std::lock_guard<std::mutex> lock(profileMutex);
  auto it = std::find_if(profileTimes.begin(), profileTimes.end(),
                         [&](const auto &entry) {
                           return std::strcmp(entry.first, label) == 0;
                         });
  if (it == profileTimes.end())
    profileTimes.emplace_back(label, seconds);
  else
    it->second += seconds;
}

namespace {
DeviceBackendFactory installedFactory = nullptr;
} // namespace

void installDeviceBackend(DeviceBackendFactory factory) {
  installedFactory = factory;
}
DeviceBackendFactory deviceBackendFactory() { return installedFactory; }
DeviceOptions &deviceOptions() {
  static DeviceOptions options;
  return options;
}

} // namespace alexnet::runtime
