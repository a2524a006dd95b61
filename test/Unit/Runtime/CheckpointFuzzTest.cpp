//===- CheckpointFuzzTest.cpp - Random corruptions of .axc files ----------===//
//
// 2000 random mutations (ALEXNET_FUZZ_MUTATIONS overrides) of valid
// checkpoints. Each must load as the unmutated contents (the mutation hit
// padding) or fail with a message naming the file; never crash or hang, and
// never load different contents, since every byte of content is covered by
// a checksum. Deterministic seeds, so failures replay.
//
//===----------------------------------------------------------------------===//

#include "CheckpointTestUtil.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <random>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

int mutationCount() {
  const char *env = std::getenv("ALEXNET_FUZZ_MUTATIONS");
  int n = env ? std::atoi(env) : 0;
  return n > 0 ? n : 2000;
}

/// One to three random edits: bit flips, random bytes, truncation,
/// insertion, deletion, boundary 32-bit values, copied chunks.
std::vector<uint8_t> mutate(std::vector<uint8_t> bytes, std::mt19937 &rng) {
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  const size_t rounds = 1 + pick(3);
  for (size_t r = 0; r < rounds && !bytes.empty(); ++r) {
    switch (pick(7)) {
    case 0:
      bytes[pick(bytes.size())] ^= static_cast<uint8_t>(1u << pick(8));
      break;
    case 1:
      bytes[pick(bytes.size())] = static_cast<uint8_t>(pick(256));
      break;
    case 2:
      bytes.resize(pick(bytes.size()));
      break;
    case 3: {
      static const uint32_t values[] = {
          0, 1, 4, 8, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff};
      if (bytes.size() >= 4) {
        uint32_t v = values[pick(sizeof(values) / sizeof(values[0]))];
        size_t at = pick(bytes.size() - 3);
        for (int i = 0; i < 4; ++i)
          bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
      }
      break;
    }
    case 4:
      bytes.insert(bytes.begin() +
                       static_cast<std::ptrdiff_t>(pick(bytes.size() + 1)),
                   static_cast<uint8_t>(pick(256)));
      break;
    case 5:
      bytes.erase(bytes.begin() +
                  static_cast<std::ptrdiff_t>(pick(bytes.size())));
      break;
    case 6: {
      size_t len = 1 + pick(std::min<size_t>(bytes.size(), 16));
      size_t from = pick(bytes.size() - len + 1);
      size_t to = pick(bytes.size() - len + 1);
      std::vector<uint8_t> chunk(bytes.begin() + from,
                                 bytes.begin() + from + len);
      std::copy(chunk.begin(), chunk.end(), bytes.begin() + to);
      break;
    }
    }
  }
  return bytes;
}

void fuzz(const WeightsFile &params, const std::vector<NamedTensor> &momentum,
          const TrainState &state, uint32_t seed) {
  auto valid = serializeCheckpoint(params, momentum, state);
  ASSERT_TRUE(valid.ok()) << valid.message();
  std::mt19937 rng(seed);
  int loaded = 0;
  const int mutations = mutationCount();
  for (int i = 0; i < mutations; ++i) {
    std::vector<uint8_t> mutant = mutate(*valid, rng);
    auto c = parseCheckpoint(mutant.data(), mutant.size(), "f");
    if (!c.ok()) {
      EXPECT_EQ(c.message().rfind("f: ", 0), 0u)
          << "mutation " << i << ": " << c.message();
      continue;
    }
    ++loaded;
    EXPECT_EQ(checkpointDiffers(*c, params, momentum, state), "")
        << "mutation " << i << " loaded different contents";
  }
  ::testing::Test::RecordProperty("loaded_" + std::to_string(seed), loaded);
  EXPECT_LT(loaded, mutations / 4);
}

TEST(CheckpointFuzz, Sample) {
  WeightsFile params = sampleParams();
  fuzz(params, sampleMomentum(params), sampleState(), 11);
}

TEST(CheckpointFuzz, ManySmallTensors) {
  Checkpoint c = versionedCheckpoint(3, 128);
  for (int t = 0; t < 6; ++t) {
    c.params.tensors.push_back(
        rampTensor("layer" + std::to_string(t) + ".weight", {2, 3}, 1.0f * t));
    c.momentum.push_back(
        rampTensor("layer" + std::to_string(t) + ".weight", {2, 3}, -1.0f * t));
  }
  fuzz(c.params, c.momentum, c.state, 12);
}

} // namespace
