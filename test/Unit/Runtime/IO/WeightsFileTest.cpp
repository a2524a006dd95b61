//===- WeightsFileTest.cpp - .axw round trips and rejections --------------===//

#include "TestUtil.h"

#include "IO/AtomicFile.h"
#include "IO/Crc32.h"
#include "alexnet/Runtime/Weights_generated.h"
#include "IO/WeightsFile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <limits>
#include <unistd.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

NamedTensor tensor(const std::string &name, std::vector<int64_t> shape,
                   float start = 0.5f) {
  NamedTensor t{name, std::move(shape), {}};
  size_t count = 1;
  for (int64_t d : t.shape)
    count *= static_cast<size_t>(d);
  for (size_t i = 0; i < count; ++i)
    t.data.push_back(start + 0.25f * static_cast<float>(i));
  return t;
}

WeightsFile sample() {
  WeightsFile w;
  w.model = "alexnet";
  w.graphHash = "sha256:0123abcd";
  w.tensors.push_back(tensor("conv1.weight", {4, 3, 2, 2}));
  w.tensors.push_back(tensor("conv1.bias", {4}, -1.0f));
  w.tensors.push_back(tensor("scale", {}, 7.0f));
  return w;
}

/// Bitwise equality, so NaN payloads and -0.0 count.
bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0);
}

void expectSame(const WeightsFile &a, const WeightsFile &b) {
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.graphHash, b.graphHash);
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (size_t i = 0; i < a.tensors.size(); ++i) {
    EXPECT_EQ(a.tensors[i].name, b.tensors[i].name);
    EXPECT_EQ(a.tensors[i].shape, b.tensors[i].shape);
    EXPECT_TRUE(sameBits(a.tensors[i].data, b.tensors[i].data))
        << a.tensors[i].name;
  }
}

std::string loadError(const std::vector<uint8_t> &bytes) {
  auto w = parseWeights(bytes.data(), bytes.size(), "w.axw");
  return w.ok() ? "(loaded)" : w.message();
}

/// A raw tensor for hand-built buffers that saveWeights would refuse.
struct RawTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;
  bool hasShape = true, hasData = true;
  int64_t crcDelta = 0;
};

std::vector<uint8_t> rawWeights(const std::vector<RawTensor> &tensors,
                                uint32_t version = kWeightsFormatVersion) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.ForceDefaults(true);
  std::vector<flatbuffers::Offset<fb::Tensor>> offsets;
  for (const RawTensor &t : tensors) {
    auto name = fbb.CreateString(t.name);
    auto shape = t.hasShape ? fbb.CreateVector(t.shape) : 0;
    auto data = t.hasData ? fbb.CreateVector(t.data) : 0;
    uint32_t crc = crc32Floats(t.data.data(), t.data.size()) +
                   static_cast<uint32_t>(t.crcDelta);
    offsets.push_back(fb::CreateTensor(fbb, name, shape, data, crc));
  }
  auto vec = fbb.CreateVector(offsets);
  fb::FinishWeightsBuffer(
      fbb, fb::CreateWeights(fbb, version, fbb.CreateString("m"),
                             fbb.CreateString("h"), vec));
  return std::vector<uint8_t>(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
}

TEST(Weights, RoundTripThroughFile) {
  TempDir tmp;
  WeightsFile w = sample();
  // Values that text formats or careless copies would mangle.
  w.tensors[0].data[0] = -0.0f;
  w.tensors[0].data[1] = std::numeric_limits<float>::infinity();
  w.tensors[0].data[2] = std::numeric_limits<float>::denorm_min();
  uint32_t nanBits = 0x7fc01234;
  std::memcpy(&w.tensors[0].data[3], &nanBits, 4);
  std::string path = tmp.path("w.axw");
  Status saved = saveWeights(path, w);
  ASSERT_TRUE(saved.ok()) << saved.message();
  auto loaded = loadWeights(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(w, *loaded);
  ASSERT_NE(loaded->find("conv1.bias"), nullptr);
  EXPECT_EQ(loaded->find("conv1.bias")->data[0], -1.0f);
  EXPECT_EQ(loaded->find("nope"), nullptr);
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"w.axw"});

  // The bytes say what they are.
  auto bytes = readBytes(path);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.begin() + 4, bytes.begin() + 8), "AXW1");
  auto serialized = serializeWeights(w);
  ASSERT_TRUE(serialized.ok());
  EXPECT_EQ(*serialized, bytes);
}

