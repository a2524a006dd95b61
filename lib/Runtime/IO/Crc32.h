//===- Crc32.h - CRC-32 checksums -------------------------------*- C++ -*-===//
//
// The CRC-32 of ZIP, gzip and PNG (zlib's crc32), used for the per-tensor
// checksums of .axw files and the member checksums of .npz archives. Floats
// are checksummed as their little-endian bytes, as stored on disk.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_CRC32_H
#define ALEXNET_LIB_RUNTIME_IO_CRC32_H

#include <cstddef>
#include <cstdint>

namespace alexnet::runtime {

/// Continues the CRC-32 `crc` (0 to start) over `size` bytes at `data`.
/// Any size, including above 4 GiB.
uint32_t crc32(const void *data, size_t size, uint32_t crc = 0);

/// CRC-32 of `count` floats, as their little-endian IEEE-754 bytes.
uint32_t crc32Floats(const float *data, size_t count);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_CRC32_H
