//===- FlatTensors.h - Tensor tables shared by .axw and .axc ----*- C++ -*-===//
//
// Private to lib/Runtime. The weights file (Weights.fbs) and the checkpoint
// (Checkpoint.fbs) store parameters in the same `Tensor` and `Weights`
// tables, so both formats build, verify and read them through these helpers
// and report problems in the same words. Each check returns the problem as
// text (empty when there is none); the caller prefixes the file name.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_FLATTENSORS_H
#define ALEXNET_LIB_RUNTIME_IO_FLATTENSORS_H

#include "IO/WeightsFile.h"
#include "alexnet/Runtime/Weights_generated.h"

#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace alexnet::runtime::detail {

using TensorList = flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>;

/// A FlatBuffers file format: its 4-byte identifier and its name in messages
/// ("a weights file"), used as "not <noun>" and "too short for <noun>".
struct FileKind {
  const char *identifier;
  const char *noun;
};

constexpr FileKind kWeightsKind{"AXW1", "a weights file"};
constexpr FileKind kCheckpointKind{"AXC1", "a checkpoint"};

/// Why `shape` cannot describe `count` elements; empty when it can.
std::string shapeProblem(const std::vector<int64_t> &shape, uint64_t count);

/// "0x0badf00d".
std::string hex32(uint32_t value);

/// The checks before the FlatBuffers verifier: not empty, long enough, the
/// identifier of `kind` (naming the other known format when it is that one),
/// under the 2 GiB limit. On success sets `buf` to `data`, or to an aligned
/// copy of it kept in `storage`, because the verifier checks alignment
/// relative to the address.
std::string prepareBuffer(const uint8_t *data, size_t size,
                          const FileKind &kind, std::vector<uint64_t> &storage,
                          const uint8_t *&buf);

/// Verifier options for a buffer of `size` bytes: every table takes at least
/// 4 bytes, so the table bound never rejects a valid file.
flatbuffers::Verifier::Options verifierOptions(size_t size);

/// The checks that make sure `tensors` will load again: non-empty unique
/// names, positive dimensions, data sizes matching the shapes. `kind` names
/// the tensors in messages ("tensor", "momentum tensor"). Adds an
/// overestimate of their serialized size to `estimate`.
std::string tensorsProblem(const std::vector<NamedTensor> &tensors,
                           const std::string &kind, uint64_t &estimate);

/// Appends `tensors` to `fbb`, each with the CRC-32 of its data.
flatbuffers::Offset<TensorList>
buildTensors(flatbuffers::FlatBufferBuilder &fbb,
             const std::vector<NamedTensor> &tensors);

/// Appends a `Weights` table for `w` (format version kWeightsFormatVersion).
flatbuffers::Offset<fb::Weights>
buildWeightsTable(flatbuffers::FlatBufferBuilder &fbb, const WeightsFile &w);

/// Copies verified `list` (null: no tensors) into `out`, checking names,
/// shapes against data and every CRC-32. May throw std::bad_alloc.
std::string readTensors(const TensorList *list, const std::string &kind,
                        std::vector<NamedTensor> &out);

/// Why the verified buffer `buf` of `size` bytes holding `table` is longer
/// or shorter than the writer made it, or empty. The verifier accepts both
/// trailing bytes and a cut into the final padding; but buildWeightsTable
/// creates the first tensor's name first, and a FlatBufferBuilder puts its
/// first object, padded to 4 bytes, at the very end of the buffer, so the
/// file must end exactly there (for no tensors: after the empty list).
std::string lengthProblem(const uint8_t *buf, size_t size,
                          const fb::Weights &table);

/// Copies a verified `Weights` table into `out` (the version is the caller's
/// to check). May throw std::bad_alloc.
std::string readWeightsTable(const fb::Weights &table, WeightsFile &out);

//===--- One save and load path for both formats --------------------------===//

/// Fills a builder with one file's contents (Status: what cannot be saved).
using BuildFn = std::function<Status(flatbuffers::FlatBufferBuilder &)>;

/// The bytes `build` makes; `kind` names them in the out-of-memory error.
Expected<std::vector<uint8_t>> serializeFlatBuffer(const BuildFn &build,
                                                   const FileKind &kind);

/// Writes what `build` makes to `path` atomically, straight from the
/// builder (no second copy of the tensors).
Status saveFlatBuffer(const std::string &path, const BuildFn &build);

/// The bytes of `path`, refusing files larger than any valid FlatBuffer
/// (so a wrong path does not read gigabytes to find out).
Expected<std::vector<uint8_t>> readFlatBufferFile(const std::string &path);

/// prepareBuffer, then the FlatBuffers verifier `verify`: the root of a
/// buffer safe to read, in `buf`; or the problem.
std::string verifyFlatBuffer(
    const uint8_t *data, size_t size, const FileKind &kind,
    std::vector<uint64_t> &storage, const uint8_t *&buf,
    const std::function<bool(flatbuffers::Verifier &)> &verify);

} // namespace alexnet::runtime::detail

#endif // ALEXNET_LIB_RUNTIME_IO_FLATTENSORS_H
