//===- DataStats.h - Mean image and colour PCA of a data set ----*- C++ -*-===//
//
// The training-set statistics the paper's preprocessing needs: the mean
// image (subtracted from every input) and the eigen-decomposition of the
// covariance of pixel colours (for PCA colour noise). They take one pass over
// the training set, so they are computed once and cached in a small binary
// file keyed by the data set's fingerprint and checked by a CRC.
//
// Units follow the model input: pixel values scaled to [0, 1] (value / 255).
// Sums are accumulated in integers, so the result is exact and the same on
// any thread count.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DATA_DATASTATS_H
#define ALEXNET_LIB_RUNTIME_DATA_DATASTATS_H

#include "Data/DataSet.h"
#include "Core/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

struct DataStats {
  /// The stored geometry of the data set the statistics describe.
  int channels = 0;
  int height = 0;
  int width = 0;
  /// Mean image [channels, height, width].
  std::vector<float> mean;
  /// Covariance of one pixel's channel values over every pixel of every
  /// image, row-major [channels, channels].
  std::vector<double> covariance;
  /// Eigenvalues of `covariance`, descending, and the matching unit
  /// eigenvectors: row i of `eigenvectors` [channels, channels] is p_i.
  std::vector<double> eigenvalues;
  std::vector<double> eigenvectors;
  /// Examples that went in, and unreadable ones left out.
  int64_t examples = 0;
  int64_t skipped = 0;
};

struct StatsOptions {
  /// Worker threads (at least 1); the result does not depend on it.
  int threads = 1;
  /// 0: every example; otherwise this many, evenly spaced over the set (a
  /// full ImageNet pass decodes 1.28M JPEGs).
  int64_t maxExamples = 0;
};

/// One pass over `set`. Unreadable examples are skipped and counted; an
/// error only when none is readable.
Expected<DataStats> computeDataStats(const DataSet &set,
                                     const StatsOptions &options = {});

/// Eigen-decomposition of the symmetric n x n row-major `matrix` by cyclic
/// Jacobi rotations: `values` (n) descending, `vectors` (n x n) row i the
/// unit eigenvector of values[i], so matrix = sum_i values[i] v_i v_i^T.
void jacobiEigen(int n, const double *matrix, double *values, double *vectors);

/// The central `height` x `width` window of the mean image, as the model
/// input (and a weights file's "mean" tensor) sees it.
std::vector<float> centreMean(const DataStats &stats, int height, int width);

/// Where the statistics of `set` are cached: in `cacheDir` when given,
/// otherwise in userCacheDir() (created), never in the data directory; the
/// name carries a hash of the fingerprint. Empty when there is no cache
/// directory at all: nothing is cached then.
std::string statsCachePath(const DataSet &set, const std::string &cacheDir);

/// The user's cache directory for this project: $XDG_CACHE_HOME/
/// alexnet-compile, else ~/.cache/alexnet-compile; empty when neither
/// variable holds an absolute path.
std::string userCacheDir();

/// Writes `stats` for data with `fingerprint` to `path`, atomically.
Status saveDataStats(const std::string &path, const DataStats &stats,
                     const std::string &fingerprint);

/// Reads statistics written by saveDataStats; an error when the file is
/// missing, corrupt (size, magic, CRC) or for another fingerprint.
Expected<DataStats> loadDataStats(const std::string &path,
                                  const std::string &fingerprint);

/// Statistics from the cache, or computed and then cached.
struct CachedStats {
  DataStats stats;
  /// True when read from `path` rather than computed.
  bool fromCache = false;
  std::string path;
  /// Why the cache was not used or not written (empty when all went well).
  std::string note;
};

/// The cached statistics of `set` at `cachePath` when valid for it;
/// otherwise computes them and writes the cache (none when `cachePath` is
/// empty). Failing to write is only
/// a note: the statistics are still returned.
Expected<CachedStats> loadOrComputeDataStats(const DataSet &set,
                                             const std::string &cachePath,
                                             const StatsOptions &options = {});

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DATA_DATASTATS_H
