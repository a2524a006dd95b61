//===- Crc32.cpp - CRC-32 checksums ---------------------------------------===//
//
// Thin wrapper over zlib, so callers need not include zlib.h.
//
//===----------------------------------------------------------------------===//

#include "IO/Crc32.h"

#include <zlib.h>

// The on-disk formats are little-endian and the runtime reads them in place.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the alexnet runtime supports little-endian hosts only");

namespace alexnet::runtime {

uint32_t crc32(const void *data, size_t size, uint32_t crc) {
  // zlib answers 0 for a null buffer whatever `crc` is; keep the running value.
  if (size == 0)
    return crc;
  // crc32_z takes a z_size_t, so one call covers buffers above 4 GiB.
  return static_cast<uint32_t>(
      ::crc32_z(crc, static_cast<const Bytef *>(data), size));
}

uint32_t crc32Floats(const float *data, size_t count) {
  return crc32(data, count * sizeof(float));
}

} // namespace alexnet::runtime
