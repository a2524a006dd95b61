//===- DataAugment.cpp - Crops, flips, colour noise, data order -----------===//
//
// Philox counters here are (stream, epoch, slot low, slot high) under
// dataKey(seed): one block per example per purpose, so any example's draws
// are computed directly, never by replaying a sequence.
//
//===----------------------------------------------------------------------===//

#include "Data/DataAugment.h"

#include <algorithm>

namespace alexnet::runtime {

namespace {

enum Stream : uint32_t { kCropStream = 1, kColourStream = 2, kOrderStream = 3 };

PhiloxCounter draw(uint64_t seed, Stream stream, int64_t epoch, int64_t slot) {
  uint64_t s = uint64_t(slot);
  PhiloxCounter c{
      {stream, uint32_t(uint64_t(epoch)), uint32_t(s), uint32_t(s >> 32)}};
  return philox4x32_10(c, dataKey(seed));
}

/// floor(word * n / 2^32): uniform on [0, n) up to a bias below n / 2^32.
int uniformInt(uint32_t word, int n) {
  return int((uint64_t(word) * uint64_t(n)) >> 32);
}

} // namespace

PhiloxKey dataKey(uint64_t seed) {
  return philoxKey(seed ^ 0xDA7A5EEDC0FFEE11ull);
}

CropWindow randomCropWindow(uint64_t seed, int64_t epoch, int64_t slot,
                            int height, int width,
                            const AugmentOptions &options) {
  PhiloxCounter r = draw(seed, kCropStream, epoch, slot);
  CropWindow window =
      centreCropWindow(height, width, options.cropHeight, options.cropWidth);
  if (options.randomCrop) {
    int pad = std::max(0, options.cropPad);
    int rows = std::max(1, height + 2 * pad - options.cropHeight + 1);
    int cols = std::max(1, width + 2 * pad - options.cropWidth + 1);
    window.top = uniformInt(r.v[0], rows) - pad;
    window.left = uniformInt(r.v[1], cols) - pad;
  }
  window.flip = options.flip && (r.v[2] >> 31) != 0;
  return window;
}

CropWindow centreCropWindow(int height, int width, int cropHeight,
                            int cropWidth) {
  return CropWindow{(height - cropHeight) / 2, (width - cropWidth) / 2, false};
}

std::array<CropWindow, 10> tenCropWindows(int height, int width, int cropHeight,
                                          int cropWidth) {
  int bottom = height - cropHeight, right = width - cropWidth;
  std::array<CropWindow, 10> windows = {
      CropWindow{0, 0, false}, CropWindow{0, right, false},
      CropWindow{bottom, 0, false}, CropWindow{bottom, right, false},
      centreCropWindow(height, width, cropHeight, cropWidth)};
  for (int i = 0; i < 5; ++i) {
    windows[5 + i] = windows[i];
    windows[5 + i].flip = true;
  }
  return windows;
}

void pcaColourShift(const DataStats &stats, float std, uint64_t seed,
                    int64_t epoch, int64_t slot, float *shift) {
  int n = stats.channels;
  PhiloxCounter r = draw(seed, kColourStream, epoch, slot);
  double z[4];
  boxMuller(r.v[0], r.v[1], z[0], z[1]);
  boxMuller(r.v[2], r.v[3], z[2], z[3]);
  for (int c = 0; c < n; ++c) {
    double sum = 0.0;
    for (int i = 0; i < n && i < 4; ++i)
      sum += std * z[i] * stats.eigenvalues[i] * stats.eigenvectors[i * n + c];
    shift[c] = float(sum);
  }
}

void extractCrop(const uint8_t *pixels, int channels, int height, int width,
                 const float *mean, const CropWindow &window, int cropHeight,
                 int cropWidth, const float *shift, float *out) {
  const float scale = 1.0f / 255.0f;
  bool inside = window.top >= 0 && window.left >= 0 &&
                window.top + cropHeight <= height &&
                window.left + cropWidth <= width;
  size_t plane = size_t(height) * width;
  for (int c = 0; c < channels; ++c) {
    float add = shift ? shift[c] : 0.0f;
    const uint8_t *src = pixels + c * plane;
    const float *msrc = mean ? mean + c * plane : nullptr;
    for (int y = 0; y < cropHeight; ++y) {
      float *row = out + (size_t(c) * cropHeight + y) * cropWidth;
      int sy = window.top + y;
      if (inside) {
        // The common case: no bounds checks in the inner loop.
        size_t base = size_t(sy) * width + window.left;
        for (int x = 0; x < cropWidth; ++x) {
          size_t i = base + (window.flip ? cropWidth - 1 - x : x);
          row[x] = src[i] * scale - (msrc ? msrc[i] : 0.0f) + add;
        }
        continue;
      }
      for (int x = 0; x < cropWidth; ++x) {
        int sx = window.left + (window.flip ? cropWidth - 1 - x : x);
        if (sy < 0 || sy >= height || sx < 0 || sx >= width) {
          row[x] = add;
          continue;
        }
        size_t i = size_t(sy) * width + sx;
        row[x] = src[i] * scale - (msrc ? msrc[i] : 0.0f) + add;
      }
    }
  }
}

std::vector<int64_t> epochOrder(uint64_t seed, int64_t epoch, int64_t n,
                                bool shuffle) {
  std::vector<int64_t> order(size_t(std::max<int64_t>(n, 0)));
  for (int64_t i = 0; i < n; ++i)
    order[size_t(i)] = i;
  if (!shuffle)
    return order;
  for (int64_t i = n - 1; i > 0; --i) {
    PhiloxCounter r = draw(seed, kOrderStream, epoch, i);
    uint64_t word = uint64_t(r.v[0]) << 32 | r.v[1];
    // 64-bit modulo: the bias is below n / 2^64.
    int64_t j = int64_t(word % uint64_t(i + 1));
    std::swap(order[size_t(i)], order[size_t(j)]);
  }
  return order;
}

Augmenter::Augmenter(const AugmentOptions &options, const DataStats *stats,
                     uint64_t seed)
    : opts(options), stats(stats), seed(seed) {}

Status Augmenter::check(const DataSet &set) const {
  if (opts.cropHeight <= 0 || opts.cropWidth <= 0 ||
      opts.cropHeight > set.height() || opts.cropWidth > set.width())
    return Status::error(
        set.path() + ": expected images of at least the model input " +
        std::to_string(opts.cropWidth) + "x" + std::to_string(opts.cropHeight) +
        ", got " + std::to_string(set.width()) + "x" +
        std::to_string(set.height()));
  if (opts.cropPad < 0)
    return Status::error("expected a crop padding of at least 0, got " +
                         std::to_string(opts.cropPad));
  if (stats && (stats->channels != set.channels() ||
                stats->height != set.height() || stats->width != set.width()))
    return Status::error(
        set.path() + ": statistics are for " + std::to_string(stats->channels) +
        "x" + std::to_string(stats->height) + "x" +
        std::to_string(stats->width) + " images, got " +
        std::to_string(set.channels()) + "x" + std::to_string(set.height()) +
        "x" + std::to_string(set.width()));
  return Status::success();
}

void Augmenter::train(const DataSet &set, const Example &example, int64_t epoch,
                      int64_t slot, float *out) const {
  CropWindow window =
      randomCropWindow(seed, epoch, slot, set.height(), set.width(), opts);
  float shift[4] = {0, 0, 0, 0};
  bool colour = stats && opts.pcaStd > 0 && set.channels() == 3;
  if (colour)
    pcaColourShift(*stats, opts.pcaStd, seed, epoch, slot, shift);
  extractCrop(example.pixels.data(), set.channels(), set.height(), set.width(),
              stats ? stats->mean.data() : nullptr, window, opts.cropHeight,
              opts.cropWidth, colour ? shift : nullptr, out);
}

void Augmenter::crop(const DataSet &set, const Example &example,
                     const CropWindow &window, float *out) const {
  extractCrop(example.pixels.data(), set.channels(), set.height(), set.width(),
              stats ? stats->mean.data() : nullptr, window, opts.cropHeight,
              opts.cropWidth, nullptr, out);
}

} // namespace alexnet::runtime
