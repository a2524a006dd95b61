//===- DataLoaderTest.cpp - Batches on background threads -----------------===//

#include "DataTestUtil.h"

#include "Data/DataLoader.h"

#include <chrono>
#include <gtest/gtest.h>
#include <thread>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

LoaderOptions trainOptions(int batch, int threads, int crop) {
  LoaderOptions options;
  options.batchSize = batch;
  options.threads = threads;
  options.seed = 42;
  options.augment.cropHeight = options.augment.cropWidth = crop;
  return options;
}

std::unique_ptr<DataLoader> make(const DataSet &set, const DataStats *stats,
                                 const LoaderOptions &options) {
  auto loader = DataLoader::create(set, stats, options);
  EXPECT_TRUE(loader.ok()) << loader.message();
  return loader.ok() ? loader.take() : nullptr;
}

/// Every batch from `from` to the end of its epoch.
std::vector<Batch> drain(DataLoader &loader, LoaderPosition from) {
  loader.start(from);
  std::vector<Batch> batches;
  for (;;) {
    Batch batch;
    Expected<bool> more = loader.next(batch);
    EXPECT_TRUE(more.ok()) << more.message();
    if (!more.ok() || !*more)
      return batches;
    batches.push_back(std::move(batch));
  }
}

void expectSame(const Batch &a, const Batch &b) {
  EXPECT_EQ(a.images, b.images);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.begin, b.begin);
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.realCount, b.realCount);
  EXPECT_EQ(a.skipped, b.skipped);
}

/// Statistics for the memory set, so mean and colour noise are exercised.
DataStats statsOf(const DataSet &set) {
  Expected<DataStats> stats = computeDataStats(set);
  EXPECT_TRUE(stats.ok());
  return stats.take();
}

TEST(DataLoaderTest, SameBatchesOnAnyThreadCount) {
  MemoryDataSet set(103, 3, 10, 10);
  set.corrupt = {5, 6, 77};
  DataStats stats = statsOf(set);
  auto one = make(set, &stats, trainOptions(8, 1, 8));
  auto three = make(set, &stats, trainOptions(8, 3, 8));
  for (int64_t epoch : {0, 1}) {
    std::vector<Batch> a = drain(*one, {epoch, 0});
    std::vector<Batch> b = drain(*three, {epoch, 0});
    ASSERT_EQ(a.size(), 12u); // 103 / 8, the partial batch dropped
    ASSERT_EQ(a.size(), b.size());
    int skipped = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      expectSame(a[i], b[i]);
      EXPECT_EQ(a[i].realCount, 8);
      EXPECT_EQ(a[i].images.size(), 8u * 3 * 8 * 8);
      skipped += a[i].skipped;
    }
    // Only corrupt examples within the first 96 positions are skipped.
    std::vector<int64_t> order = epochOrder(42, epoch, 103, true);
    int expected = 0;
    for (int p = 0; p < 96; ++p)
      expected += set.corrupt.count(order[p]) != 0;
    EXPECT_EQ(skipped, expected);
  }
  EXPECT_EQ(one->skippedTotal(), three->skippedTotal());
  // Epochs differ.
  EXPECT_NE(drain(*one, {0, 0})[0].images, drain(*one, {1, 0})[0].images);
}

TEST(DataLoaderTest, BatchesHoldTheAugmentedExamplesInOrder) {
  MemoryDataSet set(20, 3, 9, 9);
  set.corrupt = {4};
  DataStats stats = statsOf(set);
  LoaderOptions options = trainOptions(5, 2, 7);
  auto loader = make(set, &stats, options);
  std::vector<Batch> batches = drain(*loader, {3, 0});
  ASSERT_EQ(batches.size(), 4u);
  std::vector<int64_t> order = epochOrder(42, 3, 20, true);
  Augmenter augmenter(options.augment, &stats, 42);
  std::vector<float> expected(3 * 7 * 7);
  Example example;
  for (const Batch &batch : batches)
    for (int row = 0; row < 5; ++row) {
      int64_t slot = batch.begin + row;
      // A corrupt slot takes the next readable example in the order.
      int64_t k = slot;
      while (set.corrupt.count(order[k % 20]))
        ++k;
      ASSERT_TRUE(set.read(order[k % 20], example).ok());
      augmenter.train(set, example, 3, slot, expected.data());
      EXPECT_EQ(batch.labels[row], example.label);
      EXPECT_EQ(std::vector<float>(batch.images.begin() + row * 147,
                                   batch.images.begin() + (row + 1) * 147),
                expected);
    }
}

