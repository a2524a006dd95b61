//===- ModelWeights.cpp - A model's parameters as a weights file ----------===//

#include "IO/ModelWeights.h"

#include <algorithm>

namespace alexnet::runtime {

std::vector<int64_t> paramShape(const ParamSpec &spec) {
  return std::vector<int64_t>(spec.shape, spec.shape + spec.rank);
}

std::vector<int64_t> tensorShape(const TensorSpec &spec) {
  return std::vector<int64_t>(spec.shape, spec.shape + spec.rank);
}

int64_t tensorElements(const TensorSpec &spec) {
  int64_t n = 1;
  for (int32_t i = 0; i < spec.rank; ++i)
    n *= spec.shape[i];
  return n;
}

int64_t tensorBytes(const TensorSpec &spec) {
  switch (spec.type) {
  case ElementType::F32:
  case ElementType::I32:
    return tensorElements(spec) * 4;
  case ElementType::I64:
    return tensorElements(spec) * 8;
  case ElementType::Bool:
    break;
  }
  return tensorElements(spec);
}

std::vector<ExpectedTensor> expectedTensors(const ModelDesc &model) {
  std::vector<ExpectedTensor> expected;
  for (int32_t i = 0; i < model.numParams; ++i)
    expected.emplace_back(model.params[i].name, paramShape(model.params[i]));
  return expected;
}

WeightsFile weightsFromBlock(const ModelDesc &model, const float *block) {
  WeightsFile w;
  w.model = model.name;
  w.graphHash = model.graphHash;
  for (int32_t i = 0; i < model.numParams; ++i) {
    const ParamSpec &p = model.params[i];
    const float *data = block + p.offset;
    w.tensors.push_back({p.name, paramShape(p), {data, data + p.size}});
  }
  return w;
}

bool isMeanShape(const ModelDesc &model, const std::vector<int64_t> &shape) {
  if (model.numInputs < 1 || model.inputs[0].rank != 4)
    return false;
  const int64_t *in = model.inputs[0].shape;
  return shape == std::vector<int64_t>{in[1]} ||
         shape == std::vector<int64_t>{in[1], in[2], in[3]};
}

Status loadIntoBlock(const WeightsFile &w, const ModelDesc &model, float *block,
                     const std::string &name,
                     std::optional<NamedTensor> *mean) {
  // The mean tensor is not a parameter: check it apart and hide it from
  // checkWeightsMatch, which wants exactly the parameters.
  const NamedTensor *meanTensor = w.find(kMeanTensorName);
  const WeightsFile *params = &w;
  WeightsFile withoutMean;
  if (meanTensor) {
    if (!isMeanShape(model, meanTensor->shape))
      return Status::error(name + ": tensor 'mean': expected the shape of " +
                           "one input sample or one value per channel, got " +
                           formatShape(meanTensor->shape));
    withoutMean.model = w.model;
    withoutMean.graphHash = w.graphHash;
    for (const NamedTensor &t : w.tensors)
      if (t.name != kMeanTensorName)
        withoutMean.tensors.push_back(t);
    params = &withoutMean;
  }
  Status match = checkWeightsMatch(*params, model.name, model.graphHash,
                                   expectedTensors(model));
  if (!match.ok())
    return match.addContext(name);
  for (int32_t i = 0; i < model.numParams; ++i) {
    const NamedTensor *t = params->find(model.params[i].name);
    std::copy(t->data.begin(), t->data.end(), block + model.params[i].offset);
  }
  if (mean) {
    mean->reset();
    if (meanTensor)
      *mean = *meanTensor;
  }
  return Status::success();
}

Status loadWeightsInto(const std::string &path, const ModelDesc &model,
                       float *block, std::optional<NamedTensor> *mean) {
  Expected<WeightsFile> w = loadWeights(path);
  if (!w.ok())
    return w.error();
  return loadIntoBlock(*w, model, block, path, mean);
}

} // namespace alexnet::runtime