TEST(Weights, EmptyAndLarge) {
  WeightsFile empty;
  auto bytes = serializeWeights(empty);
  ASSERT_TRUE(bytes.ok());
  auto loaded = parseWeights(bytes->data(), bytes->size(), "e.axw");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(empty, *loaded);

  // fc-sized tensor: 4M floats.
  WeightsFile big;
  big.tensors.push_back(tensor("fc.weight", {1024, 4096}));
  bytes = serializeWeights(big);
  ASSERT_TRUE(bytes.ok());
  loaded = parseWeights(bytes->data(), bytes->size(), "big.axw");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(big, *loaded);
}

TEST(Weights, UnalignedBuffer) {
  auto bytes = serializeWeights(sample());
  ASSERT_TRUE(bytes.ok());
  std::vector<uint8_t> shifted(bytes->size() + 1);
  std::memcpy(shifted.data() + 1, bytes->data(), bytes->size());
  auto loaded = parseWeights(shifted.data() + 1, bytes->size(), "w.axw");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(sample(), *loaded);
}

TEST(Weights, MissingAndEmptyFile) {
  TempDir tmp;
  auto missing = loadWeights(tmp.path("w.axw"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(),
            tmp.path("w.axw") + ": cannot open: No such file or directory");
  writeBytes(tmp.path("e.axw"), {});
  auto empty = loadWeights(tmp.path("e.axw"));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.message(), tmp.path("e.axw") + ": empty file");
}

TEST(Weights, FileOverTheFormatLimitIsNotRead) {
  TempDir tmp;
  std::string path = tmp.path("huge.axw");
  // Sparse: 2 GiB of size, no disk blocks.
  FILE *f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(::ftruncate(fileno(f), off_t(1) << 31), 0);
  std::fclose(f);
  auto w = loadWeights(path);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.message(),
            path + ": file too large (2147483648 bytes, limit 2147483646)");
}

TEST(Weights, WrongIdentifier) {
  auto bytes = *serializeWeights(sample());
  std::memcpy(bytes.data() + 4, "XXXX", 4);
  EXPECT_EQ(loadError(bytes),
            "w.axw: not a weights file (identifier 'XXXX', expected 'AXW1')");
  // A NumPy file handed over by mistake.
  std::vector<uint8_t> npy =
      toBytes(std::string("\x93NUMPY\x01\x00v\x00{'descr'", 18));
  EXPECT_EQ(loadError(npy), "w.axw: not a weights file (identifier "
                            "'PY\\x01\\x00', expected 'AXW1')");
}

// The verifier does not see bytes after the data; the loader does.
TEST(Weights, TrailingBytesAreRefused) {
  auto bytes = *serializeWeights(sample());
  for (size_t extra : {1, 2, 4, 8, 4096}) {
    std::vector<uint8_t> longer = bytes;
    longer.resize(bytes.size() + extra, 0);
    auto loaded = parseWeights(longer.data(), longer.size(), "w.axw");
    ASSERT_FALSE(loaded.ok()) << extra;
    EXPECT_EQ(loaded.message(),
              "w.axw: " + std::to_string(extra) +
                  " unexpected bytes after the end of the data (expected " +
                  std::to_string(bytes.size()) + " bytes, got " +
                  std::to_string(bytes.size() + extra) + ")");
  }
  // An empty weights file (no tensors) ends after its empty list.
  WeightsFile none;
  none.model = "m";
  auto empty = *serializeWeights(none);
  EXPECT_TRUE(parseWeights(empty.data(), empty.size(), "e").ok());
  empty.push_back(0);
  EXPECT_FALSE(parseWeights(empty.data(), empty.size(), "e").ok());
}

