//===- DriverTestUtil.h - Models and images for the driver tests -*- C++
//-*-===//
//
// Two hand-written models with hand-written entry points (what the compiler
// would emit), a way to run the driver and capture what it prints, and
// JPEG/PNG encoders built on libjpeg-turbo and libpng, independent of the
// decoders under test.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TEST_UNIT_RUNTIME_DRIVERTESTUTIL_H
#define ALEXNET_TEST_UNIT_RUNTIME_DRIVERTESTUTIL_H

#include "alexnet/Runtime/Image.h"
#include "alexnet/Runtime/Model.h"

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime::test {

/// "tiny": x f32[2, 4] -> probs = softmax(x fc.weight^T + fc.bias) f32[2, 3];
/// fc.weight [3, 4] ~ Normal(0, 0.01), fc.bias [3] = 1.
const ModelDesc &denseModel();

/// "tinyimg": image f32[2, 3, 4, 4] -> probs f32[2, 2], the flattened image
/// through fc.weight [2, 48] ~ Normal(0, 0.01), fc.bias [2] = 0, softmax.
const ModelDesc &imageModel();

/// The exit status and output of one driver run.
struct RunResult {
  int status;
  std::string out;
  std::string err;
};

/// Runs the driver of `model` as "tiny <args...>".
RunResult runTool(const ModelDesc &model, std::vector<std::string> args);

/// JPEG bytes of `image` (1 or 3 channels, 4:4:4) at `quality`.
std::vector<uint8_t> encodeJpeg(const Image &image, int quality = 95);

/// PNG bytes of `image`; `channels` may be 1, 2 (gray+alpha), 3 or 4 (RGBA).
std::vector<uint8_t> encodePng(const Image &image);

} // namespace alexnet::runtime::test

#endif // ALEXNET_TEST_UNIT_RUNTIME_DRIVERTESTUTIL_H
