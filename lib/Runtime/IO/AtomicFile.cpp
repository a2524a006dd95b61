//===- AtomicFile.cpp - Whole-file reads and atomic writes ----------------===//
//
// POSIX only: open/write/fsync/rename. The temporary file lives next to the
// target because rename is atomic only within one file system. Devices,
// FIFOs and /proc/self/fd paths cannot be renamed over without destroying
// them (a rename over /dev/null makes it a regular file), so they are
// written directly.
//
//===----------------------------------------------------------------------===//

#include "IO/AtomicFile.h"

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace alexnet::runtime {

namespace {

/// strerror without its thread-safety problems.
std::string errnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

/// The directory holding `path`, for the fsync that makes a rename durable.
std::string parentDirectory(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}

/// Writes all of `data`, retrying short writes and EINTR; false sets errno.
bool writeAll(int fd, const uint8_t *data, size_t size) {
  while (size > 0) {
    // Large single writes are legal but some file systems cap them anyway.
    size_t chunk = size < (size_t(1) << 30) ? size : (size_t(1) << 30);
    ssize_t n = ::write(fd, data, chunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Creates the temporary file. A leftover of a killed writer that had our pid
/// is removed once; anything else (e.g. a directory of that name) is an error.
int createTemp(const std::string &tmp) {
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  int fd = ::open(tmp.c_str(), flags, 0666);
  if (fd >= 0 || errno != EEXIST)
    return fd;
  struct stat st;
  if (::lstat(tmp.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      ::unlink(tmp.c_str()) != 0) {
    errno = EEXIST;
    return -1;
  }
  return ::open(tmp.c_str(), flags, 0666);
}

/// The last component of `path`.
std::string baseName(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// `dir` joined with `name`, keeping a bare name bare.
std::string joinPath(const std::string &dir, const std::string &name) {
  if (dir == ".")
    return name;
  return dir == "/" ? "/" + name : dir + "/" + name;
}

/// The temporary name for target name `base` and writer `pid`:
/// "<base>.tmp.<pid>", or, where that would pass the longest name a
/// directory entry may have, a short one keyed by a hash of `base`.
std::string tempName(const std::string &base, long pid) {
  std::string name = base + ".tmp." + std::to_string(pid);
  if (name.size() <= kMaxNameLength)
    return name;
  uint64_t hash = 0xcbf29ce484222325ull; // FNV-1a
  for (unsigned char c : base)
    hash = (hash ^ c) * 0x100000001b3ull;
  char prefix[24];
  std::snprintf(prefix, sizeof(prefix), ".%016llx",
                static_cast<unsigned long long>(hash));
  return prefix + std::string(".tmp.") + std::to_string(pid);
}

/// The writer's pid when `name` is a temporary file of target name `base`.
std::optional<long> tempOwner(const std::string &name,
                              const std::string &base) {
  size_t at = name.rfind(".tmp.");
  if (at == std::string::npos || at + 5 == name.size() ||
      name.size() - at - 5 > 9 ||
      name.find_first_not_of("0123456789", at + 5) != std::string::npos)
    return std::nullopt;
  long pid = std::strtol(name.c_str() + at + 5, nullptr, 10);
  if (pid <= 0 || tempName(base, pid) != name)
    return std::nullopt;
  return pid;
}

/// True when no process has this pid (one that exists but is not ours to
/// signal is alive).
bool processIsGone(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

/// Removes the temporary files of `path` that writers killed mid-write left
/// behind. A live writer's file, ours included, is left alone.
void removeDeadTemps(const std::string &path) {
  const std::string dir = parentDirectory(path), base = baseName(path);
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return;
  std::vector<std::string> dead;
  while (struct dirent *entry = ::readdir(d)) {
    std::optional<long> pid = tempOwner(entry->d_name, base);
    if (pid && *pid != long(::getpid()) && processIsGone(*pid))
      dead.push_back(entry->d_name);
  }
  ::closedir(d);
  for (const std::string &name : dead) {
    std::string tmp = joinPath(dir, name);
    struct stat st;
    if (::lstat(tmp.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      ::unlink(tmp.c_str());
  }
}

/// Paths that name an already open file (a shell's redirection, a pipe):
/// writing means writing into it, never replacing a directory entry.
bool namesOpenFile(const std::string &path) {
  auto startsWith = [&](const char *prefix) {
    return path.compare(0, std::strlen(prefix), prefix) == 0;
  };
  return startsWith("/dev/fd/") || startsWith("/dev/std") ||
         (startsWith("/proc/") && path.find("/fd/") != std::string::npos);
}

/// `path` with the symbolic links of its last component followed, so that
/// a link's target is replaced and the link stays.
Expected<std::string> followLinks(std::string path) {
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      return path;
    std::vector<char> target(size_t(PATH_MAX) + 1);
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0)
      return Status::error(path +
                           ": cannot read symbolic link: " + errnoText(errno));
    std::string next(target.data(), size_t(n));
    path = !next.empty() && next[0] == '/'
               ? next
               : joinPath(parentDirectory(path), next);
  }
  return Status::error(path + ": too many levels of symbolic links");
}

/// What writing to `path` means: a regular file to replace (`target`, links
/// followed), or a device, FIFO or open file to write into (`direct`).
struct WriteTarget {
  std::string target;
  bool direct = false;
};

Expected<WriteTarget> classifyTarget(const std::string &path) {
  if (path.empty())
    return Status::error("cannot write a file with an empty path");
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return Status::error(path + ": is a directory");
  if (exists && S_ISSOCK(st.st_mode))
    return Status::error(path + ": is a socket; expected a file, a device "
                                "or a FIFO");
  if ((exists && !S_ISREG(st.st_mode)) || namesOpenFile(path))
    return WriteTarget{path, true};
  Expected<std::string> target = followLinks(path);
  if (!target.ok())
    return target.error();
  return WriteTarget{*target, false};
}

/// Writes into a device, a FIFO (waiting for a reader, as a shell's `>`
/// does) or an already open file: no temporary file, no rename.
Status writeDirect(const std::string &path, const void *data, size_t size) {
  int fd;
  do
    fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return Status::error(path +
                         ": cannot open for writing: " + errnoText(errno));
  struct stat st;
  // A regular file reached through /proc/self/fd starts over, as with `>`.
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(fd, 0) != 0) {
    int err = errno;
    ::close(fd);
    return Status::error(path + ": cannot truncate: " + errnoText(err));
  }
  if (!writeAll(fd, static_cast<const uint8_t *>(data), size)) {
    int err = errno;
    ::close(fd);
    return Status::error(path + ": write error: " + errnoText(err));
  }
  if (::close(fd) != 0)
    return Status::error(path + ": cannot close: " + errnoText(errno));
  return Status::success();
}

} // namespace

std::string atomicTempPath(const std::string &path) {
  return joinPath(parentDirectory(path),
                  tempName(baseName(path), static_cast<long>(::getpid())));
}

Status checkWritable(const std::string &path) {
  Expected<WriteTarget> where = classifyTarget(path);
  if (!where.ok())
    return where.error();
  if (where->direct) {
    if (::access(path.c_str(), W_OK) != 0)
      return Status::error(path + ": not writable: " + errnoText(errno));
    return Status::success();
  }
  const std::string &target = where->target;
  const std::string base = baseName(target), dir = parentDirectory(target);
  if (base.empty() || base == "." || base == "..")
    return Status::error(path + ": expected a file name, got a directory");
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0)
    return Status::error(path + ": cannot use directory '" + dir +
                         "': " + errnoText(errno));
  if (!S_ISDIR(st.st_mode))
    return Status::error(path + ": '" + dir + "' is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return Status::error(path + ": directory '" + dir +
                         "' is not writable: " + errnoText(errno));
  long nameMax = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  if (nameMax <= 0)
    nameMax = long(kMaxNameLength);
  if (base.size() > size_t(nameMax))
    return Status::error(
        path + ": file name of " + std::to_string(base.size()) +
        " characters, longer than the limit of " + std::to_string(nameMax));
  return Status::success();
}

namespace {

/// Fault injection for the kill-safety tests: with ALEXNET_TEST_KILL_IN_WRITE=N
/// in the environment, the Nth atomic write of this process writes half of
/// its temporary file and then dies by SIGKILL, as kill -9 or a power cut
/// in the middle of a checkpoint would. Unset (always, outside tests), it
/// costs one getenv per write.
void killMidWriteIfAsked(int fd, const uint8_t *data, size_t size) {
  static std::atomic<long> writes{0};
  const char *target = std::getenv("ALEXNET_TEST_KILL_IN_WRITE");
  if (!target)
    return;
  if (++writes != std::strtol(target, nullptr, 10))
    return;
  (void)writeAll(fd, data, size / 2);
  (void)::fsync(fd);
  ::raise(SIGKILL);
}

} // namespace

Status writeFileAtomic(const std::string &path, const void *data,
                       size_t size) {
  Expected<WriteTarget> where = classifyTarget(path);
  if (!where.ok())
    return where.error();
  if (where->direct)
    return writeDirect(path, data, size);
  const std::string &target = where->target;
  removeDeadTemps(target);
  const std::string tmp = atomicTempPath(target);
  int fd = createTemp(tmp);
  if (fd < 0)
    return Status::error(path + ": cannot create temporary file '" + tmp +
                         "': " + errnoText(errno));

  // Removes the temporary file and reports `what` with the current errno.
  auto fail = [&](const std::string &what, int err) {
    if (fd >= 0)
      ::close(fd);
    ::unlink(tmp.c_str());
    return Status::error(path + ": " + what + ": " + errnoText(err));
  };

  // Replacing a file should not silently change who may read it.
  struct stat old;
  if (::stat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode))
    (void)::fchmod(fd, old.st_mode & 07777);

  killMidWriteIfAsked(fd, static_cast<const uint8_t *>(data), size);
  if (!writeAll(fd, static_cast<const uint8_t *>(data), size))
    return fail("cannot write temporary file '" + tmp + "'", errno);
  if (::fsync(fd) != 0)
    return fail("cannot sync temporary file '" + tmp + "'", errno);
  int closeResult = ::close(fd);
  fd = -1;
  if (closeResult != 0)
    return fail("cannot close temporary file '" + tmp + "'", errno);
  if (::rename(tmp.c_str(), target.c_str()) != 0)
    return fail("cannot rename temporary file '" + tmp + "' into place",
                errno);

  // The rename is durable only once the directory entry is on disk.
  const std::string dir = parentDirectory(target);
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0)
    return Status::error(path + ": written, but cannot open directory '" +
                         dir + "' to sync it: " + errnoText(errno));
  int syncResult = ::fsync(dirFd);
  int syncErr = errno;
  ::close(dirFd);
  // Some file systems cannot sync directories; the data itself is synced.
  if (syncResult != 0 && syncErr != EINVAL && syncErr != ENOTSUP)
    return Status::error(path + ": written, but cannot sync directory '" +
                         dir + "': " + errnoText(syncErr));
  return Status::success();
}

Expected<std::vector<uint8_t>> readFile(const std::string &path,
                                        uint64_t maxSize) {
  // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer
  // (forever); it is refused below as not a regular file, where the flag
  // changes nothing.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return Status::error(path + ": cannot open: " + errnoText(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  struct stat st;
  if (::fstat(fd, &st) != 0)
    return Status::error(path + ": cannot stat: " + errnoText(errno));
  if (S_ISDIR(st.st_mode))
    return Status::error(path + ": is a directory");
  if (!S_ISREG(st.st_mode))
    return Status::error(path + ": not a regular file");
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > maxSize)
    return Status::error(path + ": file too large (" + std::to_string(size) +
                         " bytes, limit " + std::to_string(maxSize) + ")");

  std::vector<uint8_t> bytes;
  try {
    bytes.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc &) {
    return Status::error(path + ": out of memory reading " +
                         std::to_string(size) + " bytes");
  }
  size_t done = 0;
  while (done < bytes.size()) {
    size_t chunk = bytes.size() - done;
    if (chunk > (size_t(1) << 30))
      chunk = size_t(1) << 30;
    ssize_t n = ::read(fd, bytes.data() + done, chunk);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return Status::error(path + ": read error: " + errnoText(errno));
    }
    if (n == 0)
      break;
    done += static_cast<size_t>(n);
  }
  // A writer that does not use writeFileAtomic may be changing the file.
  uint8_t probe;
  ssize_t extra;
  do
    extra = ::read(fd, &probe, 1);
  while (extra < 0 && errno == EINTR);
  if (done != bytes.size() || extra > 0)
    return Status::error(path + ": file changed while being read");
  return bytes;
}

} // namespace alexnet::runtime
