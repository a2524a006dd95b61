//===- DriverImageTest.cpp - Image decoding and preprocessing -------------===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "Data/Image.h"

#include <cstdlib>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

/// A deterministic RGB (or gray) pattern with smooth and sharp parts.
Image pattern(int width, int height, int channels) {
  Image image = Image::filled(width, height, channels);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        image.at(x, y, c) = uint8_t(
            (x * 7 + y * 3 + c * 50 + ((x / 4 + y / 4) % 2) * 60) % 256);
  return image;
}

Expected<Image> decode(const std::vector<uint8_t> &bytes) {
  return decodeImage(bytes.data(), bytes.size(), "img");
}

int maxDifference(const Image &a, const Image &b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i)
    worst = std::max(worst, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
  return worst;
}

TEST(ImageDecodeTest, PngRoundTripsExactly) {
  for (int channels : {1, 3}) {
    Image original = pattern(13, 9, channels);
    Expected<Image> decoded = decode(encodePng(original));
    ASSERT_TRUE(decoded.ok()) << decoded.message();
    EXPECT_EQ(decoded->width, 13);
    EXPECT_EQ(decoded->height, 9);
    EXPECT_EQ(decoded->channels, channels);
    EXPECT_EQ(decoded->pixels, original.pixels);
  }
}

TEST(ImageDecodeTest, PngAlphaIsCompositedOntoWhite) {
  Image rgba = Image::filled(2, 1, 4);
  rgba.pixels = {10, 20, 30, 255, 10, 20, 30, 0};
  Expected<Image> decoded = decode(encodePng(rgba));
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  EXPECT_EQ(decoded->channels, 3);
  EXPECT_EQ(decoded->pixels, (std::vector<uint8_t>{10, 20, 30, 255, 255, 255}));
  Image ga = Image::filled(1, 1, 2);
  ga.pixels = {40, 255};
  decoded = decode(encodePng(ga));
  ASSERT_TRUE(decoded.ok()) << decoded.message();
  EXPECT_EQ(decoded->channels, 1);
  EXPECT_EQ(decoded->pixels, (std::vector<uint8_t>{40}));
}

TEST(ImageDecodeTest, JpegDecodesClosely) {
  for (int channels : {1, 3}) {
    Image original = Image::filled(16, 8, channels);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 16; ++x)
        for (int c = 0; c < channels; ++c)
          original.at(x, y, c) = uint8_t(40 + 8 * x + 4 * y + 30 * c);
    Expected<Image> decoded = decode(encodeJpeg(original, 100));
    ASSERT_TRUE(decoded.ok()) << decoded.message();
    EXPECT_EQ(decoded->width, 16);
    EXPECT_EQ(decoded->height, 8);
    EXPECT_EQ(decoded->channels, channels);
    EXPECT_LE(maxDifference(*decoded, original), 4);
  }
}

TEST(ImageDecodeTest, FormatComesFromContentNotName) {
  TempDir dir;
  writeBytes(dir.path("really-a-png.jpg"), encodePng(pattern(3, 3, 3)));
  Expected<Image> image = loadImage(dir.path("really-a-png.jpg"));
  ASSERT_TRUE(image.ok()) << image.message();
  EXPECT_EQ(image->width, 3);
}

TEST(ImageDecodeTest, DecodesWhatPillowWrites) {
  // Variants our encoders do not produce: progressive and CMYK (Adobe,
  // inverted) JPEGs, 16-bit, palette and 4:2:0 files.
  TempDir dir;
  std::string output;
  int status = runPython(
      dir.dir(),
      "import sys\n"
      "try:\n"
      "    from PIL import Image\n"
      "except ImportError:\n"
      "    sys.exit(77)\n"
      "red = (200, 30, 20)\n"
      "Image.new('RGB', (33, 21), red).save('prog.jpg', progressive=True)\n"
      "Image.new('RGB', (33, 21), red).save('420.jpg', subsampling=2)\n"
      "Image.new('CMYK', (8, 8), (0, 255, 255, 0)).save('cmyk.jpg')\n"
      "Image.new('I;16', (5, 4), 0x8080).save('deep.png')\n"
      "p = Image.new('P', (6, 2), 1)\n"
      "p.putpalette([0, 0, 0, 10, 200, 90] + [0] * 762)\n"
      "p.save('pal.png')\n",
      output);
  if (status == 77)
    GTEST_SKIP() << "PIL is not installed";
  ASSERT_EQ(status, 0) << output;
  struct Case {
    const char *name;
    int channels;
    std::vector<int> pixel;
  };
  for (const Case &c :
       {Case{"prog.jpg", 3, {200, 30, 20}}, Case{"420.jpg", 3, {200, 30, 20}},
        Case{"cmyk.jpg", 3, {255, 0, 0}}, Case{"deep.png", 1, {128}},
        Case{"pal.png", 3, {10, 200, 90}}}) {
    Expected<Image> image = loadImage(dir.path(c.name));
    ASSERT_TRUE(image.ok()) << image.message();
    ASSERT_EQ(image->channels, c.channels) << c.name;
    for (int ch = 0; ch < c.channels; ++ch)
      EXPECT_NEAR(image->at(image->width / 2, image->height / 2, ch),
                  c.pixel[ch], 3)
          << c.name << " channel " << ch;
  }
}

