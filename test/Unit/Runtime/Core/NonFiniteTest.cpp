//===- NonFiniteTest.cpp - Finding NaN and Inf in weights -----------------===//

#include "Core/NonFinite.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace alexnet::runtime;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(NonFinite, AllFiniteSeesEveryNaNAndInf) {
  std::vector<float> v(37, 1.5f);
  v[3] = -0.0f;
  v[4] = std::numeric_limits<float>::max();
  v[5] = std::numeric_limits<float>::denorm_min();
  EXPECT_TRUE(allFinite(v.data(), v.size()));
  EXPECT_TRUE(allFinite(v.data(), 0));
  // At every position (the vectorised loop's tail included) and sign.
  for (float bad : {kNaN, -kNaN, kInf, -kInf})
    for (size_t i = 0; i < v.size(); ++i) {
      std::vector<float> w = v;
      w[i] = bad;
      EXPECT_FALSE(allFinite(w.data(), w.size())) << bad << " at " << i;
      EXPECT_TRUE(allFinite(w.data(), i)) << bad << " at " << i;
    }
}

TEST(NonFinite, DescribesEachTensor) {
  std::vector<NamedTensor> tensors = {
      {"a.weight", {4}, {1, kNaN, kNaN, 2}},
      {"a.bias", {2}, {0, 1}},
      {"b.weight", {3}, {kInf, -kInf, kNaN}},
      {"b.bias", {1}, {-kInf}},
  };
  EXPECT_EQ(describeNonFinite(tensors),
            "a.weight has 2 NaN of 4 values, b.weight has 1 NaN and 2 Inf of "
            "3 values, b.bias has 1 Inf of 1 values");
  EXPECT_EQ(describeNonFinite({tensors[1]}), "");
  // Beyond four tensors, the rest are counted.
  std::vector<NamedTensor> many(6, {"t", {1}, {kNaN}});
  EXPECT_EQ(describeNonFinite(many),
            "t has 1 NaN of 1 values, t has 1 NaN of 1 values, t has 1 NaN of "
            "1 values, t has 1 NaN of 1 values and 2 more tensors");
}

TEST(NonFinite, CheckFiniteNamesTheFile) {
  WeightsFile w;
  w.tensors = {{"fc.bias", {2}, {0, 1}}};
  EXPECT_TRUE(checkFinite(w, "w.axw").ok());
  w.tensors.push_back({"mean", {1}, {kNaN}});
  Status s = checkFinite(w, "w.axw");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "w.axw: non-finite weights: mean has 1 NaN of 1 "
                         "values (a diverged run's; --allow-nonfinite takes "
                         "them)");
}

} // namespace
