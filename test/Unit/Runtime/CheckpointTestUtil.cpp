//===- CheckpointTestUtil.cpp - Checkpoints for the unit tests ------------===//

#include "CheckpointTestUtil.h"

#include <cstring>
#include <zlib.h>

namespace alexnet::runtime::test {

NamedTensor rampTensor(const std::string &name, std::vector<int64_t> shape,
                       float start, float step) {
  NamedTensor t{name, std::move(shape), {}};
  size_t count = 1;
  for (int64_t d : t.shape)
    count *= static_cast<size_t>(d);
  for (size_t i = 0; i < count; ++i)
    t.data.push_back(start + step * static_cast<float>(i));
  return t;
}

WeightsFile sampleParams() {
  WeightsFile w;
  w.model = "alexnet";
  w.graphHash = "sha256:0123abcd";
  w.tensors.push_back(rampTensor("conv1.weight", {4, 3, 2, 2}, 0.5f));
  w.tensors.push_back(rampTensor("conv1.bias", {4}, -1.0f));
  w.tensors.push_back(rampTensor("scale", {}, 7.0f));
  return w;
}

std::vector<NamedTensor> sampleMomentum(const WeightsFile &params) {
  std::vector<NamedTensor> momentum;
  float start = -100.0f;
  for (const NamedTensor &p : params.tensors) {
    momentum.push_back(rampTensor(p.name, p.shape, start, -0.125f));
    start -= 100.0f;
  }
  return momentum;
}

TrainState sampleState() {
  TrainState s;
  s.epoch = 0x0101010101010107;
  s.step = 0x0202020202020209;
  s.rngSeed = 0xfedcba9876543210;
  s.dataEpoch = 0x0303030303030308;
  s.nextExample = 0x040404040404040a;
  s.datasetSize = 0x050505050505050b;
  s.batchSize = 0x060606060606060c;
  s.learningRate = 0.001;
  s.bestMetric = -0.0;
  s.epochsSinceImprovement = 0x07070707;
  s.lrDrops = 0x08080808;
  uint64_t nanBits = 0x7ff800000000beefULL;
  std::memcpy(&s.lastTrainLoss, &nanBits, 8);
  s.lastValTop1Error = 0.375;
  s.lastValTop5Error = 0.17;
  s.epochLossSum = 123.456;
  s.epochBatches = 0x090909090909090d;
  s.skippedExamples = 0x0a0a0a0a0a0a0a0e;
  s.dataOptions = 0x0b0b0b07;
  return s;
}

Checkpoint versionedCheckpoint(uint64_t v, size_t floats) {
  Checkpoint c;
  c.params.model = "alexnet_mini";
  c.params.graphHash = "h" + std::to_string(v % 3);
  const int64_t bias = 64;
  const int64_t rows = static_cast<int64_t>(floats / 64) - 1;
  c.params.tensors.push_back(
      rampTensor("fc.weight", {rows, 64}, static_cast<float>(v), 1e-3f));
  c.params.tensors.push_back(
      rampTensor("fc.bias", {bias}, -static_cast<float>(v)));
  for (const NamedTensor &p : c.params.tensors)
    c.momentum.push_back(
        rampTensor(p.name, p.shape, 0.5f * static_cast<float>(v), -1e-3f));
  c.state.step = v;
  c.state.epoch = v / 2;
  c.state.dataEpoch = v / 2;
  c.state.nextExample = v % 2 ? 1000 + v : 0;
  c.state.learningRate = 0.01 / static_cast<double>(1 + v % 4);
  return c;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

bool sameState(const TrainState &a, const TrainState &b) {
  auto same = [](double x, double y) { return std::memcmp(&x, &y, 8) == 0; };
  return a.epoch == b.epoch && a.step == b.step && a.rngSeed == b.rngSeed &&
         a.dataEpoch == b.dataEpoch && a.nextExample == b.nextExample &&
         a.datasetSize == b.datasetSize && a.batchSize == b.batchSize &&
         same(a.learningRate, b.learningRate) &&
         same(a.bestMetric, b.bestMetric) &&
         a.epochsSinceImprovement == b.epochsSinceImprovement &&
         a.lrDrops == b.lrDrops && same(a.lastTrainLoss, b.lastTrainLoss) &&
         same(a.lastValTop1Error, b.lastValTop1Error) &&
         same(a.lastValTop5Error, b.lastValTop5Error) &&
         same(a.epochLossSum, b.epochLossSum) &&
         a.epochBatches == b.epochBatches &&
         a.skippedExamples == b.skippedExamples &&
         a.dataOptions == b.dataOptions;
}

std::string tensorsDiffer(const std::vector<NamedTensor> &a,
                          const std::vector<NamedTensor> &b) {
  if (a.size() != b.size())
    return std::to_string(a.size()) + " tensors against " +
           std::to_string(b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name)
      return "name of #" + std::to_string(i);
    if (a[i].shape != b[i].shape)
      return "shape of " + a[i].name;
    if (!sameBits(a[i].data, b[i].data))
      return "data of " + a[i].name;
  }
  return {};
}

std::string checkpointDiffers(const Checkpoint &c, const WeightsFile &params,
                              const std::vector<NamedTensor> &momentum,
                              const TrainState &state) {
  if (c.params.model != params.model)
    return "model";
  if (c.params.graphHash != params.graphHash)
    return "graph hash";
  std::string d = tensorsDiffer(c.params.tensors, params.tensors);
  if (!d.empty())
    return "parameters: " + d;
  d = tensorsDiffer(c.momentum, momentum);
  if (!d.empty())
    return "momentum: " + d;
  return sameState(c.state, state) ? "" : "state";
}

namespace {
/// Appends `value`'s bytes (the host is little-endian, as the format is).
template <typename T> void append(std::vector<uint8_t> &out, T value) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

void appendText(std::vector<uint8_t> &out, const std::string &s) {
  append<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void appendTensors(std::vector<uint8_t> &out,
                   const std::vector<NamedTensor> &tensors) {
  append<uint64_t>(out, tensors.size());
  for (const NamedTensor &t : tensors) {
    appendText(out, t.name);
    append<uint64_t>(out, t.shape.size());
    for (int64_t d : t.shape)
      append<int64_t>(out, d);
  }
}
} // namespace

uint32_t specStateCrc(const WeightsFile &params,
                      const std::vector<NamedTensor> &momentum,
                      const TrainState &s) {
  std::vector<uint8_t> b;
  append<uint32_t>(b, 1);
  append(b, s.epoch);
  append(b, s.step);
  append(b, s.rngSeed);
  append(b, s.dataEpoch);
  append(b, s.nextExample);
  append(b, s.datasetSize);
  append(b, s.batchSize);
  append(b, s.learningRate);
  append(b, s.bestMetric);
  append(b, s.epochsSinceImprovement);
  append(b, s.lrDrops);
  append(b, s.lastTrainLoss);
  append(b, s.lastValTop1Error);
  append(b, s.lastValTop5Error);
  append(b, s.epochLossSum);
  append(b, s.epochBatches);
  append(b, s.skippedExamples);
  if (s.dataOptions != 0)
    append(b, s.dataOptions);
  appendText(b, params.model);
  appendText(b, params.graphHash);
  appendTensors(b, params.tensors);
  appendTensors(b, momentum);
  return static_cast<uint32_t>(
      ::crc32(0, b.data(), static_cast<uInt>(b.size())));
}

} // namespace alexnet::runtime::test