TEST(Weights, TruncatedAtEveryOffset) {
  WeightsFile w = sample();
  auto bytes = *serializeWeights(w);
  for (size_t size = 1; size < bytes.size(); ++size) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + size);
    auto loaded = parseWeights(cut.data(), cut.size(), "w.axw");
    // Even a cut into the builder's trailing alignment padding.
    ASSERT_FALSE(loaded.ok()) << "size " << size;
    EXPECT_NE(loaded.message().find("truncated or corrupt"), std::string::npos)
        << "size " << size << ": " << loaded.message();
  }
  EXPECT_EQ(loadError({}), "w.axw: empty file");
  auto cut = std::vector<uint8_t>(bytes.begin(), bytes.begin() + 5);
  EXPECT_EQ(loadError(cut),
            "w.axw: truncated or corrupt (5 bytes, too short for a weights "
            "file)");
  cut = std::vector<uint8_t>(bytes.begin(), bytes.begin() + bytes.size() / 2);
  EXPECT_EQ(loadError(cut),
            "w.axw: truncated or corrupt (FlatBuffers verification failed)");
}

TEST(Weights, FlippedPayloadBitIsAChecksumError) {
  WeightsFile w = sample();
  auto bytes = *serializeWeights(w);
  // Find conv1.weight's floats in the buffer.
  const auto &data = w.tensors[0].data;
  auto *first = reinterpret_cast<const uint8_t *>(data.data());
  auto it = std::search(bytes.begin(), bytes.end(), first,
                        first + 4 * data.size());
  ASSERT_NE(it, bytes.end());
  size_t payload = static_cast<size_t>(it - bytes.begin());
  uint32_t stored = crc32Floats(data.data(), data.size());
  for (size_t i = 0; i < 4 * data.size(); i += 7) {
    auto corrupt = bytes;
    corrupt[payload + i] ^= 0x10;
    const float *floats = reinterpret_cast<const float *>(&corrupt[payload]);
    uint32_t computed = crc32Floats(floats, data.size());
    char expected[160];
    std::snprintf(expected, sizeof(expected),
                  "w.axw: tensor 'conv1.weight': checksum mismatch (stored "
                  "0x%08x, computed 0x%08x)",
                  stored, computed);
    EXPECT_EQ(loadError(corrupt), expected) << "byte " << i;
  }
}

TEST(Weights, HandBuiltCorruptionsAreRefused) {
  std::vector<float> six(6, 1.0f);
  EXPECT_EQ(loadError(rawWeights({{"a", {2, 3}, six}, {"a", {6}, six}})),
            "w.axw: duplicate tensor 'a'");
  EXPECT_EQ(loadError(rawWeights({{"a", {2, 0, 3}, six}})),
            "w.axw: tensor 'a': dimension 1 is 0, expected a positive size");
  EXPECT_EQ(loadError(rawWeights({{"a", {2, -3}, six}})),
            "w.axw: tensor 'a': dimension 1 is -3, expected a positive size");
  EXPECT_EQ(loadError(rawWeights({{"a", {2, 4}, six}})),
            "w.axw: tensor 'a': shape 2x4 needs 8 elements, data has 6");
  int64_t huge = int64_t(1) << 40;
  EXPECT_EQ(loadError(rawWeights({{"a", {huge, huge}, six}})),
            "w.axw: tensor 'a': shape 1099511627776x1099511627776 has too "
            "many elements");
  RawTensor noShape{"a", {}, six};
  noShape.hasShape = false;
  EXPECT_EQ(loadError(rawWeights({noShape})), "w.axw: tensor 'a': missing shape");
  RawTensor noData{"a", {6}, {}};
  noData.hasData = false;
  EXPECT_EQ(loadError(rawWeights({noData})), "w.axw: tensor 'a': missing data");
  EXPECT_EQ(loadError(rawWeights({{"", {6}, six}})),
            "w.axw: tensor #0 has an empty name");
  RawTensor badCrc{"a", {6}, six};
  badCrc.crcDelta = 1;
  uint32_t crc = crc32Floats(six.data(), 6);
  char expected[160];
  std::snprintf(expected, sizeof(expected),
                "w.axw: tensor 'a': checksum mismatch (stored 0x%08x, "
                "computed 0x%08x)",
                crc + 1, crc);
  EXPECT_EQ(loadError(rawWeights({badCrc})), expected);
  EXPECT_EQ(loadError(rawWeights({{"a", {6}, six}}, 2)),
            "w.axw: unsupported format version 2 (expected 1)");
  EXPECT_EQ(loadError(rawWeights({{"a", {6}, six}}, 0)),
            "w.axw: unsupported format version 0 (expected 1)");
  // And the hand-built path itself produces loadable files.
  EXPECT_EQ(loadError(rawWeights({{"a", {2, 3}, six}})), "(loaded)");
}

