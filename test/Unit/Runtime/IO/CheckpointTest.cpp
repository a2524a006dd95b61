//===- CheckpointTest.cpp - .axc round trips and rejections ---------------===//

#include "CheckpointTestUtil.h"
#include "TestUtil.h"

#include "IO/Checkpoint.h"
#include "alexnet/Runtime/Checkpoint_generated.h"
#include "IO/Crc32.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

std::vector<uint8_t> sampleBytes() {
  WeightsFile params = sampleParams();
  auto bytes =
      serializeCheckpoint(params, sampleMomentum(params), sampleState());
  EXPECT_TRUE(bytes.ok()) << bytes.message();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

std::string loadError(const std::vector<uint8_t> &bytes) {
  auto c = parseCheckpoint(bytes.data(), bytes.size(), "c.axc");
  return c.ok() ? "(loaded)" : c.message();
}

/// A checkpoint built with the generated API, for files saveCheckpoint
/// would refuse to write. The state checksum follows the schema's text.
struct RawCheckpoint {
  uint32_t version = kCheckpointFormatVersion;
  uint32_t weightsVersion = kWeightsFormatVersion;
  WeightsFile params = sampleParams();
  std::vector<NamedTensor> momentum = sampleMomentum(sampleParams());
  bool hasMomentum = true;
  TrainState state = sampleState();
  uint32_t crcDelta = 0;
};

std::vector<uint8_t> rawCheckpoint(const RawCheckpoint &r) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.ForceDefaults(true);
  auto tensors = [&](const std::vector<NamedTensor> &list) {
    std::vector<flatbuffers::Offset<fb::Tensor>> offsets;
    // In the writer's order (name first), so the file ends where the
    // writer's would.
    for (const NamedTensor &t : list) {
      auto name = fbb.CreateString(t.name);
      auto shape = fbb.CreateVector(t.shape);
      auto data = fbb.CreateVector(t.data);
      offsets.push_back(fb::CreateTensor(
          fbb, name, shape, data, crc32Floats(t.data.data(), t.data.size())));
    }
    return fbb.CreateVector(offsets);
  };
  auto params = tensors(r.params.tensors);
  auto weights =
      fb::CreateWeights(fbb, r.weightsVersion, fbb.CreateString(r.params.model),
                        fbb.CreateString(r.params.graphHash), params);
  auto momentum = r.hasMomentum ? tensors(r.momentum) : 0;
  const TrainState &s = r.state;
  auto state = fb::CreateTrainState(
      fbb, s.epoch, s.step, s.rngSeed, s.dataEpoch, s.nextExample,
      s.datasetSize, s.batchSize, s.learningRate, s.bestMetric,
      s.epochsSinceImprovement, s.lrDrops, s.lastTrainLoss, s.lastValTop1Error,
      s.lastValTop5Error, s.epochLossSum, s.epochBatches, s.skippedExamples,
      s.dataOptions);
  uint32_t crc =
      specStateCrc(r.params,
                   r.hasMomentum ? r.momentum : std::vector<NamedTensor>(), s) +
      r.crcDelta;
  fb::FinishCheckpointBuffer(
      fbb, fb::CreateCheckpoint(fbb, r.version, weights, momentum, state, crc));
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

/// Offset of `count` floats at `data` inside `bytes`.
size_t findFloats(const std::vector<uint8_t> &bytes, const float *data,
                  size_t count) {
  auto *first = reinterpret_cast<const uint8_t *>(data);
  auto it = std::search(bytes.begin(), bytes.end(), first, first + 4 * count);
  EXPECT_NE(it, bytes.end());
  return static_cast<size_t>(it - bytes.begin());
}

TEST(Checkpoint, RoundTripIsBitExact) {
  TempDir tmp;
  WeightsFile params = sampleParams();
  params.tensors[0].data[0] = -0.0f;
  uint32_t nanBits = 0x7fc01234;
  std::memcpy(&params.tensors[0].data[1], &nanBits, 4);
  auto momentum = sampleMomentum(params);
  std::memcpy(&momentum[2].data[0], &nanBits, 4);
  TrainState state = sampleState();
  std::string path = tmp.path("c.axc");
  Status saved = saveCheckpoint(path, params, momentum, state);
  ASSERT_TRUE(saved.ok()) << saved.message();
  auto loaded = loadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(checkpointDiffers(*loaded, params, momentum, state), "");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"c.axc"});

  auto bytes = readBytes(path);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "AXC1");
  auto serialized = serializeCheckpoint(params, momentum, state);
  ASSERT_TRUE(serialized.ok());
  EXPECT_EQ(*serialized, bytes);

  // Defaults (NaN metrics, zero counters; a rate, which a run always has)
  // and an empty model survive too.
  WeightsFile none;
  TrainState defaults;
  defaults.learningRate = 0.01;
  serialized = serializeCheckpoint(none, {}, defaults);
  ASSERT_TRUE(serialized.ok()) << serialized.message();
  auto empty = parseCheckpoint(serialized->data(), serialized->size(), "e");
  ASSERT_TRUE(empty.ok()) << empty.message();
  EXPECT_EQ(checkpointDiffers(*empty, none, {}, defaults), "");
}

