//===- TrainLoop.cpp - The `train` subcommand's training run --------------===//
//
// Order of one step: take the loader's next batch, run train_step (forward,
// backward and the in-place SGD update) with the global step as the dropout
// counter, guard the loss, advance the position. Order of an epoch's end:
// validation, the plateau schedule, the metrics row, then the checkpoint, so
// a checkpoint always holds the state the next epoch starts from.
//
//===----------------------------------------------------------------------===//

#include "Train/TrainLoop.h"

#include "IO/Checkpoint.h"
#include "IO/CheckpointDir.h"
#include "Data/DataLoader.h"
#include "Data/DataStats.h"
#include "Driver/Driver.h"
#include "Train/Evaluate.h"
#include "alexnet/Runtime/ExecContext.h"
#include "Core/Init.h"
#include "IO/ModelWeights.h"
#include "Core/NonFinite.h"

#include "Train/MetricsLog.h"
#include "Train/TrainProgress.h"
#include "Core/TrainingEntry.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

namespace alexnet::runtime {

namespace {

using Clock = std::chrono::steady_clock;

std::string formatRate(double lr) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", lr);
  return text;
}

/// One training run's state and resources.
class Trainer {
public:
  Trainer(const ModelDesc &model, const TrainOptions &options,
          std::ostream &out, std::ostream &err)
      : model(model), opts(options), out(out), err(err),
        ctx(model, options.threads) {}

  Expected<TrainSummary> run();

private:
  Status claimCheckpointDir();
  Status openData();
  Status createLoaders();
  Status prepareState();
  Status runEpoch(bool &stop);
  Status endEpoch();
  Status saveCheckpoint(bool endOfEpoch);
  Status saveFinalWeights();
  Status rewriteCheckpointWeights();
  WeightsFile weightsWithMean();
  std::string lastGoodCheckpoint() const;
  bool dataOption(uint32_t bit, bool given) const;
  void warnChangedOptions();
  Status divergedParams();

  const ModelDesc &model;
  const TrainOptions &opts;
  std::ostream &out, &err;
  ExecContext ctx;
  TrainingLayout layout;
  int64_t batch = 0, channels = 0, height = 0, width = 0;

  std::unique_ptr<DataSet> train, val;
  DataStats stats;
  /// The centre crop of the mean image, as weights files carry it.
  NamedTensor meanTensor;
  std::unique_ptr<DataLoader> trainLoader, valLoader;
  std::optional<CheckpointDir> checkpoints;
  MetricsLog metrics;
  TrainState state;

