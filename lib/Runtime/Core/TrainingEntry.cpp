//===- TrainingEntry.cpp - Argument roles of the training entry points ----===//

#include "Core/TrainingEntry.h"

#include "Driver/Driver.h"
#include "Driver/DriverArgs.h"
#include "alexnet/Runtime/ExecContext.h"
#include "IO/ModelWeights.h"

#include <cstring>

namespace alexnet::runtime {

namespace {

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

} // namespace

Expected<TrainingLayout> trainingLayout(const ModelDesc &model,
                                        const EntryPoint &entry, bool wantsLr) {
  std::string where = std::string(entry.name) + " entry point of '" +
                      std::string(model.name) + "': ";
  TrainingLayout l;
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
    else if (wantsLr && std::strcmp(in.name, "lr") == 0 &&
             isScalar(in, ElementType::F32))
      slot = &l.lr;
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
      return Status::error(where + "expected inputs image, label, " +
                           (wantsLr ? "lr, " : "") + "seed, step and dropout");
  if (wantsLr && l.lr < 0)
    return Status::error(where + "expected inputs image, label, lr, seed, "
                                 "step and dropout");

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

Expected<int64_t> classCount(const ModelDesc &model) {
  const TensorSpec *out = model.numOutputs > 0 ? &model.outputs[0] : nullptr;
  if (!out || out->rank != 2 || out->shape[0] != model.batch)
    return Status::error("training needs an inference output of shape "
                         "[batch, classes] to check labels against");
  return out->shape[1];
}

Status checkLabels(const std::string &source, const int32_t *labels,
                   int64_t count, int64_t classes) {
  for (int64_t i = 0; i < count; ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      return Status::error(source + ": label " + std::to_string(labels[i]) +
                           " at index " + std::to_string(i) +
                           " is not a class of the model, expected [0, " +
                           std::to_string(classes) + ")");
  return Status::success();
}

Expected<NpyBatch> loadNpyBatch(const ModelDesc &model, const EntryPoint &entry,
                                const TrainingLayout &layout,
                                const std::string &imagesPath,
                                const std::string &labelsPath) {
  Expected<int64_t> classes = classCount(model);
  if (!classes.ok())
    return classes.error();
  Expected<NpyArray> x =
      loadInputBatch(imagesPath, entry.inputs[layout.image], model.batch);
  if (!x.ok())
    return x.error();
  Expected<NpyArray> y =
      loadInputBatch(labelsPath, entry.inputs[layout.label], model.batch);
  if (!y.ok())
    return y.error();
  if (Status s = checkLabels(labelsPath, y->i32.data(),
                             int64_t(y->i32.size()), *classes);
      !s.ok())
    return s;
  return NpyBatch{x.take(), y.take()};
}

void bindScalars(ExecContext &ctx, const TrainingLayout &layout,
                 const TrainingScalars &scalars) {
  if (layout.lr >= 0)
    ctx.setInput(layout.lr, &scalars.lr);
  ctx.setInput(layout.seed, &scalars.seed);
  ctx.setInput(layout.step, &scalars.step);
  ctx.setInput(layout.dropout, &scalars.dropout);
}

int64_t seedBits(uint64_t seed) {
  int64_t bits;
  std::memcpy(&bits, &seed, sizeof(bits));
  return bits;
}

} // namespace alexnet::runtime
