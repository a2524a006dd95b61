//===- Npz.h - NumPy .npz archives ------------------------------*- C++ -*-===//
//
// An .npz file is a ZIP archive of .npy members; member "<name>.npy" holds
// array "<name>". Reading accepts what np.savez (stored) and
// np.savez_compressed (deflate) write, including the ZIP64 extra fields and
// data descriptors NumPy's zipfile emits; sizes come from the central
// directory and every offset is bounds-checked. Writing stores members
// uncompressed with their CRC-32, atomically.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_NPZ_H
#define ALEXNET_LIB_RUNTIME_IO_NPZ_H

#include "IO/Npy.h"
#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// One array of an archive, named without the ".npy".
struct NamedArray {
  std::string name;
  NpyArray array;
};

/// The arrays of an .npz archive, in archive order.
struct NpzFile {
  std::vector<NamedArray> arrays;

  /// The array called `name`, or null.
  const NpyArray *find(const std::string &name) const;
};

struct NpzWriteOptions {
  /// Write ZIP64 records even when sizes do not need them, as NumPy does;
  /// they are written anyway for members or archives over 4 GiB.
  bool forceZip64 = false;
};

/// The most bytes the member of array `name` (its whole .npy file) may
/// hold, from what the caller will take: a member declaring more is refused
/// from the central directory, before anything is allocated or inflated,
/// and inflating never writes past the declared size.
using NpzMemberLimit = std::function<uint64_t(const std::string &name)>;

/// The largest .npy file of `elements` values of `elementBytes` each: the
/// longest header the reader accepts, then the data.
uint64_t npyFileLimit(uint64_t elements, uint64_t elementBytes);

/// Reads the .npz archive at `path`. Refuses members that are not .npy
/// files, duplicate names, encrypted or multi-disk archives, compression
/// methods other than stored and deflate, CRC mismatches, members over
/// `limit` (when given) and any member the .npy reader refuses.
Expected<NpzFile> loadNpz(const std::string &path,
                          const NpzMemberLimit &limit = {});

/// Writes `npz` to `path` atomically. Refuses empty or duplicate names and
/// arrays serializeNpy refuses.
Status saveNpz(const std::string &path, const NpzFile &npz,
               NpzWriteOptions options = {});

/// Parses .npz bytes; `name` starts every error message.
Expected<NpzFile> parseNpz(const uint8_t *data, size_t size,
                           const std::string &name,
                           const NpzMemberLimit &limit = {});

/// The .npz bytes for `npz`, as saveNpz writes them.
Expected<std::vector<uint8_t>> serializeNpz(const NpzFile &npz,
                                            NpzWriteOptions options = {});

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_NPZ_H
