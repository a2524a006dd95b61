//===- DriverInfer.cpp - The infer and bench subcommands ------------------===//
//
// Both run the compiled inference entry point on one ExecContext: `infer`
// on a batch read from .npy with trained weights, `bench` on random data
// with freshly initialised ones, timing each run. loadInputBatch, the
// checked read of an input .npy, lives here and is shared with `grad`.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"
#include "alexnet/Runtime/ExecContext.h"
#include "Core/HostMemory.h"
#include "Core/Init.h"
#include "IO/ModelWeights.h"
#include "IO/Npy.h"
#include "IO/OutputCheck.h"
#include "alexnet/Runtime/Philox.h"

#include "Core/TrainingEntry.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace alexnet::runtime {

namespace {

/// Zeroed storage for every model output, bound to `ctx`. Floats are wide
/// enough for either element type (both are 4 bytes).
std::vector<std::vector<float>> bindOutputs(ExecContext &ctx) {
  const ModelDesc &model = ctx.model();
  std::vector<std::vector<float>> outputs;
  for (int32_t i = 0; i < model.numOutputs; ++i) {
    outputs.emplace_back(size_t(tensorElements(model.outputs[i])));
    ctx.setOutput(i, outputs.back().data());
  }
  return outputs;
}

} // namespace

Expected<NpyArray> loadInputBatch(const std::string &path,
                                  const TensorSpec &spec, int64_t batch) {
  bool isFloat = spec.type == ElementType::F32;
  if (!isFloat && spec.type != ElementType::I32)
    return Status::error("input '" + std::string(spec.name) +
                         "' is neither float32 nor int32");
  // loadNpy reads int64 files as int32, checking every value fits.
  Expected<NpyArray> x = loadNpy(path);
  if (!x.ok())
    return x.error();
  if (x->dtype != (isFloat ? NpyDType::Float32 : NpyDType::Int32))
    return Status::error(path + ": expected " +
                         (isFloat ? "float32" : "int32 or int64") + ", got " +
                         dtypeName(x->dtype));
  if (x->shape != tensorShape(spec))
    return Status::error(path + ": expected shape " +
                         formatDims(spec.shape, spec.rank) + " (input '" +
                         spec.name + "', batch " + std::to_string(batch) +
                         "), got " + formatShape(x->shape));
  return x;
}

int runInferCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(
      inv.args, {{"--weights"}, {"--input"}, {"--output"}, {"--threads"}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> weights = args->required("--weights");
  Expected<std::string> input = args->required("--input");
  Expected<std::string> output = args->required("--output");
  Expected<int> threads = threadCount(*args);
  for (const Status *s :
       {&weights.error(), &input.error(), &output.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"--output", *output}},
                              {{"--weights", *weights}, {"--input", *input}});
      !s.ok())
    return inv.fail(s);

  const ModelDesc &model = inv.model;
  if (model.numInputs != 1 || model.numOutputs < 1)
    return inv.fail("infer needs a model with one input and an output, '" +
                    std::string(model.name) + "' has " +
                    std::to_string(model.numInputs) + " inputs and " +
                    std::to_string(model.numOutputs) + " outputs");
  const TensorSpec &in = model.inputs[0];
  if (in.type != ElementType::F32)
    return inv.fail("infer supports float32 inputs only");

  Expected<NpyArray> x = loadInputBatch(*input, in, model.batch);
  if (!x.ok())
    return inv.fail(x.error());

  applyBlasThreads(model, *threads);
  ExecContext ctx(model, *threads);
  if (Status s = loadWeightsInto(*weights, model, ctx.params()); !s.ok())
    return inv.fail(s);
  ctx.setInput(0, x->f32.data());
  std::vector<std::vector<float>> outputs = bindOutputs(ctx);
  ctx.runInference();

  const TensorSpec &result = model.outputs[0];
  NpyArray y;
  if (result.type == ElementType::F32) {
    y = NpyArray::floats(tensorShape(result), std::move(outputs[0]));
  } else {
    std::vector<int32_t> ints(outputs[0].size());
    std::copy_n(reinterpret_cast<const int32_t *>(outputs[0].data()),
                ints.size(), ints.data());
    y = NpyArray::ints(tensorShape(result), std::move(ints));
  }
  if (Status s = saveNpy(*output, y); !s.ok())
    return inv.fail(s);
  inv.out << "wrote " << *output << ": " << formatShape(y.shape) << " "
          << dtypeName(y.dtype) << "\n";
  return 0;
}

