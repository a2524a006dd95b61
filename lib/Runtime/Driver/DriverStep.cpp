//===- DriverStep.cpp - The step subcommand -------------------------------===//
//
// K SGD steps of the compiled train_step on one batch read from .npy,
// starting from a weights file with zero momentum, then the weights are
// written out. It is what the PyTorch SGD oracle checks: step k uses Philox
// step counter k, so dropout masks differ between steps but not between
// runs.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"
#include "Driver/NpyBatchRun.h"
#include "IO/OutputCheck.h"

#include <cmath>
#include <cstdio>
#include <optional>

namespace alexnet::runtime {

int runStepCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {{"--weights"},
                                           {"--input"},
                                           {"--labels"},
                                           {"--steps"},
                                           {"--lr"},
                                           {"-o"},
                                           {"--no-dropout", false},
                                           {"--seed"},
                                           {"--threads"}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> weights = args->required("--weights");
  Expected<std::string> input = args->required("--input");
  Expected<std::string> labels = args->required("--labels");
  Expected<std::string> output = args->required("-o");
  Expected<int64_t> steps = args->integer("--steps", 1, 1, 1000000);
  Expected<double> lr = args->real("--lr", 0.01, 0.0, 1e6);
  Expected<uint64_t> seed = args->unsignedInteger("--seed", 1);
  Expected<int> threads = threadCount(*args);
  for (const Status *s :
       {&weights.error(), &input.error(), &labels.error(), &output.error(),
        &steps.error(), &lr.error(), &seed.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"-o", *output}}, {{"--weights", *weights},
                                                  {"--input", *input},
                                                  {"--labels", *labels}});
      !s.ok())
    return inv.fail(s);

  const ModelDesc &model = inv.model;
  if (!model.trainStep)
    return inv.fail("model '" + std::string(model.name) +
                    "' cannot train: step needs a `loss` statement (and no "
                    "alexnet-compile --training=false)");
  const EntryPoint &entry = *model.trainStep;
  Expected<NpyBatchRun> run = prepareNpyBatchRun(
      model, entry, /*wantsLr=*/true, *weights, *input, *labels, *threads);
  if (!run.ok())
    return inv.fail(run.error());
  ExecContext &ctx = *run->ctx;
  const TrainingLayout *layout = &run->layout;
  const std::optional<NamedTensor> &mean = run->mean;

  TrainingScalars scalars;
  scalars.lr = float(*lr);
  scalars.seed = seedBits(*seed);
  scalars.dropout = args->has("--no-dropout") ? 0 : 1;
  float loss = 0.0f;
  bindScalars(ctx, *layout, scalars);
  ctx.setOutput(layout->loss, &loss);
  for (int64_t k = 0; k < *steps; ++k) {
    scalars.step = k;
    ctx.run(entry);
    char line[96];
    std::snprintf(line, sizeof(line), "step %lld loss %.9g\n",
                  static_cast<long long>(k), double(loss));
    inv.out << line;
    if (!std::isfinite(loss))
      return inv.fail("loss is " + std::string(std::isnan(loss) ? "NaN" : "Inf") +
                      " at step " + std::to_string(k) +
                      ": training diverged (lower --lr); " + *output +
                      " not written");
  }

  WeightsFile result = weightsFromBlock(model, ctx.readParams());
  if (mean)
    result.tensors.push_back(*mean);
  if (Status s = saveWeights(*output, result); !s.ok())
    return inv.fail(s);
  inv.out << *steps << " steps (lr " << *lr << ", dropout "
          << (scalars.dropout ? "on" : "off") << "), wrote " << *output << "\n";
  return 0;
}

} // namespace alexnet::runtime
