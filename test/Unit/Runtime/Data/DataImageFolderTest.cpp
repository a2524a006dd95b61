//===- DataImageFolderTest.cpp - The ImageNet folder layout ---------------===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "Data/DataLoader.h"
#include "Data/DataSet.h"
#include "Data/DataStats.h"

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

namespace fs = std::filesystem;

/// A smooth RGB (or gray) pattern.
Image pattern(int width, int height, int channels, int seed) {
  Image image = Image::filled(width, height, channels);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        image.at(x, y, c) = uint8_t((x * 5 + y * 3 + c * 70 + seed * 40) % 256);
  return image;
}

/// root/train/{n000 (empty), n001, n002}, root/val/n002, with two corrupt
/// images in n001 and files that are not images.
struct Folder {
  TempDir tmp;
  std::string root;
  Image exact = pattern(32, 32, 3, 1);

  Folder() {
    root = tmp.path("imagenet");
    for (const char *dir :
         {"train/n000", "train/n001", "train/n002", "train/.cache", "val/n002"})
      fs::create_directories(root + "/" + dir);
    std::string train = root + "/train/";
    writeBytes(train + "n001/a.JPEG", encodeJpeg(pattern(40, 30, 3, 0)));
    writeBytes(train + "n001/b.png", encodePng(exact));
    writeBytes(train + "n001/c.JPEG", toBytes("not a jpeg at all"));
    std::vector<uint8_t> jpeg = encodeJpeg(pattern(64, 64, 3, 2));
    jpeg.resize(jpeg.size() / 2);
    writeBytes(train + "n001/d.jpeg", jpeg);
    writeBytes(train + "n001/notes.txt", toBytes("ignored"));
    writeBytes(train + "n002/e.PNG", encodePng(pattern(20, 50, 1, 3)));
    writeBytes(train + "n002/f.jpg", encodeJpeg(Image::filled(48, 36, 3, 77)));
    writeBytes(train + ".cache/x.png", encodePng(exact));
    writeBytes(root + "/val/n002/g.png", encodePng(pattern(33, 33, 3, 4)));
  }
};

DataOptions small() {
  DataOptions options;
  options.storedHeight = 32;
  options.storedWidth = 32;
  return options;
}

TEST(DataImageFolderTest, ListsClassesAndFiles) {
  Folder f;
  Expected<DataFormat> format = detectDataFormat(f.root);
  ASSERT_TRUE(format.ok()) << format.message();
  EXPECT_EQ(*format, DataFormat::ImageFolder);
  auto set = openImageFolder(f.root, DataSplit::Train, small());
  ASSERT_TRUE(set.ok()) << set.message();
  EXPECT_EQ((*set)->size(), 6);
  EXPECT_EQ((*set)->numClasses(), 3);
  EXPECT_EQ((*set)->classNames(),
            (std::vector<std::string>{"n000", "n001", "n002"}));
  EXPECT_EQ((*set)->channels(), 3);
  EXPECT_EQ((*set)->height(), 32);
  EXPECT_EQ((*set)->width(), 32);
  std::vector<int> labels;
  std::vector<bool> readable;
  Example example;
  for (int64_t i = 0; i < (*set)->size(); ++i) {
    Status s = (*set)->read(i, example);
    readable.push_back(s.ok());
    if (s.ok())
      labels.push_back(example.label);
    else
      EXPECT_NE(s.message().find(f.root + "/train/n001/"), std::string::npos)
          << s.message();
  }
  EXPECT_EQ(readable,
            (std::vector<bool>{true, true, false, false, true, true}));
  EXPECT_EQ(labels, (std::vector<int>{1, 1, 2, 2}));

  // val numbers its classes as train does.
  auto val =
      openDataSet(f.root, DataFormat::ImageFolder, DataSplit::Test, small());
  ASSERT_TRUE(val.ok()) << val.message();
  EXPECT_EQ((*val)->size(), 1);
  EXPECT_EQ((*val)->numClasses(), 3);
  ASSERT_TRUE((*val)->read(0, example).ok());
  EXPECT_EQ(example.label, 2);
}

TEST(DataImageFolderTest, StoresPlanarCentreCrops) {
  Folder f;
  for (int64_t cache : {int64_t(0), int64_t(1) << 30}) {
    DataOptions options = small();
    options.cacheBytes = cache;
    auto set = openImageFolder(f.root, DataSplit::Train, options);
    ASSERT_TRUE(set.ok()) << set.message();
    Example example;
    // b.png is already 32x32: stored unchanged, as planes.
    for (int pass = 0; pass < 2; ++pass) {
      ASSERT_TRUE((*set)->read(1, example).ok());
      ASSERT_EQ(example.pixels.size(), 3u * 32 * 32);
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 32; ++y)
          for (int x = 0; x < 32; ++x)
            ASSERT_EQ(example.pixels[(c * 32 + y) * 32 + x],
                      f.exact.at(x, y, c));
    }
    // a.JPEG is 40x30: the shorter side to 32 (43x32), centre window.
    ASSERT_TRUE((*set)->read(0, example).ok());
    Expected<Image> decoded = loadImage(f.root + "/train/n001/a.JPEG");
    ASSERT_TRUE(decoded.ok());
    Image expected = resizeWindow(*decoded, 43, 32, 5, 0, 32, 32);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 32 * 32; ++p)
        ASSERT_EQ(example.pixels[c * 1024 + p], expected.pixels[p * 3 + c]);
    // e.PNG is gray 20x50: 32x80, then three equal planes.
    ASSERT_TRUE((*set)->read(4, example).ok());
    decoded = loadImage(f.root + "/train/n002/e.PNG");
    ASSERT_TRUE(decoded.ok());
    expected = resizeWindow(*decoded, 32, 80, 0, 24, 32, 32);
    for (int p = 0; p < 32 * 32; ++p)
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(example.pixels[c * 1024 + p], expected.pixels[p]);
  }
}