TEST(DataLoaderTest, ResumesExactlyFromAMidEpochPosition) {
  MemoryDataSet set(64, 1, 6, 6);
  set.corrupt = {10};
  LoaderOptions options = trainOptions(4, 2, 5);
  options.augment.cropPad = 1;
  auto reference = make(set, nullptr, options);
  std::vector<Batch> whole = drain(*reference, {2, 0});
  ASSERT_EQ(whole.size(), 16u);

  // Interrupt after 6 batches (with more prefetched), then resume in a new
  // loader from the saved position.
  auto first = make(set, nullptr, options);
  first->start({2, 0});
  Batch batch;
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(*first->next(batch));
    expectSame(batch, whole[i]);
  }
  LoaderPosition saved = first->position();
  EXPECT_EQ(saved, (LoaderPosition{2, 24}));
  first.reset();
  auto second = make(set, nullptr, options);
  std::vector<Batch> rest = drain(*second, saved);
  ASSERT_EQ(rest.size(), 10u);
  for (size_t i = 0; i < rest.size(); ++i)
    expectSame(rest[i], whole[6 + i]);
  EXPECT_EQ(second->position(), (LoaderPosition{2, 64}));

  // Restarting a running loader drops its prefetched work.
  second->start({2, 8});
  ASSERT_TRUE(*second->next(batch));
  expectSame(batch, whole[2]);
}

TEST(DataLoaderTest, EvaluationPadsAndPacks) {
  MemoryDataSet set(11, 1, 4, 4);
  set.corrupt = {1};
  LoaderOptions options = trainOptions(4, 2, 4);
  options.mode = LoaderMode::Eval;
  auto loader = make(set, nullptr, options);
  EXPECT_EQ(loader->batchesPerEpoch(), 3);
  std::vector<Batch> batches = drain(*loader, {0, 0});
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].realCount, 3); // 0, 2, 3 packed; 1 unreadable
  EXPECT_EQ(batches[0].skipped, 1);
  EXPECT_EQ(batches[0].labels, (HostVector<int32_t>{0, 2, 3, 0}));
  EXPECT_EQ(batches[1].realCount, 4);
  EXPECT_EQ(batches[2].realCount, 3); // 8, 9, 10 and one pad
  EXPECT_EQ(batches[2].labels, (HostVector<int32_t>{8, 9, 0, 8}));
  // The pad repeats the first example; inputs are pixel / 255 in order.
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(batches[2].images[3 * 16 + i], batches[2].images[i]);
    EXPECT_FLOAT_EQ(batches[2].images[i], MemoryDataSet::pixel(8, i) / 255.0f);
  }
}

TEST(DataLoaderTest, TenCropBatchesAreCropMajor) {
  MemoryDataSet set(3, 2, 6, 7);
  DataStats stats = statsOf(set);
  LoaderOptions options = trainOptions(2, 1, 4);
  options.mode = LoaderMode::TenCrop;
  auto loader = make(set, &stats, options);
  std::vector<Batch> batches = drain(*loader, {0, 0});
  ASSERT_EQ(batches.size(), 2u);
  const int sample = 2 * 4 * 4;
  ASSERT_EQ(batches[0].images.size(), size_t(10 * 2 * sample));
  auto windows = tenCropWindows(6, 7, 4, 4);
  Augmenter augmenter(options.augment, &stats, 42);
  std::vector<float> expected(sample);
  Example example;
  for (int row = 0; row < 2; ++row) {
    ASSERT_TRUE(set.read(row, example).ok());
    for (int k = 0; k < 10; ++k) {
      augmenter.crop(set, example, windows[k], expected.data());
      auto begin = batches[0].images.begin() + (k * 2 + row) * sample;
      EXPECT_EQ(std::vector<float>(begin, begin + sample), expected) << k;
    }
  }
  EXPECT_EQ(batches[1].realCount, 1);
}

