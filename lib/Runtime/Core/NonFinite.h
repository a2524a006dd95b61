//===- NonFinite.h - Finding NaN and Inf in weights -------------*- C++ -*-===//
//
// A diverged training run leaves NaN or Inf in its parameters. Such weights
// must not be passed off as a result: training stops on them, a checkpoint
// is written (and called good) only when finite, and `import` / `train
// --init` refuse them unless --allow-nonfinite asks for them.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CORE_NONFINITE_H
#define ALEXNET_LIB_RUNTIME_CORE_NONFINITE_H

#include "Core/Status.h"
#include "IO/WeightsFile.h"

#include <cstddef>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Whether every float of [data, data + n) is finite (no NaN, no +-Inf).
/// An integer test of the exponent bits, so the loop vectorises.
bool allFinite(const float *data, size_t n);

/// Empty when every tensor is finite, else which are not, e.g.
/// "conv1.weight has 3 NaN and 1 Inf of 2400 values, fc8.bias has 10 NaN
/// of 10 values" (at most four tensors named, then how many more).
std::string describeNonFinite(const std::vector<NamedTensor> &tensors);

/// An error naming the non-finite tensors of `w` (see describeNonFinite),
/// prefixed by `name`, advising --allow-nonfinite; success when all are
/// finite.
Status checkFinite(const WeightsFile &w, const std::string &name);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_CORE_NONFINITE_H
