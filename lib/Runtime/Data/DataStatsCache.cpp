//===- DataStatsCache.cpp - The cached statistics file --------------------===//
//
// Layout (little-endian, as every machine we target):
//   "AXSTATS\0", u32 version = 1, u32 channels, height, width,
//   i64 examples, skipped, u32 fingerprint length, fingerprint bytes,
//   f64 covariance[C*C], eigenvalues[C], eigenvectors[C*C],
//   f32 mean[C*H*W], u32 CRC-32 of everything before it.
// Anything that does not check out (size, magic, version, CRC, geometry,
// fingerprint) makes the caller recompute.
//
//===----------------------------------------------------------------------===//

#include "Data/DataStats.h"

#include "IO/AtomicFile.h"
#include "IO/Crc32.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace alexnet::runtime {

namespace {

constexpr char kMagic[8] = {'A', 'X', 'S', 'T', 'A', 'T', 'S', '\0'};
constexpr uint32_t kVersion = 1;

template <typename T> void put(std::vector<uint8_t> &out, const T &value) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

template <typename T>
void putAll(std::vector<uint8_t> &out, const std::vector<T> &values) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(values.data());
  out.insert(out.end(), p, p + values.size() * sizeof(T));
}

/// A bounds-checked cursor over the file's bytes.
struct Reader {
  const std::vector<uint8_t> &bytes;
  size_t pos = 0;
  bool failed = false;

  void raw(void *out, size_t size) {
    if (failed || bytes.size() - pos < size) {
      failed = true;
      return;
    }
    std::memcpy(out, bytes.data() + pos, size);
    pos += size;
  }
  template <typename T> T get() {
    T value{};
    raw(&value, sizeof(T));
    return value;
  }
  template <typename T> void getAll(std::vector<T> &out, size_t count) {
    if (failed || (bytes.size() - pos) / sizeof(T) < count) {
      failed = true;
      return;
    }
    out.resize(count);
    raw(out.data(), count * sizeof(T));
  }
};

} // namespace

std::string statsCachePath(const DataSet &set, const std::string &cacheDir) {
  namespace fs = std::filesystem;
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : set.fingerprint())
    hash = (hash ^ c) * 0x100000001b3ull;
  char name[64];
  std::snprintf(name, sizeof(name), "alexnet-stats-%016llx.bin",
                (unsigned long long)hash);
  fs::path dir(cacheDir.empty() ? userCacheDir() : cacheDir);
  if (dir.empty())
    return "";
  if (cacheDir.empty()) {
    // Made here; failing to is only a note when the cache is written.
    std::error_code ec;
    fs::create_directories(dir, ec);
  }
  return (dir / name).string();
}

std::string userCacheDir() {
  // The XDG base directory spec: $XDG_CACHE_HOME if absolute, else
  // $HOME/.cache. Never the data directory, which may be read-only or shared.
  const char *xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/')
    return (std::filesystem::path(xdg) / "alexnet-compile").string();
  const char *home = std::getenv("HOME");
  if (home && home[0] == '/')
    return (std::filesystem::path(home) / ".cache" / "alexnet-compile")
        .string();
  return "";
}

Status saveDataStats(const std::string &path, const DataStats &stats,
                     const std::string &fingerprint) {
  std::vector<uint8_t> out(kMagic, kMagic + sizeof(kMagic));
  put(out, kVersion);
  put(out, uint32_t(stats.channels));
  put(out, uint32_t(stats.height));
  put(out, uint32_t(stats.width));
  put(out, int64_t(stats.examples));
  put(out, int64_t(stats.skipped));
  put(out, uint32_t(fingerprint.size()));
  out.insert(out.end(), fingerprint.begin(), fingerprint.end());
  putAll(out, stats.covariance);
  putAll(out, stats.eigenvalues);
  putAll(out, stats.eigenvectors);
  putAll(out, stats.mean);
  put(out, crc32(out.data(), out.size()));
  return writeFileAtomic(path, out.data(), out.size());
}

Expected<DataStats> loadDataStats(const std::string &path,
                                  const std::string &fingerprint) {
  Expected<std::vector<uint8_t>> bytes = readFile(path, uint64_t(1) << 30);
  if (!bytes.ok())
    return bytes.error();
  const std::vector<uint8_t> &data = *bytes;
  if (data.size() < sizeof(kMagic) + 4 ||
      std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
    return Status::error(path + ": not a statistics file");
  uint32_t stored;
  std::memcpy(&stored, data.data() + data.size() - 4, 4);
  if (crc32(data.data(), data.size() - 4) != stored)
    return Status::error(path + ": checksum mismatch");
  Reader in{data, sizeof(kMagic)};
  if (uint32_t version = in.get<uint32_t>(); version != kVersion)
    return Status::error(path + ": expected version 1, got " +
                         std::to_string(version));
  DataStats stats;
  stats.channels = int(in.get<uint32_t>());
  stats.height = int(in.get<uint32_t>());
  stats.width = int(in.get<uint32_t>());
  stats.examples = in.get<int64_t>();
  stats.skipped = in.get<int64_t>();
  std::string key(in.get<uint32_t>(), '\0');
  in.raw(key.data(), key.size());
  if (in.failed || key != fingerprint)
    return Status::error(path + ": statistics of another data set");
  size_t c = size_t(stats.channels);
  if (c < 1 || c > 4 || stats.height <= 0 || stats.width <= 0 ||
      stats.height > 65536 || stats.width > 65536)
    return Status::error(path + ": bad geometry");
  in.getAll(stats.covariance, c * c);
  in.getAll(stats.eigenvalues, c);
  in.getAll(stats.eigenvectors, c * c);
  in.getAll(stats.mean, c * size_t(stats.height) * size_t(stats.width));
  if (in.failed || in.pos != data.size() - 4)
    return Status::error(path + ": bad size");
  return stats;
}

Expected<CachedStats> loadOrComputeDataStats(const DataSet &set,
                                             const std::string &cachePath,
                                             const StatsOptions &options) {
  CachedStats result;
  result.path = cachePath;
  // A sampled pass gives other numbers than a full one.
  std::string fingerprint =
      set.fingerprint() + ";max=" + std::to_string(options.maxExamples);
  std::error_code ec;
  if (!cachePath.empty() && std::filesystem::exists(cachePath, ec)) {
    Expected<DataStats> cached = loadDataStats(cachePath, fingerprint);
    if (cached.ok() && cached->channels == set.channels() &&
        cached->height == set.height() && cached->width == set.width()) {
      result.stats = cached.take();
      result.fromCache = true;
      return result;
    }
    result.note = cached.ok() ? cachePath + ": geometry changed, recomputed"
                              : cached.message() + ", recomputed";
  }
  Expected<DataStats> stats = computeDataStats(set, options);
  if (!stats.ok())
    return stats.error();
  result.stats = stats.take();
  if (cachePath.empty())
    return result;
  if (Status s = saveDataStats(cachePath, result.stats, fingerprint); !s.ok())
    result.note += (result.note.empty() ? "" : "; ") +
                   ("statistics not cached: " + s.message());
  return result;
}

} // namespace alexnet::runtime
