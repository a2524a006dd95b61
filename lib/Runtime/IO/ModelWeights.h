//===- ModelWeights.h - A model's parameters as a weights file --*- C++ -*-===//
//
// The bridge between a ModelDesc's contiguous parameter block and the named
// tensors of .axw and .npz files: the tensor list a model expects, copying
// the block out to a WeightsFile and loading a checked file back into it.
//
// A weights file may carry one extra tensor besides the parameters, "mean":
// the mean image (or per-channel mean) that preprocessing subtracts from the
// [0, 1]-scaled input, shaped like one input sample [C, H, W] or [C]. It is
// the hook for the paper's mean-image subtraction; training will write it.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_MODELWEIGHTS_H
#define ALEXNET_LIB_RUNTIME_IO_MODELWEIGHTS_H

#include "alexnet/Runtime/Model.h"
#include "Core/Status.h"
#include "IO/WeightsFile.h"

#include <optional>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Name of the optional mean tensor.
constexpr const char *kMeanTensorName = "mean";

/// The parameter's PyTorch-layout shape.
std::vector<int64_t> paramShape(const ParamSpec &spec);

/// The model input's shape.
std::vector<int64_t> tensorShape(const TensorSpec &spec);

/// The number of elements of a model input or output.
int64_t tensorElements(const TensorSpec &spec);

/// The bytes it occupies (bools take one byte each).
int64_t tensorBytes(const TensorSpec &spec);

/// Every parameter's name and shape, in model order.
std::vector<ExpectedTensor> expectedTensors(const ModelDesc &model);

/// The parameters in `block` as a weights file of `model` (name, graph hash,
/// one tensor per parameter in model order).
WeightsFile weightsFromBlock(const ModelDesc &model, const float *block);

/// Whether `shape` is an acceptable shape for the mean tensor: [C] or
/// [C, H, W] of the model's first input.
bool isMeanShape(const ModelDesc &model, const std::vector<int64_t> &shape);

/// Checks `w` against `model` (model name, graph hash, every parameter's
/// name and shape; an optional mean tensor of a valid shape) and copies the
/// parameters into `block` at their offsets. Sets `mean` to the mean
/// tensor when there is one. `name` (the path) prefixes errors.
Status loadIntoBlock(const WeightsFile &w, const ModelDesc &model, float *block,
                     const std::string &name,
                     std::optional<NamedTensor> *mean = nullptr);

/// loadWeights(path) followed by loadIntoBlock.
Status loadWeightsInto(const std::string &path, const ModelDesc &model,
                       float *block,
                       std::optional<NamedTensor> *mean = nullptr);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_MODELWEIGHTS_H
