//===- FlatTensors.cpp - Tensor tables shared by .axw and .axc ------------===//
//
// The FlatBuffers verifier proves that every offset and length stays inside
// the buffer; everything it cannot see (shapes, checksums, names) is checked
// here before any data is handed out.
//
//===----------------------------------------------------------------------===//

#include "IO/FlatTensors.h"

#include "IO/AtomicFile.h"
#include "IO/Crc32.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <unordered_set>

namespace alexnet::runtime::detail {

std::string shapeProblem(const std::vector<int64_t> &shape, uint64_t count) {
  uint64_t product = 1;
  bool overflow = false;
  size_t index = 0;
  for (int64_t dim : shape) {
    if (dim <= 0)
      return "dimension " + std::to_string(index) + " is " +
             std::to_string(dim) + ", expected a positive size";
    overflow |=
        __builtin_mul_overflow(product, static_cast<uint64_t>(dim), &product);
    ++index;
  }
  if (overflow)
    return "shape " + formatShape(shape) + " has too many elements";
  if (product != count)
    return "shape " + formatShape(shape) + " needs " + std::to_string(product) +
           " elements, data has " + std::to_string(count);
  return {};
}

std::string hex32(uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", value);
  return buf;
}

std::string prepareBuffer(const uint8_t *data, size_t size,
                          const FileKind &kind, std::vector<uint64_t> &storage,
                          const uint8_t *&buf) {
  if (size == 0)
    return "empty file";
  // Root offset and identifier come first.
  if (size < 8)
    return "truncated or corrupt (" + std::to_string(size) +
           " bytes, too short for " + kind.noun + ")";
  if (std::memcmp(data + 4, kind.identifier, 4) != 0) {
    std::string id = quoteText(
        std::string_view(reinterpret_cast<const char *>(data + 4), 4));
    std::string actually;
    // The two formats are easy to confuse on a command line: say which.
    for (const FileKind &other : {kWeightsKind, kCheckpointKind})
      if (std::memcmp(data + 4, other.identifier, 4) == 0)
        actually = std::string(" but ") + other.noun;
    return std::string("not ") + kind.noun + actually + " (identifier " + id +
           ", expected '" + kind.identifier + "')";
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return std::string("too large for ") + kind.noun + " (" +
           std::to_string(size) + " bytes, the format holds at most " +
           std::to_string(uint64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) + ")";

  buf = data;
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    try {
      storage.resize((size + 7) / 8);
    } catch (const std::bad_alloc &) {
      return "out of memory";
    }
    std::memcpy(storage.data(), data, size);
    buf = reinterpret_cast<const uint8_t *>(storage.data());
  }
  return {};
}

flatbuffers::Verifier::Options verifierOptions(size_t size) {
  flatbuffers::Verifier::Options options;
  options.max_tables = static_cast<flatbuffers::uoffset_t>(size / 4 + 16);
  return options;
}

std::string tensorsProblem(const std::vector<NamedTensor> &tensors,
                           const std::string &kind, uint64_t &estimate) {
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const NamedTensor &t = tensors[i];
    if (t.name.empty())
      return kind + " #" + std::to_string(i) + " has an empty name";
    if (!seen.insert(t.name).second)
      return "duplicate " + kind + " " + quoteText(t.name);
    std::string problem = shapeProblem(t.shape, t.data.size());
    if (!problem.empty())
      return kind + " " + quoteText(t.name) + ": " + problem;
    estimate += 96 + t.name.size() + 8 * uint64_t(t.shape.size()) +
                4 * uint64_t(t.data.size());
  }
  return {};
}

flatbuffers::Offset<TensorList>
buildTensors(flatbuffers::FlatBufferBuilder &fbb,
             const std::vector<NamedTensor> &tensors) {
  std::vector<flatbuffers::Offset<fb::Tensor>> offsets;
  offsets.reserve(tensors.size());
  for (const NamedTensor &t : tensors) {
    auto name = fbb.CreateString(t.name);
    auto shape = fbb.CreateVector(t.shape);
    auto data = fbb.CreateVector(t.data);
    offsets.push_back(fb::CreateTensor(
        fbb, name, shape, data, crc32Floats(t.data.data(), t.data.size())));
  }
  return fbb.CreateVector(offsets);
}

flatbuffers::Offset<fb::Weights>
buildWeightsTable(flatbuffers::FlatBufferBuilder &fbb, const WeightsFile &w) {
  auto tensors = buildTensors(fbb, w.tensors);
  auto model = fbb.CreateString(w.model);
  auto graphHash = fbb.CreateString(w.graphHash);
  return fb::CreateWeights(fbb, kWeightsFormatVersion, model, graphHash,
                           tensors);
}

