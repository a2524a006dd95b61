//===- WeightsFile.h - Reading and writing .axw weights ---------*- C++ -*-===//
//
// A model's parameters in the FlatBuffers format of Weights.fbs. Loading
// verifies everything it can before returning: the identifier, the
// FlatBuffers structure, the format version, every tensor's shape against its
// data and its CRC-32, unique names. Saving is atomic and refuses tensors it
// could not load back.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_WEIGHTSFILE_H
#define ALEXNET_LIB_RUNTIME_IO_WEIGHTSFILE_H

#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace alexnet::runtime {

/// The `format_version` this runtime writes and the only one it reads.
constexpr uint32_t kWeightsFormatVersion = 1;

/// One parameter: row-major data of the given shape (empty shape: a scalar).
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// The contents of an .axw file, tensors in file order.
struct WeightsFile {
  std::string model;
  std::string graphHash;
  std::vector<NamedTensor> tensors;

  /// The tensor called `name`, or null.
  const NamedTensor *find(const std::string &name) const;
};

/// A tensor name and the shape a model expects for it.
using ExpectedTensor = std::pair<std::string, std::vector<int64_t>>;

/// Writes `w` to `path` atomically, with a CRC-32 per tensor. Refuses empty
/// or duplicate names, non-positive dimensions, data sizes that do not match
/// the shape, and contents over the format's 2 GiB limit.
Status saveWeights(const std::string &path, const WeightsFile &w);

/// Reads and fully verifies the .axw file at `path`.
Expected<WeightsFile> loadWeights(const std::string &path);

/// The .axw bytes for `w`, as saveWeights writes them.
Expected<std::vector<uint8_t>> serializeWeights(const WeightsFile &w);

/// Parses and verifies .axw bytes; `name` (usually the path) starts every
/// error message.
Expected<WeightsFile> parseWeights(const uint8_t *data, size_t size,
                                   const std::string &name);

/// Checks that `w` is what a model expects: its model name and graph hash
/// (either skipped when the expected string is empty), and exactly the
/// `expected` tensors with those shapes. The message names the first problem
/// (a missing, unexpected or wrong-shaped tensor, quoting both shapes) and
/// says how many more there are.
Status checkWeightsMatch(const WeightsFile &w, const std::string &model,
                         const std::string &graphHash,
                         const std::vector<ExpectedTensor> &expected);

/// "96x3x11x11"; "scalar" for an empty shape.
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_WEIGHTSFILE_H
