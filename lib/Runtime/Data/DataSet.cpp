//===- DataSet.cpp - Data set formats and their detection -----------------===//
//
// What is common to every format: the format names the `--format` flag
// takes, recognising a data directory by the files in it, and the file
// fingerprints cached statistics are keyed by.
//
//===----------------------------------------------------------------------===//

#include "Data/DataSet.h"

#include "Data/Image.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace alexnet::runtime {

namespace fs = std::filesystem;

DataSet::~DataSet() = default;

int DataSet::labelOf(int64_t index) const {
  Example example;
  return read(index, example).ok() ? example.label : -1;
}

Status checkLabelsFit(const DataSet &set, int64_t classes, DataSplit split,
                      const std::string &modelName) {
  if (set.numClasses() <= classes)
    return Status::success();
  std::string fit = ": model '" + modelName + "' has " +
                    std::to_string(classes) + " classes (0 to " +
                    std::to_string(classes - 1) + ")";
  for (int64_t i = 0; i < set.size(); ++i) {
    int label = set.labelOf(i);
    if (label >= classes)
      return Status::error(set.path() + ": label " + std::to_string(label) +
                           " of " +
                           (split == DataSplit::Train ? "training"
                                                      : "validation") +
                           " example " + std::to_string(i) +
                           " is out of range" + fit);
  }
  // Classes with no example (an image folder's empty class) still need
  // outputs: the class index is the output index.
  return Status::error(set.path() + ": " + std::to_string(set.numClasses()) +
                       " classes" + fit);
}

const char *splitName(DataSplit split) {
  return split == DataSplit::Train ? "train" : "test";
}

Expected<DataFormat> parseDataFormat(const std::string &name) {
  if (name == "auto")
    return DataFormat::Auto;
  if (name == "idx")
    return DataFormat::Idx;
  if (name == "cifar")
    return DataFormat::Cifar;
  if (name == "imagenet")
    return DataFormat::ImageFolder;
  return Status::error("unknown data format " + quoteText(name) +
                       ", expected idx, cifar, imagenet or auto");
}

int storedSizeFor(int modelSide) { return resizeTargetFor(modelSide); }

DataOptions dataOptionsForInput(int channels, int height, int width) {
  DataOptions options;
  options.channels = channels;
  options.storedHeight = storedSizeFor(height);
  options.storedWidth = storedSizeFor(width);
  return options;
}

std::string fileFingerprint(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return "missing";
  int64_t ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return std::to_string(int64_t(st.st_size)) + ":" + std::to_string(ns);
}

namespace {

bool isFile(const fs::path &p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool isDir(const fs::path &p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool hasIdx(const fs::path &dir) {
  for (const char *split : {"train", "t10k"})
    for (const char *ext : {"", ".gz"})
      if (isFile(dir / (std::string(split) + "-images-idx3-ubyte" + ext)))
        return true;
  return false;
}

bool hasCifar(const fs::path &dir) {
  return isFile(dir / "data_batch_1.bin") || isFile(dir / "test_batch.bin") ||
         isDir(dir / "cifar-10-batches-bin");
}

} // namespace

Expected<DataFormat> detectDataFormat(const std::string &path) {
  fs::path dir(path);
  std::error_code ec;
  if (!fs::exists(dir, ec))
    return Status::error(path + ": no such data directory");
  if (!isDir(dir))
    return Status::error(path + ": expected a data directory");
  if (hasIdx(dir))
    return DataFormat::Idx;
  if (hasCifar(dir))
    return DataFormat::Cifar;
  if (isDir(dir / "train") || isDir(dir / "val"))
    return DataFormat::ImageFolder;
  return Status::error(
      path + ": unrecognised data set layout, expected IDX files "
             "(train-images-idx3-ubyte.gz), CIFAR-10 batches "
             "(data_batch_1.bin) or class folders (train/<class>/*.JPEG)");
}

Expected<std::unique_ptr<DataSet>> openDataSet(const std::string &path,
                                               DataFormat format,
                                               DataSplit split,
                                               const DataOptions &options) {
  if (format == DataFormat::Auto) {
    Expected<DataFormat> detected = detectDataFormat(path);
    if (!detected.ok())
      return detected.error();
    format = *detected;
  }
  switch (format) {
  case DataFormat::Idx:
    return openIdx(path, split);
  case DataFormat::Cifar:
    return openCifar(path, split);
  case DataFormat::ImageFolder:
  case DataFormat::Auto:
    break;
  }
  return openImageFolder(path, split, options);
}

} // namespace alexnet::runtime
