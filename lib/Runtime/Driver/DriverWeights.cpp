//===- DriverWeights.cpp - The init, import and export subcommands --------===//
//
// Weights files in and out of the executable. `import` and `export` speak
// PyTorch's state_dict names and layouts (`conv1.weight` is
// [out, in/groups, kh, kw]), so `torch.save`-ed weights reach the model via
// `np.savez(path, **{k: v.numpy() for k, v in sd.items()})`.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "Driver/DriverArgs.h"
#include "Core/Init.h"
#include "IO/ModelWeights.h"
#include "Core/NonFinite.h"
#include "IO/Npz.h"
#include "IO/OutputCheck.h"
#include "alexnet/Runtime/ThreadPool.h"

#include <unordered_map>
#include <unordered_set>

namespace alexnet::runtime {

int runInitCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {{"--seed"}, {"-o"}, {"--threads"}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> seedText = args->required("--seed");
  if (!seedText.ok())
    return inv.usageError(seedText.message());
  Expected<uint64_t> seed = args->unsignedInteger("--seed", 0);
  Expected<std::string> output = args->required("-o");
  Expected<int> threads = threadCount(*args);
  for (const Status *s : {&seed.error(), &output.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"-o", *output}}, {}); !s.ok())
    return inv.fail(s);

  const ModelDesc &model = inv.model;
  std::vector<float> block(size_t(model.paramFloats));
  ThreadPool pool(*threads);
  initParams(model, *seed, block.data(), &pool);
  Status saved = saveWeights(*output, weightsFromBlock(model, block.data()));
  if (!saved.ok())
    return inv.fail(saved);
  // paramFloats includes alignment padding; count the real elements.
  int64_t parameters = 0;
  for (int32_t i = 0; i < model.numParams; ++i)
    parameters += model.params[i].size;
  inv.out << "wrote " << *output << ": " << model.numParams << " tensors, "
          << withThousands(parameters) << " parameters, seed " << *seed
          << "\n";
  return 0;
}

namespace {

/// The npz arrays as a weights file of `model`, checked against it: float32
/// only, every parameter present with its shape, nothing else but an
/// optional mean tensor.
Expected<WeightsFile> weightsFromNpz(const NpzFile &npz, const ModelDesc &model,
                                     const std::string &path) {
  WeightsFile w;
  w.model = model.name;
  w.graphHash = model.graphHash;
  std::unordered_set<std::string> params;
  for (const auto &[name, shape] : expectedTensors(model))
    params.insert(name);
  for (const NamedArray &a : npz.arrays) {
    if (!params.count(a.name) && a.name != kMeanTensorName)
      return Status::error(path + ": unexpected array " + quoteText(a.name) +
                           " (" + formatShape(a.array.shape) +
                           "), the model has no such parameter");
    if (a.array.dtype != NpyDType::Float32)
      return Status::error(path + ": array " + quoteText(a.name) +
                           ": expected float32, got " +
                           dtypeName(a.array.dtype));
  }
  // Parameters first, in model order, as weights files keep them.
  for (const auto &[name, shape] : expectedTensors(model)) {
    const NpyArray *a = npz.find(name);
    if (!a)
      return Status::error(path + ": missing array " + quoteText(name) +
                           " (expected " + formatShape(shape) + ")");
    if (a->shape != shape)
      return Status::error(path + ": array " + quoteText(name) +
                           ": expected shape " + formatShape(shape) + ", got " +
                           formatShape(a->shape));
    w.tensors.push_back({name, shape, a->f32});
  }
  if (const NpyArray *mean = npz.find(kMeanTensorName)) {
    if (!isMeanShape(model, mean->shape))
      return Status::error(path +
                           ": array 'mean': expected the shape of one "
                           "input sample or one value per channel, "
                           "got " +
                           formatShape(mean->shape));
    w.tensors.push_back({kMeanTensorName, mean->shape, mean->f32});
  }
  return w;
}

/// What `import` can take per array: a parameter's values, a mean tensor
/// of one input sample, and nothing for any other name (refused anyway),
/// so an archive member that inflates beyond that (a zip bomb) is refused
/// before it is inflated.
NpzMemberLimit importLimit(const ModelDesc &model) {
  std::unordered_map<std::string, uint64_t> elements;
  for (const auto &[name, shape] : expectedTensors(model)) {
    uint64_t n = 1;
    for (int64_t d : shape)
      n *= uint64_t(d);
    elements[name] = n;
  }
  if (model.numInputs > 0) {
    uint64_t sample = 1;
    std::vector<int64_t> input = tensorShape(model.inputs[0]);
    for (size_t d = 1; d < input.size(); ++d)
      sample *= uint64_t(input[d]);
    elements[kMeanTensorName] = sample;
  }
  return [elements = std::move(elements)](const std::string &name) {
    auto it = elements.find(name);
    return npyFileLimit(it == elements.end() ? 0 : it->second, 4);
  };
}

} // namespace

int runImportCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args,
                                {{"--npz"}, {"-o"}, {"--allow-nonfinite", false}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> input = args->required("--npz");
  Expected<std::string> output = args->required("-o");
  for (const Status *s : {&input.error(), &output.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"-o", *output}}, {{"--npz", *input}}); !s.ok())
    return inv.fail(s);

  Expected<NpzFile> npz = loadNpz(*input, importLimit(inv.model));
  if (!npz.ok())
    return inv.fail(npz.error());
  Expected<WeightsFile> w = weightsFromNpz(*npz, inv.model, *input);
  if (!w.ok())
    return inv.fail(w.error());
  if (!args->has("--allow-nonfinite"))
    if (Status s = checkFinite(*w, *input); !s.ok())
      return inv.fail(s);
  Status saved = saveWeights(*output, *w);
  if (!saved.ok())
    return inv.fail(saved);
  inv.out << "wrote " << *output << ": " << w->tensors.size()
          << " tensors from " << *input << "\n";
  return 0;
}

int runExportCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(inv.args, {{"--weights"}, {"--npz"}});
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> input = args->required("--weights");
  Expected<std::string> output = args->required("--npz");
  for (const Status *s : {&input.error(), &output.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (Status s = checkOutputs({{"--npz", *output}}, {{"--weights", *input}});
      !s.ok())
    return inv.fail(s);

  Expected<WeightsFile> w = loadWeights(*input);
  if (!w.ok())
    return inv.fail(w.error());
  // Only this model's weights: the check also vets a mean tensor.
  std::vector<float> block(size_t(inv.model.paramFloats));
  if (Status s = loadIntoBlock(*w, inv.model, block.data(), *input); !s.ok())
    return inv.fail(s);
  NpzFile npz;
  for (NamedTensor &t : w->tensors)
    npz.arrays.push_back(
        {t.name, NpyArray::floats(std::move(t.shape), std::move(t.data))});
  Status saved = saveNpz(*output, npz);
  if (!saved.ok())
    return inv.fail(saved);
  inv.out << "wrote " << *output << ": " << npz.arrays.size() << " arrays from "
          << *input << "\n";
  return 0;
}

} // namespace alexnet::runtime
