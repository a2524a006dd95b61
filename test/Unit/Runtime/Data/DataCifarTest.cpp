//===- DataCifarTest.cpp - CIFAR-10 binary batches ------------------------===//

#include "TestUtil.h"

#include "Data/DataSet.h"

#include <filesystem>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

/// `count` records; record r of batch `batch` has label (batch + r) % 10 and
/// pixel i = (batch * 31 + r * 7 + i) % 256.
std::vector<uint8_t> records(int batch, int count) {
  std::vector<uint8_t> out;
  for (int r = 0; r < count; ++r) {
    out.push_back(uint8_t((batch + r) % 10));
    for (int i = 0; i < 3072; ++i)
      out.push_back(uint8_t((batch * 31 + r * 7 + i) % 256));
  }
  return out;
}

const char *kMeta = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\n"
                    "ship\ntruck\n\n";

TEST(DataCifarTest, ReadsBatchesInOrder) {
  TempDir tmp;
  writeBytes(tmp.path("data_batch_1.bin"), records(1, 3));
  writeBytes(tmp.path("data_batch_2.bin"), records(2, 4));
  writeBytes(tmp.path("test_batch.bin"), records(9, 2));
  writeBytes(tmp.path("batches.meta.txt"), toBytes(kMeta));
  Expected<std::unique_ptr<DataSet>> train =
      openCifar(tmp.dir(), DataSplit::Train);
  ASSERT_TRUE(train.ok()) << train.message();
  const DataSet &set = **train;
  EXPECT_EQ(set.size(), 7);
  EXPECT_EQ(set.channels(), 3);
  EXPECT_EQ(set.height(), 32);
  EXPECT_EQ(set.width(), 32);
  EXPECT_EQ(set.numClasses(), 10);
  ASSERT_EQ(set.classNames().size(), 10u);
  EXPECT_EQ(set.classNames()[9], "truck");
  Example example;
  // Example 4 is record 1 of data_batch_2.
  ASSERT_TRUE(set.read(4, example).ok());
  EXPECT_EQ(example.label, 3);
  ASSERT_EQ(example.pixels.size(), 3072u);
  // Planar: red, then green (offset 1024), then blue.
  EXPECT_EQ(example.pixels[0], uint8_t(2 * 31 + 7));
  EXPECT_EQ(example.pixels[1024 + 5], uint8_t((2 * 31 + 7 + 1029) % 256));
  EXPECT_FALSE(set.read(7, example).ok());

  Expected<std::unique_ptr<DataSet>> test =
      openCifar(tmp.dir(), DataSplit::Test);
  ASSERT_TRUE(test.ok()) << test.message();
  EXPECT_EQ((*test)->size(), 2);
  EXPECT_NE((*train)->fingerprint(), (*test)->fingerprint());
}

TEST(DataCifarTest, FindsTheArchiveSubdirectory) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.path("cifar-10-batches-bin"));
  writeBytes(tmp.path("cifar-10-batches-bin/test_batch.bin"), records(0, 1));
  Expected<DataFormat> format = detectDataFormat(tmp.dir());
  ASSERT_TRUE(format.ok()) << format.message();
  EXPECT_EQ(*format, DataFormat::Cifar);
  auto set = openDataSet(tmp.dir(), DataFormat::Auto, DataSplit::Test);
  ASSERT_TRUE(set.ok()) << set.message();
  EXPECT_EQ((*set)->size(), 1);
  // No meta file: no names.
  EXPECT_TRUE((*set)->classNames().empty());
}

TEST(DataCifarTest, RejectsBadBatches) {
  TempDir tmp;
  Expected<std::unique_ptr<DataSet>> set =
      openCifar(tmp.dir(), DataSplit::Train);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(),
            tmp.dir() + ": expected data_batch_1.bin for the train split");
  set = openCifar(tmp.path("missing"), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("missing") + ": no such data directory");

  std::vector<uint8_t> bytes = records(0, 2);
  bytes.pop_back();
  writeBytes(tmp.path("test_batch.bin"), bytes);
  set = openCifar(tmp.dir(), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("test_batch.bin") +
                               ": expected a multiple of 3073-byte CIFAR-10 "
                               "records, got 6145 bytes");
  writeBytes(tmp.path("test_batch.bin"), {});
  set = openCifar(tmp.dir(), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.message().find("got 0 bytes"), std::string::npos);

  bytes = records(0, 2);
  bytes[3073] = 10; // CIFAR-100's fine labels go to 99
  writeBytes(tmp.path("test_batch.bin"), bytes);
  set = openCifar(tmp.dir(), DataSplit::Test);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.message(), tmp.path("test_batch.bin") +
                               ": record 1: expected a label below 10, got 10");
}

TEST(DataCifarTest, IgnoresAForeignMetaFile) {
  TempDir tmp;
  writeBytes(tmp.path("test_batch.bin"), records(0, 1));
  writeBytes(tmp.path("batches.meta.txt"), toBytes("a\nb\n"));
  auto set = openCifar(tmp.dir(), DataSplit::Test);
  ASSERT_TRUE(set.ok()) << set.message();
  EXPECT_TRUE((*set)->classNames().empty());
}

} // namespace
