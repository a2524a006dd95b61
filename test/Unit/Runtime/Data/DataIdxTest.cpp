//===- DataIdxTest.cpp - IDX files and data set detection -----------------===//

#include "TestUtil.h"

#include "Data/DataSet.h"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <zlib.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

void putBigEndian(std::vector<uint8_t> &out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(uint8_t(value >> shift));
}

/// IDX images: `count` rows x cols images, pixel = index + y * cols + x.
std::vector<uint8_t> idxImages(uint32_t count, uint32_t rows, uint32_t cols,
                               uint32_t magic = 0x803) {
  std::vector<uint8_t> out;
  putBigEndian(out, magic);
  putBigEndian(out, count);
  putBigEndian(out, rows);
  putBigEndian(out, cols);
  for (uint32_t i = 0; i < count; ++i)
    for (uint32_t p = 0; p < rows * cols; ++p)
      out.push_back(uint8_t(i * 3 + p));
  return out;
}

std::vector<uint8_t> idxLabels(uint32_t count, uint32_t magic = 0x801) {
  std::vector<uint8_t> out;
  putBigEndian(out, magic);
  putBigEndian(out, count);
  for (uint32_t i = 0; i < count; ++i)
    out.push_back(uint8_t(i % 10));
  return out;
}

/// Writes `bytes` gzip-compressed with zlib's gzwrite.
void writeGzip(const std::string &path, const std::vector<uint8_t> &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), unsigned(bytes.size())),
            int(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

/// A directory with a train and a t10k split.
struct IdxDir {
  TempDir tmp;
  IdxDir(bool gzip, uint32_t trainCount = 12, uint32_t testCount = 5) {
    auto write = [&](const std::string &name, const std::vector<uint8_t> &b) {
      if (gzip)
        writeGzip(tmp.path(name + ".gz"), b);
      else
        writeBytes(tmp.path(name), b);
    };
    write("train-images-idx3-ubyte", idxImages(trainCount, 4, 3));
    write("train-labels-idx1-ubyte", idxLabels(trainCount));
    write("t10k-images-idx3-ubyte", idxImages(testCount, 4, 3));
    write("t10k-labels-idx1-ubyte", idxLabels(testCount));
  }
};

TEST(DataIdxTest, ReadsGzipAndPlainFiles) {
  for (bool gzip : {true, false}) {
    IdxDir dir(gzip);
    Expected<std::unique_ptr<DataSet>> train =
        openIdx(dir.tmp.dir(), DataSplit::Train);
    ASSERT_TRUE(train.ok()) << train.message();
    const DataSet &set = **train;
    EXPECT_EQ(set.size(), 12);
    EXPECT_EQ(set.channels(), 1);
    EXPECT_EQ(set.height(), 4);
    EXPECT_EQ(set.width(), 3);
    EXPECT_EQ(set.numClasses(), 10);
    EXPECT_EQ(set.path(), dir.tmp.dir());
    Example example;
    ASSERT_TRUE(set.read(7, example).ok());
    EXPECT_EQ(example.label, 7);
    ASSERT_EQ(example.pixels.size(), 12u);
    for (int p = 0; p < 12; ++p)
      EXPECT_EQ(example.pixels[p], uint8_t(7 * 3 + p));
    EXPECT_FALSE(set.read(12, example).ok());
    EXPECT_FALSE(set.read(-1, example).ok());
    Expected<std::unique_ptr<DataSet>> test =
        openIdx(dir.tmp.dir(), DataSplit::Test);
    ASSERT_TRUE(test.ok()) << test.message();
    EXPECT_EQ((*test)->size(), 5);
    // Only "fashion" or "mnist" in the path names the classes.
    EXPECT_TRUE(set.classNames().empty());
  }
}

TEST(DataIdxTest, FashionPathNamesClasses) {
  TempDir tmp;
  std::string dir = tmp.path("fashion-mnist");
  std::filesystem::create_directory(dir);
  writeGzip(dir + "/train-images-idx3-ubyte.gz", idxImages(3, 2, 2));
  writeGzip(dir + "/train-labels-idx1-ubyte.gz", idxLabels(3));
  Expected<std::unique_ptr<DataSet>> set = openIdx(dir, DataSplit::Train);
  ASSERT_TRUE(set.ok()) << set.message();
  // Three labels (0-2), yet ten classes: Fashion-MNIST always has ten.
  EXPECT_EQ((*set)->numClasses(), 10);
  ASSERT_EQ((*set)->classNames().size(), 10u);
  EXPECT_EQ((*set)->classNames()[0], "T-shirt/top");
  EXPECT_EQ((*set)->classNames()[9], "Ankle boot");
}

/// The error opening images/labels written as given.
std::string openError(const std::vector<uint8_t> &images,
                      const std::vector<uint8_t> &labels, bool gzip) {
  TempDir tmp;
  std::string imagesPath = tmp.path(gzip ? "i.gz" : "i");
  std::string labelsPath = tmp.path(gzip ? "l.gz" : "l");
  if (gzip) {
    writeGzip(imagesPath, images);
    writeGzip(labelsPath, labels);
  } else {
    writeBytes(imagesPath, images);
    writeBytes(labelsPath, labels);
  }
  Expected<std::unique_ptr<DataSet>> set = openIdxFiles(imagesPath, labelsPath);
  return set.ok() ? "" : set.message();
}

TEST(DataIdxTest, RejectsBadFiles) {
  for (bool gzip : {true, false}) {
    std::vector<uint8_t> images = idxImages(6, 4, 4);
    std::vector<uint8_t> labels = idxLabels(6);
    EXPECT_EQ(openError(images, labels, gzip), "");

    std::vector<uint8_t> cut(images.begin(), images.end() - 5);
    EXPECT_NE(openError(cut, labels, gzip)
                  .find("truncated data, expected 96 bytes, got 91"),
              std::string::npos)
        << openError(cut, labels, gzip);
    std::vector<uint8_t> header(images.begin(), images.begin() + 6);
    EXPECT_NE(openError(header, labels, gzip).find("truncated header"),
              std::string::npos);
    EXPECT_NE(openError({}, labels, gzip).find("truncated header"),
              std::string::npos);

    EXPECT_NE(openError(idxImages(6, 4, 4, 0x801), labels, gzip)
                  .find("expected IDX magic 0x00000803, got 0x00000801"),
              std::string::npos);
    EXPECT_NE(openError(images, idxLabels(6, 0x803), gzip)
                  .find("expected IDX magic 0x00000801, got 0x00000803"),
              std::string::npos);
    EXPECT_NE(openError(images, idxLabels(5), gzip)
                  .find("expected 6 labels (as many as images), got 5"),
              std::string::npos);
    EXPECT_NE(openError(idxImages(0, 4, 4), idxLabels(0), gzip)
                  .find("empty data set"),
              std::string::npos);
    EXPECT_NE(
        openError(idxImages(6, 0, 4), labels, gzip).find("bad IDX dimension 0"),
        std::string::npos);
    std::vector<uint8_t> longer = images;
    longer.push_back(0);
    EXPECT_NE(openError(longer, labels, gzip).find("unexpected bytes after"),
              std::string::npos);
  }
  // A header promising 2^31 images must fail at the end of the data, not
  // at an allocation of 32 GiB.
  // It is named as a bad count, not as the dimension after it.
  std::vector<uint8_t> huge = idxImages(6, 4, 4);
  huge[4] = 0x7f;
  EXPECT_NE(openError(huge, idxLabels(6), true)
                .find(": bad IDX item count 2130706438: 2130706438 items of "
                      "16 bytes exceed the 16 GiB limit"),
            std::string::npos);
  std::vector<uint8_t> all = idxImages(6, 28, 28);
  all[4] = all[5] = all[6] = all[7] = 0xff;
  EXPECT_NE(openError(all, idxLabels(6), true)
                .find(": bad IDX item count 4294967295: 4294967295 items of "
                      "784 bytes exceed the 16 GiB limit"),
            std::string::npos);
  std::vector<uint8_t> wide = idxImages(6, 4, 4);
  wide[13] = 0x01; // width 65536 + 4
  EXPECT_NE(openError(wide, idxLabels(6), true)
                .find("bad IDX dimension 65540, expected at most 65535"),
            std::string::npos);
  huge[4] = 0x01; // 16M images of 16 bytes: allowed size, truncated data
  EXPECT_NE(openError(huge, idxLabels(6), true).find("truncated data"),
            std::string::npos);
}

TEST(DataIdxTest, CorruptGzipIsAnError) {
  TempDir tmp;
  writeGzip(tmp.path("i.gz"), idxImages(50, 8, 8));
  writeGzip(tmp.path("l.gz"), idxLabels(50));
  std::vector<uint8_t> bytes = readBytes(tmp.path("i.gz"));
  // Flip a bit in the trailer's CRC: zlib's check must catch it.
  bytes[bytes.size() - 6] ^= 0x10;
  writeBytes(tmp.path("i.gz"), bytes);
  Expected<std::unique_ptr<DataSet>> set =
      openIdxFiles(tmp.path("i.gz"), tmp.path("l.gz"));
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.message().find(tmp.path("i.gz") + ": "), std::string::npos)
      << set.message();
}

