//===- AtomicFile.cpp - Whole-file reads and atomic writes ----------------===//
//
// POSIX only: open/write/fsync/rename. The temporary file lives next to the
// target because rename is atomic only within one file system.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/AtomicFile.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
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

} // namespace

std::string atomicTempPath(const std::string &path) {
  return path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
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
  if (path.empty())
    return Status::error("cannot write a file with an empty path");
  const std::string tmp = atomicTempPath(path);
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
  if (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode))
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
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return fail("cannot rename temporary file '" + tmp + "' into place",
                errno);

  // The rename is durable only once the directory entry is on disk.
  const std::string dir = parentDirectory(path);
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