TEST(Checkpoint, UnalignedBufferAndLargeTensors) {
  Checkpoint big = versionedCheckpoint(7, size_t(1) << 20);
  auto bytes = serializeCheckpoint(big.params, big.momentum, big.state);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  std::vector<uint8_t> shifted(bytes->size() + 1);
  std::memcpy(shifted.data() + 1, bytes->data(), bytes->size());
  auto loaded = parseCheckpoint(shifted.data() + 1, bytes->size(), "c.axc");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(checkpointDiffers(*loaded, big.params, big.momentum, big.state),
            "");
}

TEST(Checkpoint, SpecChecksumMatchesTheWriter) {
  // The schema's description of state_crc32 is enough to write a file.
  auto bytes = rawCheckpoint({});
  auto c = parseCheckpoint(bytes.data(), bytes.size(), "c.axc");
  ASSERT_TRUE(c.ok()) << c.message();
  WeightsFile params = sampleParams();
  EXPECT_EQ(
      checkpointDiffers(*c, params, sampleMomentum(params), sampleState()), "");
}

TEST(Checkpoint, WeightsAndCheckpointsAreNotConfused) {
  TempDir tmp;
  WeightsFile params = sampleParams();
  ASSERT_TRUE(saveWeights(tmp.path("w.axw"), params).ok());
  ASSERT_TRUE(saveCheckpoint(tmp.path("c.axc"), params, sampleMomentum(params),
                             sampleState())
                  .ok());
  auto asCheckpoint = loadCheckpoint(tmp.path("w.axw"));
  ASSERT_FALSE(asCheckpoint.ok());
  EXPECT_EQ(asCheckpoint.message(), tmp.path("w.axw") +
                                        ": not a checkpoint but a weights file "
                                        "(identifier 'AXW1', expected 'AXC1')");
  auto asWeights = loadWeights(tmp.path("c.axc"));
  ASSERT_FALSE(asWeights.ok());
  EXPECT_EQ(asWeights.message(), tmp.path("c.axc") +
                                     ": not a weights file but a checkpoint "
                                     "(identifier 'AXC1', expected 'AXW1')");

  auto bytes = sampleBytes();
  std::memcpy(bytes.data() + 4, "XXXX", 4);
  EXPECT_EQ(loadError(bytes),
            "c.axc: not a checkpoint (identifier 'XXXX', expected 'AXC1')");
}

TEST(Checkpoint, MissingEmptyAndShortFiles) {
  TempDir tmp;
  auto missing = loadCheckpoint(tmp.path("c.axc"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(),
            tmp.path("c.axc") + ": cannot open: No such file or directory");
  EXPECT_EQ(loadError({}), "c.axc: empty file");
  auto bytes = sampleBytes();
  EXPECT_EQ(loadError({bytes.begin(), bytes.begin() + 5}),
            "c.axc: truncated or corrupt (5 bytes, too short for a "
            "checkpoint)");
  EXPECT_EQ(loadError({bytes.begin(), bytes.begin() + bytes.size() / 2}),
            "c.axc: truncated or corrupt (FlatBuffers verification failed)");
}

TEST(Checkpoint, TruncatedAtEveryOffset) {
  WeightsFile params = sampleParams();
  auto momentum = sampleMomentum(params);
  auto bytes = sampleBytes();
  int refused = 0;
  for (size_t size = 1; size < bytes.size(); ++size) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + size);
    auto loaded = parseCheckpoint(cut.data(), cut.size(), "c.axc");
    if (loaded.ok()) {
      // Only the builder's trailing alignment padding may go unnoticed.
      EXPECT_GE(size + 8, bytes.size()) << "size " << size;
      EXPECT_EQ(checkpointDiffers(*loaded, params, momentum, sampleState()),
                "");
      continue;
    }
    ++refused;
    EXPECT_NE(loaded.message().find("truncated or corrupt"), std::string::npos)
        << "size " << size << ": " << loaded.message();
  }
  EXPECT_GE(refused + 8, static_cast<int>(bytes.size()) - 1);
}

