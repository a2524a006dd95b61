//===- DataStatsTest.cpp - Mean image, colour PCA and their cache ---------===//

#include "DataTestUtil.h"
#include "TestUtil.h"

#include "Data/DataStats.h"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

TEST(DataStatsTest, MeanAndCovarianceMatchADirectComputation) {
  MemoryDataSet set(37, 3, 5, 4);
  set.corrupt = {3, 20};
  Expected<DataStats> stats = computeDataStats(set);
  ASSERT_TRUE(stats.ok()) << stats.message();
  EXPECT_EQ(stats->examples, 35);
  EXPECT_EQ(stats->skipped, 2);
  ASSERT_EQ(stats->mean.size(), 60u);

  std::vector<double> mean(60, 0.0), channel(3, 0.0), product(9, 0.0);
  double pixels = 0;
  for (int64_t i = 0; i < 37; ++i) {
    if (set.corrupt.count(i))
      continue;
    for (size_t j = 0; j < 60; ++j)
      mean[j] += MemoryDataSet::pixel(i, j) / 255.0;
    for (size_t p = 0; p < 20; ++p, ++pixels)
      for (int c = 0; c < 3; ++c) {
        double v = MemoryDataSet::pixel(i, c * 20 + p) / 255.0;
        channel[c] += v;
        for (int d = 0; d < 3; ++d)
          product[c * 3 + d] += v * MemoryDataSet::pixel(i, d * 20 + p) / 255.0;
      }
  }
  for (size_t j = 0; j < 60; ++j)
    EXPECT_NEAR(stats->mean[j], mean[j] / 35, 1e-6);
  for (int c = 0; c < 3; ++c)
    for (int d = 0; d < 3; ++d)
      EXPECT_NEAR(stats->covariance[c * 3 + d],
                  product[c * 3 + d] / pixels -
                      channel[c] / pixels * channel[d] / pixels,
                  1e-12);
}

TEST(DataStatsTest, ThreadCountDoesNotChangeTheResult) {
  MemoryDataSet set(101, 3, 6, 6);
  set.corrupt = {0, 50};
  StatsOptions one, three;
  three.threads = 3;
  Expected<DataStats> a = computeDataStats(set, one);
  Expected<DataStats> b = computeDataStats(set, three);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->mean, b->mean);
  EXPECT_EQ(a->covariance, b->covariance);
  EXPECT_EQ(a->eigenvectors, b->eigenvectors);
  EXPECT_EQ(b->skipped, 2);
}

TEST(DataStatsTest, SamplesEvenlyAndFailsWhenNothingIsReadable) {
  MemoryDataSet set(100, 1, 2, 2);
  StatsOptions options;
  options.maxExamples = 10;
  set.reads = 0;
  Expected<DataStats> stats = computeDataStats(set, options);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->examples, 10);
  EXPECT_EQ(set.reads.load(), 10);
  // One channel: the "PCA" is its variance.
  EXPECT_NEAR(stats->eigenvalues[0], stats->covariance[0], 1e-15);
  EXPECT_EQ(stats->eigenvectors[0], 1.0);

  MemoryDataSet broken(3, 1, 2, 2);
  broken.corrupt = {0, 1, 2};
  stats = computeDataStats(broken);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.message(), "mem: no readable example, e.g. mem/0: corrupt");
}

/// Checks that `vectors` are orthonormal and reconstruct `matrix`.
void checkDecomposition(int n, const std::vector<double> &matrix) {
  std::vector<double> values(n), vectors(size_t(n) * n);
  jacobiEigen(n, matrix.data(), values.data(), vectors.data());
  for (int i = 0; i + 1 < n; ++i)
    EXPECT_GE(values[i], values[i + 1]);
  double scale = 0;
  for (double v : matrix)
    scale = std::max(scale, std::abs(v));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double dot = 0;
      for (int k = 0; k < n; ++k)
        dot += vectors[i * n + k] * vectors[j * n + k];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
    }
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      double sum = 0;
      for (int i = 0; i < n; ++i)
        sum += values[i] * vectors[i * n + r] * vectors[i * n + c];
      EXPECT_NEAR(sum, matrix[r * n + c], 1e-12 * std::max(1.0, scale));
    }
}

