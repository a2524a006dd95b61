//===- TrainLoopPartsTest.cpp - Metrics CSV and progress line -------------===//
//
// The pieces of the training loop that need no compiled model: the metrics
// CSV (atomic rewrite, a resumed run's truncation, refusing a foreign file)
// and the progress line (its cadence in a log, its fields). The loop itself
// is tested end to end with compiled models in test/e2e/train-*.test.
//
//===----------------------------------------------------------------------===//

#include "Train/MetricsLog.h"
#include "Train/TrainProgress.h"

#include "TestUtil.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <sstream>

using namespace alexnet::runtime;
using alexnet::runtime::test::TempDir;

namespace {

std::string readAll(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

MetricsRow row(int64_t epoch) {
  MetricsRow r;
  r.epoch = epoch;
  r.step = 100 * epoch;
  r.learningRate = 0.01;
  r.trainLoss = 1.0 / double(epoch);
  r.valTop1Error = 0.25;
  r.valTop5Error = 0.05;
  r.imagesPerSecond = 432.1;
  r.skipped = 3;
  return r;
}

int countLines(const std::string &text) {
  int n = 0;
  for (char c : text)
    n += c == '\n';
  return n;
}

TEST(MetricsLog, WritesAHeaderAndOneRowPerEpoch) {
  TempDir dir;
  std::string path = dir.path("m.csv");
  MetricsLog log;
  ASSERT_TRUE(log.load(path, 0).ok());
  ASSERT_TRUE(log.append(row(1)).ok());
  ASSERT_TRUE(log.append(row(2)).ok());
  EXPECT_EQ(readAll(path),
            std::string(kMetricsHeader) +
                "\n1,100,0.01,1,0.25,0.05,432.1,3\n"
                "2,200,0.01,0.5,0.25,0.05,432.1,3\n");
}

TEST(MetricsLog, ResumeKeepsRowsUpToTheCheckpointEpoch) {
  // The interrupted run wrote epochs 1-3; its last checkpoint is epoch 2.
  TempDir dir;
  std::string path = dir.path("m.csv");
  MetricsLog first;
  ASSERT_TRUE(first.load(path, 0).ok());
  for (int e = 1; e <= 3; ++e)
    ASSERT_TRUE(first.append(row(e)).ok());
  MetricsLog resumed;
  ASSERT_TRUE(resumed.load(path, 2).ok());
  EXPECT_EQ(resumed.lines().size(), 2u);
  MetricsRow again = row(3);
  again.trainLoss = 0.125;
  ASSERT_TRUE(resumed.append(again).ok());
  std::string text = readAll(path);
  EXPECT_EQ(countLines(text), 4);
  EXPECT_NE(text.find("\n3,300,0.01,0.125,"), std::string::npos) << text;
  EXPECT_EQ(text.find("\n3,300,0.01,0.333"), std::string::npos) << text;
}

TEST(MetricsLog, RefusesToOverwriteAnotherFile) {
  TempDir dir;
  std::string path = dir.path("notes.csv");
  std::ofstream(path) << "name,value\nx,1\n";
  MetricsLog log;
  Status s = log.load(path, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is not a metrics file"), std::string::npos)
      << s.message();
  EXPECT_EQ(readAll(path), "name,value\nx,1\n");
}

TEST(MetricsLog, NaNMetricsAreWrittenAsNaN) {
  TempDir dir;
  MetricsLog log;
  ASSERT_TRUE(log.load(dir.path("m.csv"), 0).ok());
  MetricsRow r = row(1);
  r.valTop1Error = std::numeric_limits<double>::quiet_NaN();
  ASSERT_TRUE(log.append(r).ok());
  EXPECT_NE(log.lines().back().find(",nan,"), std::string::npos)
      << log.lines().back();
}

TEST(TrainProgress, PlainOutputPrintsEveryTenthOfAnEpoch) {
  std::ostringstream out;
  TrainProgress progress(out, /*live=*/false, 2, 5, 468, 128);
  for (int i = 0; i < 468; ++i)
    progress.update(0.5, 0.01);
  progress.finish();
  std::string text = out.str();
  EXPECT_EQ(countLines(text), 10) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_NE(text.find("epoch 2/5 [##"), std::string::npos) << text;
  EXPECT_NE(text.find("100% 468/468"), std::string::npos) << text;
  EXPECT_NE(text.find("loss 0.5000"), std::string::npos) << text;
  EXPECT_NE(text.find("img/s"), std::string::npos) << text;
  EXPECT_NE(text.find("ETA "), std::string::npos) << text;
}

TEST(TrainProgress, AResumedEpochCountsFromWhereItResumed) {
  std::ostringstream out;
  TrainProgress progress(out, false, 1, 1, 100, 8);
  progress.resumeAt(55);
  for (int i = 55; i < 100; ++i)
    progress.update(1.0, 0.1);
  std::string text = out.str();
  // Tenths 6-10 remain: 60, 70, 80, 90 and 100 batches.
  EXPECT_EQ(countLines(text), 5) << text;
  EXPECT_EQ(text.find(" 50% "), std::string::npos) << text;
}

TEST(TrainProgress, LiveOutputRedrawsOneLine) {
  std::ostringstream out;
  TrainProgress progress(out, /*live=*/true, 1, 1, 3, 4);
  for (int i = 0; i < 3; ++i)
    progress.update(2.0, 0.1);
  progress.finish();
  std::string text = out.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_EQ(countLines(text), 1) << text;
  EXPECT_NE(text.find("100% 3/3"), std::string::npos) << text;
}

TEST(TrainProgress, DurationsReadLikeAClock) {
  EXPECT_EQ(formatDuration(12.4), "12s");
  EXPECT_EQ(formatDuration(245), "4m05s");
  EXPECT_EQ(formatDuration(3725), "1h02m");
  EXPECT_EQ(formatDuration(-1), "?");
}

} // namespace
