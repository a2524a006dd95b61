//===- Init.h - The paper's parameter initialisation ------------*- C++ -*-===//
//
// Initial parameter values from each ParamSpec's initialiser: Normal(mean,
// std), Uniform(low, high) or Constant(value). Values are a pure function of
// (seed, parameter index, element index) through Philox4x32-10 keyed by the
// seed, so a seed gives the same weights on any thread count, on the host or
// a GPU, and every parameter draws from its own stream.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CORE_INIT_H
#define ALEXNET_LIB_RUNTIME_CORE_INIT_H

#include "alexnet/Runtime/Model.h"

#include <cstdint>

namespace alexnet::runtime {

class ThreadPool;

/// Fills `data` (spec.size floats) with the initial values of parameter
/// number `index` for `seed`: element i of a Normal parameter is
/// mean + std * philoxNormal(key(seed), index, i), of a Uniform one
/// low + (high - low) * philoxUniform(key(seed), index, i).
void initParam(const ParamSpec &spec, uint32_t index, uint64_t seed,
               float *data, ThreadPool *pool = nullptr);

/// Initialises every parameter of `model` into the parameter block `block`
/// (model.paramFloats floats), each at its offset.
void initParams(const ModelDesc &model, uint64_t seed, float *block,
                ThreadPool *pool = nullptr);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_CORE_INIT_H
