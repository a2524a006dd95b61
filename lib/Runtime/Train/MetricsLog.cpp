//===- MetricsLog.cpp - The training run's metrics CSV --------------------===//

#include "Train/MetricsLog.h"

#include "IO/AtomicFile.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace alexnet::runtime {

const char *const kMetricsHeader =
    "epoch,step,lr,train_loss,val_top1_error,val_top5_error,train_img_per_s,"
    "skipped";

Status MetricsLog::load(const std::string &file, int64_t upToEpoch) {
  path = file;
  rows.clear();
  if (path.empty())
    return Status::success();
  std::ifstream in(path);
  if (!in)
    return Status::success(); // a new file
  std::string line;
  if (!std::getline(in, line))
    return Status::success();
  if (line != kMetricsHeader)
    return Status::error(path + ": exists and is not a metrics file of this "
                                "program (first line " +
                         quoteText(line) + "); remove it or choose another");
  while (std::getline(in, line)) {
    char *end = nullptr;
    long long epoch = std::strtoll(line.c_str(), &end, 10);
    if (end == line.c_str() || *end != ',')
      return Status::error(path + ": malformed row " + quoteText(line));
    if (epoch <= upToEpoch)
      rows.push_back(line);
  }
  return Status::success();
}

Status MetricsLog::append(const MetricsRow &r) {
  char line[320];
  std::snprintf(line, sizeof(line), "%lld,%lld,%.9g,%.9g,%.9g,%.9g,%.1f,%lld",
                static_cast<long long>(r.epoch), static_cast<long long>(r.step),
                r.learningRate, r.trainLoss, r.valTop1Error, r.valTop5Error,
                r.imagesPerSecond, static_cast<long long>(r.skipped));
  rows.push_back(line);
  if (path.empty())
    return Status::success();
  std::string text = std::string(kMetricsHeader) + "\n";
  for (const std::string &row : rows)
    text += row + "\n";
  return writeFileAtomic(path, text.data(), text.size());
}

} // namespace alexnet::runtime