  TrainingScalars scalars;
  float loss = 0.0f;
  int64_t imagesThisRun = 0;
  double secondsThisRun = 0.0;
  Clock::time_point lastBatchEnd;
  std::string lastSaved; ///< the newest checkpoint this run wrote, described
  bool checkpointedThisProcess = false;
};

/// Takes the checkpoint directory for the whole run, before any work, so
/// that a second run cannot interleave its checkpoints with this one's, and
/// refuses to start afresh over an earlier run's state unless asked to.
Status Trainer::claimCheckpointDir() {
  if (opts.checkpointDir.empty())
    return Status::success();
  checkpoints.emplace(opts.checkpointDir,
                      CheckpointDirOptions{2, /*exportWeights=*/false});
  if (Status s = checkpoints->claim(); !s.ok())
    return s;
  std::vector<std::string> found = checkpoints->checkpointFiles();
  if (opts.resume || opts.overwrite || found.empty())
    return Status::success();
  std::string names;
  for (const std::string &name : found)
    names += (names.empty() ? "" : ", ") + name;
  return Status::error(opts.checkpointDir +
                       ": holds the checkpoints of an earlier run (" + names +
                       "); continue it with --resume, or start a new run "
                       "that replaces them with --overwrite");
}

/// A resumed run with nothing left to do (the last one was killed while
/// writing its final last.axw) still leaves last.axw as a finished run does.
Status Trainer::rewriteCheckpointWeights() {
  if (!checkpoints || checkpointedThisProcess)
    return Status::success();
  return saveWeights(checkpoints->weightsPath(), weightsWithMean());
}

Status Trainer::openData() {
  const TensorSpec &image = model.trainStep->inputs[layout.image];
  if (image.rank != 4)
    return Status::error("train needs a 4-D image input [batch, channels, "
                         "height, width], got " +
                         formatDims(image.shape, image.rank));
  batch = image.shape[0];
  channels = image.shape[1];
  height = image.shape[2];
  width = image.shape[3];

  DataOptions data =
      dataOptionsForInput(int(channels), int(height), int(width));
  Expected<std::unique_ptr<DataSet>> trainSet =
      openDataSet(opts.dataPath, opts.format, DataSplit::Train, data);
  if (!trainSet.ok())
    return trainSet.error();
  train = trainSet.take();
  Expected<int64_t> classes = classCount(model);
  if (!classes.ok())
    return classes.error();
  if (Status s = checkLabelsFit(*train, *classes, DataSplit::Train,
                                model.name);
      !s.ok())
    return s;
  if (train->size() < batch)
    return Status::error(opts.dataPath + ": " + std::to_string(train->size()) +
                         " training examples, fewer than one batch of " +
                         std::to_string(batch));
  if (opts.validate) {
    Expected<std::unique_ptr<DataSet>> valSet =
        openDataSet(opts.dataPath, opts.format, DataSplit::Test, data);
    if (valSet.ok()) {
      // A label the model has no output for would count as a silent miss.
      if (Status s = checkLabelsFit(**valSet, *classes, DataSplit::Test,
                                    model.name);
          !s.ok())
        return s;
      val = valSet.take();
    } else
      err << "warning: no validation data (a plateau schedule then keeps "
             "its learning rate): "
          << valSet.message() << "\n";
  }

  // The statistics cache lives in the checkpoint directory, else in the
  // user's cache directory (statsCachePath), never beside the data.
  if (!opts.checkpointDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opts.checkpointDir, ec);
    if (ec)
      return Status::error("cannot create the checkpoint directory " +
                           quoteText(opts.checkpointDir) + ": " + ec.message());
  }
  StatsOptions statsOptions;
  statsOptions.threads = opts.loaderThreads;
  Expected<CachedStats> cached = loadOrComputeDataStats(
      *train, statsCachePath(*train, opts.checkpointDir), statsOptions);
  if (!cached.ok())
    return cached.error();
  stats = cached->stats;
  meanTensor = {kMeanTensorName,
                {channels, height, width},
                centreMean(stats, int(height), int(width))};
  out << "data: " << train->size() << " training examples"
      << (val ? ", " + std::to_string(val->size()) + " validation" : "")
      << ", " << train->numClasses() << " classes, " << train->channels()
      << "x" << train->height() << "x" << train->width() << " stored; mean "
      << (cached->fromCache ? "read from " + cached->path
          : cached->path.empty()
              ? std::string("computed (not cached: no --checkpoint-dir, "
                            "$XDG_CACHE_HOME or $HOME)")
              : "computed, cached at " + cached->path)
      << "\n";
  if (!cached->note.empty())
    err << "warning: " << cached->note << "\n";

  return Status::success();
}

Status Trainer::createLoaders() {
  LoaderOptions loader;
  loader.batchSize = int(batch);
  loader.threads = opts.loaderThreads;
  loader.prefetch = std::max(3, opts.loaderThreads + 1);
  loader.channels = int(channels);
  loader.augment.cropHeight = int(height);
  loader.augment.cropWidth = int(width);
  loader.mode = LoaderMode::Train;
  loader.shuffle = dataOption(kDataOptionsShuffle, opts.shuffle);
  loader.seed = state.rngSeed;
  const bool augment = dataOption(kDataOptionsAugment, opts.augment);
  loader.augment.randomCrop = augment;
  loader.augment.flip = augment;
  loader.augment.pcaStd = augment ? 0.1f : 0.0f;
  // Stored at the model's size (28x28 IDX): crops may shift by 1/14 of the
  // side (2 pixels) past the border, or there would be one window only.
  if (augment && train->height() == height && train->width() == width)
    loader.augment.cropPad = int(std::max<int64_t>(1, height / 14));
  Expected<std::unique_ptr<DataLoader>> trainLoaderOr =
      DataLoader::create(*train, &stats, loader);
  if (!trainLoaderOr.ok())
    return trainLoaderOr.error();
  trainLoader = trainLoaderOr.take();
  if (val) {
    loader.mode = LoaderMode::Eval;
    loader.augment.cropPad = 0;
    Expected<std::unique_ptr<DataLoader>> valLoaderOr =
        DataLoader::create(*val, &stats, loader);
    if (!valLoaderOr.ok())
      return valLoaderOr.error();
    valLoader = valLoaderOr.take();
  }
  return Status::success();
}

