//===- Image.cpp - Resizing, cropping and converting images ---------------===//
//
// The resampler is separable: a horizontal pass into floats, then a vertical
// pass rounded back to bytes, so pixels are quantised once. Each output
// sample takes a normalised triangle-weighted sum over the source pixels
// within `max(1, scale)` of its centre, the scheme PIL's BILINEAR uses.
//
//===----------------------------------------------------------------------===//

#include "Data/Image.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace alexnet::runtime {

Image Image::filled(int width, int height, int channels, uint8_t value) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels.assign(size_t(width) * height * channels, value);
  return image;
}

Image convertChannels(const Image &image, int channels) {
  assert((channels == 1 || channels == 3) && "expected 1 or 3 channels");
  if (image.channels == channels)
    return image;
  Image out = Image::filled(image.width, image.height, channels);
  size_t count = size_t(image.width) * image.height;
  const uint8_t *src = image.pixels.data();
  uint8_t *dst = out.pixels.data();
  if (channels == 1) {
    // PIL's integer luma: (R*299 + G*587 + B*114) / 1000, rounded.
    for (size_t i = 0; i < count; ++i, src += 3)
      dst[i] = uint8_t((src[0] * 299u + src[1] * 587u + src[2] * 114u + 500u) /
                       1000u);
  } else {
    for (size_t i = 0; i < count; ++i, dst += 3)
      dst[0] = dst[1] = dst[2] = src[i];
  }
  return out;
}

namespace {

/// The source pixels and weights of one output sample.
struct Taps {
  int first = 0;
  std::vector<float> weights;
};

/// Taps of output samples [first, first + count) of a resize from `inSize`
/// to `outSize` samples.
std::vector<Taps> computeTaps(int inSize, int64_t outSize, int64_t first,
                              int count) {
  double scale = double(inSize) / double(outSize);
  double filterScale = std::max(scale, 1.0);
  double support = filterScale; // the triangle reaches 1 filter unit out
  std::vector<Taps> taps(count);
  for (int i = 0; i < count; ++i) {
    double centre = (double(first + i) + 0.5) * scale;
    int lo = std::max(0, int(std::floor(centre - support)));
    int hi = std::min(inSize, int(std::ceil(centre + support)));
    Taps &t = taps[i];
    t.first = lo;
    double sum = 0;
    std::vector<double> w;
    for (int x = lo; x < hi; ++x) {
      double d = std::abs((x + 0.5 - centre) / filterScale);
      w.push_back(d < 1 ? 1 - d : 0);
      sum += w.back();
    }
    if (sum <= 0) { // cannot happen for valid sizes; take the nearest pixel
      t.first = std::min(inSize - 1, int(centre));
      t.weights = {1.0f};
      continue;
    }
    for (double v : w)
      t.weights.push_back(float(v / sum));
  }
  return taps;
}

} // namespace

Image resizeWindow(const Image &image, int64_t width, int64_t height,
                   int64_t left, int64_t top, int windowWidth,
                   int windowHeight) {
  assert(image.width > 0 && image.height > 0 && windowWidth > 0 &&
         windowHeight > 0 && left >= 0 && top >= 0 &&
         left + windowWidth <= width && top + windowHeight <= height &&
         "window must lie inside the resized image");
  const int c = image.channels;
  std::vector<Taps> xTaps = computeTaps(image.width, width, left, windowWidth);
  std::vector<Taps> yTaps =
      computeTaps(image.height, height, top, windowHeight);

  // Horizontal pass over the source rows the window needs, in floats.
  int firstRow = image.height, lastRow = 0;
  for (const Taps &t : yTaps) {
    firstRow = std::min(firstRow, t.first);
    lastRow = std::max(lastRow, t.first + int(t.weights.size()));
  }
  size_t rowLen = size_t(windowWidth) * c;
  std::vector<float> rows(size_t(lastRow - firstRow) * rowLen);
  for (int y = firstRow; y < lastRow; ++y) {
    const uint8_t *src = &image.pixels[size_t(y) * image.width * c];
    float *dst = &rows[(y - firstRow) * rowLen];
    for (int x = 0; x < windowWidth; ++x) {
      const Taps &t = xTaps[x];
      for (int ch = 0; ch < c; ++ch) {
        float acc = 0;
        for (size_t k = 0; k < t.weights.size(); ++k)
          acc += t.weights[k] * src[(t.first + k) * c + ch];
        dst[x * c + ch] = acc;
      }
    }
  }

  // Vertical pass, rounded and clamped back to bytes.
  Image out = Image::filled(windowWidth, windowHeight, c);
  std::vector<float> acc(rowLen);
  for (int y = 0; y < windowHeight; ++y) {
    const Taps &t = yTaps[y];
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (size_t k = 0; k < t.weights.size(); ++k) {
      const float *src = &rows[(t.first - firstRow + k) * rowLen];
      for (size_t i = 0; i < rowLen; ++i)
        acc[i] += t.weights[k] * src[i];
    }
    uint8_t *dst = &out.pixels[y * rowLen];
    for (size_t i = 0; i < rowLen; ++i)
      dst[i] = uint8_t(std::clamp(std::lround(acc[i]), 0L, 255L));
  }
  return out;
}

Image resizeBilinear(const Image &image, int width, int height) {
  return resizeWindow(image, width, height, 0, 0, width, height);
}

Image centreCrop(const Image &image, int width, int height) {
  assert(width > 0 && height > 0 && width <= image.width &&
         height <= image.height && "crop window must fit");
  int left = (image.width - width) / 2;
  int top = (image.height - height) / 2;
  Image out = Image::filled(width, height, image.channels);
  size_t rowLen = size_t(width) * image.channels;
  for (int y = 0; y < height; ++y)
    std::copy_n(
        &image.pixels[(size_t(top + y) * image.width + left) * image.channels],
        rowLen, &out.pixels[y * rowLen]);
  return out;
}

void toFloatCHW(const Image &image, float *out) {
  size_t plane = size_t(image.width) * image.height;
  for (int ch = 0; ch < image.channels; ++ch)
    for (size_t i = 0; i < plane; ++i)
      out[ch * plane + i] = image.pixels[i * image.channels + ch] / 255.0f;
}

int resizeTargetFor(int crop) { return int(std::lround(crop * 256.0 / 224.0)); }

Image preprocessImage(const Image &image, int width, int height, int channels) {
  // Luma is linear, so convert where there are fewer channels to touch.
  Image src =
      channels < image.channels ? convertChannels(image, channels) : image;
  int64_t target = resizeTargetFor(std::max(width, height));
  // Scale so the shorter side becomes `target`; the other side keeps the
  // aspect ratio (however extreme: only the window is computed) but never
  // drops below the crop.
  int64_t newWidth, newHeight;
  if (src.width <= src.height) {
    newWidth = target;
    newHeight = std::llround(double(src.height) * double(target) / src.width);
  } else {
    newHeight = target;
    newWidth = std::llround(double(src.width) * double(target) / src.height);
  }
  newWidth = std::max<int64_t>(newWidth, width);
  newHeight = std::max<int64_t>(newHeight, height);
  Image out = resizeWindow(src, newWidth, newHeight, (newWidth - width) / 2,
                           (newHeight - height) / 2, width, height);
  return convertChannels(out, channels);
}

} // namespace alexnet::runtime
