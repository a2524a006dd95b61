//===- NpyTest.cpp - .npy round trips and rejections ----------------------===//

#include "TestUtil.h"

#include "IO/Npy.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

/// A .npy file with the given header text (padded NumPy style) and payload.
std::vector<uint8_t> npyBytes(const std::string &header,
                              const std::vector<uint8_t> &payload,
                              int major = 1) {
  std::string text = header;
  size_t preamble = major == 1 ? 10 : 12;
  while ((preamble + text.size() + 1) % 64)
    text += ' ';
  text += '\n';
  std::vector<uint8_t> out = toBytes(std::string("\x93NUMPY", 6));
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  for (size_t i = 0; i < preamble - 8; ++i)
    out.push_back(static_cast<uint8_t>(text.size() >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

template <typename T> std::vector<uint8_t> rawBytes(const std::vector<T> &v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  if (!v.empty())
    std::memcpy(out.data(), v.data(), out.size());
  return out;
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  auto a = parseNpy(bytes.data(), bytes.size(), "a.npy");
  return a.ok() ? "(loaded)" : a.message();
}

const std::string kF23 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST(Npy, RoundTrips) {
  TempDir tmp;
  std::vector<NpyArray> arrays = {
      NpyArray::floats({2, 3, 4}, std::vector<float>(24, 1.5f)),
      NpyArray::floats({5}, {1, 2, 3, 4, 5}),
      NpyArray::floats({}, {42.0f}),
      NpyArray::floats({0, 3}, {}),
      NpyArray::ints({4}, {-2147483647 - 1, -1, 0, 2147483647}),
      NpyArray::ints({2, 1}, {3, 9}),
  };
  for (size_t i = 0; i < arrays.size(); ++i) {
    std::string path = tmp.path("a" + std::to_string(i) + ".npy");
    Status saved = saveNpy(path, arrays[i]);
    ASSERT_TRUE(saved.ok()) << saved.message();
    auto bytes = readBytes(path);
    // NumPy's layout: data starts on a 64-byte boundary.
    size_t headerSize = bytes[8] | bytes[9] << 8;
    EXPECT_EQ((10 + headerSize) % 64, 0u);
    auto loaded = loadNpy(path);
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    EXPECT_EQ(loaded->dtype, arrays[i].dtype);
    EXPECT_EQ(loaded->shape, arrays[i].shape);
    EXPECT_EQ(loaded->f32, arrays[i].f32);
    EXPECT_EQ(loaded->i32, arrays[i].i32);
  }
}

TEST(Npy, HeaderTextMatchesNumpy) {
  auto bytes = serializeNpy(NpyArray::floats({2, 3}, std::vector<float>(6)));
  ASSERT_TRUE(bytes.ok());
  std::string text(bytes->begin() + 10, bytes->begin() + 128);
  EXPECT_EQ(text.substr(0, kF23.size()), kF23);
  EXPECT_EQ(text.back(), '\n');
  auto scalar = serializeNpy(NpyArray::ints({7}, std::vector<int32_t>(7)));
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(std::string(scalar->begin() + 10, scalar->begin() + 67),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (7,), }");
}

TEST(Npy, AcceptsHeaderVariants) {
  std::vector<float> six = {1, 2, 3, 4, 5, 6};
  auto payload = rawBytes(six);
  const std::vector<std::string> headers = {
      kF23,
      "{\"shape\": (2, 3), \"fortran_order\": False, \"descr\": \"<f4\"}",
      "{'descr':'<f4','fortran_order':False,'shape':(2,3,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
  };
  for (const std::string &h : headers)
    for (int major : {1, 2, 3}) {
      auto a = parseNpy(npyBytes(h, payload, major).data(),
                        npyBytes(h, payload, major).size(), "a.npy");
      ASSERT_TRUE(a.ok()) << h << " v" << major << ": " << a.message();
      EXPECT_EQ(a->shape, (std::vector<int64_t>{2, 3}));
      EXPECT_EQ(a->f32, six);
    }
}

TEST(Npy, Int64IsNarrowedWithRangeCheck) {
  std::string header =
      "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  auto ok = npyBytes(header, rawBytes(std::vector<int64_t>{-5, 0, 2147483647}));
  auto a = parseNpy(ok.data(), ok.size(), "l.npy");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->dtype, NpyDType::Int32);
  EXPECT_EQ(a->i32, (std::vector<int32_t>{-5, 0, 2147483647}));
  auto bad = npyBytes(header, rawBytes(std::vector<int64_t>{1, 2147483648, 3}));
  EXPECT_EQ(parseError(bad),
            "a.npy: int64 element 1 is 2147483648, outside the int32 range");
}

TEST(Npy, RefusesBadHeaders) {
  auto six = rawBytes(std::vector<float>(6));
  auto error = [&](const std::string &header) {
    return parseError(npyBytes(header, six));
  };
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"),
            "a.npy: Fortran-order arrays are not supported (save a C-order "
            "array, e.g. np.ascontiguousarray)");
  EXPECT_EQ(error("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }"),
            "a.npy: unsupported dtype '>f4' (expected '<f4', '<i4' or '<i8')");
  EXPECT_EQ(error("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"),
            "a.npy: unsupported dtype '<f8' (expected '<f4', '<i4' or '<i8')");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False}"),
            "a.npy: malformed header: missing key 'shape'");
  EXPECT_EQ(error(kF23.substr(0, kF23.size() - 1) + "'extra': 1}"),
            "a.npy: malformed header: unexpected key 'extra'");
  EXPECT_EQ(error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                  "'shape': (6,)}"),
            "a.npy: malformed header: duplicate key 'descr'");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}"),
            "a.npy: malformed header: 'shape' is not a tuple");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': 6}"),
            "a.npy: malformed header: 'shape' is not a tuple");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}"),
            "a.npy: malformed header: 'shape' has a negative dimension");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}"),
            "a.npy: malformed header: 'fortran_order' is not True or False");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (6,)}"),
            "a.npy: malformed header: 'fortran_order' is not True or False");
  EXPECT_EQ(error("{'descr': [('a', '<f4')], 'fortran_order': False, "
                  "'shape': (6,)}"),
            "a.npy: malformed header: 'descr' is not a string (structured "
            "dtypes are not supported)");
  EXPECT_EQ(error(kF23 + " x"),
            "a.npy: malformed header: unexpected text after the dict at "
            "offset 60");
  EXPECT_EQ(error("{'descr: '<f4'"),
            "a.npy: malformed header: expected ':' after key 'descr: '");
  EXPECT_EQ(error("{'descr': '<f4' 'shape': (6,)}"),
            "a.npy: malformed header: expected ',' or '}' at offset 16");
  EXPECT_EQ(error("('descr', '<f4')"),
            "a.npy: malformed header: expected '{' at the start");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                  "(99999999999999999999,)}"),
            "a.npy: malformed header: 'shape' has an element that is not a "
            "valid size");
  EXPECT_EQ(error("{'descr': '<f4', 'fortran_order': False, 'shape': "
                  "(4611686018427387904, 4611686018427387904)}"),
            "a.npy: shape (4611686018427387904, 4611686018427387904) is too "
            "large");
  std::string deep = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 65; ++i)
    deep += "1, ";
  EXPECT_EQ(error(deep + ")}"),
            "a.npy: malformed header: 'shape' has more than 64 dimensions");
}