Status Trainer::prepareState() {
  if (opts.resume) {
    if (!checkpoints)
      return Status::error("--resume needs --checkpoint-dir");
    Expected<FoundCheckpoint> found = latestValid(
        opts.checkpointDir, [&](const std::string &w) { err << "warning: " << w << "\n"; });
    if (found.ok()) {
      const Checkpoint &c = found->checkpoint;
      if (Status s = checkCheckpointMatch(c, model.name, model.graphHash,
                                          expectedTensors(model));
          !s.ok())
        return s.addContext(found->path);
      if (Status s = loadIntoBlock(c.params, model, ctx.params(), found->path);
          !s.ok())
        return s;
      if (!opts.allowNonFinite)
        if (Status s = checkFinite(c.params, found->path); !s.ok())
          return s;
      WeightsFile momentum{c.params.model, c.params.graphHash, c.momentum};
      if (Status s = loadIntoBlock(momentum, model, ctx.momentum(),
                                   found->path + " (momentum)");
          !s.ok())
        return s;
      state = c.state;
      if (state.batchSize != uint64_t(batch) ||
          state.datasetSize != uint64_t(train ? train->size() : 0))
        return Status::error(
            found->path + ": written for " + std::to_string(state.datasetSize) +
            " examples in batches of " + std::to_string(state.batchSize) +
            ", this run has " + std::to_string(train->size()) + " and " +
            std::to_string(batch) + "; resuming would not be exact");
      out << "resumed from " << found->path << ": epoch " << state.epoch
          << ", step " << state.step << ", lr " << formatRate(state.learningRate)
          << "\n";
      lastSaved = found->path + " (epoch " + std::to_string(state.epoch) +
                  ", step " + std::to_string(state.step) + ")";
      if (opts.learningRateGiven && opts.learningRate != state.learningRate)
        err << "warning: --lr " << formatRate(opts.learningRate)
            << " is not used: a resumed run continues with its checkpoint's "
               "learning rate and schedule, so it ends as the uninterrupted "
               "run would\n";
      warnChangedOptions();
      return metrics.load(opts.metricsPath, state.epoch);
    }
    if (found.message().find("no checkpoint") == std::string::npos)
      return found.error();
    out << "no checkpoint in " << opts.checkpointDir
        << " yet: starting a new run\n";
  }

  if (!opts.initWeights.empty()) {
    if (Status s = loadWeightsInto(opts.initWeights, model, ctx.params());
        !s.ok())
      return s;
    if (!opts.allowNonFinite)
      if (Status s = checkFinite(weightsFromBlock(model, ctx.readParams()),
                                 opts.initWeights);
          !s.ok())
        return s;
    out << "initial weights: " << opts.initWeights << "\n";
  } else {
    initParams(model, opts.seed, ctx.params(), &ctx.hostPool());
  }
  state = TrainState();
  state.rngSeed = opts.seed;
  state.dataOptions = kDataOptionsRecorded |
                      (opts.augment ? kDataOptionsAugment : 0) |
                      (opts.shuffle ? kDataOptionsShuffle : 0);
  state.learningRate = opts.learningRate;
  state.batchSize = uint64_t(batch);
  state.datasetSize = uint64_t(train->size());
  return metrics.load(opts.metricsPath, 0);
}

WeightsFile Trainer::weightsWithMean() {
  WeightsFile w = weightsFromBlock(model, ctx.readParams());
  w.tensors.push_back(meanTensor);
  return w;
}

