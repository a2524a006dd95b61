//===- DriverTestUtil.cpp - Models and images for the driver tests --------===//

#include "DriverTestUtil.h"

#include "Driver/Driver.h"
#include "alexnet/Runtime/ExecContext.h"

#include <cmath>
#include <png.h>
#include <sstream>
#include <stdexcept>
#include <turbojpeg.h>

namespace alexnet::runtime::test {

namespace {

/// y[b] = softmax(W x[b] + bias) for W [out, in], the PyTorch layout.
void denseSoftmax(const float *x, const float *w, const float *bias, float *y,
                  int batch, int in, int out) {
  for (int b = 0; b < batch; ++b) {
    double logits[8], max = -1e300, sum = 0;
    for (int o = 0; o < out; ++o) {
      double acc = bias[o];
      for (int i = 0; i < in; ++i)
        acc += double(w[o * in + i]) * x[b * in + i];
      logits[o] = acc;
      max = std::max(max, acc);
    }
    for (int o = 0; o < out; ++o)
      sum += (logits[o] = std::exp(logits[o] - max));
    for (int o = 0; o < out; ++o)
      y[b * out + o] = float(logits[o] / sum);
  }
}

void denseEntry(ExecContext &ctx) {
  const ModelDesc &m = ctx.model();
  denseSoftmax(static_cast<const float *>(ctx.input(0)),
               ctx.params() + m.params[0].offset,
               ctx.params() + m.params[1].offset,
               static_cast<float *>(ctx.output(0)), 2, 4, 3);
}

void imageEntry(ExecContext &ctx) {
  const ModelDesc &m = ctx.model();
  denseSoftmax(static_cast<const float *>(ctx.input(0)),
               ctx.params() + m.params[0].offset,
               ctx.params() + m.params[1].offset,
               static_cast<float *>(ctx.output(0)), 2, 48, 2);
}

const DeviceMemory kMemory[] = {{256, 1024}};

const TensorSpec kDenseInputs[] = {{"x", ElementType::F32, 2, {2, 4}}};
const TensorSpec kDenseOutputs[] = {{"probs", ElementType::F32, 2, {2, 3}}};
const ParamSpec kDenseParams[] = {
    {"fc.weight", 2, {3, 4}, 0, 12, InitKind::Normal, 0.0, 0.01, 0},
    {"fc.bias", 1, {3}, 12, 3, InitKind::Constant, 1.0, 0.0, 0},
};
const LayerSpec kDenseLayers[] = {
    {"fc", "dense", 2, {2, 3}, 15, 2 * 2 * 3 * 4},
    {"probs", "softmax", 2, {2, 3}, 0, 0},
};
const ModelDesc kDense = {"tiny",
                          "sha256:tiny-dense",
                          "cpu",
                          2,
                          1,
                          kDenseInputs,
                          1,
                          kDenseOutputs,
                          1,
                          kDenseParams,
                          2,
                          15,
                          nullptr,
                          0,
                          kDenseLayers,
                          2,
                          denseEntry,
                          kMemory};

const TensorSpec kImageInputs[] = {
    {"image", ElementType::F32, 4, {2, 3, 4, 4}}};
const TensorSpec kImageOutputs[] = {{"probs", ElementType::F32, 2, {2, 2}}};
const ParamSpec kImageParams[] = {
    {"fc.weight", 2, {2, 48}, 0, 96, InitKind::Normal, 0.0, 0.01, 0},
    {"fc.bias", 1, {2}, 96, 2, InitKind::Constant, 0.0, 0.0, 0},
};
const LayerSpec kImageLayers[] = {
    {"fc", "dense", 2, {2, 2}, 98, 2 * 2 * 2 * 48},
    {"probs", "softmax", 2, {2, 2}, 0, 0},
};
const ModelDesc kImage = {"tinyimg",
                          "sha256:tiny-image",
                          "cpu",
                          2,
                          1,
                          kImageInputs,
                          1,
                          kImageOutputs,
                          1,
                          kImageParams,
                          2,
                          98,
                          nullptr,
                          0,
                          kImageLayers,
                          2,
                          imageEntry,
                          kMemory};

} // namespace

const ModelDesc &denseModel() { return kDense; }
const ModelDesc &imageModel() { return kImage; }

RunResult runTool(const ModelDesc &model, std::vector<std::string> args) {
  args.insert(args.begin(), "/some/dir/tiny");
  std::ostringstream out, err;
  int status = runDriver(args, model, out, err);
  return {status, out.str(), err.str()};
}

std::vector<uint8_t> encodeJpeg(const Image &image, int quality) {
  tjhandle tj = tjInitCompress();
  unsigned char *jpeg = nullptr;
  unsigned long size = 0;
  bool gray = image.channels == 1;
  int rc = tjCompress2(tj, image.pixels.data(), image.width, 0, image.height,
                       gray ? TJPF_GRAY : TJPF_RGB, &jpeg, &size,
                       gray ? TJSAMP_GRAY : TJSAMP_444, quality, 0);
  std::vector<uint8_t> bytes;
  if (rc == 0)
    bytes.assign(jpeg, jpeg + size);
  tjFree(jpeg);
  tjDestroy(tj);
  if (rc != 0)
    throw std::runtime_error("tjCompress2 failed");
  return bytes;
}

std::vector<uint8_t> encodePng(const Image &image) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = uint32_t(image.width);
  png.height = uint32_t(image.height);
  const uint32_t formats[] = {0, PNG_FORMAT_GRAY, PNG_FORMAT_GA, PNG_FORMAT_RGB,
                              PNG_FORMAT_RGBA};
  png.format = formats[image.channels];
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png, nullptr, &size, 0, image.pixels.data(),
                                 0, nullptr))
    throw std::runtime_error("png sizing failed");
  std::vector<uint8_t> bytes(size);
  if (!png_image_write_to_memory(&png, bytes.data(), &size, 0,
                                 image.pixels.data(), 0, nullptr))
    throw std::runtime_error("png write failed");
  bytes.resize(size);
  return bytes;
}

} // namespace alexnet::runtime::test
