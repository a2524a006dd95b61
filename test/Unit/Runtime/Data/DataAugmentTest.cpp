//===- DataAugmentTest.cpp - Crops, flips, colour noise, data order -------===//

#include "DataTestUtil.h"

#include "Data/DataAugment.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <set>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

AugmentOptions cropOf(int height, int width) {
  AugmentOptions options;
  options.cropHeight = height;
  options.cropWidth = width;
  return options;
}

TEST(DataAugmentTest, RandomWindowsCoverEveryPositionAndFlipHalfTheTime) {
  AugmentOptions options = cropOf(224, 224);
  std::set<int> tops, lefts;
  int flips = 0, n = 20000;
  for (int slot = 0; slot < n; ++slot) {
    CropWindow w = randomCropWindow(7, 3, slot, 256, 256, options);
    ASSERT_GE(w.top, 0);
    ASSERT_LE(w.top, 32);
    ASSERT_GE(w.left, 0);
    ASSERT_LE(w.left, 32);
    tops.insert(w.top);
    lefts.insert(w.left);
    flips += w.flip;
    // Keyed, not sequential: the same draw every time.
    ASSERT_EQ(w, randomCropWindow(7, 3, slot, 256, 256, options));
  }
  EXPECT_EQ(tops.size(), 33u);
  EXPECT_EQ(lefts.size(), 33u);
  EXPECT_NEAR(flips, n / 2, 4 * std::sqrt(n / 4.0));
  EXPECT_FALSE(randomCropWindow(7, 3, 0, 256, 256, options) ==
                   randomCropWindow(7, 4, 0, 256, 256, options) &&
               randomCropWindow(7, 3, 1, 256, 256, options) ==
                   randomCropWindow(7, 4, 1, 256, 256, options));
}

TEST(DataAugmentTest, StoredSizeEqualToTheInputOnlyFlipsUnlessPadded) {
  AugmentOptions options = cropOf(28, 28);
  std::set<int> tops;
  for (int slot = 0; slot < 500; ++slot) {
    CropWindow w = randomCropWindow(1, 0, slot, 28, 28, options);
    EXPECT_EQ(w.top, 0);
    EXPECT_EQ(w.left, 0);
  }
  options.cropPad = 2;
  for (int slot = 0; slot < 2000; ++slot) {
    CropWindow w = randomCropWindow(1, 0, slot, 28, 28, options);
    ASSERT_GE(w.top, -2);
    ASSERT_LE(w.top, 2);
    tops.insert(w.top);
  }
  EXPECT_EQ(tops.size(), 5u);
  options.randomCrop = false;
  options.flip = false;
  EXPECT_EQ(randomCropWindow(1, 0, 9, 30, 31, options),
            (CropWindow{1, 1, false}));
}

TEST(DataAugmentTest, TenCropsInOrder) {
  auto w = tenCropWindows(256, 260, 224, 224);
  std::vector<CropWindow> expected = {
      {0, 0, false},   {0, 36, false}, {32, 0, false}, {32, 36, false},
      {16, 18, false}, {0, 0, true},   {0, 36, true},  {32, 0, true},
      {32, 36, true},  {16, 18, true}};
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(w[i], expected[i]) << i;
}

TEST(DataAugmentTest, ExtractCropIsExact) {
  // 2 channels, 4 rows, 5 columns: pixel = 10 * c + 5 * y + x... scaled.
  const int c = 2, h = 4, w = 5;
  std::vector<uint8_t> pixels(c * h * w);
  std::vector<float> mean(c * h * w);
  for (int i = 0; i < c * h * w; ++i) {
    pixels[i] = uint8_t(i * 3);
    mean[i] = float(i) / 1000;
  }
  auto px = [&](int ch, int y, int x) {
    int i = (ch * h + y) * w + x;
    return pixels[i] / 255.0f - mean[i];
  };
  float shift[2] = {0.5f, -0.25f};
  std::vector<float> out(c * 2 * 3);
  // Window (1, 2), 2 x 3, mirrored.
  extractCrop(pixels.data(), c, h, w, mean.data(), {1, 2, true}, 2, 3, shift,
              out.data());
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        EXPECT_FLOAT_EQ(out[(ch * 2 + y) * 3 + x],
                        px(ch, 1 + y, 2 + 2 - x) + shift[ch]);
  // Padded: the outside reads as the mean (0), plus the shift.
  extractCrop(pixels.data(), c, h, w, mean.data(), {-1, 3, false}, 2, 3, shift,
              out.data());
  for (int ch = 0; ch < c; ++ch) {
    for (int x = 0; x < 3; ++x)
      EXPECT_FLOAT_EQ(out[(ch * 2) * 3 + x], shift[ch]);
    EXPECT_FLOAT_EQ(out[(ch * 2 + 1) * 3 + 0], px(ch, 0, 3) + shift[ch]);
    EXPECT_FLOAT_EQ(out[(ch * 2 + 1) * 3 + 1], px(ch, 0, 4) + shift[ch]);
    EXPECT_FLOAT_EQ(out[(ch * 2 + 1) * 3 + 2], shift[ch]);
  }
  // No mean and no shift: plain pixel / 255.
  out.resize(c * h * w);
  extractCrop(pixels.data(), c, h, w, nullptr, {0, 0, false}, 4, 5, nullptr,
              out.data());
  EXPECT_FLOAT_EQ(out[7], pixels[7] / 255.0f);
}

