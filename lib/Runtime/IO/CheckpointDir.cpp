//===- CheckpointDir.cpp - A training run's checkpoint directory ----------===//
//
// POSIX only: flock for the directory's lock, link + rename to replace last.axc
// without writing the checkpoint twice, readdir to find epoch files and the
// temporary files of killed writers.
//
//===----------------------------------------------------------------------===//

#include "IO/CheckpointDir.h"

#include "IO/AtomicFile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace alexnet::runtime {

namespace {

std::string errnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

/// The epoch number of "epoch-<digits>.axc"; nullopt for any other name.
std::optional<uint64_t> parseEpochName(const std::string &name) {
  const std::string prefix = "epoch-", suffix = ".axc";
  if (name.size() <= prefix.size() + suffix.size() ||
      name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 19 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(digits);
}

/// True for "<file we write>.tmp.<pid>", as writeFileAtomic names them.
bool isOurTemp(const std::string &name) {
  size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at + 5 == name.size() ||
      name.find_first_not_of("0123456789", at + 5) != std::string::npos)
    return false;
  std::string base = name.substr(0, at);
  return base == "last.axc" || base == "last.axw" || parseEpochName(base);
}

/// The names in `dir`; an error when it cannot be read.
Expected<std::vector<std::string>> listDir(const std::string &dir) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return Status::error(
        dir + ": cannot open checkpoint directory: " + errnoText(errno));
  std::vector<std::string> names;
  while (struct dirent *entry = ::readdir(d))
    names.push_back(entry->d_name);
  ::closedir(d);
  return names;
}

/// Epoch numbers of the epoch files among `names`, newest first.
std::vector<uint64_t> epochsIn(const std::vector<std::string> &names) {
  std::vector<uint64_t> epochs;
  for (const std::string &name : names)
    if (auto epoch = parseEpochName(name))
      epochs.push_back(*epoch);
  std::sort(epochs.rbegin(), epochs.rend());
  return epochs;
}

} // namespace

/// An exclusive flock on `<dir>/.lock`, released on destruction (and by the
/// kernel when the holder dies, so a killed run never blocks the next). The
/// holder writes its pid into the file so that a refused run can name it.
class CheckpointDir::DirLock {
public:
  Status acquire(const std::string &dir) {
    std::string path = dir + "/.lock";
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      return Status::error(path +
                           ": cannot open lock file: " + errnoText(errno));
    int result;
    do
      result = ::flock(fd, LOCK_EX | LOCK_NB);
    while (result != 0 && errno == EINTR);
    if (result == 0) {
      std::string pid = std::to_string(long(::getpid())) + "\n";
      if (::ftruncate(fd, 0) == 0)
        (void)::pwrite(fd, pid.data(), pid.size(), 0);
      return Status::success();
    }
    if (errno != EWOULDBLOCK)
      return Status::error(path + ": cannot lock: " + errnoText(errno));
    char text[32] = {};
    ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
    long holder = n > 0 ? std::strtol(text, nullptr, 10) : 0;
    return Status::error(
        dir + ": checkpoint directory is in use by another training run" +
        (holder > 0 ? " (pid " + std::to_string(holder) + ")" : "") +
        "; wait for it to end or choose another --checkpoint-dir");
  }
  ~DirLock() {
    if (fd >= 0)
      ::close(fd);
  }

private:
  int fd = -1;
};

namespace {

/// Makes `to` a second name of `from`, atomically: link to a temporary name,
/// rename over `to`, sync the directory. False when the file system refuses.
bool linkOver(const std::string &dir, const std::string &from,
              const std::string &to) {
  std::string tmp = atomicTempPath(to);
  ::unlink(tmp.c_str());
  if (::link(from.c_str(), tmp.c_str()) != 0)
    return false;
  bool renamed = ::rename(tmp.c_str(), to.c_str()) == 0;
  // rename does nothing when both names already are one file.
  ::unlink(tmp.c_str());
  if (!renamed)
    return false;
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    (void)::fsync(dirFd);
    ::close(dirFd);
  }
  return true;
}

} // namespace

void printWarning(const std::string &message) {
  std::fprintf(stderr, "warning: %s\n", message.c_str());
}

CheckpointDir::CheckpointDir(std::string dir, CheckpointDirOptions options)
    : root(std::move(dir)), options(options) {
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  if (root.empty())
    root = ".";
}

Status CheckpointDir::claim() {
  if (held)
    return Status::success();
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec)
    return Status::error(
        root + ": cannot create checkpoint directory: " + ec.message());
  auto lock = std::make_shared<DirLock>();
  if (Status s = lock->acquire(root); !s.ok())
    return s;
  held = std::move(lock);
  return Status::success();
}

std::vector<std::string> CheckpointDir::checkpointFiles() const {
  auto names = listDir(root);
  if (!names.ok())
    return {};
  std::vector<std::string> found;
  for (const std::string &name : *names)
    if (name == "last.axc" || parseEpochName(name))
      found.push_back(name);
  std::sort(found.begin(), found.end());
  return found;
}