/// A data option of the run: the checkpoint's when it recorded them (a
/// resumed run keeps them, so it ends as the uninterrupted run would),
/// else as given.
bool Trainer::dataOption(uint32_t bit, bool given) const {
  if (!(state.dataOptions & kDataOptionsRecorded))
    return given;
  return (state.dataOptions & bit) != 0;
}

/// As for --lr: a resumed run keeps its checkpoint's seed and data options
/// and says so when this command line asked for others.
void Trainer::warnChangedOptions() {
  const char *kept = " is not used: a resumed run continues with its "
                     "checkpoint's ";
  if (opts.seedGiven && opts.seed != state.rngSeed)
    err << "warning: --seed " << opts.seed << kept << "seed "
        << state.rngSeed << ", so it ends as the uninterrupted run would\n";
  if (!(state.dataOptions & kDataOptionsRecorded))
    return;
  bool augment = state.dataOptions & kDataOptionsAugment;
  bool shuffle = state.dataOptions & kDataOptionsShuffle;
  if (opts.augmentGiven && opts.augment != augment)
    err << "warning: " << (opts.augment ? "--augment" : "--no-augment") << kept
        << (augment ? "augmentation" : "unaugmented data")
        << ", so it ends as the uninterrupted run would\n";
  if (opts.shuffleGiven && opts.shuffle != shuffle)
    err << "warning: --no-shuffle" << kept
        << "shuffled order, so it ends as the uninterrupted run would\n";
}

/// Where a diverged run can go back to, for its error message.
std::string Trainer::lastGoodCheckpoint() const {
  if (!checkpoints)
    return "no checkpoint was written (no --checkpoint-dir)";
  if (!lastSaved.empty())
    return "the last good checkpoint is " + lastSaved;
  return "no checkpoint was written before it (none is due until " +
         std::string(opts.checkpointEvery > 0
                         ? "step " + std::to_string(opts.checkpointEvery)
                         : "the end of the epoch") +
         ")";
}

/// The error for parameters that became NaN or Inf, naming them.
Status Trainer::divergedParams() {
  return Status::error(
      "parameters became non-finite by epoch " +
      std::to_string(state.epoch + 1) + ", step " + std::to_string(state.step) +
      " (learning rate " + formatRate(state.learningRate) + "): " +
      describeNonFinite(weightsFromBlock(model, ctx.readParams()).tensors) +
      ": training diverged and stopped; " + lastGoodCheckpoint());
}

Status Trainer::saveCheckpoint(bool endOfEpoch) {
  // Never write (and so never call good) a checkpoint of a diverged run.
  if (!allFinite(ctx.readParams(), size_t(model.paramFloats)))
    return divergedParams();
  if (!checkpoints)
    return Status::success();
  WeightsFile params = weightsFromBlock(model, ctx.readParams());
  std::vector<NamedTensor> momentum =
      weightsFromBlock(model, ctx.readMomentum()).tensors;
  Status s = endOfEpoch ? checkpoints->saveEpoch(params, momentum, state)
                        : checkpoints->saveLatest(params, momentum, state);
  if (!s.ok())
    return s;
  checkpointedThisProcess = true;
  lastSaved = checkpoints->lastPath() + " (epoch " +
              std::to_string(state.epoch) + ", step " +
              std::to_string(state.step) + ")";
  // The weights next to the checkpoint carry the mean image, so eval and
  // predict preprocess as training did: the same parameters, not copied
  // out of the block a second time.
  params.tensors.push_back(meanTensor);
  return saveWeights(checkpoints->weightsPath(), params);
}

Status Trainer::saveFinalWeights() {
  if (!allFinite(ctx.readParams(), size_t(model.paramFloats)))
    return divergedParams();
  if (opts.outputWeights.empty())
    return Status::success();
  return saveWeights(opts.outputWeights, weightsWithMean());
}

