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
    : desc(model), devices(model.numDevices, numThreads),
      lastMark(size_t(std::max(1, model.numDevices))) {
  if (model.numDevices > 1)
    allThreads = std::make_unique<ThreadPool>(numThreads);
  // One set of arenas and slots serves every entry point: they never run
  // concurrently on one context.
  const EntryPoint *entries[] = {model.gradients, model.trainStep};
  for (int d = 0; d < model.numDevices; ++d) {
    int64_t bytes = model.inferenceMemory[d].arenaBytes;
    for (const EntryPoint *entry : entries)
      if (entry)
        bytes = std::max(bytes, entry->memory[d].arenaBytes);
    arenas.emplace_back(size_t(bytes));
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
}

void ExecContext::mark(const char *label, int device) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(profileMutex);
  if (label) {
    double seconds =
        std::chrono::duration<double>(now - lastMark[device]).count();
    auto it = std::find_if(profileTimes.begin(), profileTimes.end(),
                           [&](const auto &entry) { return std::strcmp(entry.first, label) == 0; });
    if (it == profileTimes.end())
      profileTimes.emplace_back(label, seconds);
    else
      it->second += seconds;
  }
  lastMark[device] = now;
}

} // namespace alexnet::runtime