TEST(Checkpoint, EveryFlippedByteIsRefusedOrHarmless) {
  // All content is covered by a tensor checksum or the state checksum, so a
  // damaged byte either fails to load or was padding.
  WeightsFile params = sampleParams();
  auto momentum = sampleMomentum(params);
  auto bytes = sampleBytes();
  int refused = 0, total = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      auto corrupt = bytes;
      corrupt[i] ^= mask;
      ++total;
      auto loaded = parseCheckpoint(corrupt.data(), corrupt.size(), "c.axc");
      if (!loaded.ok()) {
        ++refused;
        EXPECT_EQ(loaded.message().rfind("c.axc: ", 0), 0u);
        continue;
      }
      EXPECT_EQ(checkpointDiffers(*loaded, params, momentum, sampleState()), "")
          << "byte " << i << " ^ " << int(mask) << " loaded different contents";
    }
  }
  ::testing::Test::RecordProperty("refused", refused);
  EXPECT_GT(refused, total * 3 / 4);
}

TEST(Checkpoint, FlippedPayloadNamesTheTensor) {
  WeightsFile params = sampleParams();
  auto momentum = sampleMomentum(params);
  auto bytes = sampleBytes();
  struct Case {
    const NamedTensor &tensor;
    std::string kind;
  };
  for (const Case &c : {Case{params.tensors[0], "tensor"},
                        Case{momentum[1], "momentum tensor"}}) {
    const auto &data = c.tensor.data;
    size_t at = findFloats(bytes, data.data(), data.size());
    uint32_t stored = crc32Floats(data.data(), data.size());
    for (size_t i = 0; i < 4 * data.size(); i += 5) {
      auto corrupt = bytes;
      corrupt[at + i] ^= 0x10;
      std::vector<float> flipped(data.size());
      std::memcpy(flipped.data(), &corrupt[at], 4 * data.size());
      char expected[200];
      std::snprintf(expected, sizeof(expected),
                    "c.axc: %s '%s': checksum mismatch (stored 0x%08x, "
                    "computed 0x%08x)",
                    c.kind.c_str(), c.tensor.name.c_str(), stored,
                    crc32Floats(flipped.data(), flipped.size()));
      EXPECT_EQ(loadError(corrupt), expected) << "byte " << i;
    }
  }
}

TEST(Checkpoint, FlippedStateIsAChecksumError) {
  WeightsFile params = sampleParams();
  auto momentum = sampleMomentum(params);
  TrainState s = sampleState();
  auto bytes = sampleBytes();
  char prefix[160];
  std::snprintf(prefix, sizeof(prefix),
                "c.axc: checksum mismatch in the training state or tensor "
                "names and shapes (stored 0x%08x, computed 0x",
                specStateCrc(params, momentum, s));
  auto bitsOf = [](auto value) {
    std::vector<uint8_t> out(sizeof(value));
    std::memcpy(out.data(), &value, sizeof(value));
    return out;
  };
  std::vector<std::vector<uint8_t>> fields = {
      bitsOf(s.epoch),
      bitsOf(s.step),
      bitsOf(s.rngSeed),
      bitsOf(s.dataEpoch),
      bitsOf(s.nextExample),
      bitsOf(s.datasetSize),
      bitsOf(s.batchSize),
      bitsOf(s.learningRate),
      bitsOf(s.lastTrainLoss),
      bitsOf(s.lastValTop1Error),
      bitsOf(s.lastValTop5Error),
      bitsOf(s.epochLossSum),
      bitsOf(s.epochBatches),
      bitsOf(s.skippedExamples),
      bitsOf(s.epochsSinceImprovement),
      bitsOf(s.lrDrops),
      bitsOf(s.dataOptions),
  };
  // The graph hash is not checksummed by the weights format, but is here.
  std::string hash = params.graphHash;
  fields.emplace_back(hash.begin(), hash.end());
  for (size_t f = 0; f < fields.size(); ++f) {
    auto it = std::search(bytes.begin(), bytes.end(), fields[f].begin(),
                          fields[f].end());
    ASSERT_NE(it, bytes.end()) << "field " << f;
    for (size_t b = 0; b < fields[f].size(); ++b) {
      auto corrupt = bytes;
      corrupt[static_cast<size_t>(it - bytes.begin()) + b] ^= 0x04;
      EXPECT_EQ(loadError(corrupt).rfind(prefix, 0), 0u)
          << "field " << f << " byte " << b << ": " << loadError(corrupt);
    }
  }
  // A flipped tensor name is caught by the same checksum.
  auto it =
      std::search(bytes.begin(), bytes.end(), "conv1.bias", "conv1.bias" + 10);
  ASSERT_NE(it, bytes.end());
  auto corrupt = bytes;
  corrupt[static_cast<size_t>(it - bytes.begin()) + 3] ^= 0x01;
  EXPECT_EQ(loadError(corrupt).rfind(prefix, 0), 0u) << loadError(corrupt);
}