TEST(Weights, SaveRefusesWhatItCouldNotLoad) {
  TempDir tmp;
  std::string path = tmp.path("w.axw");
  ASSERT_TRUE(saveWeights(path, sample()).ok());
  auto check = [&](WeightsFile w, const std::string &message) {
    Status status = saveWeights(path, w);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.message(), path + ": " + message);
  };
  WeightsFile dup = sample();
  dup.tensors.push_back(dup.tensors[1]);
  check(dup, "duplicate tensor 'conv1.bias'");
  WeightsFile mismatch = sample();
  mismatch.tensors[0].data.pop_back();
  check(mismatch, "tensor 'conv1.weight': shape 4x3x2x2 needs 48 elements, "
                  "data has 47");
  WeightsFile zero = sample();
  zero.tensors[1].shape = {0};
  zero.tensors[1].data.clear();
  check(zero, "tensor 'conv1.bias': dimension 0 is 0, expected a positive "
              "size");
  WeightsFile unnamed = sample();
  unnamed.tensors[2].name.clear();
  check(unnamed, "tensor #2 has an empty name");
  // The earlier good file is untouched and nothing else was left behind.
  auto loaded = loadWeights(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(sample(), *loaded);
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"w.axw"});
}

TEST(Weights, CheckMatch) {
  WeightsFile w = sample();
  std::vector<ExpectedTensor> expected = {
      {"conv1.weight", {4, 3, 2, 2}}, {"conv1.bias", {4}}, {"scale", {}}};
  EXPECT_TRUE(checkWeightsMatch(w, "alexnet", "sha256:0123abcd", expected).ok());
  // Empty expectations skip the model and hash checks.
  EXPECT_TRUE(checkWeightsMatch(w, "", "", expected).ok());

  auto message = [&](const std::string &model, const std::string &hash,
                     const std::vector<ExpectedTensor> &want) {
    Status s = checkWeightsMatch(w, model, hash, want);
    return s.ok() ? std::string("(ok)") : s.message();
  };
  EXPECT_EQ(message("lenet", "", expected),
            "weights are for model 'alexnet', expected 'lenet'");
  EXPECT_EQ(message("", "sha256:ffff", expected),
            "weights are for graph hash 'sha256:0123abcd', expected "
            "'sha256:ffff' (the model changed since they were saved)");

  auto wrongShape = expected;
  wrongShape[0].second = {4, 3, 2, 3};
  EXPECT_EQ(message("", "", wrongShape),
            "tensor 'conv1.weight': expected 4x3x2x3, got 4x3x2x2");
  auto missing = expected;
  missing.push_back({"fc8.bias", {1000}});
  EXPECT_EQ(message("", "", missing),
            "missing tensor 'fc8.bias' (expected 1000)");
  auto extra = expected;
  extra.pop_back();
  EXPECT_EQ(message("", "", extra), "unexpected tensor 'scale' (scalar)");
  auto several = wrongShape;
  several.push_back({"fc8.bias", {1000}});
  EXPECT_EQ(message("lenet", "", several),
            "weights are for model 'alexnet', expected 'lenet' (and 2 more "
            "problems)");

  WeightsFile inconsistent = w;
  inconsistent.tensors[1].data.push_back(0);
  Status s = checkWeightsMatch(inconsistent, "", "", expected);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "tensor 'conv1.bias': shape 4 needs 4 elements, data has 5");
}

TEST(Weights, FormatShape) {
  EXPECT_EQ(formatShape({96, 3, 11, 11}), "96x3x11x11");
  EXPECT_EQ(formatShape({}), "scalar");
  EXPECT_EQ(formatShape(std::vector<int64_t>(20, 1)),
            "1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x...(20 dimensions)");
}

} // namespace
