//===- DataAugment.h - Crops, flips, colour noise, data order ---*- C++ -*-===//
//
// The paper's augmentation on stored (e.g. 256x256) images: training takes
// a random crop of the model's input size (224x224) and mirrors it with
// probability 1/2, then adds PCA colour noise; evaluation takes the centre
// crop, or ten crops (four corners and the centre, then the same five
// mirrored). Every input is pixel / 255 minus the mean image at the same
// stored position, the model's input convention (as `predict` computes it).
//
// Every random choice is a Philox draw keyed by (seed, epoch, slot), where
// a slot is an example's position in its epoch, so a run is reproducible on
// any thread count and resumable from any position. The epoch's order is a
// Fisher-Yates shuffle driven the same way.
//
// When the stored size equals the input size (28x28 Fashion-MNIST into a
// 28x28 model) the only crop is the whole image, so training varies by
// flips only, unless `cropPad` lets windows reach past the borders (the
// outside reads as the mean, i.e. 0 after subtraction, as zero padding of a
// mean-subtracted image would).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DATA_DATAAUGMENT_H
#define ALEXNET_LIB_RUNTIME_DATA_DATAAUGMENT_H

#include "Data/DataSet.h"
#include "Data/DataStats.h"
#include "alexnet/Runtime/Philox.h"

#include <array>
#include <cstdint>
#include <vector>

namespace alexnet::runtime {

/// A crop's top-left corner in the stored image (negative or past the end
/// only with padding) and whether it is mirrored left-right.
struct CropWindow {
  int top = 0;
  int left = 0;
  bool flip = false;

  bool operator==(const CropWindow &o) const {
    return top == o.top && left == o.left && flip == o.flip;
  }
};

struct AugmentOptions {
  /// The model's input size: every crop has it.
  int cropHeight = 0;
  int cropWidth = 0;
  /// Training: random windows (else the centre one) and random mirroring.
  bool randomCrop = true;
  bool flip = true;
  /// Training: windows may reach this many pixels past each border.
  int cropPad = 0;
  /// Standard deviation of the PCA noise's alpha (the paper's 0.1); 0
  /// disables it. Applied only to 3-channel data with statistics.
  float pcaStd = 0.1f;
};

/// The data pipeline's Philox key for `seed`: tweaked so its draws never
/// coincide with parameter initialisation or dropout on the same seed.
PhiloxKey dataKey(uint64_t seed);

/// The training window of `slot` in `epoch`, for a stored height x width
/// image.
CropWindow randomCropWindow(uint64_t seed, int64_t epoch, int64_t slot,
                            int height, int width,
                            const AugmentOptions &options);

/// The central window, ((height - cropHeight) / 2, (width - cropWidth) / 2).
CropWindow centreCropWindow(int height, int width, int cropHeight,
                            int cropWidth);

/// The ten evaluation windows: top-left, top-right, bottom-left,
/// bottom-right, centre, then those five mirrored.
std::array<CropWindow, 10> tenCropWindows(int height, int width, int cropHeight,
                                          int cropWidth);

/// The per-channel colour shift sum_i alpha_i * lambda_i * p_i of `slot` in
/// `epoch`, alpha_i ~ N(0, std^2). `shift` gets stats.channels values.
void pcaColourShift(const DataStats &stats, float std, uint64_t seed,
                    int64_t epoch, int64_t slot, float *shift);

/// Writes the channels x cropHeight x cropWidth input for `window` of the
/// planar stored image `pixels` (channels x height x width): pixel / 255,
/// minus `mean` (same geometry as `pixels`; null for none), plus `shift`
/// per channel (null for none). Outside the stored image the pixel counts
/// as equal to the mean.
void extractCrop(const uint8_t *pixels, int channels, int height, int width,
                 const float *mean, const CropWindow &window, int cropHeight,
                 int cropWidth, const float *shift, float *out);

/// The order of `n` examples in `epoch`: a Fisher-Yates shuffle with
/// Philox draws when `shuffle`, otherwise 0, 1, ..., n - 1.
std::vector<int64_t> epochOrder(uint64_t seed, int64_t epoch, int64_t n,
                                bool shuffle);

/// The augmentation of one data set for one model input: checks the
/// geometry once, then turns examples into model inputs.
class Augmenter {
public:
  /// `stats` (may be null: no mean subtraction, no colour noise) must
  /// outlive the augmenter.
  Augmenter(const AugmentOptions &options, const DataStats *stats,
            uint64_t seed);

  /// An error when the crop does not fit the stored images or `stats`
  /// describes another geometry.
  Status check(const DataSet &set) const;

  /// The training input of `example` at `slot` of `epoch`.
  void train(const DataSet &set, const Example &example, int64_t epoch,
             int64_t slot, float *out) const;

  /// The input for a fixed window (evaluation), without noise.
  void crop(const DataSet &set, const Example &example,
            const CropWindow &window, float *out) const;

  const AugmentOptions &options() const { return opts; }

private:
  AugmentOptions opts;
  const DataStats *stats;
  uint64_t seed;
};

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DATA_DATAAUGMENT_H