TEST(Checkpoint, HandBuiltCorruptionsAreRefused) {
  RawCheckpoint r;
  r.version = 2;
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: unsupported format version 2 (expected 1)");
  r = {};
  r.weightsVersion = 0;
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: unsupported weights format version 0 in the checkpoint "
            "(expected 1)");
  r = {};
  r.crcDelta = 1;
  uint32_t crc = specStateCrc(r.params, r.momentum, r.state);
  char expected[200];
  std::snprintf(expected, sizeof(expected),
                "c.axc: checksum mismatch in the training state or tensor "
                "names and shapes (stored 0x%08x, computed 0x%08x)",
                crc + 1, crc);
  EXPECT_EQ(loadError(rawCheckpoint(r)), expected);
  r = {};
  r.momentum[2] = r.momentum[0];
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: duplicate momentum tensor 'conv1.weight'");
  r = {};
  r.momentum[1].data.push_back(1.0f);
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: momentum tensor 'conv1.bias': shape 4 needs 4 elements, "
            "data has 5");
}

// Valid checksums do not make a state usable: each value that would
// derail the run is refused, naming it.
TEST(Checkpoint, StateOutOfRangeIsRefused) {
  auto refused = [](void (*edit)(TrainState &)) {
    RawCheckpoint r;
    edit(r.state);
    return loadError(rawCheckpoint(r));
  };
  EXPECT_EQ(loadError(rawCheckpoint(RawCheckpoint())), "(loaded)");
  // A checkpoint from before data_options (0: not recorded) still loads.
  RawCheckpoint old;
  old.state.dataOptions = 0;
  EXPECT_EQ(loadError(rawCheckpoint(old)), "(loaded)");
  EXPECT_EQ(refused([](TrainState &s) { s.learningRate = std::nan(""); }),
            "c.axc: training state out of range: learning rate nan, expected "
            "a positive finite rate");
  EXPECT_EQ(refused([](TrainState &s) { s.learningRate = -0.01; }),
            "c.axc: training state out of range: learning rate -0.01, "
            "expected a positive finite rate");
  EXPECT_EQ(refused([](TrainState &s) { s.learningRate = 0; }),
            "c.axc: training state out of range: learning rate 0, expected a "
            "positive finite rate");
  EXPECT_EQ(refused([](TrainState &s) { s.epoch = s.step = ~uint64_t(0); }),
            "c.axc: training state out of range: epoch 18446744073709551615, "
            "step 18446744073709551615, data epoch " +
                std::to_string(sampleState().dataEpoch) +
                ", expected each below 2^62");
  EXPECT_EQ(refused([](TrainState &s) { s.epoch = 5, s.step = 4; }),
            "c.axc: training state out of range: epoch 5 after only 4 steps, "
            "expected at least one step per epoch");
  EXPECT_EQ(refused([](TrainState &s) {
              s.datasetSize = 100, s.nextExample = 101;
            }),
            "c.axc: training state out of range: next example 101, beyond "
            "the 100 examples of the data set");
}

TEST(Checkpoint, TrailingBytesAreRefused) {
  auto bytes = sampleBytes();
  bytes.push_back(0);
  EXPECT_EQ(loadError(bytes),
            "c.axc: 1 unexpected bytes after the end of the data (expected " +
                std::to_string(bytes.size() - 1) + " bytes, got " +
                std::to_string(bytes.size()) + ")");
}

