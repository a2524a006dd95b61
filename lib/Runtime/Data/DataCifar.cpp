//===- DataCifar.cpp - CIFAR-10 binary batches ----------------------------===//
//
// The "binary version" of CIFAR-10: files of 3073-byte records, one label
// byte (0-9) then 32x32 red, green and blue planes, already the planar
// layout examples use. Training reads data_batch_1.bin .. data_batch_5.bin,
// evaluation test_batch.bin; all records are loaded at open (150 MB for the
// training set).
//
//===----------------------------------------------------------------------===//

#include "Data/DataSet.h"

#include "IO/AtomicFile.h"

#include <filesystem>
#include <fstream>

namespace alexnet::runtime {

namespace {

namespace fs = std::filesystem;

constexpr int kSide = 32;
constexpr int kClasses = 10;
constexpr size_t kPixels = 3 * kSide * kSide;
constexpr size_t kRecord = 1 + kPixels;

/// Class names from batches.meta.txt: one per line, blank lines ignored.
std::vector<std::string> readMeta(const fs::path &file) {
  std::vector<std::string> names;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    size_t begin = line.find_first_not_of(" \t\r");
    size_t end = line.find_last_not_of(" \t\r");
    if (begin != std::string::npos)
      names.push_back(line.substr(begin, end - begin + 1));
  }
  if (names.size() != size_t(kClasses))
    names.clear(); // not CIFAR-10's meta file: better no names than wrong ones
  return names;
}

class CifarDataSet : public DataSet {
public:
  Status open(const std::string &dirPath, DataSplit split) {
    root = dirPath;
    fs::path dir(dirPath);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      return Status::error(dirPath + ": no such data directory");
    if (fs::is_directory(dir / "cifar-10-batches-bin", ec))
      dir /= "cifar-10-batches-bin";
    std::vector<fs::path> files;
    if (split == DataSplit::Train) {
      for (int i = 1; i <= 5; ++i)
        if (fs::is_regular_file(
                dir / ("data_batch_" + std::to_string(i) + ".bin"), ec))
          files.push_back(dir / ("data_batch_" + std::to_string(i) + ".bin"));
    } else if (fs::is_regular_file(dir / "test_batch.bin", ec)) {
      files.push_back(dir / "test_batch.bin");
    }
    if (files.empty())
      return Status::error(
          dirPath + ": expected " +
          (split == DataSplit::Train ? "data_batch_1.bin" : "test_batch.bin") +
          " for the " + splitName(split) + " split");
    finger = "cifar10";
    for (const fs::path &file : files) {
      if (Status s = append(file.string()); !s.ok())
        return s;
      finger += ";" + file.string() + ";" + fileFingerprint(file.string());
    }
    names = readMeta(dir / "batches.meta.txt");
    return Status::success();
  }

  int64_t size() const override { return int64_t(records.size() / kRecord); }
  int channels() const override { return 3; }
  int height() const override { return kSide; }
  int width() const override { return kSide; }
  int numClasses() const override { return kClasses; }
  const std::vector<std::string> &classNames() const override { return names; }
  const std::string &path() const override { return root; }
  std::string fingerprint() const override { return finger; }

  Status read(int64_t index, Example &out) const override {
    if (index < 0 || index >= size())
      return Status::error(root + ": example " + std::to_string(index) +
                           " out of range");
    const uint8_t *record = records.data() + size_t(index) * kRecord;
    out.label = record[0];
    out.pixels.assign(record + 1, record + kRecord);
    return Status::success();
  }

private:
  /// Appends the records of one batch file after checking its size and
  /// labels.
  Status append(const std::string &file) {
    Expected<std::vector<uint8_t>> bytes = readFile(file, uint64_t(1) << 30);
    if (!bytes.ok())
      return bytes.error();
    if (bytes->empty() || bytes->size() % kRecord != 0)
      return Status::error(file + ": expected a multiple of " +
                           std::to_string(kRecord) +
                           "-byte CIFAR-10 records, got " +
                           std::to_string(bytes->size()) + " bytes");
    for (size_t r = 0; r < bytes->size(); r += kRecord)
      if ((*bytes)[r] >= kClasses)
        return Status::error(file + ": record " + std::to_string(r / kRecord) +
                             ": expected a " + "label below 10, got " +
                             std::to_string((*bytes)[r]));
    records.insert(records.end(), bytes->begin(), bytes->end());
    return Status::success();
  }

  std::string root, finger;
  std::vector<uint8_t> records;
  std::vector<std::string> names;
};

} // namespace

Expected<std::unique_ptr<DataSet>> openCifar(const std::string &dir,
                                             DataSplit split) {
  auto set = std::make_unique<CifarDataSet>();
  if (Status s = set->open(dir, split); !s.ok())
    return s;
  return std::unique_ptr<DataSet>(std::move(set));
}

} // namespace alexnet::runtime