TEST(DataAugmentTest, PcaNoiseFollowsThePaper) {
  DataStats stats;
  stats.channels = 3;
  stats.eigenvalues = {0.2, 0.02, 0.004};
  // An orthonormal basis: rows are p_i.
  double s = std::sqrt(1.0 / 3), t = std::sqrt(0.5), u = std::sqrt(1.0 / 6);
  stats.eigenvectors = {s, s, s, t, 0, -t, u, -2 * u, u};
  // Project shifts back on p_i: alpha_i * lambda_i, with alpha ~ N(0, 0.1).
  int n = 20000;
  std::vector<double> sum(3, 0), sumSq(3, 0);
  for (int slot = 0; slot < n; ++slot) {
    float shift[3];
    pcaColourShift(stats, 0.1f, 5, 2, slot, shift);
    for (int i = 0; i < 3; ++i) {
      double proj = 0;
      for (int c = 0; c < 3; ++c)
        proj += shift[c] * stats.eigenvectors[i * 3 + c];
      double alpha = proj / stats.eigenvalues[i];
      sum[i] += alpha;
      sumSq[i] += alpha * alpha;
    }
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(sum[i] / n, 0.0, 0.004);
    EXPECT_NEAR(std::sqrt(sumSq[i] / n), 0.1, 0.004);
  }
  float a[3], b[3];
  pcaColourShift(stats, 0.1f, 5, 2, 17, a);
  pcaColourShift(stats, 0.1f, 5, 2, 17, b);
  EXPECT_EQ(std::vector<float>(a, a + 3), std::vector<float>(b, b + 3));
}

TEST(DataAugmentTest, EpochOrderIsASeededPermutation) {
  std::vector<int64_t> a = epochOrder(1, 0, 1000, true);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(a, epochOrder(1, 0, 1000, true));
  EXPECT_NE(a, epochOrder(1, 1, 1000, true));
  EXPECT_NE(a, epochOrder(2, 0, 1000, true));
  std::vector<int64_t> identity = epochOrder(1, 0, 5, false);
  EXPECT_EQ(identity, (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(epochOrder(1, 0, 0, true).empty());
  // Position 0 is uniform over the examples.
  std::vector<int> first(4, 0);
  for (int epoch = 0; epoch < 4000; ++epoch)
    ++first[epochOrder(9, epoch, 4, true)[0]];
  for (int count : first)
    EXPECT_NEAR(count, 1000, 120);
}

TEST(DataAugmentTest, AugmenterChecksGeometry) {
  MemoryDataSet set(4, 3, 8, 8);
  Augmenter big(cropOf(9, 8), nullptr, 0);
  EXPECT_EQ(big.check(set).message(),
            "mem: expected images of at least the model input 8x9, got 8x8");
  DataStats stats;
  stats.channels = 3;
  stats.height = 8;
  stats.width = 7;
  Augmenter wrong(cropOf(4, 4), &stats, 0);
  EXPECT_EQ(wrong.check(set).message(),
            "mem: statistics are for 3x8x7 images, got 3x8x8");
  Augmenter fine(cropOf(8, 8), nullptr, 0);
  EXPECT_TRUE(fine.check(set).ok());
  // Training without statistics: a crop (the whole image here), maybe
  // mirrored, in [0, 1].
  Example example;
  ASSERT_TRUE(set.read(2, example).ok());
  std::vector<float> out(3 * 64);
  fine.train(set, example, 0, 2, out.data());
  CropWindow w = randomCropWindow(0, 0, 2, 8, 8, fine.options());
  int x = w.flip ? 7 : 0;
  EXPECT_FLOAT_EQ(out[64 + 8 + 0], example.pixels[64 + 8 + x] / 255.0f);
}

} // namespace
