//===- Checkpoint.h - Reading and writing .axc checkpoints ------*- C++ -*-===//
//
// A training checkpoint in the FlatBuffers format of Checkpoint.fbs: the
// parameters as a weights table, the momentum, and a TrainState. Loading
// verifies as much as loading an .axw does, plus the checksum over the
// training state and the momentum's agreement with the parameters. Saving is
// atomic and refuses anything it could not load back.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_CHECKPOINT_H
#define ALEXNET_LIB_RUNTIME_IO_CHECKPOINT_H

#include "Core/Status.h"
#include "IO/WeightsFile.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// The `format_version` this runtime writes and the only one it reads.
constexpr uint32_t kCheckpointFormatVersion = 1;

/// The scalar state of a training run, as documented in Checkpoint.fbs.
/// Doubles round-trip bit-exactly, NaN payloads included. No RNG state is
/// needed: every random draw is Philox keyed by rngSeed with counters built
/// from (epoch, step, example index).
struct TrainState {
  uint64_t epoch = 0;       ///< Whole epochs completed.
  uint64_t step = 0;        ///< Global SGD steps completed.
  uint64_t rngSeed = 0;     ///< Key of every Philox stream.
  uint64_t dataEpoch = 0;   ///< Resume at example nextExample of the
  uint64_t nextExample = 0; ///< shuffled order of epoch dataEpoch.
  uint64_t datasetSize = 0; ///< Training examples per epoch; 0: unknown.
  uint64_t batchSize = 0;   ///< 0: unknown.
  double learningRate = 0.0;
  /// Best validation metric so far (top-1 error); NaN before any.
  double bestMetric = std::numeric_limits<double>::quiet_NaN();
  uint32_t epochsSinceImprovement = 0;
  uint32_t lrDrops = 0; ///< Learning-rate drops so far.
  /// The last epoch's metrics; NaN when not measured.
  double lastTrainLoss = std::numeric_limits<double>::quiet_NaN();
  double lastValTop1Error = std::numeric_limits<double>::quiet_NaN();
  double lastValTop5Error = std::numeric_limits<double>::quiet_NaN();
  /// The epoch in progress: sum of its batch losses so far, and how many.
  double epochLossSum = 0.0;
  uint64_t epochBatches = 0;
  /// Unreadable training examples skipped so far, over the whole run.
  uint64_t skippedExamples = 0;
  /// The run's data options (kDataOptions* bits); 0 when not recorded (a
  /// checkpoint older than the field).
  uint32_t dataOptions = 0;
};

constexpr uint32_t kDataOptionsRecorded = 1, kDataOptionsAugment = 2,
                   kDataOptionsShuffle = 4;

/// The contents of an .axc file.
struct Checkpoint {
  /// The parameters, with the model name and graph hash.
  WeightsFile params;
  /// `momentum[i]` is the velocity of `params.tensors[i]`: same name, shape.
  std::vector<NamedTensor> momentum;
  TrainState state;
};

/// Writes a checkpoint to `path` atomically (see writeFileAtomic). Refuses
/// what saveWeights refuses, momentum that does not parallel the parameters,
/// and contents over the format's 2 GiB limit.
Status saveCheckpoint(const std::string &path, const WeightsFile &params,
                      const std::vector<NamedTensor> &momentum,
                      const TrainState &state);

/// Reads and fully verifies the .axc file at `path`.
Expected<Checkpoint> loadCheckpoint(const std::string &path);

/// The .axc bytes, as saveCheckpoint writes them.
Expected<std::vector<uint8_t>>
serializeCheckpoint(const WeightsFile &params,
                    const std::vector<NamedTensor> &momentum,
                    const TrainState &state);

/// Parses and verifies .axc bytes; `name` (usually the path) starts every
/// error message.
Expected<Checkpoint> parseCheckpoint(const uint8_t *data, size_t size,
                                     const std::string &name);

/// checkWeightsMatch on the parameters, then the momentum against them: is
/// `c` a checkpoint of this model, to resume from?
Status checkCheckpointMatch(const Checkpoint &c, const std::string &model,
                            const std::string &graphHash,
                            const std::vector<ExpectedTensor> &expected);

/// Why `momentum` does not parallel `params` (count, order and names,
/// shapes, data sizes); empty when it does.
std::string momentumProblem(const std::vector<NamedTensor> &params,
                            const std::vector<NamedTensor> &momentum);

/// The parameters of `c` as a weights file, for `eval --weights`.
WeightsFile checkpointWeights(const Checkpoint &c);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_CHECKPOINT_H