TEST(DataLoaderTest, PrefetchRunsAheadOfTheConsumer) {
  MemoryDataSet set(200, 1, 4, 4);
  set.delay = std::chrono::milliseconds(2);
  LoaderOptions options = trainOptions(4, 1, 4);
  options.prefetch = 3;
  auto loader = make(set, nullptr, options);
  loader->start({0, 0});
  // One batch takes about 8 ms to read; give the worker ample time.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (loader->readyBatches() < 3 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(loader->readyBatches(), 3);
  // Bounded: it stops at the prefetch depth instead of reading on.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(loader->readyBatches(), 3);
  EXPECT_EQ(set.reads.load(), 12);
  // Taking a ready batch does not wait for a read: counted by the loader,
  // not timed, so a busy machine cannot fail the test.
  Batch batch;
  ASSERT_TRUE(*loader->next(batch));
  EXPECT_EQ(loader->stalledTakes(), 0);
  // Between takes the readers refill to the prefetch depth (a slower
  // consumer never waits); the deadline only bounds a broken loader.
  for (int i = 0; i < 10; ++i) {
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (loader->readyBatches() < 3 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(loader->readyBatches(), 3) << "take " << i;
    ASSERT_TRUE(*loader->next(batch));
  }
  EXPECT_EQ(loader->stalledTakes(), 0);
  // Refilled once more, and again no further than the depth.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (loader->readyBatches() < 3 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(loader->readyBatches(), 3);
  EXPECT_EQ(set.reads.load(), 4 * (11 + 3));
}

TEST(DataLoaderTest, TakingBeforeTheReadersCountsAStall) {
  MemoryDataSet set(40, 1, 4, 4);
  set.held = true; // no batch can be ready before next() looks
  auto loader = make(set, nullptr, trainOptions(4, 1, 4));
  loader->start({0, 0});
  // Released once next() has counted its stall and waits (or, for a loader
  // that never counts, after 10 s, failing the check below).
  std::thread release([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (loader->stalledTakes() == 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    set.held = false;
  });
  Batch batch;
  ASSERT_TRUE(*loader->next(batch));
  release.join();
  EXPECT_EQ(loader->stalledTakes(), 1);
}

TEST(DataLoaderTest, ErrorsAreClear) {
  MemoryDataSet set(10, 1, 4, 4);
  EXPECT_EQ(DataLoader::create(set, nullptr, trainOptions(0, 1, 4)).message(),
            "expected a batch size of at least 1, got 0");
  EXPECT_EQ(DataLoader::create(set, nullptr, trainOptions(2, 1, 5)).message(),
            "mem: expected images of at least the model input 5x5, got 4x4");
  LoaderOptions options = trainOptions(2, 1, 4);
  options.channels = 3;
  EXPECT_EQ(DataLoader::create(set, nullptr, options).message(),
            "mem: expected images with 3 channels (the model input), got 1");
  MemoryDataSet empty(0, 1, 4, 4);
  EXPECT_EQ(DataLoader::create(empty, nullptr, trainOptions(2, 1, 4)).message(),
            "mem: empty data set");

  auto loader = make(set, nullptr, trainOptions(2, 2, 4));
  Batch batch;
  EXPECT_EQ(loader->next(batch).message(),
            "data loader: next() before start()");
  for (int64_t i = 0; i < 10; ++i)
    set.corrupt.insert(i);
  loader->start({0, 0});
  Expected<bool> more = loader->next(batch);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.message().find("mem: no readable example, e.g. mem/"),
            std::string::npos);
}

} // namespace
