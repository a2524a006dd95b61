//===- DriverGrad.cpp - The grad subcommand -------------------------------===//
//
// Runs the compiled gradients entry point once on a batch read from .npy
// (image and labels) with trained weights, and writes the loss and every
// parameter's gradient, PyTorch-named, to an .npz. It is what the PyTorch
// gradient oracle checks, so it does nothing but bind and copy: seed, step
// and the dropout switch go to the entry point as given.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/Driver.h"

#include "alexnet/Runtime/DriverArgs.h"
#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/ModelWeights.h"
#include "alexnet/Runtime/Npz.h"

#include <cstdio>
#include <cstring>
#include <limits>

namespace alexnet::runtime {

namespace {

/// Where the gradients entry point's arguments are: the image and label
/// inputs, the scalars, and the parameter each gradient output belongs to.
struct GradLayout {
  int image = -1, label = -1, seed = -1, step = -1, dropout = -1;
  int loss = -1;
  std::vector<const ParamSpec *> paramOfOutput; ///< null for the loss
};

bool isScalar(const TensorSpec &spec, ElementType type) {
  return spec.type == type && spec.rank == 0;
}

/// The parameter whose gradient output is called `name` ("<param>.grad").
const ParamSpec *paramOfGradient(const ModelDesc &model,
                                 const std::string &name) {
  const std::string suffix = ".grad";
  if (name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return nullptr;
  std::string param = name.substr(0, name.size() - suffix.size());
  for (int32_t i = 0; i < model.numParams; ++i)
    if (param == model.params[i].name)
      return &model.params[i];
  return nullptr;
}

/// Reads the argument roles off the TensorSpec names and checks them against
/// the contract, so a mismatched emitter is an error, not a wild write.
Expected<GradLayout> layoutOf(const ModelDesc &model, const EntryPoint &entry) {
  std::string where =
      "gradients entry point of '" + std::string(model.name) + "': ";
  GradLayout l;
  for (int32_t i = 0; i < entry.numInputs; ++i) {
    const TensorSpec &in = entry.inputs[i];
    int *slot = nullptr;
    if (std::strcmp(in.name, "seed") == 0 && isScalar(in, ElementType::I64))
      slot = &l.seed;
    else if (std::strcmp(in.name, "step") == 0 &&
             isScalar(in, ElementType::I64))
      slot = &l.step;
    else if (std::strcmp(in.name, "dropout") == 0 &&
             isScalar(in, ElementType::Bool))
      slot = &l.dropout;
    else if (in.type == ElementType::F32 && in.rank > 0)
      slot = &l.image;
    else if (in.type == ElementType::I32 && in.rank == 1)
      slot = &l.label;
    if (!slot || *slot >= 0)
      return Status::error(where + "unexpected input " + quoteText(in.name));
    *slot = i;
  }
  for (int *slot : {&l.image, &l.label, &l.seed, &l.step, &l.dropout})
    if (*slot < 0)
      return Status::error(where + "expected inputs image, label, seed, step "
                                   "and dropout");

  for (int32_t i = 0; i < entry.numOutputs; ++i) {
    const TensorSpec &out = entry.outputs[i];
    std::string name = out.name;
    if (name == "loss" && isScalar(out, ElementType::F32) && l.loss < 0) {
      l.loss = i;
      l.paramOfOutput.push_back(nullptr);
      continue;
    }
    const ParamSpec *p = paramOfGradient(model, name);
    if (!p || out.type != ElementType::F32 ||
        tensorShape(out) != paramShape(*p))
      return Status::error(where + "unexpected output " + quoteText(name) +
                           " (" + formatDims(out.shape, out.rank) + ")");
    l.paramOfOutput.push_back(p);
  }
  if (l.loss < 0)
    return Status::error(where + "no scalar 'loss' output");
  return l;
}

/// The number of classes: the last dimension of the inference output, the
/// softmax of the logits the loss reads.
Expected<int64_t> classCount(const ModelDesc &model) {
  const TensorSpec *out = model.numOutputs > 0 ? &model.outputs[0] : nullptr;
  if (!out || out->rank != 2 || out->shape[0] != model.batch)
    return Status::error("grad needs an inference output of shape [batch, "
                         "classes] to check labels against");
  return out->shape[1];
}

/// The first label outside [0, classes), as an error naming it.
Status checkLabels(const std::string &path, const std::vector<int32_t> &labels,
                   int64_t classes) {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      return Status::error(path + ": label " + std::to_string(labels[i]) +
                           " at index " + std::to_string(i) +
                           " is not a class of the model, expected [0, " +
                           std::to_string(classes) + ")");
  return Status::success();
}

} // namespace

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

  const ModelDesc &model = inv.model;
  if (!model.gradients)
    // Either the DSL has no loss or the compiler was not asked for it.
    return inv.fail("model '" + std::string(model.name) +
                    "' has no gradients: grad needs a `loss` statement and "
                    "alexnet-compile --gradients");
  const EntryPoint &entry = *model.gradients;
  Expected<GradLayout> layout = layoutOf(model, entry);
  if (!layout.ok())
    return inv.fail(layout.error());
  Expected<int64_t> classes = classCount(model);
  if (!classes.ok())
    return inv.fail(classes.error());

  Expected<NpyArray> x =
      loadInputBatch(*input, entry.inputs[layout->image], model.batch);
  if (!x.ok())
    return inv.fail(x.error());
  Expected<NpyArray> y =
      loadInputBatch(*labels, entry.inputs[layout->label], model.batch);
  if (!y.ok())
    return inv.fail(y.error());
  if (Status s = checkLabels(*labels, y->i32, *classes); !s.ok())
    return inv.fail(s);

  applyBlasThreads(*threads);
  ExecContext ctx(model, *threads);
  if (Status s = loadWeightsInto(*weights, model, ctx.params()); !s.ok())
    return inv.fail(s);

  // The seed is a bit pattern: any unsigned 64-bit value, passed as i64.
  int64_t seedBits;
  std::memcpy(&seedBits, &*seed, sizeof(seedBits));
  int64_t stepValue = *step;
  uint8_t dropoutOn = args->has("--no-dropout") ? 0 : 1;
  ctx.setInput(layout->image, x->f32.data());
  ctx.setInput(layout->label, y->i32.data());
  ctx.setInput(layout->seed, &seedBits);
  ctx.setInput(layout->step, &stepValue);
  ctx.setInput(layout->dropout, &dropoutOn);

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
          << (dropoutOn ? "on" : "off") << ", seed " << *seed << ", step "
          << stepValue << "), wrote " << *npz << "\n";
  return 0;
}

} // namespace alexnet::runtime
