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

#include "Data/Image.h"
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

/// Whether `part` occurs in `text`.
inline bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

/// Expects a driver run to exit with `code` and name `part` on stderr.
#define EXPECT_ERROR(result, code, part)                                       \
  do {                                                                         \
    ::alexnet::runtime::test::RunResult r_ = (result);                         \
    EXPECT_EQ(r_.status, code) << r_.err;                                      \
    EXPECT_TRUE(::alexnet::runtime::test::contains(r_.err, part)) << r_.err;   \
  } while (0)

/// denseModel()'s hand-picked fc.weight [3, 4] and fc.bias [3] for tests
/// that import them.
inline const std::vector<float> kWeight = {0.5f, -1, 0,  2, //
                                           1,    1,  1,  1, //
                                           0,    0,  -3, 0.25f};
inline const std::vector<float> kBias = {0.1f, -0.2f, 0.3f};

/// Runs the driver of `model` as "tiny <args...>".
RunResult runTool(const ModelDesc &model, std::vector<std::string> args);

/// JPEG bytes of `image` (1 or 3 channels, 4:4:4) at `quality`.
std::vector<uint8_t> encodeJpeg(const Image &image, int quality = 95);

/// PNG bytes of `image`; `channels` may be 1, 2 (gray+alpha), 3 or 4 (RGBA).
std::vector<uint8_t> encodePng(const Image &image);

} // namespace alexnet::runtime::test

#endif // ALEXNET_TEST_UNIT_RUNTIME_DRIVERTESTUTIL_H