TEST(DataIdxTest, MissingFilesNameThePath) {
  TempDir tmp;
  Expected<std::unique_ptr<DataSet>> set = openIdx(tmp.dir(), DataSplit::Train);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.dir() + ": expected train-images-idx3-ubyte"
                                       "[.gz] for the train split");
  set = openIdx(tmp.path("nope"), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("nope") + ": no such data directory");
  set = openIdxFiles(tmp.path("a"), tmp.path("b"));
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.message().find(tmp.path("a") + ": cannot open"),
            std::string::npos);
}

TEST(DataIdxTest, DetectsFormats) {
  IdxDir idx(true);
  Expected<DataFormat> format = detectDataFormat(idx.tmp.dir());
  ASSERT_TRUE(format.ok()) << format.message();
  EXPECT_EQ(*format, DataFormat::Idx);
  Expected<std::unique_ptr<DataSet>> set =
      openDataSet(idx.tmp.dir(), DataFormat::Auto, DataSplit::Test);
  ASSERT_TRUE(set.ok()) << set.message();
  EXPECT_EQ((*set)->size(), 5);

  TempDir empty;
  format = detectDataFormat(empty.dir());
  ASSERT_FALSE(format.ok());
  EXPECT_NE(
      format.message().find(empty.dir() + ": unrecognised data set layout"),
      std::string::npos);
  format = detectDataFormat(empty.path("missing"));
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.message(),
            empty.path("missing") + ": no such data directory");

  EXPECT_EQ(*parseDataFormat("imagenet"), DataFormat::ImageFolder);
  EXPECT_EQ(*parseDataFormat("cifar"), DataFormat::Cifar);
  EXPECT_EQ(
      parseDataFormat("jpeg").message(),
      "unknown data format 'jpeg', expected idx, cifar, imagenet or auto");
  EXPECT_EQ(storedSizeFor(224), 256);
  EXPECT_EQ(storedSizeFor(28), 32);
}