TEST(Npy, RefusesBadFraming) {
  auto good = npyBytes(kF23, rawBytes(std::vector<float>(6)));
  EXPECT_EQ(parseError(good), "(loaded)");
  EXPECT_EQ(parseError({}), "a.npy: empty file");
  EXPECT_EQ(parseError(toBytes("PK\x03\x04 not npy")),
            "a.npy: not a .npy file (bad magic)");
  auto v4 = good;
  v4[6] = 4;
  EXPECT_EQ(parseError(v4),
            "a.npy: unsupported .npy version 4.0 (expected 1.0, 2.0 or 3.0)");
  auto longHeader = good;
  longHeader[8] = 0xff;
  longHeader[9] = 0xff;
  EXPECT_EQ(parseError(longHeader),
            "a.npy: truncated header (expected 65535 bytes, got " +
                std::to_string(good.size() - 10) + ")");
  auto hugeHeader = npyBytes(kF23, {}, 2);
  hugeHeader[11] = 0x7f;
  EXPECT_EQ(parseError(hugeHeader),
            "a.npy: header too long (2130706548 bytes, limit 1048576)");
  auto shortData = good;
  shortData.resize(shortData.size() - 4);
  EXPECT_EQ(parseError(shortData),
            "a.npy: truncated data (shape (2, 3) needs 24 bytes, got 20)");
  auto longData = good;
  longData.push_back(0);
  EXPECT_EQ(parseError(longData),
            "a.npy: unexpected 1 bytes after the data (shape (2, 3) needs 24)");
  // Every truncation is refused, whatever the point.
  for (size_t size = 1; size < good.size(); ++size) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + size);
    EXPECT_NE(parseError(cut).find("truncated"), std::string::npos)
        << size << ": " << parseError(cut);
  }
}

TEST(Npy, SerializeRefusesInconsistentArrays) {
  auto error = [](const NpyArray &a) {
    auto b = serializeNpy(a);
    return b.ok() ? std::string("(ok)") : b.message();
  };
  EXPECT_EQ(error(NpyArray::floats({2, 3}, std::vector<float>(5))),
            "shape (2, 3) needs 6 elements, data has 5");
  EXPECT_EQ(error(NpyArray::floats({-1}, {})),
            "shape (-1,) has a negative dimension or too many elements");
  NpyArray mixed = NpyArray::floats({1}, {1.0f});
  mixed.i32 = {1};
  EXPECT_EQ(error(mixed), "float32 array also holds int32 data");
  EXPECT_EQ(error(NpyArray::floats(std::vector<int64_t>(65, 1), {1.0f})),
            "rank 65 exceeds the limit of 64");
  TempDir tmp;
  Status s = saveNpy(tmp.path("x.npy"), NpyArray::ints({3}, {1, 2}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), tmp.path("x.npy") +
                             ": shape (3,) needs 3 elements, data has 2");
  EXPECT_TRUE(tmp.list().empty());
  auto missing = loadNpy(tmp.path("x.npy"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(),
            tmp.path("x.npy") + ": cannot open: No such file or directory");
}

} // namespace
