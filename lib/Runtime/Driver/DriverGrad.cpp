//===- DriverGrad.cpp - The grad subcommand -------------------------------===//
//
// Runs the compiled gradients entry point once on a batch read from .npy
// (image and labels) with trained weights, and writes the loss and every
// parameter's gradient, PyTorch-named, to an .npz. It is what the PyTorch
// gradient oracle checks, so it does nothing but bind and copy: seed, step
// and the dropout switch go to the entry point as given.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"
#include "Driver/NpyBatchRun.h"
#include "IO/Npz.h"
#include "IO/OutputCheck.h"

#include <cstdio>
#include <limits>

namespace alexnet::runtime {

int runGradCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {{"--weights"},
                                           {"--input"},
                                           {"--labels"},
                                           {"--npz"},
                                           {"--no-dropout", false},
                                           {"--seed"},
                                           {"--step"},
                                           {"--threads"}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> weights = args->required("--weights");
  Expected<std::string> input = args->required("--input");
  Expected<std::string> labels = args->required("--labels");
  Expected<std::string> npz = args->required("--npz");
  Expected<uint64_t> seed = args->unsignedInteger("--seed", 1);
  Expected<int64_t> step =
      args->integer("--step", 0, 0, std::numeric_limits<int64_t>::max());
  Expected<int> threads = threadCount(*args);
  for (const Status *s :
       {&weights.error(), &input.error(), &labels.error(), &npz.error(),
        &seed.error(), &step.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"--npz", *npz}}, {{"--weights", *weights},
                                                  {"--input", *input},
                                                  {"--labels", *labels}});
      !s.ok())
    return inv.fail(s);

  const ModelDesc &model = inv.model;
  if (!model.gradients)
    // Either the DSL has no loss or the compiler was not asked for it.
    return inv.fail("model '" + std::string(model.name) +
                    "' has no gradients: grad needs a `loss` statement (and "
                    "no alexnet-compile --training=false)");
  const EntryPoint &entry = *model.gradients;
  Expected<NpyBatchRun> run = prepareNpyBatchRun(
      model, entry, /*wantsLr=*/false, *weights, *input, *labels, *threads);
  if (!run.ok())
    return inv.fail(run.error());
  ExecContext &ctx = *run->ctx;
  const TrainingLayout *layout = &run->layout;

  TrainingScalars scalars;
  scalars.seed = seedBits(*seed);
  scalars.step = *step;
  scalars.dropout = args->has("--no-dropout") ? 0 : 1;
  bindScalars(ctx, *layout, scalars);

  // Every output is f32; each gets its own zeroed buffer.
  NpzFile result;
  for (int32_t i = 0; i < entry.numOutputs; ++i) {
    const ParamSpec *p = layout->paramOfOutput[i];
    std::vector<int64_t> shape = p ? paramShape(*p) : std::vector<int64_t>{};
    std::vector<float> data(size_t(tensorElements(entry.outputs[i])));
    result.arrays.push_back(
        {entry.outputs[i].name,
         NpyArray::floats(std::move(shape), std::move(data))});
  }
  for (int32_t i = 0; i < entry.numOutputs; ++i)
    ctx.setOutput(i, result.arrays[i].array.f32.data());
  ctx.run(entry);

  if (Status s = saveNpz(*npz, result); !s.ok())
    return inv.fail(s);
  char line[128];
  std::snprintf(line, sizeof(line), "loss %.9g",
                double(result.arrays[layout->loss].array.f32[0]));
  inv.out << line << ", " << entry.numOutputs - 1 << " gradients (dropout "
          << (scalars.dropout ? "on" : "off") << ", seed " << *seed
          << ", step " << scalars.step << "), wrote " << *npz << "\n";
  return 0;
}

} // namespace alexnet::runtime
