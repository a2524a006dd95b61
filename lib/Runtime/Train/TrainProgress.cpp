//===- TrainProgress.cpp - The training progress line ---------------------===//

#include "Train/TrainProgress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace alexnet::runtime {

using Clock = std::chrono::steady_clock;

namespace {

/// The first batch count past `done` that completes another tenth of the
/// epoch.
int64_t nextTenth(int64_t done, int64_t perEpoch) {
  int64_t tenth = done * 10 / perEpoch + 1;
  return std::max(done + 1, (tenth * perEpoch + 9) / 10);
}

} // namespace

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  long long s = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof(text), "%lldh%02lldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(text, sizeof(text), "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof(text), "%llds", s);
  return text;
}

TrainProgress::TrainProgress(std::ostream &out, bool live, int64_t epoch,
                             int64_t epochs, int64_t batchesPerEpoch,
                             int64_t batchSize)
    : out(out), live(live), epoch(epoch), epochs(epochs),
      perEpoch(std::max<int64_t>(1, batchesPerEpoch)), batchSize(batchSize),
      start(Clock::now()), lastDraw(start) {
  nextPlain = nextTenth(0, perEpoch);
}

void TrainProgress::resumeAt(int64_t batches) {
  done = startedAt = printed = batches;
  nextPlain = nextTenth(done, perEpoch);
}

std::string TrainProgress::line(double loss, double lr) const {
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double perBatch = seconds / double(std::max<int64_t>(1, done - startedAt));
  double rate = seconds > 0 ? double((done - startedAt) * batchSize) / seconds : 0;
  // This epoch's rest, then whole epochs at the same pace (validation not
  // counted).
  double eta = perBatch * double((perEpoch - done) + (epochs - epoch) * perEpoch);
  constexpr int kBar = 20;
  int filled = int(kBar * done / perEpoch);
  char text[256];
  std::snprintf(text, sizeof(text),
                "epoch %lld/%lld [%s%s] %3d%% %lld/%lld  %.0f img/s  loss %.4f  "
                "lr %.3g  ETA %s",
                static_cast<long long>(epoch), static_cast<long long>(epochs),
                std::string(size_t(filled), '#').c_str(),
                std::string(size_t(kBar - filled), '-').c_str(),
                int(100 * done / perEpoch), static_cast<long long>(done),
                static_cast<long long>(perEpoch), rate, loss, lr,
                formatDuration(eta).c_str());
  return text;
}

void TrainProgress::update(double loss, double lr) {
  ++done;
  lastLr = lr;
  // An exponential average over ~20 batches: the raw loss jumps around.
  smoothLoss = smoothLoss < 0 ? loss : 0.95 * smoothLoss + 0.05 * loss;
  Clock::time_point now = Clock::now();
  if (live) {
    if (done < perEpoch &&
        std::chrono::duration<double>(now - lastDraw).count() < 0.25)
      return;
    lastDraw = now;
    out << "\r" << line(smoothLoss, lr) << "\033[K";
    out.flush();
    drawn = true;
    return;
  }
  if (done >= nextPlain || done == perEpoch) {
    out << line(smoothLoss, lr) << "\n";
    out.flush();
    printed = done;
    nextPlain = nextTenth(done, perEpoch);
  }
}

void TrainProgress::finish() {
  // A run stopped between tenths (--max-steps) still shows where it ended.
  if (!live && done > printed && done > startedAt) {
    out << line(smoothLoss, lastLr) << "\n";
    out.flush();
    printed = done;
  }
  if (live && drawn) {
    out << "\n";
    out.flush();
    drawn = false;
  }
}

} // namespace alexnet::runtime
