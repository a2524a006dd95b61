//===- Npy.h - NumPy .npy arrays --------------------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (versions 1.0, 2.0 and 3.0) for the
// dtypes the runtime exchanges with Python: float32 ('<f4') for data and
// weights, int32 ('<i4') for labels. int64 ('<i8') files, NumPy's default
// integer type, are read as int32 after checking every value fits. Only C
// order; the header is parsed as the strict Python dict literal NumPy writes,
// never evaluated.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_NPY_H
#define ALEXNET_LIB_RUNTIME_IO_NPY_H

#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// The element types an NpyArray holds.
enum class NpyDType { Float32, Int32 };

/// "float32" or "int32".
const char *dtypeName(NpyDType dtype);

/// A C-order array. Exactly one of `f32` and `i32`, chosen by `dtype`, holds
/// the elements; the other is empty. A zero-rank shape is a scalar; zero-size
/// dimensions are allowed, as in NumPy.
struct NpyArray {
  NpyDType dtype = NpyDType::Float32;
  std::vector<int64_t> shape;
  std::vector<float> f32;
  std::vector<int32_t> i32;

  static NpyArray floats(std::vector<int64_t> shape, std::vector<float> data);
  static NpyArray ints(std::vector<int64_t> shape, std::vector<int32_t> data);

  /// Number of elements held (the size of the active vector).
  size_t size() const {
    return dtype == NpyDType::Float32 ? f32.size() : i32.size();
  }
};

/// Largest header accepted on read; NumPy itself refuses more than 10000
/// bytes by default.
constexpr size_t kMaxNpyHeaderSize = 1 << 20;

/// Largest rank read or written (NumPy 2 allows 64, NumPy 1 allows 32).
constexpr size_t kMaxNpyRank = 64;

/// Reads the .npy file at `path`.
Expected<NpyArray> loadNpy(const std::string &path);

/// Writes `a` to `path` atomically, as NumPy would (version 1.0 unless the
/// header needs 2.0, data aligned to 64 bytes).
Status saveNpy(const std::string &path, const NpyArray &a);

/// Parses .npy bytes; `name` starts every error message.
Expected<NpyArray> parseNpy(const uint8_t *data, size_t size,
                            const std::string &name);

/// The .npy bytes for `a`. Refuses negative dimensions, ranks above
/// kMaxNpyRank, a shape that does not match the element count, and data in
/// the inactive vector.
Expected<std::vector<uint8_t>> serializeNpy(const NpyArray &a);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_NPY_H
