//===- TrainProgress.h - The training progress line -------------*- C++ -*-===//
//
// Private to lib/Runtime. On a terminal, one line redrawn in place at most a
// few times a second; elsewhere (a log, a pipe, CI) a plain line every tenth
// of an epoch, so logs stay readable:
//
//   epoch 3/10 [#########-----------]  45% 210/468  1234 img/s  loss 0.4321
//   lr 0.01  ETA 4m05s
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_TRAIN_TRAINPROGRESS_H
#define ALEXNET_LIB_RUNTIME_TRAIN_TRAINPROGRESS_H

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace alexnet::runtime {

class TrainProgress {
public:
  /// `epoch` is 1-based, out of `epochs`.
  TrainProgress(std::ostream &out, bool live, int64_t epoch, int64_t epochs,
                int64_t batchesPerEpoch, int64_t batchSize);
  /// The epoch starts after `batches` already done (a resumed run).
  void resumeAt(int64_t batches);
  /// One more batch done with this loss and learning rate.
  void update(double loss, double lr);
  /// Ends the live line; in plain mode prints the last batch's line when
  /// it fell between tenths.
  void finish();

private:
  std::string line(double loss, double lr) const;

  std::ostream &out;
  bool live;
  int64_t epoch, epochs, perEpoch, batchSize;
  int64_t done = 0, startedAt = 0;
  int64_t nextPlain = 0; ///< batch count of the next plain line
  double smoothLoss = -1.0, lastLr = 0.0;
  int64_t printed = 0; ///< batch count of the last plain line
  bool drawn = false;
  std::chrono::steady_clock::time_point start, lastDraw;
};

/// "1h02m", "4m05s", "12s".
std::string formatDuration(double seconds);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_TRAIN_TRAINPROGRESS_H