TEST(DataImageFolderTest, GrayStorageAndModelSizeRule) {
  Folder f;
  DataOptions options;
  options.channels = 1;
  options.storedHeight = options.storedWidth = storedSizeFor(28);
  auto set = openImageFolder(f.root, DataSplit::Train, options);
  ASSERT_TRUE(set.ok()) << set.message();
  Example example;
  // f.jpg is uniform RGB 77: luma 77 everywhere (up to JPEG rounding).
  ASSERT_TRUE((*set)->read(5, example).ok());
  ASSERT_EQ(example.pixels.size(), 32u * 32);
  for (uint8_t v : example.pixels)
    ASSERT_NEAR(v, 77, 1);
}

TEST(DataImageFolderTest, CorruptImagesAreSkippedAndCounted) {
  Folder f;
  auto set = openImageFolder(f.root, DataSplit::Train, small());
  ASSERT_TRUE(set.ok()) << set.message();
  Expected<DataStats> stats = computeDataStats(**set);
  ASSERT_TRUE(stats.ok()) << stats.message();
  EXPECT_EQ(stats->examples, 4);
  EXPECT_EQ(stats->skipped, 2);

  LoaderOptions options;
  options.mode = LoaderMode::Eval;
  options.batchSize = 4;
  options.augment.cropHeight = options.augment.cropWidth = 28;
  auto loader = DataLoader::create(**set, &*stats, options);
  ASSERT_TRUE(loader.ok()) << loader.message();
  (*loader)->start({0, 0});
  Batch batch;
  int real = 0, skipped = 0;
  for (;;) {
    Expected<bool> more = (*loader)->next(batch);
    ASSERT_TRUE(more.ok()) << more.message();
    if (!*more)
      break;
    real += batch.realCount;
    skipped += batch.skipped;
    EXPECT_EQ(int(batch.errors.size()), batch.skipped);
  }
  EXPECT_EQ(real, 4);
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ((*loader)->skippedTotal(), 2);

  options.mode = LoaderMode::Train;
  loader = DataLoader::create(**set, &*stats, options);
  ASSERT_TRUE(loader.ok());
  (*loader)->start({0, 0});
  Expected<bool> more = (*loader)->next(batch);
  ASSERT_TRUE(more.ok() && *more) << more.message();
  EXPECT_EQ(batch.realCount, 4);
  EXPECT_FALSE(*(*loader)->next(batch)); // 6 / 4: one full batch
}

TEST(DataImageFolderTest, ConcurrentReadsShareTheCache) {
  Folder f;
  auto cached = openImageFolder(f.root, DataSplit::Train, small());
  DataOptions uncachedOptions = small();
  uncachedOptions.cacheBytes = 0;
  auto uncached = openImageFolder(f.root, DataSplit::Train, uncachedOptions);
  ASSERT_TRUE(cached.ok() && uncached.ok());
  std::vector<Example> expected(6);
  for (int64_t i = 0; i < 6; ++i)
    (void)(*uncached)->read(i, expected[i]);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      Example example;
      for (int round = 0; round < 20; ++round)
        for (int64_t i = 0; i < 6; ++i) {
          int64_t index = (i + t + round) % 6;
          if ((*cached)->read(index, example).ok() &&
              (example.pixels != expected[index].pixels ||
               example.label != expected[index].label))
            ++mismatches;
        }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(DataImageFolderTest, BadLayoutsAreClearErrors) {
  TempDir tmp;
  auto set = openImageFolder(tmp.path("none"), DataSplit::Train);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("none") + ": no such data directory");
  set = openImageFolder(tmp.dir(), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(),
            tmp.path("val") + ": no such directory, expected <class>/ folders");
  fs::create_directories(tmp.path("train/n1"));
  writeBytes(tmp.path("train/n1/readme.txt"), toBytes("x"));
  set = openImageFolder(tmp.dir(), DataSplit::Train);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("train") +
                               ": empty data set, no .jpeg/.jpg/.png images "
                               "in <class>/ folders");
  fs::create_directories(tmp.path("val/n9"));
  set = openImageFolder(tmp.dir(), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(),
            tmp.path("val/n9") + ": class folder not in " + tmp.path("train"));
  DataOptions options;
  options.channels = 2;
  set = openImageFolder(tmp.dir(), DataSplit::Train, options);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.dir() + ": expected 1 or 3 channels, got 2");
}

} // namespace