TEST(Checkpoint, MomentumMustParallelTheParameters) {
  // Files with a valid checksum whose momentum does not fit.
  RawCheckpoint r;
  r.momentum.pop_back();
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: expected 3 momentum tensors (one per parameter), got 2");
  r = {};
  r.hasMomentum = false;
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: expected 3 momentum tensors (one per parameter), got 0");
  r = {};
  std::swap(r.momentum[0], r.momentum[1]);
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: momentum tensor #0 is 'conv1.bias', expected "
            "'conv1.weight' (momentum is stored in parameter order)");
  r = {};
  r.momentum[1].shape = {2, 2};
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: momentum tensor 'conv1.bias': expected 4, got 2x2");
  r = {};
  r.momentum[2].name = "scale.momentum";
  EXPECT_EQ(loadError(rawCheckpoint(r)),
            "c.axc: momentum tensor #2 is 'scale.momentum', expected 'scale' "
            "(momentum is stored in parameter order)");
}

TEST(Checkpoint, SaveRefusesWhatItCouldNotLoad) {
  TempDir tmp;
  std::string path = tmp.path("c.axc");
  WeightsFile params = sampleParams();
  auto momentum = sampleMomentum(params);
  ASSERT_TRUE(saveCheckpoint(path, params, momentum, sampleState()).ok());
  auto check = [&](const WeightsFile &p, const std::vector<NamedTensor> &m,
                   const std::string &message) {
    Status status = saveCheckpoint(path, p, m, sampleState());
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.message(), path + ": " + message);
  };
  auto fewer = momentum;
  fewer.pop_back();
  check(params, fewer,
        "expected 3 momentum tensors (one per parameter), got 2");
  auto swapped = momentum;
  std::swap(swapped[1], swapped[2]);
  check(params, swapped,
        "momentum tensor #1 is 'scale', expected 'conv1.bias' (momentum is "
        "stored in parameter order)");
  auto reshaped = momentum;
  reshaped[0].shape = {4, 12};
  check(params, reshaped,
        "momentum tensor 'conv1.weight': expected 4x3x2x2, got 4x12");
  auto short_ = momentum;
  short_[0].data.pop_back();
  check(params, short_,
        "momentum tensor 'conv1.weight': shape 4x3x2x2 needs 48 elements, "
        "data has 47");
  auto unnamed = momentum;
  unnamed[1].name.clear();
  check(params, unnamed, "momentum tensor #1 has an empty name");
  WeightsFile dup = params;
  dup.tensors.push_back(dup.tensors[1]);
  check(dup, momentum, "duplicate tensor 'conv1.bias'");

  // The earlier good file is untouched and nothing else was left behind.
  auto loaded = loadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(checkpointDiffers(*loaded, params, momentum, sampleState()), "");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"c.axc"});
}

TEST(Checkpoint, CheckMatch) {
  WeightsFile params = sampleParams();
  Checkpoint c{params, sampleMomentum(params), sampleState()};
  std::vector<ExpectedTensor> expected = {
      {"conv1.weight", {4, 3, 2, 2}}, {"conv1.bias", {4}}, {"scale", {}}};
  EXPECT_TRUE(
      checkCheckpointMatch(c, "alexnet", "sha256:0123abcd", expected).ok());
  auto message = [&](const Checkpoint &ck, const std::string &hash) {
    Status s = checkCheckpointMatch(ck, "alexnet", hash, expected);
    return s.ok() ? std::string("(ok)") : s.message();
  };
  EXPECT_EQ(message(c, "sha256:ffff"),
            "weights are for graph hash 'sha256:0123abcd', expected "
            "'sha256:ffff' (the model changed since they were saved)");
  Checkpoint wrong = c;
  wrong.momentum[1].shape = {5};
  EXPECT_EQ(message(wrong, ""),
            "momentum tensor 'conv1.bias': expected 4, got 5");
  wrong = c;
  wrong.momentum[1].data.push_back(0);
  EXPECT_EQ(message(wrong, ""),
            "momentum tensor 'conv1.bias': shape 4 needs 4 elements, data "
            "has 5");
}

TEST(Checkpoint, ExportsItsParametersAsWeights) {
  TempDir tmp;
  WeightsFile params = sampleParams();
  ASSERT_TRUE(saveCheckpoint(tmp.path("c.axc"), params, sampleMomentum(params),
                             sampleState())
                  .ok());
  auto c = loadCheckpoint(tmp.path("c.axc"));
  ASSERT_TRUE(c.ok()) << c.message();
  ASSERT_TRUE(saveWeights(tmp.path("w.axw"), checkpointWeights(*c)).ok());
  auto w = loadWeights(tmp.path("w.axw"));
  ASSERT_TRUE(w.ok()) << w.message();
  EXPECT_EQ(w->model, "alexnet");
  EXPECT_EQ(w->graphHash, "sha256:0123abcd");
  EXPECT_EQ(tensorsDiffer(w->tensors, params.tensors), "");
}

} // namespace
