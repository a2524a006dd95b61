//===- DataSet.h - Labelled image data sets ---------------------*- C++ -*-===//
//
// The training and evaluation data the emitted executable reads: IDX files
// (MNIST, Fashion-MNIST), CIFAR-10 binary batches and the ImageNet folder
// layout. Every data set hands out examples of one fixed geometry as planar
// 8-bit pixels (CHW: all of channel 0, then channel 1, ...), the layout the
// model's NCHW input wants, so augmentation crops plane by plane.
//
// Opening a data set checks its files and fails with a message naming the
// path; a single unreadable example (a corrupt JPEG) is an error of `read`
// for that index only, which the loader skips and counts.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DATA_DATASET_H
#define ALEXNET_LIB_RUNTIME_DATA_DATASET_H

#include "Core/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// One labelled image: channels * height * width bytes, planar (CHW).
struct Example {
  std::vector<uint8_t> pixels;
  int label = -1;
};

/// Which half of a data set: IDX train / t10k, CIFAR data_batch_* /
/// test_batch, ImageNet train/ / val/.
enum class DataSplit { Train, Test };

/// "train" or "test".
const char *splitName(DataSplit split);

/// A read-only, indexable set of labelled images of one geometry.
class DataSet {
public:
  virtual ~DataSet();

  virtual int64_t size() const = 0;
  /// Geometry of every example `read` produces.
  virtual int channels() const = 0;
  virtual int height() const = 0;
  virtual int width() const = 0;
  virtual int numClasses() const = 0;
  /// One name per class where the data set says (wnids, CIFAR's meta file,
  /// Fashion-MNIST's garments); empty when unknown.
  virtual const std::vector<std::string> &classNames() const = 0;
  /// Fills `out` with example `index` in [0, size()). Safe to call from
  /// several threads at once. An error means this example is unreadable.
  virtual Status read(int64_t index, Example &out) const = 0;
  /// The label of example `index` in [0, size()): read()'s unless a format
  /// knows it without decoding the image; -1 when unreadable.
  virtual int labelOf(int64_t index) const;
  /// The path the data set was opened from, for messages.
  virtual const std::string &path() const = 0;
  /// A string that changes when the data changes (format, files, their
  /// sizes and times, geometry): cached statistics are keyed by it.
  virtual std::string fingerprint() const = 0;

  /// Bytes per example: channels * height * width.
  int64_t exampleBytes() const {
    return int64_t(channels()) * height() * width();
  }
};

/// Every label of `set` in [0, classes), the model's outputs; otherwise an
/// error naming the first label out of range and its example index, e.g.
/// "DIR: label 10 of training example 37 is out of range: model 'lenet5'
/// has 10 classes (0 to 9)". `split` names the split.
Status checkLabelsFit(const DataSet &set, int64_t classes, DataSplit split,
                      const std::string &modelName);

/// How to interpret a data path.
enum class DataFormat { Auto, Idx, Cifar, ImageFolder };

/// "idx", "cifar" or "imagenet" (or "auto") to a format; other names are an
/// error listing the choices.
Expected<DataFormat> parseDataFormat(const std::string &name);

/// Settings that only some formats use.
struct DataOptions {
  /// ImageNet layout: the stored geometry. Images are resized so they cover
  /// storedWidth x storedHeight (the shorter side to 256 for 256x256) and
  /// centre-cropped to it, with `channels` channels (gray/RGB converted).
  /// Use storedSizeFor(model input) for the paper's 256-for-224 rule.
  int channels = 3;
  int storedHeight = 256;
  int storedWidth = 256;
  /// ImageNet layout: decoded images are kept in memory when all of them fit
  /// in this many bytes; otherwise every access decodes the file again.
  int64_t cacheBytes = int64_t(2) << 30;
};

/// The stored side for a model input side: round(side * 256 / 224), the
/// paper's 256 for 224 (32 for 28).
int storedSizeFor(int modelSide);

/// How `train` and `eval` store images for a model input of `channels` x
/// `height` x `width`: that many channels, storedSizeFor each side. One
/// place, so evaluation always preprocesses as training did.
DataOptions dataOptionsForInput(int channels, int height, int width);

/// MNIST-style IDX files in `dir`: train-images-idx3-ubyte[.gz] and
/// train-labels-idx1-ubyte[.gz] (t10k-... for Test), gzip or plain.
Expected<std::unique_ptr<DataSet>> openIdx(const std::string &dir,
                                           DataSplit split);

/// The two IDX files given directly (gzip or plain).
Expected<std::unique_ptr<DataSet>> openIdxFiles(const std::string &images,
                                                const std::string &labels);

/// CIFAR-10 binary batches in `dir` (or in its cifar-10-batches-bin/):
/// data_batch_1.bin .. data_batch_5.bin for Train (those present, in order),
/// test_batch.bin for Test; class names from batches.meta.txt if present.
Expected<std::unique_ptr<DataSet>> openCifar(const std::string &dir,
                                             DataSplit split);

/// The ImageNet folder layout: `root/train/<class>/<image>` (`val/` for
/// Test). Classes are the sorted subdirectory names of train/ (of the split
/// itself when train/ is absent), so both splits number classes alike.
/// Files ending in .jpeg, .jpg or .png (any case) are images; they are
/// decoded lazily.
Expected<std::unique_ptr<DataSet>>
openImageFolder(const std::string &root, DataSplit split,
                const DataOptions &options = {});

/// The format `path` holds, from the files it contains; an error naming
/// the path when none fits.
Expected<DataFormat> detectDataFormat(const std::string &path);

/// "<size>:<mtime ns>" of the file at `path` ("missing" when it cannot be
/// stat'ed): the part of a fingerprint that notices a replaced file.
std::string fileFingerprint(const std::string &path);

/// Opens `path` as `format` (Auto: detectDataFormat).
Expected<std::unique_ptr<DataSet>> openDataSet(const std::string &path,
                                               DataFormat format,
                                               DataSplit split,
                                               const DataOptions &options = {});

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DATA_DATASET_H
