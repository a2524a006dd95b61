//===- ImageDecode.cpp - JPEG and PNG decoding ----------------------------===//
//
// JPEG through libjpeg-turbo's TurboJPEG API with warnings treated as errors
// (a truncated file only warns otherwise) and the progressive-scan limit on;
// PNG through libpng's classic API, expanded to 8-bit samples without gamma
// correction (the simplified API would treat 16-bit files as linear light
// and brighten them). Sizes are checked before allocating.
//
//===----------------------------------------------------------------------===//

#include "IO/AtomicFile.h"
#include "Data/Image.h"

#include <csetjmp>
#include <cstdio>
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

Status checkSize(int64_t width, int64_t height, const std::string &name,
                 const char *format) {
  if (width <= 0 || height <= 0)
    return Status::error(name + ": invalid " + format + " image size " +
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
    return Status::error(name + ": " + what + ": " + tjGetErrorStr2(tj.get()));
  };
  // TurboJPEG takes a non-const buffer and an unsigned long size.
  auto *buffer = const_cast<unsigned char *>(data);
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), buffer, (unsigned long)size, &width,
                          &height, &subsampling, &colorspace) != 0)
    return tjError("invalid JPEG header");
  if (Status s = checkSize(width, height, name, "JPEG"); !s.ok())
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

/// libpng's state for one decode. libpng reports errors by longjmp, so the
/// functions that call into it (readPngHeader, readPngPixels) hold no
/// objects with destructors; everything that owns memory lives here or in
/// their callers.
struct PngDecoder {
  png_structp png = nullptr;
  png_infop info = nullptr;
  const uint8_t *data;
  size_t size;
  size_t offset = 0;
  char message[256] = "unknown error";

  PngDecoder(const uint8_t *data, size_t size) : data(data), size(size) {}
  ~PngDecoder() { png_destroy_read_struct(&png, &info, nullptr); }
};

void pngError(png_structp png, png_const_charp message) {
  auto *d = static_cast<PngDecoder *>(png_get_error_ptr(png));
  std::snprintf(d->message, sizeof(d->message), "%s", message);
  png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {} // ancillary problems only

void pngRead(png_structp png, png_bytep out, png_size_t length) {
  auto *d = static_cast<PngDecoder *>(png_get_io_ptr(png));
  if (length > d->size - d->offset)
    png_error(png, "truncated file");
  std::memcpy(out, d->data + d->offset, length);
  d->offset += length;
}

/// Reads the header and sets up the conversion to 8-bit gray, gray+alpha,
/// RGB or RGBA (raw sample values, no gamma: what PIL and torchvision see).
bool readPngHeader(PngDecoder &d, uint32_t &width, uint32_t &height,
                   int &channels, size_t &rowBytes) {
  if (setjmp(png_jmpbuf(d.png)))
    return false;
  png_set_read_fn(d.png, &d, pngRead);
  png_read_info(d.png, d.info);
  png_set_strip_16(d.png);
  png_set_packing(d.png);
  png_set_palette_to_rgb(d.png);
  png_set_expand_gray_1_2_4_to_8(d.png);
  png_set_tRNS_to_alpha(d.png);
  png_set_interlace_handling(d.png);
  png_read_update_info(d.png, d.info);
  width = png_get_image_width(d.png, d.info);
  height = png_get_image_height(d.png, d.info);
  channels = png_get_channels(d.png, d.info);
  rowBytes = png_get_rowbytes(d.png, d.info);
  return true;
}

bool readPngPixels(PngDecoder &d, png_bytepp rows) {
  if (setjmp(png_jmpbuf(d.png)))
    return false;
  png_read_image(d.png, rows);
  return true;
}

Expected<Image> decodePng(const uint8_t *data, size_t size,
                          const std::string &name) {
  PngDecoder d(data, size);
  d.png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &d, pngError, pngWarning);
  if (d.png)
    d.info = png_create_info_struct(d.png);
  if (!d.png || !d.info)
    return Status::error(name + ": cannot start the PNG decoder");
  uint32_t width = 0, height = 0;
  int channels = 0;
  size_t rowBytes = 0;
  if (!readPngHeader(d, width, height, channels, rowBytes))
    return Status::error(name + ": invalid PNG: " + d.message);
  if (Status s = checkSize(width, height, name, "PNG"); !s.ok())
    return s;
  if (channels < 1 || channels > 4 || rowBytes != size_t(width) * channels)
    return Status::error(name + ": unsupported PNG layout");
  std::vector<uint8_t> raw(rowBytes * height);
  std::vector<png_bytep> rows(height);
  for (uint32_t y = 0; y < height; ++y)
    rows[y] = &raw[y * rowBytes];
  if (!readPngPixels(d, rows.data()))
    return Status::error(name + ": corrupt PNG data: " + d.message);

  // Drop alpha by compositing onto white.
  bool alpha = channels == 2 || channels == 4;
  int colour = alpha ? channels - 1 : channels;
  if (!alpha) {
    Image image;
    image.width = int(width);
    image.height = int(height);
    image.channels = channels;
    image.pixels = std::move(raw);
    return image;
  }
  Image image = Image::filled(int(width), int(height), colour);
  for (size_t i = 0, n = size_t(width) * height; i < n; ++i) {
    const uint8_t *p = &raw[i * channels];
    unsigned a = p[colour];
    for (int c = 0; c < colour; ++c)
      image.pixels[i * colour + c] =
          uint8_t((p[c] * a + 255u * (255u - a) + 127u) / 255u);
  }
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
