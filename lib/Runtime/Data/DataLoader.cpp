//===- DataLoader.cpp - Batches on background threads ---------------------===//
//
// Workers claim batch numbers in order while fewer than `depth` batches are
// claimed but not yet taken, build a whole batch each, and file it under its
// number; next() takes batches strictly in number order. A restart bumps a
// generation counter, waits for the workers in flight, and their stale
// batches only donate their buffers.
//
//===----------------------------------------------------------------------===//

#include "Data/DataLoader.h"

#include <algorithm>
#include <cstring>

namespace alexnet::runtime {

namespace {

/// Keeps a corrupt data set from growing a batch's message list unboundedly.
constexpr size_t kMaxErrorsPerBatch = 16;

void noteError(Batch &batch, const Status &status) {
  ++batch.skipped;
  if (batch.errors.size() < kMaxErrorsPerBatch)
    batch.errors.push_back(status.message());
}

} // namespace

Expected<std::unique_ptr<DataLoader>>
DataLoader::create(const DataSet &set, const DataStats *stats,
                   const LoaderOptions &options) {
  if (options.batchSize < 1)
    return Status::error("expected a batch size of at least 1, got " +
                         std::to_string(options.batchSize));
  if (set.size() < 1)
    return Status::error(set.path() + ": empty data set");
  if (options.channels > 0 && options.channels != set.channels())
    return Status::error(set.path() + ": expected images with " +
                         std::to_string(options.channels) +
                         " channels (the model input), got " +
                         std::to_string(set.channels()));
  Augmenter augmenter(options.augment, stats, options.seed);
  if (Status s = augmenter.check(set); !s.ok())
    return s;
  return std::unique_ptr<DataLoader>(new DataLoader(set, stats, options));
}

DataLoader::DataLoader(const DataSet &set, const DataStats *stats,
                       const LoaderOptions &options)
    : set(set), augmenter(options.augment, stats, options.seed), opts(options) {
  opts.threads = std::max(1, opts.threads);
  depth = std::max(opts.prefetch, opts.threads);
  sample = int64_t(set.channels()) * opts.augment.cropHeight *
           opts.augment.cropWidth;
  for (int i = 0; i < opts.threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

DataLoader::~DataLoader() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  workCv.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

int64_t DataLoader::batchesPerEpoch() const {
  int64_t n = set.size(), b = opts.batchSize;
  return opts.mode == LoaderMode::Train ? n / b : (n + b - 1) / b;
}

void DataLoader::start(LoaderPosition position) {
  std::unique_lock<std::mutex> lock(mutex);
  // No new claims, then wait out the batches in flight: they read `order`.
  ++generation;
  numBatches = 0;
  idleCv.wait(lock, [this] { return busy == 0; });
  for (auto &entry : ready)
    spare.push_back(std::move(entry.second.batch));
  ready.clear();
  int64_t n = set.size(), b = opts.batchSize;
  bool shuffle = opts.mode == LoaderMode::Train && opts.shuffle;
  if (!started || first.epoch != position.epoch)
    order = epochOrder(opts.seed, position.epoch, n, shuffle);
  first = position;
  first.index = std::clamp<int64_t>(position.index, 0, n);
  int64_t left = n - first.index;
  numBatches = opts.mode == LoaderMode::Train ? left / b : (left + b - 1) / b;
  claimed = delivered = 0;
  started = true;
  lock.unlock();
  workCv.notify_all();
}

Expected<bool> DataLoader::next(Batch &out) {
  std::unique_lock<std::mutex> lock(mutex);
  if (!started)
    return Status::error("data loader: next() before start()");
  if (delivered >= numBatches)
    return false;
  if (ready.count(delivered) == 0) {
    ++stalls;
    readyCv.wait(lock, [this] { return ready.count(delivered) != 0; });
  }
  auto it = ready.find(delivered);
  Result result = std::move(it->second);
  ready.erase(it);
  ++delivered;
  std::swap(out, result.batch);
  spare.push_back(std::move(result.batch));
  skipped += out.skipped;
  lock.unlock();
  workCv.notify_all();
  if (!result.status.ok())
    return result.status;
  return true;
}

LoaderPosition DataLoader::position() const {
  std::lock_guard<std::mutex> lock(mutex);
  return {first.epoch,
          std::min(set.size(), first.index + delivered * opts.batchSize)};
}

int64_t DataLoader::readyBatches() const {
  std::lock_guard<std::mutex> lock(mutex);
  return int64_t(ready.size());
}

int64_t DataLoader::stalledTakes() const {
  std::lock_guard<std::mutex> lock(mutex);
  return stalls;
}

int64_t DataLoader::skippedTotal() const {
  std::lock_guard<std::mutex> lock(mutex);
  return skipped;
}

void DataLoader::workerLoop() {
  Example example;
  std::unique_lock<std::mutex> lock(mutex);
  for (;;) {
    workCv.wait(lock, [this] {
      return stopping || (claimed < numBatches && claimed < delivered + depth);
    });
    if (stopping)
      return;
    int64_t number = claimed++;
    uint64_t gen = generation;
    Batch batch;
    if (!spare.empty()) {
      batch = std::move(spare.back());
      spare.pop_back();
    }
    ++busy;
    lock.unlock();
    Status status = build(number, batch, example);
    lock.lock();
    --busy;
    if (gen == generation) {
      ready[number] = Result{std::move(batch), status};
      readyCv.notify_all();
    } else {
      spare.push_back(std::move(batch));
    }
    if (busy == 0)
      idleCv.notify_all();
  }
}

Status DataLoader::build(int64_t number, Batch &batch, Example &example) const {
  int b = opts.batchSize;
  int crops = opts.mode == LoaderMode::TenCrop ? 10 : 1;
  batch.images.resize(size_t(crops) * b * sample);
  batch.labels.assign(b, 0);
  batch.epoch = first.epoch;
  batch.begin = first.index + number * b;
  batch.end = std::min(batch.begin + b, set.size());
  batch.skipped = 0;
  batch.errors.clear();
  if (opts.mode == LoaderMode::Train)
    return buildTrain(batch, example);
  return buildEval(batch, example);
}

Status DataLoader::buildTrain(Batch &batch, Example &example) const {
  for (int64_t slot = batch.begin; slot < batch.end; ++slot) {
    Status status = set.read(order[slot], example);
    if (!status.ok()) {
      noteError(batch, status);
      if (Status s = readFrom(slot + 1, example); !s.ok())
        return s;
    }
    emit(example, int(slot - batch.begin), slot, batch);
  }
  batch.realCount = opts.batchSize;
  return Status::success();
}

Status DataLoader::buildEval(Batch &batch, Example &example) const {
  int row = 0;
  for (int64_t slot = batch.begin; slot < batch.end; ++slot) {
    if (Status s = set.read(order[slot], example); !s.ok()) {
      noteError(batch, s);
      continue;
    }
    emit(example, row++, slot, batch);
  }
  batch.realCount = row;
  if (row == opts.batchSize)
    return Status::success();
  if (row == 0) {
    // Nothing readable here: pad with whatever comes next.
    if (Status s = readFrom(batch.end, example); !s.ok())
      return s;
    emit(example, 0, batch.end, batch);
  }
  int crops = opts.mode == LoaderMode::TenCrop ? 10 : 1;
  int64_t b = opts.batchSize;
  for (int r = std::max(row, 1); r < b; ++r) {
    for (int k = 0; k < crops; ++k)
      std::memcpy(&batch.images[(k * b + r) * sample],
                  &batch.images[k * b * sample], sample * sizeof(float));
    batch.labels[r] = batch.labels[0];
  }
  return Status::success();
}

Status DataLoader::readFrom(int64_t from, Example &example) const {
  int64_t n = set.size();
  Status firstError;
  for (int64_t k = 0; k < n; ++k) {
    Status s = set.read(order[(from + k) % n], example);
    if (s.ok())
      return s;
    if (firstError.ok())
      firstError = s;
  }
  return Status::error(set.path() + ": no readable example, e.g. " +
                       firstError.message());
}

void DataLoader::emit(const Example &example, int row, int64_t slot,
                      Batch &batch) const {
  batch.labels[row] = example.label;
  int64_t b = opts.batchSize;
  const AugmentOptions &aug = opts.augment;
  switch (opts.mode) {
  case LoaderMode::Train:
    augmenter.train(set, example, batch.epoch, slot,
                    &batch.images[row * sample]);
    return;
  case LoaderMode::Eval:
    augmenter.crop(set, example,
                   centreCropWindow(set.height(), set.width(), aug.cropHeight,
                                    aug.cropWidth),
                   &batch.images[row * sample]);
    return;
  case LoaderMode::TenCrop: {
    auto windows = tenCropWindows(set.height(), set.width(), aug.cropHeight,
                                  aug.cropWidth);
    for (int k = 0; k < 10; ++k)
      augmenter.crop(set, example, windows[k],
                     &batch.images[(k * b + row) * sample]);
    return;
  }
  }
}

} // namespace alexnet::runtime