int runBenchCommand(const Invocation &inv) {
  auto args =
      ParsedArgs::parse(inv.args, {{"--iters"}, {"--warmup"}, {"--threads"},
                                   {"--profile", false}, {"--train", false}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<int64_t> iters = args->integer("--iters", 10, 1, 1000000);
  Expected<int64_t> warmup = args->integer("--warmup", 2, 0, 1000000);
  Expected<int> threads = threadCount(*args);
  for (const Status *s : {&iters.error(), &warmup.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());

  const ModelDesc &model = inv.model;
  bool train = args->has("--train");
  if (train && !model.trainStep)
    return inv.fail("model '" + std::string(model.name) +
                    "' has no train_step to time (no `loss`, or compiled "
                    "--training=false)");
  TrainingLayout layout;
  if (train) {
    Expected<TrainingLayout> l =
        trainingLayout(model, *model.trainStep, /*wantsLr=*/true);
    if (!l.ok())
      return inv.fail(l.error());
    layout = *l;
  }
  const TensorSpec *specs = train ? model.trainStep->inputs : model.inputs;
  int32_t numInputs = train ? model.trainStep->numInputs : model.numInputs;
  applyBlasThreads(model, *threads);
  ExecContext ctx(model, *threads);
  if (const DeviceBackend *backend = ctx.deviceBackend())
    for (const std::string &line : backend->describe())
      inv.out << line << "\n";
  initParams(model, 1, ctx.params(), &ctx.hostPool());
  // Tensor inputs uniform in [0.5, 1): non-zero, so no kernel sees a
  // shortcut. Integer inputs (labels) stay 0, a valid class. train_step's
  // scalars: lr 0, so the weights stay as they are, and dropout on.
  // HostVector: pinned under CUDA, as the data loader's batches are.
  std::vector<HostVector<float>> inputs;
  for (int32_t i = 0; i < numInputs; ++i) {
    if (specs[i].rank == 0)
      continue;
    inputs.emplace_back(size_t(tensorElements(specs[i])));
    if (specs[i].type == ElementType::F32) {
      float *data = inputs.back().data();
      ctx.hostPool().forEach(int64_t(inputs.back().size()), [&](int64_t j) {
        data[j] = 0.5f + 0.5f * philoxUniform(philoxKey(2), uint32_t(i), j);
      });
    }
    ctx.setInput(i, inputs.back().data());
  }
  TrainingScalars scalars;
  std::vector<std::vector<float>> outputs;
  float loss = 0.0f;
  if (train) {
    bindScalars(ctx, layout, scalars);
    ctx.setOutput(layout.loss, &loss);
  } else {
    outputs = bindOutputs(ctx);
  }
  auto runOnce = [&] {
    if (train)
      ctx.run(*model.trainStep);
    else
      ctx.runInference();
  };

  using Clock = std::chrono::steady_clock;
  std::vector<double> ms;
  for (int64_t i = 0; i < *warmup + *iters; ++i) {
    Clock::time_point start = Clock::now();
    runOnce();
    double elapsed =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (i >= *warmup)
      ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  double imgPerS = median > 0 ? double(model.batch) * 1000.0 / median : 0;

  char line[512];
  std::snprintf(line, sizeof(line),
                "%s %s: batch %lld, %d threads, %lld iterations after %lld "
                "warm-up\n  median %.3f ms/batch (min %.3f, max %.3f), "
                "%.1f img/s\n",
                model.name, train ? "train_step" : "inference",
                (long long)model.batch, *threads, (long long)*iters,
                (long long)*warmup, median, ms.front(), ms.back(), imgPerS);
  inv.out << line;
  std::snprintf(line, sizeof(line),
                "bench: model=%s entry=%s target=%s batch=%lld threads=%d "
                "iters=%lld median_ms=%.4f min_ms=%.4f max_ms=%.4f "
                "img_per_s=%.2f\n",
                model.name, train ? "train_step" : "inference", model.target, (long long)model.batch, *threads,
                (long long)*iters, median, ms.front(), ms.back(), imgPerS);
  inv.out << line;

  if (args->has("--profile")) {
    // Separate runs, so the marks do not disturb the timings above.
    ctx.setProfiling(true);
    for (int64_t i = 0; i < *iters; ++i)
      runOnce();
    double total = 0;
    for (const auto &entry : ctx.profile())
      total += entry.second;
    inv.out << "profile (ms per batch, mean over " << *iters << " runs):\n";
    for (const auto &entry : ctx.profile()) {
      std::snprintf(line, sizeof(line), "  %-28s %9.3f  %5.1f%%\n", entry.first,
                    entry.second * 1e3 / double(*iters),
                    total > 0 ? 100.0 * entry.second / total : 0.0);
      inv.out << line;
    }
  }
  return 0;
}

} // namespace alexnet::runtime
