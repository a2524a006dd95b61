//===- DataLoader.h - Batches on background threads -------------*- C++ -*-===//
//
// Turns a DataSet into model batches: float32 images [B, C, H, W] and int32
// labels [B], built by a few worker threads that stay up to `prefetch`
// batches ahead of the consumer, so the training step never waits for data
// that could have been ready.
//
// A batch depends only on (seed, epoch, its positions in the epoch's order),
// never on which thread built it or when, so the output is the same on any
// thread count, and `start(position())` after a restart continues exactly.
//
// Unreadable examples are skipped and counted. In training the slot takes
// the next readable example in the epoch's order (wrapping), so every batch
// is full; the last partial batch of an epoch is dropped. In evaluation the
// readable examples are packed first (`realCount` of them) and the rest of
// the batch repeats the first one, so the last batch is padded too.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DATA_DATALOADER_H
#define ALEXNET_LIB_RUNTIME_DATA_DATALOADER_H

#include "Data/DataAugment.h"
#include "Data/DataSet.h"
#include "Data/DataStats.h"
#include "Core/HostMemory.h"
#include "Core/Status.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace alexnet::runtime {

enum class LoaderMode {
  /// Shuffled (unless disabled), random crops, flips and colour noise.
  Train,
  /// In order, the centre crop.
  Eval,
  /// In order, the ten crops of tenCropWindows.
  TenCrop,
};

struct LoaderOptions {
  LoaderMode mode = LoaderMode::Train;
  /// Examples per batch: the model's compiled batch size.
  int batchSize = 1;
  /// Worker threads, at least 1.
  int threads = 1;
  /// Batches built ahead of the consumer (at least `threads`).
  int prefetch = 3;
  /// Train: a new permutation every epoch.
  bool shuffle = true;
  uint64_t seed = 0;
  /// The model's input channels, checked against the data (0: the data's).
  int channels = 0;
  /// Crop size (the model's input) and the training augmentation.
  AugmentOptions augment;
};

/// Where in the data a run is: the epoch and the position, in that epoch's
/// order, of the next example.
struct LoaderPosition {
  int64_t epoch = 0;
  int64_t index = 0;

  bool operator==(const LoaderPosition &o) const {
    return epoch == o.epoch && index == o.index;
  }
};

struct Batch {
  /// [B, C, H, W]; for TenCrop [10, B, C, H, W], crop-major, so each of the
  /// ten slices is one whole model batch.
  HostVector<float> images;
  /// [B].
  HostVector<int32_t> labels;
  /// Examples that count: all B in training; in evaluation the first
  /// realCount, the rest being padding.
  int realCount = 0;
  /// The epoch and the positions [begin, end) of its order covered.
  int64_t epoch = 0;
  int64_t begin = 0;
  int64_t end = 0;
  /// Unreadable examples among those positions, and why.
  int skipped = 0;
  std::vector<std::string> errors;
};

class DataLoader {
public:
  /// A loader over `set` (and `stats`, may be null: no mean subtraction or
  /// colour noise), both outliving it. An error when the geometry does not
  /// fit the options. Nothing is read until start().
  static Expected<std::unique_ptr<DataLoader>>
  create(const DataSet &set, const DataStats *stats,
         const LoaderOptions &options);
  ~DataLoader();
  DataLoader(const DataLoader &) = delete;
  DataLoader &operator=(const DataLoader &) = delete;

  /// Begins (or restarts) producing the batches of `position.epoch` from
  /// `position.index`; work for an earlier start is dropped.
  void start(LoaderPosition position);

  /// The next batch into `out` (whose buffers are recycled): true, or false
  /// at the end of the epoch. An error when no example of the data set is
  /// readable, or before start().
  Expected<bool> next(Batch &out);

  /// Where the batch next() returns next begins; pass it to start() to
  /// resume there.
  LoaderPosition position() const;

  /// Batches in a whole epoch: n / B in training, ceil(n / B) otherwise.
  int64_t batchesPerEpoch() const;
  /// Floats per example per crop: C * H * W of the model input.
  int64_t sampleFloats() const { return sample; }
  /// Batches built and waiting to be taken.
  int64_t readyBatches() const;
  /// Calls of next() that found their batch not built yet and waited for
  /// it (the consumer outran the readers).
  int64_t stalledTakes() const;
  /// Unreadable examples in the batches returned so far.
  int64_t skippedTotal() const;

private:
  DataLoader(const DataSet &set, const DataStats *stats,
             const LoaderOptions &options);
  void workerLoop();
  /// Builds batch `number` of the current run into `batch`.
  Status build(int64_t number, Batch &batch, Example &example) const;
  Status buildTrain(Batch &batch, Example &example) const;
  Status buildEval(Batch &batch, Example &example) const;
  /// The first readable example at or after position `from` (wrapping).
  Status readFrom(int64_t from, Example &example) const;
  /// Writes the input(s) of `example` for batch row `row`.
  void emit(const Example &example, int row, int64_t slot, Batch &batch) const;

  const DataSet &set;
  Augmenter augmenter;
  LoaderOptions opts;
  int64_t sample = 0;
  int depth = 1;

  mutable std::mutex mutex;
  std::condition_variable workCv, readyCv, idleCv;
  // The current run; workers read these only under `generation`.
  std::vector<int64_t> order;
  LoaderPosition first;
  bool started = false;
  int64_t numBatches = 0;
  int64_t claimed = 0, delivered = 0;
  uint64_t generation = 0;
  int busy = 0;
  bool stopping = false;
  struct Result {
    Batch batch;
    Status status;
  };
  std::map<int64_t, Result> ready;
  std::vector<Batch> spare;
  int64_t skipped = 0;
  int64_t stalls = 0;
  std::vector<std::thread> workers;
};

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DATA_DATALOADER_H
