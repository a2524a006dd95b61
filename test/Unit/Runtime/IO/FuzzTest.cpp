//===- FuzzTest.cpp - Random corruptions never crash the readers ----------===//
//
// Mutates valid .axw, .npy and .npz buffers 2000 times each. Every result
// must be a clean load or an error that names the file; a crash, hang or
// sanitizer report is a failure. Deterministic seeds, so failures replay.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "IO/Npy.h"
#include "IO/Npz.h"
#include "IO/WeightsFile.h"

#include <cstdlib>
#include <functional>
#include <gtest/gtest.h>
#include <random>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {


/// Runs `parse` on mutationCount() mutants of `valid`; returns how many loaded.
int fuzz(const std::vector<uint8_t> &valid, uint32_t seed,
         const std::function<std::string(const std::vector<uint8_t> &)>
             &parse) {
  EXPECT_EQ(parse(valid), "") << "the unmutated input must load";
  std::mt19937 rng(seed);
  int loaded = 0;
  const int mutations = mutationCount();
  for (int i = 0; i < mutations; ++i) {
    std::vector<uint8_t> mutant = mutate(valid, rng);
    std::string error = parse(mutant);
    if (error.empty()) {
      ++loaded;
      continue;
    }
    EXPECT_EQ(error.rfind("f: ", 0), 0u) << "mutation " << i << ": " << error;
  }
  ::testing::Test::RecordProperty("loaded_" + std::to_string(seed), loaded);
  return loaded;
}

template <typename T> std::string errorOf(const Expected<T> &e) {
  return e.ok() ? std::string() : e.message();
}

TEST(Fuzz, Weights) {
  WeightsFile w;
  w.model = "alexnet";
  w.graphHash = "h";
  for (int t = 0; t < 4; ++t) {
    NamedTensor tensor{"layer" + std::to_string(t) + ".weight", {3, 2, 2}, {}};
    for (int i = 0; i < 12; ++i)
      tensor.data.push_back(static_cast<float>(t * 100 + i));
    w.tensors.push_back(tensor);
  }
  w.tensors.push_back({"s", {}, {1.0f}});
  auto bytes = serializeWeights(w);
  ASSERT_TRUE(bytes.ok());
  int loaded = fuzz(*bytes, 1, [](const std::vector<uint8_t> &b) {
    return errorOf(parseWeights(b.data(), b.size(), "f"));
  });
  // Most mutations hit checked bytes; a few land in padding.
  EXPECT_LT(loaded, mutationCount() / 4);
}

TEST(Fuzz, Npy) {
  std::vector<float> data(24);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<float>(i);
  for (const NpyArray &a :
       {NpyArray::floats({2, 3, 4}, data), NpyArray::ints({3}, {1, 2, 3})}) {
    auto bytes = serializeNpy(a);
    ASSERT_TRUE(bytes.ok());
    fuzz(*bytes, 2, [](const std::vector<uint8_t> &b) {
      return errorOf(parseNpy(b.data(), b.size(), "f"));
    });
  }
}

TEST(Fuzz, Npz) {
  NpzFile npz;
  std::vector<float> data(48);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<float>(i) * 0.5f;
  npz.arrays.push_back({"x", NpyArray::floats({4, 12}, data)});
  npz.arrays.push_back({"y", NpyArray::ints({4}, {0, 1, 2, 3})});
  auto parse = [](const std::vector<uint8_t> &b) {
    return errorOf(parseNpz(b.data(), b.size(), "f"));
  };
  std::vector<ZipMember> members;
  for (const NamedArray &a : npz.arrays)
    members.push_back({a.name + ".npy", *serializeNpy(a.array)});

  uint32_t seed = 3;
  for (bool zip64 : {false, true}) {
    auto bytes = serializeNpz(npz, {zip64});
    ASSERT_TRUE(bytes.ok());
    fuzz(*bytes, seed++, parse);
  }
  for (bool dd : {false, true}) {
    ZipOptions options;
    options.deflate = true;
    options.dataDescriptor = dd;
    fuzz(makeZip(members, options), seed++, parse);
  }
}

} // namespace
