//===- NpzTest.cpp - .npz round trips and rejections ----------------------===//

#include "TestUtil.h"

#include "IO/Npz.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

NpzFile sample() {
  NpzFile npz;
  std::vector<float> images(2 * 3 * 4 * 4);
  for (size_t i = 0; i < images.size(); ++i)
    images[i] = 0.125f * static_cast<float>(i) - 3.0f;
  npz.arrays.push_back({"images", NpyArray::floats({2, 3, 4, 4}, images)});
  npz.arrays.push_back({"labels", NpyArray::ints({2}, {7, 1})});
  npz.arrays.push_back({"sub/dir", NpyArray::floats({}, {1.0f})});
  return npz;
}

void expectSame(const NpzFile &a, const NpzFile &b) {
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (size_t i = 0; i < a.arrays.size(); ++i) {
    EXPECT_EQ(a.arrays[i].name, b.arrays[i].name);
    EXPECT_EQ(a.arrays[i].array.dtype, b.arrays[i].array.dtype);
    EXPECT_EQ(a.arrays[i].array.shape, b.arrays[i].array.shape);
    EXPECT_EQ(a.arrays[i].array.f32, b.arrays[i].array.f32);
    EXPECT_EQ(a.arrays[i].array.i32, b.arrays[i].array.i32);
  }
}

std::string parseError(const std::vector<uint8_t> &bytes) {
  auto npz = parseNpz(bytes.data(), bytes.size(), "a.npz");
  return npz.ok() ? "(loaded)" : npz.message();
}

std::vector<ZipMember> members(const NpzFile &npz) {
  std::vector<ZipMember> out;
  for (const NamedArray &a : npz.arrays)
    out.push_back({a.name + ".npy", *serializeNpy(a.array)});
  return out;
}

TEST(Npz, RoundTrips) {
  TempDir tmp;
  for (bool zip64 : {false, true}) {
    std::string path = tmp.path(zip64 ? "z64.npz" : "a.npz");
    Status saved = saveNpz(path, sample(), {zip64});
    ASSERT_TRUE(saved.ok()) << saved.message();
    auto loaded = loadNpz(path);
    ASSERT_TRUE(loaded.ok()) << loaded.message();
    expectSame(sample(), *loaded);
    ASSERT_NE(loaded->find("labels"), nullptr);
    EXPECT_EQ(loaded->find("labels")->i32, (std::vector<int32_t>{7, 1}));
    EXPECT_EQ(loaded->find("labels.npy"), nullptr);
  }
  NpzFile empty;
  auto bytes = serializeNpz(empty);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 22u);
  auto loaded = parseNpz(bytes->data(), bytes->size(), "e.npz");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_TRUE(loaded->arrays.empty());
}

TEST(Npz, ReadsDeflateDataDescriptorsAndComments) {
  NpzFile npz = sample();
  for (bool deflate : {false, true})
    for (bool dd : {false, true}) {
      ZipOptions options;
      options.deflate = deflate;
      options.dataDescriptor = dd;
      options.comment = dd ? "a comment PK\x05\x06 with a fake signature" : "";
      auto zip = makeZip(members(npz), options);
      auto loaded = parseNpz(zip.data(), zip.size(), "a.npz");
      ASSERT_TRUE(loaded.ok())
          << deflate << dd << ": " << loaded.message();
      expectSame(npz, *loaded);
    }
}

TEST(Npz, RefusesCorruptArchives) {
  EXPECT_EQ(parseError({}), "a.npz: empty file");
  EXPECT_EQ(parseError(toBytes("short")),
            "a.npz: not a .npz file (too short for a ZIP archive)");
  EXPECT_EQ(parseError(std::vector<uint8_t>(100, 'x')),
            "a.npz: not a .npz file (no ZIP end of central directory record)");

  auto good = *serializeNpz(sample());
  // Truncation anywhere is an error, never a crash.
  for (size_t size = 1; size < good.size(); ++size) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + size);
    std::string message = parseError(cut);
    EXPECT_EQ(message.rfind("a.npz: ", 0), 0u) << size << ": " << message;
  }
  std::vector<uint8_t> cut(good.begin(), good.end() - 1);
  EXPECT_EQ(parseError(cut), "a.npz: truncated or corrupt ZIP archive (no end "
                             "of central directory record)");

  // A flipped bit in a stored member is caught by the CRC.
  auto flipped = good;
  flipped[200] ^= 1;
  std::string message = parseError(flipped);
  EXPECT_EQ(message.rfind("a.npz: member 'images.npy': CRC-32 mismatch "
                          "(stored 0x",
                          0),
            0u)
      << message;
}

