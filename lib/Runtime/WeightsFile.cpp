//===- WeightsFile.cpp - Reading and writing .axw weights -----------------===//
//
// The FlatBuffers verifier proves that every offset and length stays inside
// the buffer; everything it cannot see (versions, shapes, checksums, names)
// is checked here before any data is handed out.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/WeightsFile.h"

#include "alexnet/Runtime/AtomicFile.h"
#include "alexnet/Runtime/Crc32.h"
#include "alexnet/Runtime/Weights_generated.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <unordered_map>
#include <unordered_set>

namespace alexnet::runtime {

namespace {

/// Why `shape` cannot describe `count` elements; empty when it can.
std::string shapeProblem(const std::vector<int64_t> &shape, uint64_t count) {
  uint64_t product = 1;
  bool overflow = false;
  size_t index = 0;
  for (int64_t dim : shape) {
    if (dim <= 0)
      return "dimension " + std::to_string(index) + " is " +
             std::to_string(dim) + ", expected a positive size";
    overflow |= __builtin_mul_overflow(product, static_cast<uint64_t>(dim),
                                       &product);
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

/// The identifier bytes as the user should see them.
std::string identifierText(const uint8_t *id) {
  return quoteText(std::string_view(reinterpret_cast<const char *>(id), 4));
}

/// Builds the FlatBuffer for `w` into `fbb`, after the checks that make sure
/// it will load again.
Status build(const WeightsFile &w, flatbuffers::FlatBufferBuilder &fbb) {
  std::unordered_set<std::string> seen;
  // An overestimate of the final size, so the 2 GiB limit is checked before
  // the builder (which only asserts) reaches it.
  uint64_t estimate = 1024 + w.model.size() + w.graphHash.size();
  for (size_t i = 0; i < w.tensors.size(); ++i) {
    const NamedTensor &t = w.tensors[i];
    if (t.name.empty())
      return Status::error("tensor #" + std::to_string(i) +
                           " has an empty name");
    if (!seen.insert(t.name).second)
      return Status::error("duplicate tensor " + quoteText(t.name));
    std::string problem = shapeProblem(t.shape, t.data.size());
    if (!problem.empty())
      return Status::error("tensor " + quoteText(t.name) + ": " + problem);
    estimate += 96 + t.name.size() + 8 * uint64_t(t.shape.size()) +
                4 * uint64_t(t.data.size());
  }
  if (estimate >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return Status::error(
        "weights too large for one .axw file (about " +
        std::to_string(estimate) + " bytes, the format holds at most " +
        std::to_string(uint64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) + ")");

  try {
    fbb.Reset();
    // Keep every field, so crc32 == 0 and format_version are stored.
    fbb.ForceDefaults(true);
    std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
    tensors.reserve(w.tensors.size());
    for (const NamedTensor &t : w.tensors) {
      auto name = fbb.CreateString(t.name);
      auto shape = fbb.CreateVector(t.shape);
      auto data = fbb.CreateVector(t.data);
      tensors.push_back(fb::CreateTensor(
          fbb, name, shape, data, crc32Floats(t.data.data(), t.data.size())));
    }
    auto tensorVector = fbb.CreateVector(tensors);
    auto model = fbb.CreateString(w.model);
    auto graphHash = fbb.CreateString(w.graphHash);
    fb::FinishWeightsBuffer(fbb,
                            fb::CreateWeights(fbb, kWeightsFormatVersion,
                                              model, graphHash, tensorVector));
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory building the weights file (about " +
                         std::to_string(estimate) + " bytes)");
  }
  return Status::success();
}

} // namespace

const NamedTensor *WeightsFile::find(const std::string &name) const {
  for (const NamedTensor &t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    // A corrupt file may claim thousands of dimensions.
    if (i == 16) {
      out += "x...(" + std::to_string(shape.size()) + " dimensions)";
      break;
    }
    if (i)
      out += 'x';
    out += std::to_string(shape[i]);
  }
  return out;
}

Expected<std::vector<uint8_t>> serializeWeights(const WeightsFile &w) {
  flatbuffers::FlatBufferBuilder fbb;
  Status status = build(w, fbb);
  if (!status.ok())
    return status;
  try {
    return std::vector<uint8_t>(fbb.GetBufferPointer(),
                                fbb.GetBufferPointer() + fbb.GetSize());
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory copying the weights file");
  }
}

Status saveWeights(const std::string &path, const WeightsFile &w) {
  // Written straight from the builder: no second copy of the weights.
  flatbuffers::FlatBufferBuilder fbb;
  Status status = build(w, fbb);
  if (!status.ok())
    return status.addContext(path);
  return writeFileAtomic(path, fbb.GetBufferPointer(), fbb.GetSize());
}

Expected<WeightsFile> loadWeights(const std::string &path) {
  // No valid FlatBuffer is larger, so do not read gigabytes to find out.
  auto bytes = readFile(path, FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  if (!bytes.ok())
    return bytes.error();
  return parseWeights(bytes->data(), bytes->size(), path);
}

Expected<WeightsFile> parseWeights(const uint8_t *data, size_t size,
                                   const std::string &name) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  if (size == 0)
    return fail("empty file");
  // Root offset and identifier come first.
  if (size < 8)
    return fail("truncated or corrupt (" + std::to_string(size) +
                " bytes, too short for a weights file)");
  if (std::memcmp(data + 4, fb::WeightsIdentifier(), 4) != 0)
    return fail("not a weights file (identifier " + identifierText(data + 4) +
                ", expected 'AXW1')");
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return fail("too large for a weights file (" + std::to_string(size) +
                " bytes, the format holds at most " +
                std::to_string(uint64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) + ")");

  // The verifier checks alignment relative to the address, so give it an
  // aligned copy if the caller's buffer is not.
  std::vector<uint64_t> aligned;
  const uint8_t *buf = data;
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    try {
      aligned.resize((size + 7) / 8);
    } catch (const std::bad_alloc &) {
      return fail("out of memory");
    }
    std::memcpy(aligned.data(), data, size);
    buf = reinterpret_cast<const uint8_t *>(aligned.data());
  }

  flatbuffers::Verifier::Options options;
  // Every table takes at least 4 bytes, so this bound never rejects a valid
  // file however many tensors it holds.
  options.max_tables = static_cast<flatbuffers::uoffset_t>(size / 4 + 16);
  flatbuffers::Verifier verifier(buf, size, options);
  if (!fb::VerifyWeightsBuffer(verifier))
    return fail("truncated or corrupt (FlatBuffers verification failed)");

  const fb::Weights *root = fb::GetWeights(buf);
  if (root->format_version() != kWeightsFormatVersion)
    return fail("unsupported format version " +
                std::to_string(root->format_version()) + " (expected " +
                std::to_string(kWeightsFormatVersion) + ")");

  WeightsFile w;
  try {
    if (root->model())
      w.model = root->model()->str();
    if (root->graph_hash())
      w.graphHash = root->graph_hash()->str();
    if (!root->tensors())
      return w;
    w.tensors.reserve(root->tensors()->size());
    std::unordered_set<std::string> seen;
    for (flatbuffers::uoffset_t i = 0; i < root->tensors()->size(); ++i) {
      const fb::Tensor *t = root->tensors()->Get(i);
      std::string tensorName = t->name()->str();
      if (tensorName.empty())
        return fail("tensor #" + std::to_string(i) + " has an empty name");
      std::string what = "tensor " + quoteText(tensorName) + ": ";
      if (!seen.insert(tensorName).second)
        return fail("duplicate tensor " + quoteText(tensorName));
      if (!t->shape())
        return fail(what + "missing shape");
      if (!t->data())
        return fail(what + "missing data");
      // memcpy, not the accessors: a corrupt offset may leave the int64s
      // misaligned, which the verifier does not check.
      NamedTensor out;
      out.shape.resize(t->shape()->size());
      if (!out.shape.empty())
        std::memcpy(out.shape.data(), t->shape()->Data(),
                    out.shape.size() * sizeof(int64_t));
      std::string problem = shapeProblem(out.shape, t->data()->size());
      if (!problem.empty())
        return fail(what + problem);
      const size_t count = t->data()->size();
      const uint32_t computed = crc32(t->data()->Data(), count * sizeof(float));
      if (computed != t->crc32())
        return fail(what + "checksum mismatch (stored " + hex32(t->crc32()) +
                    ", computed " + hex32(computed) + ")");

      out.name = std::move(tensorName);
      out.data.resize(count);
      if (count)
        std::memcpy(out.data.data(), t->data()->Data(), count * sizeof(float));
      w.tensors.push_back(std::move(out));
    }
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
  return w;
}

Status checkWeightsMatch(const WeightsFile &w, const std::string &model,
                         const std::string &graphHash,
                         const std::vector<ExpectedTensor> &expected) {
  std::vector<std::string> problems;
  if (!model.empty() && w.model != model)
    problems.push_back("weights are for model " + quoteText(w.model) +
                       ", expected " + quoteText(model));
  if (!graphHash.empty() && w.graphHash != graphHash)
    problems.push_back("weights are for graph hash " + quoteText(w.graphHash) +
                       ", expected " + quoteText(graphHash) +
                       " (the model changed since they were saved)");

  std::unordered_map<std::string, const NamedTensor *> byName;
  for (const NamedTensor &t : w.tensors) {
    if (!byName.emplace(t.name, &t).second)
      problems.push_back("duplicate tensor " + quoteText(t.name));
    std::string problem = shapeProblem(t.shape, t.data.size());
    if (!problem.empty())
      problems.push_back("tensor " + quoteText(t.name) + ": " + problem);
  }
  std::unordered_set<std::string> wanted;
  for (const auto &[name, shape] : expected) {
    wanted.insert(name);
    auto it = byName.find(name);
    if (it == byName.end()) {
      problems.push_back("missing tensor " + quoteText(name) + " (expected " +
                         formatShape(shape) + ")");
      continue;
    }
    if (it->second->shape != shape)
      problems.push_back("tensor " + quoteText(name) + ": expected " +
                         formatShape(shape) + ", got " +
                         formatShape(it->second->shape));
  }
  for (const NamedTensor &t : w.tensors)
    if (!wanted.count(t.name))
      problems.push_back("unexpected tensor " + quoteText(t.name) + " (" +
                         formatShape(t.shape) + ")");

  if (problems.empty())
    return Status::success();
  std::string message = problems.front();
  if (problems.size() > 1)
    message += " (and " + std::to_string(problems.size() - 1) + " more " +
               (problems.size() == 2 ? "problem" : "problems") + ")";
  return Status::error(message);
}

} // namespace alexnet::runtime
