//===- NumpyInteropTest.cpp - Files exchanged with real NumPy -------------===//
//
// Shells out to /usr/bin/python3; skipped where it or NumPy is missing.
// Values are compared bit for bit through raw .bin dumps (ndarray.tofile),
// which neither side's .npy code touches.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "IO/Npy.h"
#include "IO/Npz.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

// Writes the arrays NumPy-side, every .npy/.npz flavour, plus raw dumps.
const char *kWriteScript = R"(
import numpy as np
rng = np.random.default_rng(1234)
f = rng.standard_normal((2, 3, 5)).astype(np.float32)
f[0, 0, 0] = -0.0
f[0, 0, 1] = np.inf
i = rng.integers(-2**31, 2**31, size=(7,), dtype=np.int32)
l = np.arange(10, dtype=np.int64) * 100
big = rng.standard_normal((300, 1000)).astype(np.float32)
scalar = np.float32(2.5)
empty = np.zeros((0, 3), dtype=np.float32)
for name, a in [('f', f), ('i', i), ('l', l), ('big', big),
                ('scalar', np.asarray(scalar)), ('empty', empty)]:
    np.save(name + '.npy', a)
    np.asarray(a).tofile(name + '.bin')
np.save('fortran.npy', np.asfortranarray(f))
np.save('f64.npy', f.astype(np.float64))
np.savez('stored.npz', f=f, i=i, l=l, scalar=scalar, empty=empty)
np.savez_compressed('deflated.npz', f=f, i=i, l=l, big=big)
np.savez('positional.npz', f, i)
print('OK')
)";

std::vector<uint8_t> rawOf(const NpyArray &a) {
  std::vector<uint8_t> out(a.size() * 4);
  if (!out.empty())
    std::memcpy(out.data(),
                a.dtype == NpyDType::Float32
                    ? static_cast<const void *>(a.f32.data())
                    : static_cast<const void *>(a.i32.data()),
                out.size());
  return out;
}

/// int64 dumps narrowed to int32 the way loadNpy narrows them.
std::vector<uint8_t> narrowed(const std::vector<uint8_t> &raw64) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 8 <= raw64.size(); i += 8)
    out.insert(out.end(), raw64.begin() + i, raw64.begin() + i + 4);
  return out;
}

class NumpyInterop : public ::testing::Test {
protected:
  void SetUp() override {
    if (!haveNumpy())
      GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  }
  TempDir tmp;
};

TEST_F(NumpyInterop, ReadsWhatNumpyWrites) {
  std::string output;
  ASSERT_EQ(runPython(tmp.dir(), kWriteScript, output), 0) << output;

  struct Want {
    const char *name;
    NpyDType dtype;
    std::vector<int64_t> shape;
    bool int64;
  };
  const std::vector<Want> wants = {
      {"f", NpyDType::Float32, {2, 3, 5}, false},
      {"i", NpyDType::Int32, {7}, false},
      {"l", NpyDType::Int32, {10}, true},
      {"big", NpyDType::Float32, {300, 1000}, false},
      {"scalar", NpyDType::Float32, {}, false},
      {"empty", NpyDType::Float32, {0, 3}, false},
  };
  auto check = [&](const NpyArray &a, const Want &want) {
    EXPECT_EQ(a.dtype, want.dtype) << want.name;
    EXPECT_EQ(a.shape, want.shape) << want.name;
    auto raw = readBytes(tmp.path(std::string(want.name) + ".bin"));
    EXPECT_EQ(rawOf(a), want.int64 ? narrowed(raw) : raw) << want.name;
  };
  for (const Want &want : wants) {
    auto a = loadNpy(tmp.path(std::string(want.name) + ".npy"));
    ASSERT_TRUE(a.ok()) << a.message();
    check(*a, want);
  }

  auto stored = loadNpz(tmp.path("stored.npz"));
  ASSERT_TRUE(stored.ok()) << stored.message();
  auto deflated = loadNpz(tmp.path("deflated.npz"));
  ASSERT_TRUE(deflated.ok()) << deflated.message();
  EXPECT_EQ(stored->arrays.size(), 5u);
  EXPECT_EQ(deflated->arrays.size(), 4u);
  for (const Want &want : wants) {
    for (const NpzFile *npz : {&*stored, &*deflated}) {
      const NpyArray *a = npz->find(want.name);
      if (!a)
        continue;
      check(*a, want);
    }
  }
  ASSERT_NE(deflated->find("big"), nullptr);

  auto positional = loadNpz(tmp.path("positional.npz"));
  ASSERT_TRUE(positional.ok()) << positional.message();
  EXPECT_NE(positional->find("arr_0"), nullptr);
  EXPECT_NE(positional->find("arr_1"), nullptr);

  auto fortran = loadNpy(tmp.path("fortran.npy"));
  ASSERT_FALSE(fortran.ok());
  EXPECT_NE(fortran.message().find("Fortran-order arrays are not supported"),
            std::string::npos);
  auto f64 = loadNpy(tmp.path("f64.npy"));
  ASSERT_FALSE(f64.ok());
  EXPECT_EQ(f64.message(), tmp.path("f64.npy") +
                               ": unsupported dtype '<f8' (expected '<f4', "
                               "'<i4' or '<i8')");
}

TEST_F(NumpyInterop, NumpyReadsWhatWeWrite) {
  std::vector<float> f(4 * 5 * 6);
  for (size_t i = 0; i < f.size(); ++i)
    f[i] = static_cast<float>(i) * 0.37f - 11.0f;
  f[3] = -0.0f;
  NpyArray floats = NpyArray::floats({4, 5, 6}, f);
  NpyArray ints = NpyArray::ints({3}, {-2147483647 - 1, 0, 2147483647});
  NpyArray scalar = NpyArray::floats({}, {9.5f});
  NpyArray empty = NpyArray::floats({2, 0}, {});

  const std::vector<std::pair<std::string, NpyArray>> arrays = {
      {"floats", floats}, {"ints", ints}, {"scalar", scalar}, {"empty", empty}};
  NpzFile npz;
  for (const auto &[name, a] : arrays) {
    ASSERT_TRUE(saveNpy(tmp.path(name + ".npy"), a).ok());
    writeBytes(tmp.path(name + ".bin"), rawOf(a));
    npz.arrays.push_back({name, a});
  }
  ASSERT_TRUE(saveNpz(tmp.path("plain.npz"), npz).ok());
  ASSERT_TRUE(saveNpz(tmp.path("zip64.npz"), npz, {true}).ok());

  const char *script = R"(
import numpy as np
want = {'floats': ('float32', (4, 5, 6)), 'ints': ('int32', (3,)),
        'scalar': ('float32', ()), 'empty': ('float32', (2, 0))}
def check(name, a):
    dtype, shape = want[name]
    assert a.dtype == np.dtype(dtype), (name, a.dtype)
    assert a.shape == shape, (name, a.shape)
    assert a.flags.c_contiguous
    raw = np.fromfile(name + '.bin', dtype=dtype).reshape(shape)
    assert raw.tobytes() == a.tobytes(), name
for name in want:
    check(name, np.load(name + '.npy'))
for path in ['plain.npz', 'zip64.npz']:
    with np.load(path) as z:
        assert sorted(z.files) == sorted(want), z.files
        for name in want:
            check(name, z[name])
import zipfile
for path in ['plain.npz', 'zip64.npz']:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
print('OK')
)";
  std::string output;
  EXPECT_EQ(runPython(tmp.dir(), script, output), 0) << output;
  EXPECT_EQ(output, "OK\n");
}

} // namespace