TEST(Npz, RefusesUnsupportedMembers) {
  auto npy = *serializeNpy(NpyArray::floats({1}, {1.0f}));
  EXPECT_EQ(parseError(makeZip({{"a.txt", toBytes("hi")}})),
            "a.npz: member 'a.txt' is not a .npy array");
  EXPECT_EQ(parseError(makeZip({{".npy", npy}})),
            "a.npz: member '.npy' has an empty array name");
  EXPECT_EQ(parseError(makeZip({{"a.npy", npy}, {"a.npy", npy}})),
            "a.npz: duplicate array 'a'");
  EXPECT_EQ(parseError(makeZip({{"a.npy", toBytes("not npy at all")}})),
            "a.npz: member 'a.npy': not a .npy file (bad magic)");
  auto cutNpy = npy;
  cutNpy.pop_back();
  EXPECT_EQ(parseError(makeZip({{"a.npy", cutNpy}})),
            "a.npz: member 'a.npy': truncated data (shape (1,) needs 4 bytes, "
            "got 3)");

  // Patch the method (local header offset 8, central offset 10) to bzip2.
  auto zip = makeZip({{"a.npy", npy}});
  size_t central = zip.size() - 22 - 46 - 5;
  zip[8] = 12;
  zip[central + 10] = 12;
  EXPECT_EQ(parseError(zip), "a.npz: member 'a.npy': unsupported compression "
                             "method 12 (expected 0, stored, or 8, deflate)");
  zip = makeZip({{"a.npy", npy}});
  zip[central + 8] |= 1;
  EXPECT_EQ(parseError(zip),
            "a.npz: member 'a.npy': encrypted members are not supported");
  zip = makeZip({{"a.npy", npy}});
  zip[8] = 8;
  EXPECT_EQ(parseError(zip), "a.npz: member 'a.npy': corrupt ZIP archive "
                             "(compression method differs between headers)");
  // A declared size larger than the deflate stream produces.
  ZipOptions deflate;
  deflate.deflate = true;
  zip = makeZip({{"a.npy", npy}}, deflate);
  central = zip.size() - 22 - 46 - 5;
  zip[central + 24] += 1;
  size_t compressed = zip[central + 20];
  EXPECT_EQ(parseError(zip), "a.npz: member 'a.npy': inflates to " +
                                 std::to_string(npy.size()) +
                                 " bytes, declared size is " +
                                 std::to_string(npy.size() + 1));
  zip = makeZip({{"a.npy", npy}}, deflate);
  zip[central + 24] -= 1;
  EXPECT_EQ(parseError(zip),
            "a.npz: member 'a.npy': inflates to more than its declared size");
  // A zip bomb claim is refused before allocating.
  zip = makeZip({{"a.npy", npy}}, deflate);
  zip[central + 27] = 0x7f;
  EXPECT_EQ(parseError(zip), "a.npz: member 'a.npy': corrupt ZIP archive "
                             "(declared size " +
                                 std::to_string((uint64_t(0x7f) << 24) |
                                                npy.size()) +
                                 " is impossible for compressed size " +
                                 std::to_string(compressed) + ")");
}

// A member larger than its array may be (a zip bomb within deflate's
// ratio) is refused from its declared size; the rest still load.
TEST(Npz, RefusesMembersOverTheCallersLimit) {
  auto small = *serializeNpy(NpyArray::floats({2}, {1.0f, 2.0f}));
  auto large = *serializeNpy(NpyArray::floats({1000}, std::vector<float>(1000)));
  ZipOptions deflate;
  deflate.deflate = true;
  auto zip = makeZip({{"a.npy", small}, {"b.npy", large}}, deflate);
  NpzMemberLimit limit = [&](const std::string &name) -> uint64_t {
    return name == "a" ? small.size() : 100;
  };
  Expected<NpzFile> npz = parseNpz(zip.data(), zip.size(), "a.npz", limit);
  ASSERT_FALSE(npz.ok());
  EXPECT_EQ(npz.message(),
            "a.npz: member 'b.npy': declares " + std::to_string(large.size()) +
                " bytes, more than array 'b' can need (at most 100); refused "
                "before inflating");
  NpzMemberLimit enough = [&](const std::string &) {
    return npyFileLimit(1000, 4);
  };
  EXPECT_TRUE(parseNpz(zip.data(), zip.size(), "a.npz", enough).ok());
  EXPECT_GE(npyFileLimit(1000, 4), large.size());
}

TEST(Npz, SaveRefusesBadNames) {
  TempDir tmp;
  std::string path = tmp.path("a.npz");
  NpzFile dup = sample();
  dup.arrays.push_back(dup.arrays[0]);
  Status s = saveNpz(path, dup);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ": duplicate array 'images'");
  NpzFile unnamed = sample();
  unnamed.arrays[1].name.clear();
  s = saveNpz(path, unnamed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), path + ": array with an empty name");
  NpzFile bad = sample();
  bad.arrays[1].array.i32.push_back(3);
  s = saveNpz(path, bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            path + ": array 'labels': shape (2,) needs 2 elements, data has 3");
  EXPECT_TRUE(tmp.list().empty());
}

} // namespace
