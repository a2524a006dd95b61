//===- ImageDecode.cpp - JPEG and PNG decoding ----------------------------===//
//
// JPEG through libjpeg-turbo's TurboJPEG API with warnings treated as errors
// (a truncated file only warns otherwise) and the progressive-scan limit on;
// PNG through libpng's simplified API, which reports errors as values and
// handles palette, 16-bit, gray+alpha and gamma itself. Sizes are checked
// before allocating.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/AtomicFile.h"
#include "alexnet/Runtime/Image.h"

#include <cstring>
#include <memory>
#include <png.h>
#include <turbojpeg.h>

namespace alexnet::runtime {

namespace {

constexpr uint8_t kJpegMagic[] = {0xFF, 0xD8, 0xFF};
constexpr uint8_t kPngMagic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

bool startsWith(const uint8_t *data, size_t size, const uint8_t *magic,
                size_t length) {
  return size >= length && std::memcmp(data, magic, length) == 0;
}

Status checkSize(int64_t width, int64_t height, const std::string &name) {
  if (width <= 0 || height <= 0)
    return Status::error(name + ": invalid image size " +
                         std::to_string(width) + "x" + std::to_string(height));
  if (width * height > kMaxImagePixels)
    return Status::error(name + ": image too large (" + std::to_string(width) +
                         "x" + std::to_string(height) + ", at most " +
                         std::to_string(kMaxImagePixels) + " pixels)");
  return Status::success();
}

struct TjDestroy {
  void operator()(void *handle) const { tjDestroy(handle); }
};

Expected<Image> decodeJpeg(const uint8_t *data, size_t size,
                           const std::string &name) {
  std::unique_ptr<void, TjDestroy> tj(tjInitDecompress());
  if (!tj)
    return Status::error(name + ": cannot start the JPEG decoder");
  auto tjError = [&](const char *what) {
    return Status::error(name + ": " + what + ": " +
                         tjGetErrorStr2(tj.get()));
  };
  // TurboJPEG takes a non-const buffer and an unsigned long size.
  auto *buffer = const_cast<unsigned char *>(data);
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), buffer, (unsigned long)size, &width,
                          &height, &subsampling, &colorspace) != 0)
    return tjError("invalid JPEG header");
  if (Status s = checkSize(width, height, name); !s.ok())
    return s;

  const int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
  bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  int channels = colorspace == TJCS_GRAY ? 1 : 3;
  int format = colorspace == TJCS_GRAY ? TJPF_GRAY : TJPF_RGB;
  Image image = Image::filled(width, height, channels);
  if (!cmyk) {
    if (tjDecompress2(tj.get(), buffer, (unsigned long)size,
                      image.pixels.data(), width, 0, height, format,
                      flags) != 0)
      return tjError("corrupt JPEG data");
    return image;
  }
  // TurboJPEG cannot convert CMYK to RGB. Nearly all CMYK JPEGs are Adobe's
  // inverted ones, for which R = C * K / 255 (likewise G, B).
  std::vector<uint8_t> cmykPixels(size_t(width) * height * 4);
  if (tjDecompress2(tj.get(), buffer, (unsigned long)size, cmykPixels.data(),
                    width, 0, height, TJPF_CMYK, flags) != 0)
    return tjError("corrupt JPEG data");
  for (size_t i = 0, n = size_t(width) * height; i < n; ++i) {
    const uint8_t *p = &cmykPixels[4 * i];
    for (int c = 0; c < 3; ++c)
      image.pixels[3 * i + c] = uint8_t((p[c] * p[3] + 127) / 255);
  }
  return image;
}

Expected<Image> decodePng(const uint8_t *data, size_t size,
                          const std::string &name) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, data, size))
    return Status::error(name + ": invalid PNG: " + png.message);
  if (Status s = checkSize(png.width, png.height, name); !s.ok()) {
    png_image_free(&png);
    return s;
  }
  int channels = (png.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
  png.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image image = Image::filled(int(png.width), int(png.height), channels);
  png_color white{255, 255, 255};
  // finish_read frees the decoder's state whether or not it succeeds.
  if (!png_image_finish_read(&png, &white, image.pixels.data(), 0, nullptr))
    return Status::error(name + ": corrupt PNG data: " + png.message);
  // Recoverable problems (a bad CRC in an ancillary chunk) only warn.
  if (png.warning_or_error & PNG_IMAGE_ERROR)
    return Status::error(name + ": corrupt PNG data: " + png.message);
  return image;
}

} // namespace

Expected<Image> decodeImage(const uint8_t *data, size_t size,
                            const std::string &name) {
  if (size == 0)
    return Status::error(name + ": empty file");
  if (startsWith(data, size, kJpegMagic, sizeof(kJpegMagic)))
    return decodeJpeg(data, size, name);
  if (startsWith(data, size, kPngMagic, sizeof(kPngMagic)))
    return decodePng(data, size, name);
  return Status::error(name + ": unrecognised image format, expected JPEG or "
                              "PNG");
}

Expected<Image> loadImage(const std::string &path) {
  // 1 GiB is far beyond any photo; it keeps a wrong path from eating memory.
  Expected<std::vector<uint8_t>> bytes = readFile(path, uint64_t(1) << 30);
  if (!bytes.ok())
    return bytes.error();
  return decodeImage(bytes->data(), bytes->size(), path);
}

} // namespace alexnet::runtime
