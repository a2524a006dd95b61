//===- Checkpoint.cpp - Reading and writing .axc checkpoints --------------===//
//
// The tensors go through the same helpers as .axw files (FlatTensors.h);
// this file adds the momentum's agreement with the parameters and the
// checksum over the scalar state and tensor metadata, which the FlatBuffers
// verifier cannot see into.
//
//===----------------------------------------------------------------------===//

#include "IO/Checkpoint.h"

#include "IO/FlatTensors.h"

#include "IO/AtomicFile.h"
#include "alexnet/Runtime/Checkpoint_generated.h"
#include "IO/Crc32.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

namespace alexnet::runtime {

using namespace detail;

namespace {

/// The little-endian byte encoding that state_crc32 is computed over.
class MetadataEncoder {
public:
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void f64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void text(const std::string &s) {
    u64(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void tensors(const std::vector<NamedTensor> &list) {
    u64(list.size());
    for (const NamedTensor &t : list) {
      text(t.name);
      u64(t.shape.size());
      for (int64_t d : t.shape)
        u64(static_cast<uint64_t>(d));
    }
  }
  uint32_t crc() const { return crc32(bytes.data(), bytes.size()); }

private:
  void put(uint64_t v, int width) {
    for (int i = 0; i < width; ++i)
      bytes.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes;
};

/// state_crc32 as Checkpoint.fbs defines it.
uint32_t stateCrc(const WeightsFile &params,
                  const std::vector<NamedTensor> &momentum,
                  const TrainState &s) {
  MetadataEncoder e;
  e.u32(kCheckpointFormatVersion);
  e.u64(s.epoch);
  e.u64(s.step);
  e.u64(s.rngSeed);
  e.u64(s.dataEpoch);
  e.u64(s.nextExample);
  e.u64(s.datasetSize);
  e.u64(s.batchSize);
  e.f64(s.learningRate);
  e.f64(s.bestMetric);
  e.u32(s.epochsSinceImprovement);
  e.u32(s.lrDrops);
  e.f64(s.lastTrainLoss);
  e.f64(s.lastValTop1Error);
  e.f64(s.lastValTop5Error);
  e.f64(s.epochLossSum);
  e.u64(s.epochBatches);
  e.u64(s.skippedExamples);
  // Absent from files older than the field; a run always records it.
  if (s.dataOptions != 0)
    e.u32(s.dataOptions);
  e.text(params.model);
  e.text(params.graphHash);
  e.tensors(params.tensors);
  e.tensors(momentum);
  return e.crc();
}

TrainState readState(const fb::TrainState &s) {
  TrainState out;
  out.epoch = s.epoch();
  out.step = s.step();
  out.rngSeed = s.rng_seed();
  out.dataEpoch = s.data_epoch();
  out.nextExample = s.next_example();
  out.datasetSize = s.dataset_size();
  out.batchSize = s.batch_size();
  out.learningRate = s.learning_rate();
  out.bestMetric = s.best_metric();
  out.epochsSinceImprovement = s.epochs_since_improvement();
  out.lrDrops = s.lr_drops();
  out.lastTrainLoss = s.last_train_loss();
  out.lastValTop1Error = s.last_val_top1_error();
  out.lastValTop5Error = s.last_val_top5_error();
  out.epochLossSum = s.epoch_loss_sum();
  out.epochBatches = s.epoch_batches();
  out.skippedExamples = s.skipped_examples();
  out.dataOptions = s.data_options();
  return out;
}

/// Why `s` cannot be a training run's state, or empty. The checksum only
/// vouches that the file is as written; these values drive the run (a NaN
/// rate trains nothing, an epoch near 2^64 wraps the epoch loop, a data
/// position past the data reads nothing).
std::string stateProblem(const TrainState &s) {
  constexpr uint64_t kLimit = uint64_t(1) << 62;
  char rate[32];
  std::snprintf(rate, sizeof(rate), "%g", s.learningRate);
  if (!std::isfinite(s.learningRate) || s.learningRate <= 0)
    return std::string("learning rate ") + rate +
           ", expected a positive finite rate";
  if (s.step >= kLimit || s.epoch >= kLimit || s.dataEpoch >= kLimit)
    return "epoch " + std::to_string(s.epoch) + ", step " +
           std::to_string(s.step) + ", data epoch " +
           std::to_string(s.dataEpoch) + ", expected each below 2^62";
  if (s.epoch > s.step)
    return "epoch " + std::to_string(s.epoch) + " after only " +
           std::to_string(s.step) +
           " steps, expected at least one step per epoch";
  if (s.datasetSize != 0 && s.nextExample > s.datasetSize)
    return "next example " + std::to_string(s.nextExample) +
           ", beyond the " + std::to_string(s.datasetSize) +
           " examples of the data set";
  return {};
}

/// Builds the FlatBuffer into `fbb`, after the checks that make sure it will
/// load again.
Status build(const WeightsFile &params,
             const std::vector<NamedTensor> &momentum, const TrainState &s,
             flatbuffers::FlatBufferBuilder &fbb) {
  // An overestimate, so the 2 GiB limit is checked before the builder (which
  // only asserts) reaches it.
  uint64_t estimate = 1024 + params.model.size() + params.graphHash.size();
  std::string problem = tensorsProblem(params.tensors, "tensor", estimate);
  if (problem.empty())
    problem = tensorsProblem(momentum, "momentum tensor", estimate);
  if (problem.empty())
    problem = momentumProblem(params.tensors, momentum);
  if (!problem.empty())
    return Status::error(problem);
  if (estimate >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return Status::error(
        "checkpoint too large for one .axc file (about " +
        std::to_string(estimate) + " bytes, the format holds at most " +
        std::to_string(uint64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) + ")");

  try {
    fbb.Reset();
    // Keep every field, so zeros and the version are stored, not implied.
    fbb.ForceDefaults(true);
    auto weights = buildWeightsTable(fbb, params);
    auto velocity = buildTensors(fbb, momentum);
    auto state = fb::CreateTrainState(
        fbb, s.epoch, s.step, s.rngSeed, s.dataEpoch, s.nextExample,
        s.datasetSize, s.batchSize, s.learningRate, s.bestMetric,
        s.epochsSinceImprovement, s.lrDrops, s.lastTrainLoss,
        s.lastValTop1Error, s.lastValTop5Error, s.epochLossSum,
        s.epochBatches, s.skippedExamples, s.dataOptions);
    fb::FinishCheckpointBuffer(
        fbb,
        fb::CreateCheckpoint(fbb, kCheckpointFormatVersion, weights, velocity,
                             state, stateCrc(params, momentum, s)));
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory building the checkpoint (about " +
                         std::to_string(estimate) + " bytes)");
  }
  return Status::success();
}

} // namespace

std::string momentumProblem(const std::vector<NamedTensor> &params,
                            const std::vector<NamedTensor> &momentum) {
  if (momentum.size() != params.size())
    return "expected " + std::to_string(params.size()) +
           " momentum tensors (one per parameter), got " +
           std::to_string(momentum.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const NamedTensor &m = momentum[i], &p = params[i];
    if (m.name != p.name)
      return "momentum tensor #" + std::to_string(i) + " is " +
             quoteText(m.name) + ", expected " + quoteText(p.name) +
             " (momentum is stored in parameter order)";
    if (m.shape != p.shape)
      return "momentum tensor " + quoteText(m.name) + ": expected " +
             formatShape(p.shape) + ", got " + formatShape(m.shape);
    std::string problem = shapeProblem(m.shape, m.data.size());
    if (!problem.empty())
      return "momentum tensor " + quoteText(m.name) + ": " + problem;
  }
  return {};
}

Expected<std::vector<uint8_t>>
serializeCheckpoint(const WeightsFile &params,
                    const std::vector<NamedTensor> &momentum,
                    const TrainState &state) {
  return serializeFlatBuffer(
      [&](flatbuffers::FlatBufferBuilder &fbb) {
        return build(params, momentum, state, fbb);
      },
      kCheckpointKind);
}

Status saveCheckpoint(const std::string &path, const WeightsFile &params,
                      const std::vector<NamedTensor> &momentum,
                      const TrainState &state) {
  return saveFlatBuffer(path, [&](flatbuffers::FlatBufferBuilder &fbb) {
    return build(params, momentum, state, fbb);
  });
}

Expected<Checkpoint> loadCheckpoint(const std::string &path) {
  auto bytes = readFlatBufferFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseCheckpoint(bytes->data(), bytes->size(), path);
}

Expected<Checkpoint> parseCheckpoint(const uint8_t *data, size_t size,
                                     const std::string &name) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  std::vector<uint64_t> aligned;
  const uint8_t *buf = nullptr;
  std::string problem = verifyFlatBuffer(
      data, size, kCheckpointKind, aligned, buf,
      [](flatbuffers::Verifier &v) { return fb::VerifyCheckpointBuffer(v); });
  if (!problem.empty())
    return fail(problem);

  const fb::Checkpoint *root = fb::GetCheckpoint(buf);
  if (root->format_version() != kCheckpointFormatVersion)
    return fail("unsupported format version " +
                std::to_string(root->format_version()) + " (expected " +
                std::to_string(kCheckpointFormatVersion) + ")");
  // `weights` and `state` are required: the verifier has checked they exist.
  if (root->weights()->format_version() != kWeightsFormatVersion)
    return fail("unsupported weights format version " +
                std::to_string(root->weights()->format_version()) +
                " in the checkpoint (expected " +
                std::to_string(kWeightsFormatVersion) + ")");

  problem = lengthProblem(buf, size, *root->weights());
  if (!problem.empty())
    return fail(problem);
  Checkpoint c;
  try {
    problem = readWeightsTable(*root->weights(), c.params);
    if (problem.empty())
      problem = readTensors(root->momentum(), "momentum tensor", c.momentum);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
  if (!problem.empty())
    return fail(problem);
  c.state = readState(*root->state());

  // Before the momentum check, so a flipped name byte reads as corruption.
  uint32_t computed = stateCrc(c.params, c.momentum, c.state);
  if (computed != root->state_crc32())
    return fail("checksum mismatch in the training state or tensor names "
                "and shapes (stored " +
                hex32(root->state_crc32()) + ", computed " + hex32(computed) +
                ")");
  problem = momentumProblem(c.params.tensors, c.momentum);
  if (!problem.empty())
    return fail(problem);
  problem = stateProblem(c.state);
  if (!problem.empty())
    return fail("training state out of range: " + problem);
  return c;
}

Status checkCheckpointMatch(const Checkpoint &c, const std::string &model,
                            const std::string &graphHash,
                            const std::vector<ExpectedTensor> &expected) {
  Status status = checkWeightsMatch(c.params, model, graphHash, expected);
  if (!status.ok())
    return status;
  std::string problem = momentumProblem(c.params.tensors, c.momentum);
  if (!problem.empty())
    return Status::error(problem);
  return Status::success();
}

WeightsFile checkpointWeights(const Checkpoint &c) { return c.params; }

} // namespace alexnet::runtime
