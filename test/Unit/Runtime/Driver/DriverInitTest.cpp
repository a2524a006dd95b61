//===- DriverInitTest.cpp - Philox4x32-10 and parameter initialisation ----===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "Core/Init.h"
#include "alexnet/Runtime/Philox.h"
#include "alexnet/Runtime/ThreadPool.h"
#include "IO/WeightsFile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

void expectBlock(PhiloxCounter c, PhiloxKey k, const uint32_t (&want)[4]) {
  PhiloxCounter r = philox4x32_10(c, k);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(r.v[i], want[i]) << "word " << i;
}

// Random123's kat_vectors for philox4x32 with 10 rounds.
TEST(PhiloxTest, KnownAnswersZero) {
  expectBlock({{0, 0, 0, 0}}, {{0, 0}},
              {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
}

TEST(PhiloxTest, KnownAnswersOnes) {
  expectBlock({{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
              {{0xffffffff, 0xffffffff}},
              {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
}

TEST(PhiloxTest, KnownAnswersPi) {
  expectBlock({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
              {{0xa4093822, 0x299f31d0}},
              {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST(PhiloxTest, KeyFromSeedSplitsWords) {
  PhiloxKey k = philoxKey(0x0123456789abcdefull);
  EXPECT_EQ(k.v[0], 0x89abcdefu);
  EXPECT_EQ(k.v[1], 0x01234567u);
}

TEST(PhiloxTest, UniformConversionsStayInRange) {
  EXPECT_EQ(uniformFloat(0), 0.0f);
  EXPECT_LT(uniformFloat(0xffffffffu), 1.0f);
  EXPECT_GT(uniformOpenDouble(0), 0.0);
  EXPECT_EQ(uniformOpenDouble(0xffffffffu), 1.0);
  double z0, z1;
  boxMuller(0, 0, z0, z1); // the smallest uniform: finite, large radius
  EXPECT_TRUE(std::isfinite(z0) && std::isfinite(z1));
  EXPECT_GT(std::abs(z0), 5.0);
}

ParamSpec param(const char *name, int64_t size, int64_t offset, InitKind kind,
                double a, double b) {
  return ParamSpec{name, 1, {size}, offset, size, kind, a, b, 0};
}

/// A model with only parameters, for initParams.
struct ParamModel {
  std::vector<ParamSpec> params;
  ModelDesc desc{};
  explicit ParamModel(std::vector<ParamSpec> ps) : params(std::move(ps)) {
    desc.name = "params";
    desc.params = params.data();
    desc.numParams = int32_t(params.size());
    for (const ParamSpec &p : params)
      desc.paramFloats = std::max(desc.paramFloats, p.offset + p.size);
  }
};

void moments(const float *data, int64_t n, double &mean, double &stddev) {
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += data[i];
  mean = sum / double(n);
  for (int64_t i = 0; i < n; ++i)
    sq += (data[i] - mean) * (data[i] - mean);
  stddev = std::sqrt(sq / double(n - 1));
}

TEST(InitTest, NormalHasItsMeanStdAndShape) {
  const int64_t n = 200001; // not a multiple of 4
  ParamSpec spec = param("w", n, 0, InitKind::Normal, 1.0, 2.0);
  std::vector<float> data(n + 1, -123.0f);
  initParam(spec, 3, 42, data.data());
  EXPECT_EQ(data[n], -123.0f) << "wrote past the parameter";
  double mean, stddev;
  moments(data.data(), n, mean, stddev);
  // Standard error of the mean is 2 / sqrt(n) ~ 0.0045.
  EXPECT_NEAR(mean, 1.0, 0.025);
  EXPECT_NEAR(stddev, 2.0, 0.02);
  int64_t within1 = std::count_if(data.begin(), data.begin() + n,
                                  [](float v) { return std::abs(v - 1) < 2; });
  EXPECT_NEAR(double(within1) / n, 0.6827, 0.005);
  // Block filling equals the element-wise definition.
  for (int64_t i :
       {int64_t(0), int64_t(1), int64_t(2), int64_t(3), int64_t(12345), n - 1})
    EXPECT_EQ(data[i], float(1.0 + 2.0 * philoxNormal(philoxKey(42), 3, i)))
        << i;
}

TEST(InitTest, UniformStaysInBounds) {
  const int64_t n = 100003;
  ParamSpec spec = param("u", n, 0, InitKind::Uniform, -3.0, 5.0);
  std::vector<float> data(n);
  initParam(spec, 0, 7, data.data());
  auto [lo, hi] = std::minmax_element(data.begin(), data.end());
  EXPECT_GE(*lo, -3.0f);
  EXPECT_LE(*hi, 5.0f);
  EXPECT_LT(*lo, -2.99f);
  EXPECT_GT(*hi, 4.99f);
  double mean, stddev;
  moments(data.data(), n, mean, stddev);
  EXPECT_NEAR(mean, 1.0, 0.03);
  EXPECT_NEAR(stddev, 8.0 / std::sqrt(12.0), 0.02);
  EXPECT_EQ(data[777],
            float(-3.0 + 8.0 * double(philoxUniform(philoxKey(7), 0, 777))));
}

TEST(InitTest, ConstantIsExact) {
  ParamSpec spec = param("c", 7, 0, InitKind::Constant, 0.25, 0.0);
  std::vector<float> data(7);
  initParam(spec, 0, 1, data.data());
  for (float v : data)
    EXPECT_EQ(v, 0.25f);
}

TEST(InitTest, SameSeedSameValuesAnyThreadCount) {
  ParamModel m({param("a", 50000, 0, InitKind::Normal, 0, 1),
                param("b", 30001, 50000, InitKind::Uniform, 0, 1)});
  std::vector<float> one(80001), two(80001);
  initParams(m.desc, 99, one.data());
  ThreadPool pool(3);
  initParams(m.desc, 99, two.data(), &pool);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), one.size() * 4), 0);
  initParams(m.desc, 100, two.data());
  EXPECT_NE(std::memcmp(one.data(), two.data(), one.size() * 4), 0);
}

TEST(InitTest, ParametersGetIndependentStreams) {
  const int64_t n = 100000;
  ParamModel m({param("a", n, 0, InitKind::Normal, 0, 1),
                param("b", n, n, InitKind::Normal, 0, 1)});
  std::vector<float> data(2 * n);
  initParams(m.desc, 5, data.data());
  double dot = 0;
  int64_t equal = 0;
  for (int64_t i = 0; i < n; ++i) {
    dot += double(data[i]) * data[n + i];
    equal += data[i] == data[n + i];
  }
  EXPECT_LT(equal, 5);
  EXPECT_NEAR(dot / n, 0.0, 0.02); // correlation; its std error is 0.003
}

TEST(InitTest, InitCommandIsDeterministic) {
  TempDir dir;
  const ModelDesc &model = denseModel();
  RunResult a =
      runTool(model, {"init", "--seed", "7", "-o", dir.path("a.axw")});
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_NE(a.out.find("wrote"), std::string::npos);
  RunResult b = runTool(
      model, {"init", "--seed=7", "-o", dir.path("b.axw"), "--threads", "2"});
  ASSERT_EQ(b.status, 0) << b.err;
  RunResult c =
      runTool(model, {"init", "--seed", "8", "-o", dir.path("c.axw")});
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(readBytes(dir.path("a.axw")), readBytes(dir.path("b.axw")));
  EXPECT_NE(readBytes(dir.path("a.axw")), readBytes(dir.path("c.axw")));

  Expected<WeightsFile> w = loadWeights(dir.path("a.axw"));
  ASSERT_TRUE(w.ok()) << w.message();
  EXPECT_EQ(w->model, "tiny");
  EXPECT_EQ(w->graphHash, "sha256:tiny-dense");
  ASSERT_EQ(w->tensors.size(), 2u);
  EXPECT_EQ(w->tensors[0].name, "fc.weight");
  EXPECT_EQ(w->tensors[0].shape, (std::vector<int64_t>{3, 4}));
  for (float v : w->tensors[0].data)
    EXPECT_LT(std::abs(v), 0.06f); // N(0, 0.01): six sigma
  EXPECT_EQ(w->tensors[1].data, (std::vector<float>{1, 1, 1}));
}

TEST(InitTest, InitCommandUsageErrors) {
  TempDir dir;
  const ModelDesc &model = denseModel();
  RunResult r = runTool(model, {"init", "-o", dir.path("a.axw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("tiny: error: missing required option --seed"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("usage: tiny init --seed S -o W.axw"), std::string::npos)
      << r.err;
  for (const char *bad :
       {"-1", "abc", "12x", "0x", "99999999999999999999999"}) {
    r = runTool(model, {"init", "--seed", bad, "-o", dir.path("a.axw")});
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_NE(r.err.find("expected an unsigned 64-bit integer"),
              std::string::npos)
        << r.err;
  }
  r = runTool(model, {"init", "--seed", "0x10", "-o", dir.path("hex.axw")});
  EXPECT_EQ(r.status, 0) << r.err;
  r = runTool(model, {"init", "--seed", "1", "-o", dir.dir()});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("tiny: error: "), std::string::npos);
}

} // namespace
