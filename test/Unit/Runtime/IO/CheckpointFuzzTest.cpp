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
#include "TestUtil.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <random>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {


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