std::string CheckpointDir::lastPath() const { return root + "/last.axc"; }

std::string CheckpointDir::weightsPath() const { return root + "/last.axw"; }

std::string CheckpointDir::epochPath(uint64_t epoch) const {
  char name[40];
  std::snprintf(name, sizeof(name), "epoch-%03llu.axc",
                static_cast<unsigned long long>(epoch));
  return root + "/" + name;
}

std::vector<uint64_t> CheckpointDir::epochFiles() const {
  auto names = listDir(root);
  if (!names.ok())
    return {};
  std::vector<uint64_t> epochs = epochsIn(*names);
  std::reverse(epochs.begin(), epochs.end());
  return epochs;
}

Status CheckpointDir::saveEpoch(const WeightsFile &params,
                                const std::vector<NamedTensor> &momentum,
                                const TrainState &state) const {
  return save(params, momentum, state, /*endOfEpoch=*/true);
}

Status CheckpointDir::saveLatest(const WeightsFile &params,
                                 const std::vector<NamedTensor> &momentum,
                                 const TrainState &state) const {
  return save(params, momentum, state, /*endOfEpoch=*/false);
}

Status CheckpointDir::save(const WeightsFile &params,
                           const std::vector<NamedTensor> &momentum,
                           const TrainState &state, bool endOfEpoch) const {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec)
    return Status::error(
        root + ": cannot create checkpoint directory: " + ec.message());
  // A directory not claimed for the run is locked for this save only.
  DirLock saveLock;
  Status status = held ? Status::success() : saveLock.acquire(root);
  if (!status.ok())
    return status;

  // Holding the lock, every temporary file here belongs to a dead writer.
  auto names = listDir(root);
  if (!names.ok())
    return names.error();
  for (const std::string &name : *names)
    if (isOurTemp(name))
      ::unlink((root + "/" + name).c_str());

  if (endOfEpoch && options.keepEpochs > 0) {
    std::string epochFile = epochPath(state.epoch);
    status = saveCheckpoint(epochFile, params, momentum, state);
    if (!status.ok())
      return status;
    if (!linkOver(root, epochFile, lastPath()))
      status = saveCheckpoint(lastPath(), params, momentum, state);
  } else {
    status = saveCheckpoint(lastPath(), params, momentum, state);
  }
  if (!status.ok())
    return status;

  // Only now that last.axc is the new state may older copies go. Epochs past
  // state.epoch belong to a run that was abandoned by resuming earlier.
  names = listDir(root);
  if (!names.ok())
    return names.error();
  unsigned kept = 0;
  for (uint64_t epoch : epochsIn(*names)) {
    if (epoch <= state.epoch && kept < options.keepEpochs)
      ++kept;
    else
      ::unlink(epochPath(epoch).c_str());
  }

  if (options.exportWeights)
    return saveWeights(weightsPath(), params);
  return Status::success();
}

Expected<FoundCheckpoint> latestValid(const std::string &dir,
                                      const WarningHandler &warn) {
  auto names = listDir(dir);
  if (!names.ok())
    return names.error();
  CheckpointDir layout(dir);
  std::vector<std::string> refused;
  std::optional<FoundCheckpoint> best;

  std::string last = layout.lastPath();
  bool haveLast =
      std::find(names->begin(), names->end(), "last.axc") != names->end();
  if (haveLast) {
    auto c = loadCheckpoint(last);
    if (c.ok())
      best = FoundCheckpoint{last, c.take()};
    else
      refused.push_back(c.message());
  }
  std::vector<uint64_t> epochs = epochsIn(*names);
  if (!haveLast && !epochs.empty())
    refused.push_back(last + ": missing");

  for (uint64_t epoch : epochs) {
    // A valid last.axc is at least as new as any epoch file up to its epoch.
    if (best && epoch <= best->checkpoint.state.epoch)
      break;
    std::string path = layout.epochPath(epoch);
    auto c = loadCheckpoint(path);
    if (!c.ok()) {
      refused.push_back(c.message());
      continue;
    }
    // Further along than last.axc: a save died between the two files.
    if (!best || c->state.step > best->checkpoint.state.step)
      best = FoundCheckpoint{path, c.take()};
    break;
  }

  if (best) {
    for (const std::string &problem : refused)
      warn(problem + "; using " + best->path + " instead");
    return std::move(*best);
  }
  if (refused.empty())
    return Status::error(dir + ": no checkpoint (expected last.axc or "
                               "epoch-NNN.axc)");
  std::string message = dir + ": no valid checkpoint: " + refused.front();
  for (size_t i = 1; i < refused.size(); ++i)
    message += "; " + refused[i];
  return Status::error(message);
}

} // namespace alexnet::runtime
