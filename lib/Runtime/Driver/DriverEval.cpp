//===- DriverEval.cpp - The eval subcommand -------------------------------===//
//
// Top-1 and top-5 error of a weights file on the test split of a data set,
// preprocessed as training does: the training split's mean image (cached
// statistics) is subtracted; centre crop, or the paper's ten crops.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Data/DataLoader.h"
#include "Data/DataStats.h"
#include "Driver/DriverArgs.h"
#include "Train/Evaluate.h"
#include "alexnet/Runtime/ExecContext.h"
#include "IO/ModelWeights.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace alexnet::runtime {

int runEvalCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {{"--data"},
                                           {"--weights"},
                                           {"--format"},
                                           {"--ten-crop", false},
                                           {"--stats-cache"},
                                           {"--threads"},
                                           {"--loader-threads"}});
  if (!args.ok())
    return inv.usageError(args.message());
  int hardware = int(std::max(1u, std::thread::hardware_concurrency()));
  Expected<std::string> data = args->required("--data");
  Expected<std::string> weights = args->required("--weights");
  Expected<DataFormat> format =
      parseDataFormat(args->get("--format") ? *args->get("--format") : "auto");
  Expected<int> threads = threadCount(*args);
  Expected<int64_t> loaderThreads = args->integer(
      "--loader-threads", std::min(4, hardware), 1, 256);
  for (const Status *s : {&data.error(), &weights.error(), &format.error(),
                          &threads.error(), &loaderThreads.error()})
    if (!s->ok())
      return inv.usageError(s->message());

  const ModelDesc &model = inv.model;
  if (model.numInputs != 1 || model.inputs[0].rank != 4)
    return inv.fail("eval needs a model with one image input [batch, "
                    "channels, height, width]");
  const TensorSpec &image = model.inputs[0];
  DataOptions options = dataOptionsForInput(
      int(image.shape[1]), int(image.shape[2]), int(image.shape[3]));
  Expected<std::unique_ptr<DataSet>> test =
      openDataSet(*data, *format, DataSplit::Test, options);
  if (!test.ok())
    return inv.fail(test.error());
  // A label the model has no output for would count as a silent miss.
  if (model.numOutputs > 0 && model.outputs[0].rank == 2)
    if (Status s = checkLabelsFit(**test, model.outputs[0].shape[1],
                                  DataSplit::Test, model.name);
        !s.ok())
      return inv.fail(s);

  // The mean image comes from the training split, as in training.
  std::optional<DataStats> stats;
  Expected<std::unique_ptr<DataSet>> train =
      openDataSet(*data, *format, DataSplit::Train, options);
  if (train.ok()) {
    StatsOptions statsOptions;
    statsOptions.threads = int(*loaderThreads);
    std::string cacheDir =
        args->get("--stats-cache") ? *args->get("--stats-cache") : "";
    Expected<CachedStats> cached = loadOrComputeDataStats(
        **train, statsCachePath(**train, cacheDir), statsOptions);
    if (!cached.ok())
      return inv.fail(cached.error());
    stats = cached->stats;
  } else {
    inv.err << "warning: no training split to take the mean image from, so "
               "none is subtracted: "
            << train.message() << "\n";
  }

  applyBlasThreads(model, *threads);
  ExecContext ctx(model, *threads);
  if (Status s = loadWeightsInto(*weights, model, ctx.params()); !s.ok())
    return inv.fail(s);

  LoaderMode mode =
      args->has("--ten-crop") ? LoaderMode::TenCrop : LoaderMode::Eval;
  if (mode == LoaderMode::TenCrop && (*test)->height() == image.shape[2] &&
      (*test)->width() == image.shape[3])
    inv.err << "note: the images are stored at the model's input size, so "
               "the ten crops are one window and its mirror image\n";
  LoaderOptions loader;
  loader.mode = mode;
  loader.batchSize = int(model.batch);
  loader.threads = int(*loaderThreads);
  loader.prefetch = int(*loaderThreads) + 2;
  loader.channels = int(image.shape[1]);
  loader.augment.cropHeight = int(image.shape[2]);
  loader.augment.cropWidth = int(image.shape[3]);
  Expected<std::unique_ptr<DataLoader>> loaderOr =
      DataLoader::create(**test, stats ? &*stats : nullptr, loader);
  if (!loaderOr.ok())
    return inv.fail(loaderOr.error());

  auto start = std::chrono::steady_clock::now();
  Expected<EvalResult> result = evaluate(ctx, **loaderOr, mode);
  if (!result.ok())
    return inv.fail(result.error());
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  char line[256];
  std::snprintf(line, sizeof(line),
                "%s: %lld examples (%s), top-1 error %.2f%% (accuracy "
                "%.2f%%), top-5 error %.2f%%, %lld unreadable skipped, %.1f s\n",
                data->c_str(), static_cast<long long>(result->examples),
                mode == LoaderMode::TenCrop ? "ten crops" : "centre crop",
                100.0 * result->top1Error(), 100.0 * (1.0 - result->top1Error()),
                100.0 * result->top5Error(),
                static_cast<long long>(result->skipped), seconds);
  inv.out << line;
  return 0;
}

} // namespace alexnet::runtime