TEST(DataIdxTest, FingerprintNoticesChangedFiles) {
  IdxDir dir(false);
  auto before = openIdx(dir.tmp.dir(), DataSplit::Train);
  ASSERT_TRUE(before.ok());
  writeBytes(dir.tmp.path("train-images-idx3-ubyte"), idxImages(12, 2, 6));
  auto after = openIdx(dir.tmp.dir(), DataSplit::Train);
  ASSERT_TRUE(after.ok());
  EXPECT_NE((*before)->fingerprint(), (*after)->fingerprint());
}

const char *kFashion = "/usr/share/datasets/fashion-mnist";

TEST(DataIdxTest, FashionMnistFromDebian) {
  if (!std::filesystem::exists(std::string(kFashion) +
                               "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << kFashion << " not installed (dataset-fashion-mnist)";
  auto started = std::chrono::steady_clock::now();
  for (DataSplit split : {DataSplit::Train, DataSplit::Test}) {
    Expected<std::unique_ptr<DataSet>> set = openIdx(kFashion, split);
    ASSERT_TRUE(set.ok()) << set.message();
    int64_t expected = split == DataSplit::Train ? 60000 : 10000;
    EXPECT_EQ((*set)->size(), expected);
    EXPECT_EQ((*set)->height(), 28);
    EXPECT_EQ((*set)->width(), 28);
    EXPECT_EQ((*set)->numClasses(), 10);
    EXPECT_EQ((*set)->classNames().at(7), "Sneaker");
    std::vector<int64_t> perClass(10, 0);
    Example example;
    for (int64_t i = 0; i < (*set)->size(); ++i) {
      ASSERT_TRUE((*set)->read(i, example).ok());
      ++perClass.at(example.label);
    }
    for (int64_t count : perClass)
      EXPECT_EQ(count, expected / 10);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf(
      "[   INFO   ] Fashion-MNIST train+test opened and read in %.2f s\n",
      seconds);
}

} // namespace
