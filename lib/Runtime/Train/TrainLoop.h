//===- TrainLoop.h - The `train` subcommand's training run ------*- C++ -*-===//
//
// One training run of a compiled model: the paper's initialisation (or
// given weights, or a checkpoint to resume), epochs of train_step over a
// DataLoader, a validation pass after every epoch driving the plateau
// learning-rate schedule, checkpoints, a metrics CSV and a progress line.
//
// Determinism: everything random is Philox keyed by the seed with counters
// from (epoch, step, example), and the checkpoint holds the whole state, so
// a run resumed from any checkpoint ends bit-identical to one that was never
// interrupted (same thread counts).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_TRAIN_TRAINLOOP_H
#define ALEXNET_LIB_RUNTIME_TRAIN_TRAINLOOP_H

#include "Data/DataSet.h"
#include "alexnet/Runtime/Model.h"
#include "Core/Status.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace alexnet::runtime {

struct TrainOptions {
  std::string dataPath;
  DataFormat format = DataFormat::Auto;
  /// Total epochs of the run (a resumed run counts those done).
  int64_t epochs = 1;
  /// The starting learning rate; a resumed run keeps its checkpoint's (and
  /// warns when --lr asked for another).
  double learningRate = 0.01;
  bool learningRateGiven = false;
  uint64_t seed = 1;
  /// Whether the command line gave --seed, --augment/--no-augment and
  /// --no-shuffle: a resumed run keeps its checkpoint's and warns.
  bool seedGiven = false, augmentGiven = false, shuffleGiven = false;
  std::string checkpointDir; ///< empty: no checkpoints
  bool resume = false;
  /// Start a new run in a checkpoint directory that holds an earlier run's
  /// checkpoints (without it, and without resume, that is an error).
  bool overwrite = false;
  /// Also checkpoint every this many steps within an epoch (0: only at the
  /// end of each epoch).
  int64_t checkpointEvery = 0;
  /// Stop after this many steps in all (0: no limit), checkpointing there.
  int64_t maxSteps = 0;
  std::string initWeights; ///< start from these weights instead of init
  /// Accept NaN or Inf in --init weights or a resumed checkpoint (training
  /// still stops when its own parameters become non-finite).
  bool allowNonFinite = false;
  std::string metricsPath; ///< empty: no CSV
  std::string outputWeights; ///< final weights (.axw), empty: none
  /// Training augmentation: random crops, flips, PCA colour noise.
  bool augment = true;
  bool shuffle = true;
  /// Validate on the data's test split after each epoch.
  bool validate = true;
  int threads = 1;       ///< compute threads (and BLAS)
  int loaderThreads = 1; ///< data workers
  /// A live progress line redrawn in place (a terminal); otherwise plain
  /// lines every tenth of an epoch.
  bool live = false;
};

/// How a run ended.
struct TrainSummary {
  int64_t epochs = 0; ///< completed
  int64_t steps = 0;
  double lastTrainLoss = 0.0;
  /// Of the last validation; NaN when there was none.
  double valTop1Error = 0.0, valTop5Error = 0.0;
  double imagesPerSecond = 0.0; ///< training throughput of this process
};

/// Runs training; progress and messages go to `out`, warnings to `err`.
/// Errors (bad data, a diverged loss, an unwritable checkpoint) come back
/// as a Status after the last good checkpoint is in place.
Expected<TrainSummary> runTraining(const ModelDesc &model,
                                   const TrainOptions &options,
                                   std::ostream &out, std::ostream &err);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_TRAIN_TRAINLOOP_H
