//===- DriverTrain.cpp - The train subcommand -----------------------------===//
//
// Flags to TrainOptions, defaults from the model's train block, then
// runTraining (TrainLoop.cpp) and a summary of where everything went.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"
#include "IO/OutputCheck.h"
#include "Train/TrainLoop.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace alexnet::runtime {

int runTrainCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(
      inv.args, {{"--data"},           {"--format"},
                 {"--epochs"},         {"--lr"},
                 {"--checkpoint-dir"}, {"--resume", false},
                 {"--overwrite", false},
                 {"--seed"},           {"--metrics"},
                 {"--threads"},        {"--loader-threads"},
                 {"--checkpoint-every"}, {"--max-steps"},
                 {"--init"},           {"-o"},
                 {"--augment", false}, {"--no-augment", false},
                 {"--no-shuffle", false},
                 {"--no-validation", false},
                 {"--allow-nonfinite", false}});
  if (!args.ok())
    return inv.usageError(args.message());
  const ModelDesc &model = inv.model;
  const TrainRecipe &recipe = model.train;
  int hardware = int(std::max(1u, std::thread::hardware_concurrency()));

  TrainOptions opts;
  Expected<std::string> data = args->required("--data");
  Expected<DataFormat> format =
      parseDataFormat(args->get("--format") ? *args->get("--format") : "auto");
  Expected<int64_t> epochs = args->integer(
      "--epochs", std::max<int32_t>(1, recipe.epochs), 1, 1000000);
  Expected<double> lr = args->real(
      "--lr", recipe.learningRate > 0 ? recipe.learningRate : 0.01, 1e-12, 1e6);
  Expected<uint64_t> seed = args->unsignedInteger("--seed", 1);
  Expected<int> threads = threadCount(*args);
  Expected<int64_t> loaderThreads = args->integer(
      "--loader-threads", std::min(4, hardware), 1, 256);
  Expected<int64_t> every =
      args->integer("--checkpoint-every", 0, 0, int64_t(1) << 40);
  Expected<int64_t> maxSteps =
      args->integer("--max-steps", 0, 0, int64_t(1) << 40);
  for (const Status *s :
       {&data.error(), &format.error(), &epochs.error(), &lr.error(),
        &seed.error(), &threads.error(), &loaderThreads.error(), &every.error(),
        &maxSteps.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (args->has("--augment") && args->has("--no-augment"))
    return inv.usageError("--augment and --no-augment contradict each other");
  if (args->has("--resume") && !args->has("--checkpoint-dir"))
    return inv.usageError("--resume needs --checkpoint-dir");
  if (args->has("--overwrite") && !args->has("--checkpoint-dir"))
    return inv.usageError("--overwrite needs --checkpoint-dir");
  if (args->has("--overwrite") && args->has("--resume"))
    return inv.usageError("--resume and --overwrite contradict each other");

  opts.dataPath = *data;
  opts.format = *format;
  opts.epochs = *epochs;
  opts.learningRate = *lr;
  opts.learningRateGiven = args->has("--lr");
  opts.seed = *seed;
  opts.threads = *threads;
  opts.loaderThreads = int(*loaderThreads);
  opts.checkpointEvery = *every;
  opts.maxSteps = *maxSteps;
  opts.resume = args->has("--resume");
  opts.overwrite = args->has("--overwrite");
  opts.augment = args->has("--augment")      ? true
                 : args->has("--no-augment") ? false
                                             : recipe.augment;
  opts.shuffle = !args->has("--no-shuffle");
  opts.validate = !args->has("--no-validation");
  if (const std::string *dir = args->get("--checkpoint-dir"))
    opts.checkpointDir = *dir;
  if (const std::string *metrics = args->get("--metrics"))
    opts.metricsPath = *metrics;
  if (const std::string *init = args->get("--init"))
    opts.initWeights = *init;
  opts.allowNonFinite = args->has("--allow-nonfinite");
  opts.seedGiven = args->has("--seed");
  opts.augmentGiven = args->has("--augment") || args->has("--no-augment");
  opts.shuffleGiven = args->has("--no-shuffle");
  if (const std::string *output = args->get("-o"))
    opts.outputWeights = *output;
  opts.live = &inv.out == &std::cout && isatty(STDOUT_FILENO);

  // Before any work: a bad output path fails now, not after training.
  if (Status s = checkOutputs(
          {{"-o", opts.outputWeights}, {"--metrics", opts.metricsPath}},
          {{"--init", opts.initWeights}, {"--data", opts.dataPath}});
      !s.ok())
    return inv.fail(s);

  applyBlasThreads(model, opts.threads);
  Expected<TrainSummary> summary = runTraining(model, opts, inv.out, inv.err);
  if (!summary.ok())
    return inv.fail(summary.error());
  char line[200];
  std::snprintf(line, sizeof(line), "trained %lld epochs (%lld steps)",
                static_cast<long long>(summary->epochs),
                static_cast<long long>(summary->steps));
  inv.out << line;
  if (!std::isnan(summary->lastTrainLoss)) {
    std::snprintf(line, sizeof(line), ": train loss %.4f",
                  summary->lastTrainLoss);
    inv.out << line;
  }
  if (!std::isnan(summary->valTop1Error)) {
    std::snprintf(line, sizeof(line),
                  ", validation top-1 error %.2f%% (accuracy %.2f%%), top-5 "
                  "error %.2f%%",
                  100.0 * summary->valTop1Error,
                  100.0 * (1.0 - summary->valTop1Error),
                  100.0 * summary->valTop5Error);
    inv.out << line;
  }
  inv.out << "\n";
  if (!opts.checkpointDir.empty())
    inv.out << "checkpoints: " << opts.checkpointDir << "/last.axc, weights "
            << opts.checkpointDir << "/last.axw\n";
  if (!opts.outputWeights.empty())
    inv.out << "weights: " << opts.outputWeights << "\n";
  if (!opts.metricsPath.empty())
    inv.out << "metrics: " << opts.metricsPath << "\n";
  return 0;
}

} // namespace alexnet::runtime