void expectRejected(const std::vector<uint8_t> &bytes, const char *part) {
  Expected<Image> image = decode(bytes);
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.message().rfind("img: ", 0), 0u) << image.message();
  EXPECT_NE(image.message().find(part), std::string::npos) << image.message();
}

TEST(ImageDecodeTest, CorruptImagesAreRejected) {
  expectRejected({}, "empty file");
  expectRejected(toBytes("GIF89a......"), "unrecognised image format");
  expectRejected({0xFF, 0xD8, 0xFF}, "JPEG");
  expectRejected({0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, "PNG");

  std::vector<uint8_t> jpeg = encodeJpeg(pattern(64, 48, 3));
  for (size_t keep : {jpeg.size() / 2, jpeg.size() - 2, size_t(20)})
    expectRejected(std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + keep),
                   "JPEG");
  std::vector<uint8_t> png = encodePng(pattern(64, 48, 3));
  for (size_t keep : {png.size() / 2, png.size() - 13, size_t(30)})
    expectRejected(std::vector<uint8_t>(png.begin(), png.begin() + keep),
                   "PNG");
  // A damaged IDAT: its CRC no longer matches.
  std::vector<uint8_t> damaged = png;
  damaged[damaged.size() / 2] ^= 0x55;
  expectRejected(damaged, "PNG");
  // Garbage after a valid JPEG header.
  std::vector<uint8_t> garbage = jpeg;
  for (size_t i = jpeg.size() / 3; i < jpeg.size() - 2; ++i)
    garbage[i] = uint8_t(i * 37);
  expectRejected(garbage, "JPEG");
}

TEST(ImageDecodeTest, MutatedImagesNeverCrash) {
  // Every damaged variant must decode or fail cleanly (run under ASan too).
  uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  for (const std::vector<uint8_t> &valid :
       {encodeJpeg(pattern(24, 16, 3)), encodeJpeg(pattern(9, 7, 1)),
        encodePng(pattern(24, 16, 3)), encodePng(pattern(5, 9, 4))}) {
    for (int round = 0; round < 150; ++round) {
      std::vector<uint8_t> bytes = valid;
      for (int flips = 1 + next() % 4; flips > 0; --flips)
        bytes[next() % bytes.size()] = uint8_t(next() >> 24);
      if (next() % 3 == 0)
        bytes.resize(next() % bytes.size());
      Expected<Image> image = decode(bytes);
      if (image.ok()) {
        EXPECT_EQ(image->pixels.size(),
                  size_t(image->width) * image->height * image->channels);
      } else {
        EXPECT_EQ(image.message().rfind("img: ", 0), 0u) << image.message();
      }
    }
  }
}

TEST(ImageResizeTest, ConstantImageStaysConstant) {
  Image flat = Image::filled(37, 23, 3, 201);
  for (auto [w, h] : {std::pair{10, 6}, {37, 23}, {80, 51}, {1, 1}, {36, 5}}) {
    Image out = resizeBilinear(flat, w, h);
    EXPECT_EQ(out.width, w);
    EXPECT_EQ(out.height, h);
    EXPECT_EQ(out.pixels, std::vector<uint8_t>(size_t(w) * h * 3, 201))
        << w << "x" << h;
  }
}

TEST(ImageResizeTest, SameSizeIsIdentity) {
  Image image = pattern(19, 11, 3);
  EXPECT_EQ(resizeBilinear(image, 19, 11).pixels, image.pixels);
}

TEST(ImageResizeTest, DownscalingAveragesInsteadOfAliasing) {
  // A one-pixel checkerboard halved: plain bilinear sampling would return
  // pure black or white; the widened filter returns grey.
  Image board = Image::filled(32, 32, 1);
  for (int y = 0; y < 32; ++y)
    for (int x = 0; x < 32; ++x)
      board.at(x, y, 0) = (x + y) % 2 ? 255 : 0;
  Image half = resizeBilinear(board, 16, 16);
  for (int y = 1; y < 15; ++y)
    for (int x = 1; x < 15; ++x)
      EXPECT_NEAR(half.at(x, y, 0), 127.5, 1.0) << x << "," << y;
}

