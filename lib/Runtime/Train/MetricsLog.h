//===- MetricsLog.h - The training run's metrics CSV ------------*- C++ -*-===//
//
// Private to lib/Runtime. One row per completed epoch, rewritten atomically
// after each, so the file is always whole. A resumed run keeps the rows up
// to the epoch it resumes from and drops any written after it (by the run
// that was interrupted), so the file ends as if the run never stopped.
//
// Columns: epoch,step,lr,train_loss,val_top1_error,val_top5_error,
// train_img_per_s,skipped (errors are fractions; NaN when not measured).
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_TRAIN_METRICSLOG_H
#define ALEXNET_LIB_RUNTIME_TRAIN_METRICSLOG_H

#include "Core/Status.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace alexnet::runtime {

struct MetricsRow {
  int64_t epoch = 0; ///< 1-based: the epoch just completed
  int64_t step = 0;  ///< global steps after it
  double learningRate = 0.0;
  double trainLoss = std::numeric_limits<double>::quiet_NaN();
  double valTop1Error = std::numeric_limits<double>::quiet_NaN();
  double valTop5Error = std::numeric_limits<double>::quiet_NaN();
  double imagesPerSecond = 0.0;
  int64_t skipped = 0;
};

/// The header line, without its newline.
extern const char *const kMetricsHeader;

class MetricsLog {
public:
  /// Binds the log to `path` (empty: keep nothing) and keeps the rows of an
  /// existing file up to `upToEpoch`. A file that is not a metrics CSV is an
  /// error rather than something to overwrite.
  Status load(const std::string &path, int64_t upToEpoch);
  /// Adds a row and rewrites the file.
  Status append(const MetricsRow &row);
  const std::vector<std::string> &lines() const { return rows; }

private:
  std::string path;
  std::vector<std::string> rows; ///< formatted, without newlines
};

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_TRAIN_METRICSLOG_H