Status Trainer::runEpoch(bool &stop) {
  if (opts.maxSteps > 0 && int64_t(state.step) >= opts.maxSteps) {
    // A resumed run that already took its --max-steps steps.
    out << "already " << state.step << " steps (--max-steps)\n";
    stop = true;
    return Status::success();
  }
  const EntryPoint &entry = *model.trainStep;
  const int64_t perEpoch = trainLoader->batchesPerEpoch();
  TrainProgress progress(out, opts.live, int64_t(state.epoch) + 1, opts.epochs,
                         perEpoch, batch);
  progress.resumeAt(int64_t(state.nextExample) / batch);
  trainLoader->start({int64_t(state.epoch), int64_t(state.nextExample)});
  // Throughput counts the wall time of the steps, waiting for data included.
  lastBatchEnd = Clock::now();
  Batch data;
  for (;;) {
    Expected<bool> more = trainLoader->next(data);
    if (!more.ok())
      return more.error();
    if (!*more)
      break;
    scalars.lr = float(state.learningRate);
    scalars.step = int64_t(state.step);
    // Every slot again: validation binds the same slots to its own buffers.
    ctx.setInput(layout.image, data.images.data());
    ctx.setInput(layout.label, data.labels.data());
    bindScalars(ctx, layout, scalars);
    ctx.setOutput(layout.loss, &loss);
    loss = std::numeric_limits<float>::quiet_NaN();
    ctx.run(entry);
    if (!std::isfinite(loss)) {
      progress.finish();
      return Status::error(
          "the loss became " + std::string(std::isnan(loss) ? "NaN" : "Inf") +
          " at epoch " + std::to_string(state.epoch + 1) + ", step " +
          std::to_string(state.step) + " (learning rate " +
          formatRate(state.learningRate) +
          "): training diverged and stopped; " + lastGoodCheckpoint());
    }
    // The loss can stay finite while parameters overflow (a dead unit's
    // weights). In host memory the scan costs far less than the step; a
    // device's parameters are checked where they are fetched anyway, before
    // every checkpoint and the final weights.
    if (!ctx.deviceBackend() &&
        !allFinite(ctx.readParams(), size_t(model.paramFloats))) {
      progress.finish();
      return divergedParams();
    }
    ++state.step;
    state.dataEpoch = state.epoch;
    state.nextExample = uint64_t(data.end);
    state.epochLossSum += double(loss);
    ++state.epochBatches;
    state.skippedExamples += uint64_t(data.skipped);
    imagesThisRun += batch;
    Clock::time_point now = Clock::now();
    secondsThisRun += std::chrono::duration<double>(now - lastBatchEnd).count();
    lastBatchEnd = now;
    progress.update(double(loss), state.learningRate);

    bool limit = opts.maxSteps > 0 && int64_t(state.step) >= opts.maxSteps;
    if (limit || (opts.checkpointEvery > 0 &&
                  int64_t(state.step) % opts.checkpointEvery == 0))
      if (Status s = saveCheckpoint(false); !s.ok())
        return s;
    if (limit) {
      progress.finish();
      out << "stopped after " << state.step << " steps (--max-steps)\n";
      stop = true;
      return Status::success();
    }
  }
  progress.finish();
  return endEpoch();
}

