//===- CublasLibraryTest.cpp - Finding and loading cuBLAS at run time -----===//
//
// CUDA executables load cuBLAS with dlopen (they are built here and run on a
// GPU machine whose toolkit may live elsewhere). Loading needs no GPU, so
// these run on any machine with the toolkit: the search order, the
// ALEXNET_CUBLAS override, the entry points and the error when none loads.
//
//===----------------------------------------------------------------------===//

#include "Cuda/CublasLibrary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

using namespace alexnet::runtime::cuda;

namespace {

/// Sets an environment variable for one test, restoring it after.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name(name) {
    if (const char *old = std::getenv(name))
      saved = old, had = true;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (had)
      setenv(name, saved.c_str(), 1);
    else
      unsetenv(name);
  }

private:
  const char *name;
  std::string saved;
  bool had = false;
};

size_t indexOf(const std::vector<std::string> &list, const std::string &item) {
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i] == item)
      return i;
  return list.size();
}

} // namespace

TEST(CublasLibraryTest, FileNameIsTheHeadersMajorVersion) {
  EXPECT_EQ(cublasFileName(),
            "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR));
}

TEST(CublasLibraryTest, SearchOrder) {
  unsetenv("ALEXNET_CUBLAS");
  std::vector<std::string> c = cublasCandidates();
  std::string file = cublasFileName();
  ASSERT_GE(c.size(), 3u);
  // This build's toolkit first, the loader's own search (a bare name) last.
  EXPECT_EQ(c.front(), std::string(ALEXNET_TEST_TOOLKIT_LIBDIR) + "/" + file);
  EXPECT_EQ(c.back(), file);
  // Then the default toolkit (lib64 before lib), unless it was the first.
  std::vector<std::string> rest(c.begin() + 1, c.end());
  for (const char *dir : {"/usr/local/cuda/lib64/", "/usr/local/cuda/lib/"}) {
    if (c.front() != dir + file) {
      EXPECT_LT(indexOf(rest, dir + file), rest.size()) << dir;
    }
  }
  if (c.front().rfind("/usr/local/cuda/", 0) != 0) {
    EXPECT_LT(indexOf(rest, "/usr/local/cuda/lib64/" + file),
              indexOf(rest, "/usr/local/cuda/lib/" + file));
  }
  // No candidate twice (the build's folder is often /usr/local/cuda/lib64).
  for (size_t i = 0; i < c.size(); ++i)
    EXPECT_EQ(indexOf(c, c[i]), i) << c[i];
}

TEST(CublasLibraryTest, ToolkitsOnlyBeforeAskingPython) {
  unsetenv("ALEXNET_CUBLAS");
  std::vector<std::string> all = cublasCandidates();
  std::vector<std::string> first = cublasCandidates(/*everywhere=*/false);
  // A prefix of the full search, without the loader's bare name.
  ASSERT_LT(first.size(), all.size());
  EXPECT_TRUE(std::equal(first.begin(), first.end(), all.begin()));
  for (const std::string &c : first)
    EXPECT_EQ(c.find("site-packages"), std::string::npos) << c;
  EXPECT_NE(first.back(), cublasFileName());
}

TEST(CublasLibraryTest, NewestToolkitFirst) {
  std::vector<std::string> dirs = {"/usr/local/cuda-12.8", "/usr/local/cuda-13.0",
                                   "/usr/local/cuda-12.10", "/usr/local/cuda-12"};
  std::sort(dirs.begin(), dirs.end(), newerToolkit);
  EXPECT_EQ(dirs, (std::vector<std::string>{"/usr/local/cuda-13.0",
                                            "/usr/local/cuda-12.10",
                                            "/usr/local/cuda-12.8",
                                            "/usr/local/cuda-12"}));
  // Version numbers of any length compare as numbers, without overflowing.
  EXPECT_TRUE(newerToolkit("/usr/local/cuda-123456789012345678901234567890",
                           "/usr/local/cuda-99999999999999999999999999999"));
  EXPECT_FALSE(newerToolkit("/usr/local/cuda-012.8", "/usr/local/cuda-12.10"));
}

TEST(CublasLibraryTest, OverrideIsTheOnlyCandidate) {
  {
    ScopedEnv env("ALEXNET_CUBLAS", "/opt/somewhere/libcublas.so.13");
    EXPECT_EQ(cublasCandidates(),
              std::vector<std::string>{"/opt/somewhere/libcublas.so.13"});
  }
  {
    ScopedEnv env("ALEXNET_CUBLAS", ALEXNET_TEST_TOOLKIT_LIBDIR);
    EXPECT_EQ(cublasCandidates(),
              std::vector<std::string>{std::string(ALEXNET_TEST_TOOLKIT_LIBDIR) +
                                       "/" + cublasFileName()});
  }
}

TEST(CublasLibraryTest, LoadsThisToolkitsLibrary) {
  std::string path =
      std::string(ALEXNET_TEST_TOOLKIT_LIBDIR) + "/" + cublasFileName();
  CublasLibrary lib = loadCublas({"/nonexistent/" + cublasFileName(), path});
  EXPECT_EQ(lib.path, path);
  EXPECT_EQ(lib.version.rfind(std::to_string(CUBLAS_VER_MAJOR) + ".", 0), 0u)
      << lib.version;
  EXPECT_TRUE(lib.create && lib.destroy && lib.setStream && lib.setWorkspace &&
              lib.setMathMode && lib.sgemm && lib.statusString);
  EXPECT_STREQ(lib.statusString(CUBLAS_STATUS_NOT_INITIALIZED),
               "the library was not initialized");
}

TEST(CublasLibraryTest, ErrorListsEveryPlaceLooked) {
  try {
    loadCublas({"/nonexistent/a/libcublas.so.13", "/nonexistent/b/libcublas.so.13"});
    FAIL() << "expected an error";
  } catch (const std::runtime_error &e) {
    std::string what = e.what();
    EXPECT_EQ(what.rfind("cannot load cuBLAS (" + cublasFileName() + ")", 0), 0u)
        << what;
    EXPECT_NE(what.find("ALEXNET_CUBLAS"), std::string::npos) << what;
    EXPECT_NE(what.find("\n  /nonexistent/a/libcublas.so.13: "), std::string::npos)
        << what;
    EXPECT_NE(what.find("\n  /nonexistent/b/libcublas.so.13: "), std::string::npos)
        << what;
  }
}

TEST(CublasLibraryTest, LibraryWithoutTheEntryPointsIsNamed) {
  // libz is a real shared library, but not cuBLAS.
  try {
    loadCublas({"libz.so.1"});
    FAIL() << "expected an error";
  } catch (const std::runtime_error &e) {
    std::string what = e.what();
    EXPECT_NE(what.find("libz.so.1 has no cublasCreate_v2"), std::string::npos)
        << what;
  }
}
