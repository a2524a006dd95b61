//===- Image.h - Decoding and preprocessing images --------------*- C++ -*-===//
//
// 8-bit images as the data loaders and `predict` see them: decoded from JPEG
// (libjpeg-turbo) or PNG (libpng), chosen by the file's content, converted
// to the model's channel count, resized with an antialiased bilinear filter
// (a triangle filter widened by the downscale factor, as PIL and
// torchvision's antialias=True do), centre-cropped and turned into planar
// floats.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DATA_IMAGE_H
#define ALEXNET_LIB_RUNTIME_DATA_IMAGE_H

#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Interleaved 8-bit pixels, row-major, `channels` bytes per pixel (1: gray,
/// 3: RGB).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;

  /// An image of the given size filled with `value`.
  static Image filled(int width, int height, int channels, uint8_t value = 0);

  uint8_t &at(int x, int y, int c) {
    return pixels[(size_t(y) * width + x) * channels + c];
  }
  uint8_t at(int x, int y, int c) const {
    return pixels[(size_t(y) * width + x) * channels + c];
  }
};

/// Largest image decoded, in pixels; larger ones are refused before any
/// pixel memory is allocated.
constexpr int64_t kMaxImagePixels = int64_t(1) << 27;

/// Decodes a JPEG or PNG image (told apart by their signatures) into gray or
/// RGB, whichever is closer to the file; alpha is composited onto white and
/// 16-bit samples are reduced to 8 bits. Corrupt or truncated data is an
/// error. `name` (usually the path) starts every error message.
Expected<Image> decodeImage(const uint8_t *data, size_t size,
                            const std::string &name);

/// Reads and decodes the image file at `path`.
Expected<Image> loadImage(const std::string &path);

/// `image` with `channels` channels: RGB to gray uses ITU-R 601 luma
/// (L = 0.299 R + 0.587 G + 0.114 B, as PIL), gray to RGB repeats the plane.
Image convertChannels(const Image &image, int channels);

/// `image` resampled to `width` x `height` with a bilinear (triangle)
/// filter whose support grows with the downscale factor, so shrinking
/// averages every source pixel instead of aliasing. Both sizes must be
/// positive.
Image resizeBilinear(const Image &image, int width, int height);

/// The `windowWidth` x `windowHeight` window at (left, top) of
/// resizeBilinear(image, width, height), computing only that window (so a
/// huge resized size costs nothing). The window must fit.
Image resizeWindow(const Image &image, int64_t width, int64_t height,
                   int64_t left, int64_t top, int windowWidth,
                   int windowHeight);

/// The `width` x `height` window whose top-left corner is at
/// ((image.width - width) / 2, (image.height - height) / 2), rounded down.
/// The window must fit.
Image centreCrop(const Image &image, int width, int height);

/// Writes the image as planar floats [channels][height][width] scaled to
/// [0, 1] (value / 255) into `out`.
void toFloatCHW(const Image &image, float *out);

/// The side the shorter image side is resized to before cropping `crop`
/// pixels: round(crop * 256 / 224), the paper's 256 for 224 (32 for 28).
int resizeTargetFor(int crop);

/// The paper's evaluation preprocessing: shorter side to
/// resizeTargetFor(max(width, height)) keeping the aspect ratio, centre
/// crop `width` x `height`, channels converted to `channels`.
Image preprocessImage(const Image &image, int width, int height, int channels);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DATA_IMAGE_H