Status Trainer::endEpoch() {
  MetricsRow row;
  row.epoch = int64_t(state.epoch) + 1;
  row.step = int64_t(state.step);
  row.learningRate = state.learningRate;
  row.trainLoss = state.epochBatches
                      ? state.epochLossSum / double(state.epochBatches)
                      : std::numeric_limits<double>::quiet_NaN();
  row.imagesPerSecond = secondsThisRun > 0 ? imagesThisRun / secondsThisRun : 0;
  row.skipped = int64_t(state.skippedExamples);
  if (valLoader) {
    Expected<EvalResult> result = evaluate(ctx, *valLoader, LoaderMode::Eval);
    if (!result.ok())
      return result.error();
    row.valTop1Error = result->top1Error();
    row.valTop5Error = result->top5Error();
  }

  // The plateau schedule, as PyTorch's ReduceLROnPlateau(mode='min').
  const TrainRecipe &recipe = model.train;
  if (valLoader && recipe.schedule == ScheduleKind::Plateau) {
    if (std::isnan(state.bestMetric) || row.valTop1Error < state.bestMetric) {
      state.bestMetric = row.valTop1Error;
      state.epochsSinceImprovement = 0;
    } else if (++state.epochsSinceImprovement > uint32_t(recipe.patience) &&
               state.lrDrops < uint32_t(recipe.maxDrops)) {
      state.learningRate *= recipe.factor;
      ++state.lrDrops;
      state.epochsSinceImprovement = 0;
      out << "validation error has not improved for "
          << recipe.patience + 1 << " epochs: learning rate now "
          << formatRate(state.learningRate) << " (drop " << state.lrDrops
          << " of " << recipe.maxDrops << ")\n";
    }
  }

  if (recipe.schedule == ScheduleKind::Step && recipe.every > 0 &&
      row.epoch % recipe.every == 0) {
    state.learningRate *= recipe.factor;
    ++state.lrDrops;
    out << "epoch " << row.epoch << " done: learning rate now "
        << formatRate(state.learningRate) << " (step schedule, every "
        << recipe.every << " epochs)\n";
  }

  ++state.epoch;
  state.dataEpoch = state.epoch;
  state.nextExample = 0;
  state.lastTrainLoss = row.trainLoss;
  state.lastValTop1Error = row.valTop1Error;
  state.lastValTop5Error = row.valTop5Error;
  state.epochLossSum = 0.0;
  state.epochBatches = 0;

  char line[256];
  std::snprintf(line, sizeof(line), "epoch %lld/%lld: train loss %.4f",
                static_cast<long long>(row.epoch),
                static_cast<long long>(opts.epochs), row.trainLoss);
  out << line;
  if (valLoader) {
    std::snprintf(line, sizeof(line),
                  ", val top-1 %.2f%% (error %.2f%%), top-5 error %.2f%%",
                  100.0 * (1.0 - row.valTop1Error), 100.0 * row.valTop1Error,
                  100.0 * row.valTop5Error);
    out << line;
  }
  std::snprintf(line, sizeof(line), ", %.0f img/s", row.imagesPerSecond);
  out << line;
  if (row.skipped)
    out << ", " << row.skipped << " unreadable examples skipped so far";
  out << "\n";
  out.flush();
  if (Status s = metrics.append(row); !s.ok())
    return s;
  return saveCheckpoint(true);
}

Expected<TrainSummary> Trainer::run() {
  if (!model.trainStep)
    return Status::error("model '" + std::string(model.name) +
                         "' cannot train: it needs a `loss` statement (and "
                         "no alexnet-compile --training=false)");
  Expected<TrainingLayout> l = trainingLayout(model, *model.trainStep, true);
  if (!l.ok())
    return l.error();
  layout = *l;
  if (Status s = claimCheckpointDir(); !s.ok())
    return s;
  // The loaders key on the run's seed, which a resumed run reads from its
  // checkpoint.
  if (Status s = openData(); !s.ok())
    return s;
  if (Status s = prepareState(); !s.ok())
    return s;
  if (Status s = createLoaders(); !s.ok())
    return s;

  scalars.seed = seedBits(state.rngSeed);
  scalars.dropout = 1;

  bool stop = false;
  while (int64_t(state.epoch) < opts.epochs && !stop)
    if (Status s = runEpoch(stop); !s.ok())
      return s;
  if (Status s = rewriteCheckpointWeights(); !s.ok())
    return s;
  if (Status s = saveFinalWeights(); !s.ok())
    return s;

  TrainSummary summary;
  summary.epochs = int64_t(state.epoch);
  summary.steps = int64_t(state.step);
  // Stopped mid-epoch (--max-steps): the loss of the partial epoch.
  summary.lastTrainLoss =
      state.epochBatches ? state.epochLossSum / double(state.epochBatches)
                         : state.lastTrainLoss;
  summary.valTop1Error = state.lastValTop1Error;
  summary.valTop5Error = state.lastValTop5Error;
  summary.imagesPerSecond =
      secondsThisRun > 0 ? imagesThisRun / secondsThisRun : 0.0;
  return summary;
}

} // namespace

Expected<TrainSummary> runTraining(const ModelDesc &model,
                                   const TrainOptions &options,
                                   std::ostream &out, std::ostream &err) {
  Trainer trainer(model, options, out, err);
  return trainer.run();
}

} // namespace alexnet::runtime