TEST(DataStatsTest, JacobiDecomposesSymmetricMatrices) {
  // ImageNet's RGB covariance shape: strongly correlated channels.
  checkDecomposition(3, {0.0668, 0.0618, 0.0570, 0.0618, 0.0653, 0.0639, 0.0570,
                         0.0639, 0.0723});
  checkDecomposition(3, {2, 0, 0, 0, 5, 0, 0, 0, 1}); // already diagonal
  checkDecomposition(3, {1, 1, 1, 1, 1, 1, 1, 1, 1}); // rank one
  checkDecomposition(2, {0, 1e-200, 1e-200, 0});
  uint64_t state = 12345;
  for (int n : {4, 7}) {
    std::vector<double> m(size_t(n) * n);
    for (int r = 0; r < n; ++r)
      for (int c = 0; c <= r; ++c) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        m[r * n + c] = m[c * n + r] =
            double(state >> 11) / double(1ull << 53) - 0.5;
      }
    checkDecomposition(n, m);
  }
  // Known answer: [[2, 1], [1, 2]] has 3 along (1, 1) and 1 along (1, -1).
  double values[2], vectors[4];
  double m[4] = {2, 1, 1, 2};
  jacobiEigen(2, m, values, vectors);
  EXPECT_NEAR(values[0], 3, 1e-15);
  EXPECT_NEAR(values[1], 1, 1e-15);
  EXPECT_NEAR(vectors[0], std::sqrt(0.5), 1e-15);
  EXPECT_NEAR(vectors[1], std::sqrt(0.5), 1e-15);
}

TEST(DataStatsTest, StatisticsOfRealColoursAreAPca) {
  MemoryDataSet set(40, 3, 8, 8);
  Expected<DataStats> stats = computeDataStats(set);
  ASSERT_TRUE(stats.ok());
  checkDecomposition(3, stats->covariance);
  for (double v : stats->eigenvalues)
    EXPECT_GT(v, 0);
}

TEST(DataStatsTest, CentreMeanIsTheCentralWindow) {
  DataStats stats;
  stats.channels = 2;
  stats.height = 5;
  stats.width = 6;
  for (int i = 0; i < 60; ++i)
    stats.mean.push_back(float(i));
  std::vector<float> window = centreMean(stats, 3, 2);
  // top (5 - 3) / 2 = 1, left (6 - 2) / 2 = 2.
  EXPECT_EQ(window,
            (std::vector<float>{8, 9, 14, 15, 20, 21, 38, 39, 44, 45, 50, 51}));
  EXPECT_TRUE(centreMean(stats, 6, 2).empty());
}

TEST(DataStatsTest, CacheRoundTripsAndIsRecomputedWhenWrong) {
  TempDir tmp;
  MemoryDataSet set(30, 3, 4, 4);
  std::string path = statsCachePath(set, tmp.dir());
  EXPECT_EQ(path.rfind(tmp.dir() + "/alexnet-stats-", 0), 0u) << path;
  Expected<CachedStats> first = loadOrComputeDataStats(set, path);
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_FALSE(first->fromCache);
  EXPECT_EQ(first->note, "");
  set.reads = 0;
  Expected<CachedStats> second = loadOrComputeDataStats(set, path);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->fromCache);
  EXPECT_EQ(set.reads.load(), 0);
  EXPECT_EQ(second->stats.mean, first->stats.mean);
  EXPECT_EQ(second->stats.covariance, first->stats.covariance);
  EXPECT_EQ(second->stats.eigenvalues, first->stats.eigenvalues);
  EXPECT_EQ(second->stats.eigenvectors, first->stats.eigenvectors);
  EXPECT_EQ(second->stats.examples, 30);

  // A flipped bit anywhere is caught by the CRC; the file is rewritten.
  std::vector<uint8_t> bytes = readBytes(path);
  bytes[bytes.size() / 2] ^= 0x04;
  writeBytes(path, bytes);
  Expected<CachedStats> third = loadOrComputeDataStats(set, path);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->fromCache);
  EXPECT_EQ(third->note, path + ": checksum mismatch, recomputed");
  EXPECT_EQ(third->stats.mean, first->stats.mean);
  EXPECT_TRUE(loadOrComputeDataStats(set, path)->fromCache);

  // Another data set (same geometry) at the same path is not reused.
  MemoryDataSet other(31, 3, 4, 4);
  Expected<CachedStats> fourth = loadOrComputeDataStats(other, path);
  ASSERT_TRUE(fourth.ok());
  EXPECT_FALSE(fourth->fromCache);
  EXPECT_EQ(fourth->note,
            path + ": statistics of another data set, recomputed");

  writeBytes(path, toBytes("short"));
  EXPECT_EQ(loadOrComputeDataStats(set, path)->note,
            path + ": not a statistics file, recomputed");
  bytes = readBytes(path);
  bytes.resize(bytes.size() - 9);
  writeBytes(path, bytes);
  EXPECT_FALSE(loadOrComputeDataStats(set, path)->fromCache);
}

TEST(DataStatsTest, AnUnwritableCacheIsOnlyANote) {
  TempDir tmp;
  MemoryDataSet set(5, 1, 2, 2);
  std::string path = tmp.path("missing-dir/stats.bin");
  Expected<CachedStats> stats = loadOrComputeDataStats(set, path);
  ASSERT_TRUE(stats.ok()) << stats.message();
  EXPECT_FALSE(stats->fromCache);
  EXPECT_EQ(stats->note.rfind("statistics not cached: ", 0), 0u) << stats->note;
  EXPECT_EQ(stats->stats.examples, 5);
}

} // namespace
