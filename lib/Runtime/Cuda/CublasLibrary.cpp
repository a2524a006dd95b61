//===- CublasLibrary.cpp - cuBLAS, found and loaded at run time -----------===//

#include "Cuda/CublasLibrary.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <glob.h>
#include <mutex>
#include <stdexcept>
#include <sys/stat.h>

namespace alexnet::runtime::cuda {

namespace {

std::string major() { return std::to_string(CUBLAS_VER_MAJOR); }

bool isDirectory(const std::string &path) {
  struct stat s;
  return stat(path.c_str(), &s) == 0 && S_ISDIR(s.st_mode);
}

std::vector<std::string> globbed(const std::string &pattern) {
  std::vector<std::string> out;
  glob_t g;
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0)
    out.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  globfree(&g);
  return out;
}

} // namespace

bool newerToolkit(const std::string &a, const std::string &b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit((unsigned char)a[i]) && std::isdigit((unsigned char)b[j])) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit((unsigned char)a[ei]))
        ++ei;
      while (ej < b.size() && std::isdigit((unsigned char)b[ej]))
        ++ej;
      // As numbers of any length: without leading zeros, the longer one
      // is larger, else the first differing digit decides.
      while (i + 1 < ei && a[i] == '0')
        ++i;
      while (j + 1 < ej && b[j] == '0')
        ++j;
      std::string x = a.substr(i, ei - i), y = b.substr(j, ej - j);
      if (x.size() != y.size())
        return x.size() > y.size();
      if (x != y)
        return x > y;
      i = ei, j = ej;
    } else {
      if (a[i] != b[j])
        return a[i] > b[j];
      ++i, ++j;
    }
  }
  return a.size() - i > b.size() - j;
}

namespace {

/// The site-packages folders of the python3 on PATH (none without one).
std::vector<std::string> pythonSitePackages() {
  std::vector<std::string> out;
  FILE *p = popen("python3 -c 'import site; print(\"\\n\".join("
                  "site.getsitepackages() + [site.getusersitepackages()]))'"
                  " 2>/dev/null",
                  "r");
  if (!p)
    return out;
  char line[4096];
  while (std::fgets(line, sizeof line, p)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.pop_back();
    if (!s.empty())
      out.push_back(s);
  }
  pclose(p);
  return out;
}

/// The toolkit this runtime was built against (CMake's CUDAToolkit).
const char *buildToolkitLibDir() {
#ifdef ALEXNET_CUDA_TOOLKIT_LIBDIR
  return ALEXNET_CUDA_TOOLKIT_LIBDIR;
#else
  return "";
#endif
}

template <typename Fn>
void resolve(void *handle, const char *name, Fn &fn, const std::string &path) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!fn)
    throw std::runtime_error("cuBLAS: " + path + " has no " + name +
                             " (expected cuBLAS " + major() + ")");
}

} // namespace

CublasLibrary loadCublas(const std::vector<std::string> &candidates) {
  std::string tried;
  for (const std::string &candidate : candidates) {
    // RTLD_LOCAL: nothing else in the process should bind to these symbols.
    void *handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char *why = dlerror();
      tried += "\n  " + candidate + ": " + (why ? why : "cannot load");
      continue;
    }
    CublasLibrary lib;
    char resolved[4096];
    lib.path = candidate;
    // Report the file, not the soname the loader searched for.
    if (candidate.find('/') == std::string::npos &&
        dlinfo(handle, RTLD_DI_ORIGIN, resolved) == 0)
      lib.path = std::string(resolved) + "/" + candidate;
    resolve(handle, "cublasCreate_v2", lib.create, lib.path);
    resolve(handle, "cublasDestroy_v2", lib.destroy, lib.path);
    resolve(handle, "cublasSetStream_v2", lib.setStream, lib.path);
    resolve(handle, "cublasSetWorkspace_v2", lib.setWorkspace, lib.path);
    resolve(handle, "cublasSetMathMode", lib.setMathMode, lib.path);
    resolve(handle, "cublasSgemm_v2", lib.sgemm, lib.path);
    resolve(handle, "cublasGetStatusString", lib.statusString, lib.path);
    decltype(&cublasGetProperty) property = nullptr;
    resolve(handle, "cublasGetProperty", property, lib.path);
    int v[3] = {0, 0, 0};
    property(MAJOR_VERSION, &v[0]);
    property(MINOR_VERSION, &v[1]);
    property(PATCH_LEVEL, &v[2]);
    lib.version = std::to_string(v[0]) + "." + std::to_string(v[1]) + "." +
                  std::to_string(v[2]);
    return lib; // the handle stays open for the life of the process
  }
  throw std::runtime_error(
      "cannot load cuBLAS (" + cublasFileName() + "); set ALEXNET_CUBLAS to "
      "the library or its folder. Looked in:" + tried);
}

std::string cublasFileName() { return "libcublas.so." + major(); }

std::vector<std::string> cublasCandidates(bool everywhere) {
  std::string file = cublasFileName();
  if (const char *override = std::getenv("ALEXNET_CUBLAS"); override && *override) {
    std::string path(override);
    return {isDirectory(path) ? path + "/" + file : path};
  }
  std::vector<std::string> dirs;
  if (*buildToolkitLibDir())
    dirs.push_back(buildToolkitLibDir());
  dirs.push_back("/usr/local/cuda/lib64");
  dirs.push_back("/usr/local/cuda/lib");
  std::vector<std::string> versioned = globbed("/usr/local/cuda-*");
  std::sort(versioned.begin(), versioned.end(), newerToolkit);
  for (const std::string &root : versioned) {
    dirs.push_back(root + "/lib64");
    dirs.push_back(root + "/lib");
  }
  if (everywhere)
    for (const std::string &site : pythonSitePackages()) {
      dirs.push_back(site + "/nvidia/cublas/lib");
      dirs.push_back(site + "/nvidia/cu" + major() + "/lib");
    }
  std::vector<std::string> out;
  for (const std::string &dir : dirs) {
    std::string path = dir + "/" + file;
    if (std::find(out.begin(), out.end(), path) == out.end())
      out.push_back(path);
  }
  if (everywhere)
    out.push_back(file); // the dynamic loader's own search
  return out;
}

const CublasLibrary &cublas() {
  static std::once_flag once;
  static CublasLibrary library;
  static std::string error;
  std::call_once(once, [] {
    // The toolkit folders first: asking python3 for its site-packages
    // starts a process, worth it only when they have no cuBLAS.
    try {
      library = loadCublas(cublasCandidates(/*everywhere=*/false));
      return;
    } catch (const std::runtime_error &) {
    }
    try {
      library = loadCublas(cublasCandidates());
    } catch (const std::runtime_error &e) {
      error = e.what();
    }
  });
  if (!error.empty())
    throw std::runtime_error(error);
  return library;
}

} // namespace alexnet::runtime::cuda