TEST(ImageResizeTest, MatchesPillowBilinear) {
  TempDir dir;
  std::string output;
  Image image = pattern(37, 23, 3);
  writeBytes(dir.path("in.png"), encodePng(image));
  int status =
      runPython(dir.dir(),
                "import sys\n"
                "try:\n"
                "    from PIL import Image\n"
                "except ImportError:\n"
                "    sys.exit(77)\n"
                "im = Image.open('in.png')\n"
                "im.resize((16, 10), Image.BILINEAR).save('down.png')\n"
                "im.resize((50, 31), Image.BILINEAR).save('up.png')\n",
                output);
  if (status == 77)
    GTEST_SKIP() << "PIL is not installed";
  ASSERT_EQ(status, 0) << output;
  for (auto [name, w, h] :
       {std::tuple{"down.png", 16, 10}, {"up.png", 50, 31}}) {
    Expected<Image> want = decode(readBytes(dir.path(name)));
    ASSERT_TRUE(want.ok()) << want.message();
    // PIL rounds to bytes between its two passes; we round once.
    EXPECT_LE(maxDifference(resizeBilinear(image, w, h), *want), 2) << name;
  }
}

TEST(ImageResizeTest, WindowEqualsResizeThenCrop) {
  Image image = pattern(37, 23, 3);
  for (auto [w, h] : {std::pair{20, 12}, {60, 41}}) {
    Image full = resizeBilinear(image, w, h);
    Image window = resizeWindow(image, w, h, 3, 5, 11, 7);
    ASSERT_EQ(window.width, 11);
    ASSERT_EQ(window.height, 7);
    for (int y = 0; y < 7; ++y)
      for (int x = 0; x < 11; ++x)
        for (int c = 0; c < 3; ++c)
          ASSERT_EQ(window.at(x, y, c), full.at(x + 3, y + 5, c))
              << w << "x" << h << " at " << x << "," << y;
  }
}

TEST(ImagePreprocessTest, ExtremeAspectRatioStaysCheap) {
  // Shorter side 1 -> 256: the full resize would be 256 x 25.6 million.
  Image strip = Image::filled(1, 100000, 3, 90);
  Image out = preprocessImage(strip, 224, 224, 3);
  EXPECT_EQ(out.width, 224);
  EXPECT_EQ(out.pixels, std::vector<uint8_t>(224 * 224 * 3, 90));
}

TEST(ImageCropTest, GeometryIsExact) {
  Image image = Image::filled(10, 8, 1);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 10; ++x)
      image.at(x, y, 0) = uint8_t(x + 10 * y);
  Image crop = centreCrop(image, 5, 3); // left (10-5)/2 = 2, top (8-3)/2 = 2
  ASSERT_EQ(crop.width, 5);
  ASSERT_EQ(crop.height, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x)
      EXPECT_EQ(crop.at(x, y, 0), (x + 2) + 10 * (y + 2));
  EXPECT_EQ(centreCrop(image, 10, 8).pixels, image.pixels);
}

TEST(ImagePreprocessTest, ChannelsAndFloats) {
  Image rgb = Image::filled(1, 1, 3);
  rgb.pixels = {255, 0, 0};
  EXPECT_EQ(convertChannels(rgb, 1).pixels, (std::vector<uint8_t>{76}));
  rgb.pixels = {255, 255, 255};
  EXPECT_EQ(convertChannels(rgb, 1).pixels, (std::vector<uint8_t>{255}));
  Image gray = Image::filled(1, 1, 1, 9);
  EXPECT_EQ(convertChannels(gray, 3).pixels, (std::vector<uint8_t>{9, 9, 9}));

  Image image = Image::filled(2, 1, 3);
  image.pixels = {0, 51, 255, 255, 102, 0};
  float out[6];
  toFloatCHW(image, out);
  const float want[6] = {0, 1, 0.2f, 0.4f, 1, 0};
  for (int i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(out[i], want[i]) << i;
}

TEST(ImagePreprocessTest, PaperGeometry) {
  EXPECT_EQ(resizeTargetFor(224), 256);
  EXPECT_EQ(resizeTargetFor(28), 32);
  EXPECT_EQ(resizeTargetFor(227), 259);
  // Landscape 500x375 -> shorter side 256 -> 341x256 -> centre 224x224.
  Image flat = Image::filled(500, 375, 3, 77);
  Image out = preprocessImage(flat, 224, 224, 1);
  EXPECT_EQ(out.width, 224);
  EXPECT_EQ(out.height, 224);
  EXPECT_EQ(out.channels, 1);
  EXPECT_EQ(out.pixels, std::vector<uint8_t>(224 * 224, 77));
  // A tall image with a bright centre column band survives the crop.
  Image tall = Image::filled(8, 40, 1, 0);
  for (int y = 0; y < 40; ++y)
    for (int x = 3; x < 5; ++x)
      tall.at(x, y, 0) = 255;
  out = preprocessImage(tall, 4, 4, 3);
  EXPECT_EQ(out.channels, 3);
  EXPECT_GT(out.at(1, 2, 0), out.at(0, 2, 0)); // centre brighter than edge
  EXPECT_EQ(out.at(1, 0, 0), out.at(1, 3, 0)); // vertically uniform
}

} // namespace
