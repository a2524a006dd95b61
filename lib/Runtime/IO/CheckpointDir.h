//===- CheckpointDir.h - A training run's checkpoint directory --*- C++ -*-===//
//
// The layout `train --checkpoint-dir D` writes and `--resume` reads:
//
//   D/last.axc        the newest checkpoint (end of epoch or every N steps)
//   D/epoch-NNN.axc   end of epoch NNN (= TrainState::epoch); the newest K
//   D/last.axw        last.axc's parameters as a weights file, for eval
//   D/.lock           held (flock) by the run that owns D, with its pid
//
// Crash safety: every file is replaced atomically, and an epoch is saved as
// epoch-NNN.axc first and then hard-linked (or, where links fail, written a
// second time) over last.axc, so a kill or a machine crash at any moment
// leaves last.axc either the old checkpoint or the new one, never missing or
// partial. If last.axc is damaged anyway (a disk fault, a copy cut short),
// latestValid falls back to the newest epoch file that loads. Temporary
// files left by a killed writer are removed by the next save.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_CHECKPOINTDIR_H
#define ALEXNET_LIB_RUNTIME_IO_CHECKPOINTDIR_H

#include "IO/Checkpoint.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Receives warnings, e.g. a damaged last.axc that was skipped.
using WarningHandler = std::function<void(const std::string &)>;

/// Prints "warning: <message>" to stderr.
void printWarning(const std::string &message);

struct CheckpointDirOptions {
  /// How many epoch-NNN.axc files to keep, newest first; 0 keeps none.
  unsigned keepEpochs = 2;
  /// Also write last.axw after each save.
  bool exportWeights = true;
};

/// A checkpoint that loaded cleanly and the file it came from.
struct FoundCheckpoint {
  std::string path;
  Checkpoint checkpoint;
};

/// One training run's checkpoint directory. A run claims it for its whole
/// life; a second process then cannot claim it or save into it.
class CheckpointDir {
public:
  explicit CheckpointDir(std::string dir, CheckpointDirOptions options = {});

  /// Creates the directory if needed and locks it for the lifetime of this
  /// object (and its copies), so that no other run can use it meanwhile.
  /// Fails, naming the holder's pid, when another process holds it.
  Status claim();

  /// The checkpoint files present (last.axc, epoch-NNN.axc), sorted by name;
  /// non-empty means the directory holds a run's state.
  std::vector<std::string> checkpointFiles() const;

  const std::string &dir() const { return root; }
  std::string lastPath() const;
  std::string epochPath(uint64_t epoch) const;
  std::string weightsPath() const;

  /// End of an epoch: writes epoch-NNN.axc (NNN = state.epoch), replaces
  /// last.axc with it, removes epoch files beyond the newest keepEpochs and
  /// any numbered above state.epoch (left by a run resumed from an earlier
  /// point), then writes last.axw. Creates the directory (and its parents)
  /// if needed.
  Status saveEpoch(const WeightsFile &params,
                   const std::vector<NamedTensor> &momentum,
                   const TrainState &state) const;

  /// Within an epoch: replaces last.axc (and last.axw) and removes epoch
  /// files numbered above state.epoch, but writes no epoch file.
  Status saveLatest(const WeightsFile &params,
                    const std::vector<NamedTensor> &momentum,
                    const TrainState &state) const;

  /// The epoch numbers of the epoch-NNN.axc files present, ascending.
  std::vector<uint64_t> epochFiles() const;

private:
  Status save(const WeightsFile &params,
              const std::vector<NamedTensor> &momentum, const TrainState &state,
              bool endOfEpoch) const;

  class DirLock;

  std::string root;
  CheckpointDirOptions options;
  std::shared_ptr<DirLock> held; ///< set by claim()
};

/// The newest checkpoint in `dir` that loads cleanly: last.axc, unless an
/// epoch file is further along (a save interrupted between the two), or,
/// when last.axc is missing or damaged, the newest epoch file that loads.
/// Every file skipped is reported through `warn`. Fails only when no
/// checkpoint loads; the message then lists why each was refused ("no
/// checkpoint" when there is none at all).
Expected<FoundCheckpoint>
latestValid(const std::string &dir, const WarningHandler &warn = printWarning);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_CHECKPOINTDIR_H