std::string lengthProblem(const uint8_t *buf, size_t size,
                          const fb::Weights &table) {
  const TensorList *list = table.tensors();
  if (!list)
    return {};
  const uint8_t *first;
  size_t bytes;
  if (list->size() > 0) {
    const flatbuffers::String *name = list->Get(0)->name();
    if (!name)
      return {};
    // Length word, characters, NUL, padding to 4.
    first = reinterpret_cast<const uint8_t *>(name);
    bytes = 4 + (name->size() + 1 + 3) / 4 * 4;
  } else {
    first = reinterpret_cast<const uint8_t *>(list);
    bytes = 4;
  }
  size_t end = size_t(first - buf) + bytes;
  if (end > size)
    return "truncated or corrupt (expected " + std::to_string(end) +
           " bytes, got " + std::to_string(size) + ")";
  if (end < size)
    return std::to_string(size - end) + " unexpected bytes after the end of "
           "the data (expected " + std::to_string(end) + " bytes, got " +
           std::to_string(size) + ")";
  return {};
}

std::string readTensors(const TensorList *list, const std::string &kind,
                        std::vector<NamedTensor> &out) {
  out.clear();
  if (!list)
    return {};
  out.reserve(list->size());
  std::unordered_set<std::string> seen;
  for (flatbuffers::uoffset_t i = 0; i < list->size(); ++i) {
    const fb::Tensor *t = list->Get(i);
    std::string tensorName = t->name()->str();
    if (tensorName.empty())
      return kind + " #" + std::to_string(i) + " has an empty name";
    std::string what = kind + " " + quoteText(tensorName) + ": ";
    if (!seen.insert(tensorName).second)
      return "duplicate " + kind + " " + quoteText(tensorName);
    if (!t->shape())
      return what + "missing shape";
    if (!t->data())
      return what + "missing data";
    // memcpy, not the accessors: a corrupt offset may leave the int64s
    // misaligned, which the verifier does not check.
    NamedTensor tensor;
    tensor.shape.resize(t->shape()->size());
    if (!tensor.shape.empty())
      std::memcpy(tensor.shape.data(), t->shape()->Data(),
                  tensor.shape.size() * sizeof(int64_t));
    std::string problem = shapeProblem(tensor.shape, t->data()->size());
    if (!problem.empty())
      return what + problem;
    const size_t count = t->data()->size();
    const uint32_t computed = crc32(t->data()->Data(), count * sizeof(float));
    if (computed != t->crc32())
      return what + "checksum mismatch (stored " + hex32(t->crc32()) +
             ", computed " + hex32(computed) + ")";

    tensor.name = std::move(tensorName);
    tensor.data.resize(count);
    if (count)
      std::memcpy(tensor.data.data(), t->data()->Data(), count * sizeof(float));
    out.push_back(std::move(tensor));
  }
  return {};
}

std::string readWeightsTable(const fb::Weights &table, WeightsFile &out) {
  out.model = table.model() ? table.model()->str() : std::string();
  out.graphHash =
      table.graph_hash() ? table.graph_hash()->str() : std::string();
  return readTensors(table.tensors(), "tensor", out.tensors);
}

Expected<std::vector<uint8_t>> serializeFlatBuffer(const BuildFn &build,
                                                   const FileKind &kind) {
  flatbuffers::FlatBufferBuilder fbb;
  if (Status status = build(fbb); !status.ok())
    return status;
  try {
    return std::vector<uint8_t>(fbb.GetBufferPointer(),
                                fbb.GetBufferPointer() + fbb.GetSize());
  } catch (const std::bad_alloc &) {
    return Status::error(std::string("out of memory copying ") + kind.noun);
  }
}

Status saveFlatBuffer(const std::string &path, const BuildFn &build) {
  flatbuffers::FlatBufferBuilder fbb;
  if (Status status = build(fbb); !status.ok())
    return status.addContext(path);
  return writeFileAtomic(path, fbb.GetBufferPointer(), fbb.GetSize());
}

Expected<std::vector<uint8_t>> readFlatBufferFile(const std::string &path) {
  return readFile(path, FLATBUFFERS_MAX_BUFFER_SIZE - 1);
}

std::string verifyFlatBuffer(
    const uint8_t *data, size_t size, const FileKind &kind,
    std::vector<uint64_t> &storage, const uint8_t *&buf,
    const std::function<bool(flatbuffers::Verifier &)> &verify) {
  std::string problem = prepareBuffer(data, size, kind, storage, buf);
  if (!problem.empty())
    return problem;
  flatbuffers::Verifier verifier(buf, size, verifierOptions(size));
  if (!verify(verifier))
    return "truncated or corrupt (FlatBuffers verification failed)";
  return {};
}

} // namespace alexnet::runtime::detail
