//===- CheckpointTestUtil.h - Checkpoints for the unit tests ----*- C++ -*-===//
//
// Sample parameters, momentum and training state with a distinct value in
// every field, bitwise comparisons (NaN payloads and -0.0 count), and the
// state checksum computed from Checkpoint.fbs's description alone.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TEST_UNIT_RUNTIME_CHECKPOINTTESTUTIL_H
#define ALEXNET_TEST_UNIT_RUNTIME_CHECKPOINTTESTUTIL_H

#include "IO/Checkpoint.h"

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime::test {

/// A tensor whose elements are `start`, `start + step`, ...
NamedTensor rampTensor(const std::string &name, std::vector<int64_t> shape,
                       float start, float step = 0.25f);

/// conv1.weight (4x3x2x2), conv1.bias (4), scale (scalar); "alexnet".
WeightsFile sampleParams();
/// Momentum for `params`: same names and shapes, different values.
std::vector<NamedTensor> sampleMomentum(const WeightsFile &params);
/// Every field set to a distinct value that would show a mix-up; the
/// doubles include -0.0 and a NaN with a payload.
TrainState sampleState();

/// Version `v` of a checkpoint with `floats` parameters (and as many
/// momentum values): contents are a function of `v`, step is `v`.
Checkpoint versionedCheckpoint(uint64_t v, size_t floats);

bool sameBits(const std::vector<float> &a, const std::vector<float> &b);
bool sameState(const TrainState &a, const TrainState &b);
/// Names, shapes and data bitwise; empty when equal, else the first difference.
std::string tensorsDiffer(const std::vector<NamedTensor> &a,
                          const std::vector<NamedTensor> &b);
/// Empty when `c` holds exactly these parameters, momentum and state.
std::string checkpointDiffers(const Checkpoint &c, const WeightsFile &params,
                              const std::vector<NamedTensor> &momentum,
                              const TrainState &state);

/// state_crc32 for `format_version` 1, from the schema's text.
uint32_t specStateCrc(const WeightsFile &params,
                      const std::vector<NamedTensor> &momentum,
                      const TrainState &s);

} // namespace alexnet::runtime::test

#endif // ALEXNET_TEST_UNIT_RUNTIME_CHECKPOINTTESTUTIL_H
