//===- Init.cpp - The paper's parameter initialisation --------------------===//
//
// One Philox call yields a block of four values (four uniforms, or two
// Box-Muller pairs), so work is split into blocks; the result is the same as
// evaluating philoxNormal / philoxUniform element by element.
//
//===----------------------------------------------------------------------===//

#include "Core/Init.h"

#include "alexnet/Runtime/Philox.h"
#include "alexnet/Runtime/ThreadPool.h"

#include <algorithm>

namespace alexnet::runtime {

namespace {

/// Elements [4 * blockBegin, 4 * blockEnd) of the parameter, clipped to size.
void fillBlocks(const ParamSpec &spec, uint32_t index, PhiloxKey key,
                float *data, int64_t blockBegin, int64_t blockEnd) {
  for (int64_t block = blockBegin; block < blockEnd; ++block) {
    PhiloxCounter c{{index, uint32_t(uint64_t(block)),
                     uint32_t(uint64_t(block) >> 32), 0u}};
    PhiloxCounter r = philox4x32_10(c, key);
    float values[4];
    if (spec.init == InitKind::Normal) {
      double z[4];
      boxMuller(r.v[0], r.v[1], z[0], z[1]);
      boxMuller(r.v[2], r.v[3], z[2], z[3]);
      for (int i = 0; i < 4; ++i)
        values[i] = float(spec.initA + spec.initB * z[i]);
    } else {
      for (int i = 0; i < 4; ++i)
        values[i] = float(spec.initA + (spec.initB - spec.initA) *
                                           double(uniformFloat(r.v[i])));
    }
    int64_t first = 4 * block;
    int64_t count = std::min<int64_t>(4, spec.size - first);
    std::copy_n(values, count, data + first);
  }
}

} // namespace

void initParam(const ParamSpec &spec, uint32_t index, uint64_t seed,
               float *data, ThreadPool *pool) {
  if (spec.size <= 0)
    return;
  if (spec.init == InitKind::Constant) {
    std::fill_n(data, spec.size, float(spec.initA));
    return;
  }
  PhiloxKey key = philoxKey(seed);
  int64_t blocks = (spec.size + 3) / 4;
  auto range = [&](int64_t begin, int64_t end) {
    fillBlocks(spec, index, key, data, begin, end);
  };
  if (pool)
    pool->parallelFor(blocks, range, 1024);
  else
    range(0, blocks);
}

void initParams(const ModelDesc &model, uint64_t seed, float *block,
                ThreadPool *pool) {
  for (int32_t i = 0; i < model.numParams; ++i)
    initParam(model.params[i], uint32_t(i), seed,
              block + model.params[i].offset, pool);
}

} // namespace alexnet::runtime
