//===- WeightsFile.cpp - Reading and writing .axw weights -----------------===//
//
// The format checks shared with checkpoints (shapes, checksums, names) live
// in FlatTensors.cpp; this file adds the root table and its version.
//
//===----------------------------------------------------------------------===//

#include "IO/WeightsFile.h"

#include "IO/FlatTensors.h"

#include "IO/AtomicFile.h"

#include <new>
#include <unordered_map>
#include <unordered_set>

namespace alexnet::runtime {

using namespace detail;

namespace {

/// Builds the FlatBuffer for `w` into `fbb`, after the checks that make sure
/// it will load again.
Status build(const WeightsFile &w, flatbuffers::FlatBufferBuilder &fbb) {
  // An overestimate of the final size, so the 2 GiB limit is checked before
  // the builder (which only asserts) reaches it.
  uint64_t estimate = 1024 + w.model.size() + w.graphHash.size();
  std::string problem = tensorsProblem(w.tensors, "tensor", estimate);
  if (!problem.empty())
    return Status::error(problem);
  if (estimate >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return Status::error(
        "weights too large for one .axw file (about " +
        std::to_string(estimate) + " bytes, the format holds at most " +
        std::to_string(uint64_t(FLATBUFFERS_MAX_BUFFER_SIZE)) + ")");

  try {
    fbb.Reset();
    // Keep every field, so crc32 == 0 and format_version are stored.
    fbb.ForceDefaults(true);
    fb::FinishWeightsBuffer(fbb, buildWeightsTable(fbb, w));
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
  return serializeFlatBuffer(
      [&](flatbuffers::FlatBufferBuilder &fbb) { return build(w, fbb); },
      kWeightsKind);
}

Status saveWeights(const std::string &path, const WeightsFile &w) {
  return saveFlatBuffer(
      path, [&](flatbuffers::FlatBufferBuilder &fbb) { return build(w, fbb); });
}

Expected<WeightsFile> loadWeights(const std::string &path) {
  auto bytes = readFlatBufferFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseWeights(bytes->data(), bytes->size(), path);
}

Expected<WeightsFile> parseWeights(const uint8_t *data, size_t size,
                                   const std::string &name) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  std::vector<uint64_t> aligned;
  const uint8_t *buf = nullptr;
  std::string problem = verifyFlatBuffer(
      data, size, kWeightsKind, aligned, buf,
      [](flatbuffers::Verifier &v) { return fb::VerifyWeightsBuffer(v); });
  if (!problem.empty())
    return fail(problem);

  const fb::Weights *root = fb::GetWeights(buf);
  if (root->format_version() != kWeightsFormatVersion)
    return fail("unsupported format version " +
                std::to_string(root->format_version()) + " (expected " +
                std::to_string(kWeightsFormatVersion) + ")");

  problem = lengthProblem(buf, size, *root);
  if (!problem.empty())
    return fail(problem);
  WeightsFile w;
  try {
    problem = readWeightsTable(*root, w);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
  if (!problem.empty())
    return fail(problem);
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
