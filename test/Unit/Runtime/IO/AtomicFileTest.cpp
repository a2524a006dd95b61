//===- AtomicFileTest.cpp - Atomic writes, bounded reads, CRC-32 ----------===//

#include "TestUtil.h"

#include "IO/AtomicFile.h"
#include "IO/Crc32.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

Status writeText(const std::string &path, const std::string &text) {
  return writeFileAtomic(path, text.data(), text.size());
}

std::string readText(const std::string &path) {
  auto bytes = readBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Crc32, KnownValues) {
  EXPECT_EQ(crc32("123456789", 9), 0xcbf43926u);
  EXPECT_EQ(crc32(nullptr, 0), 0u);
  // Continuing over pieces equals one pass, including empty pieces.
  uint32_t crc = crc32("1234", 4);
  crc = crc32(nullptr, 0, crc);
  EXPECT_EQ(crc32("56789", 5, crc), 0xcbf43926u);
  float values[] = {1.0f, -2.5f};
  EXPECT_EQ(crc32Floats(values, 2), crc32(values, sizeof(values)));
}

TEST(AtomicFile, WritesAndReadsBack) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  ASSERT_TRUE(writeText(path, "hello").ok());
  auto bytes = readFile(path);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), "hello");
  // Empty files are written and read as empty.
  ASSERT_TRUE(writeFileAtomic(path, nullptr, 0).ok());
  bytes = readFile(path);
  ASSERT_TRUE(bytes.ok()) << bytes.message();
  EXPECT_TRUE(bytes->empty());
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, RelativePathInCurrentDirectory) {
  TempDir tmp;
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof(cwd)), nullptr);
  ASSERT_EQ(::chdir(tmp.dir().c_str()), 0);
  Status status = writeText("rel.bin", "x");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(readText(tmp.path("rel.bin")), "x");
}

TEST(AtomicFile, ReplacesAndKeepsPermissions) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  ASSERT_TRUE(writeText(path, "old contents").ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  ASSERT_TRUE(writeText(path, "new").ok());
  EXPECT_EQ(readText(path), "new");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, TempCreateFailureLeavesOldFile) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  ASSERT_TRUE(writeText(path, "old").ok());
  // A directory where the temporary file should go makes open() fail.
  std::string tempPath = atomicTempPath(path);
  ASSERT_EQ(::mkdir(tempPath.c_str(), 0755), 0);
  Status status = writeText(path, "new");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), path + ": cannot create temporary file '" +
                                  tempPath + "': File exists");
  EXPECT_EQ(readText(path), "old");
  ASSERT_EQ(::rmdir(tempPath.c_str()), 0);
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, StaleTempFileIsReplaced) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  // What a killed writer with our pid would have left.
  writeBytes(atomicTempPath(path), toBytes("partial"));
  ASSERT_TRUE(writeText(path, "new").ok());
  EXPECT_EQ(readText(path), "new");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, DirectoryIsRefused) {
  TempDir tmp;
  std::string path = tmp.path("dir");
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
  writeBytes(path + "/keep", toBytes("x"));
  Status status = writeText(path, "new");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), path + ": is a directory");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"dir"});
  EXPECT_EQ(readText(path + "/keep"), "x");
}

TEST(AtomicFile, SocketIsRefused) {
  TempDir tmp;
  std::string path = tmp.path("sock");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof(addr.sun_path));
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
  Status status = writeText(path, "x");
  ::close(fd);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            path + ": is a socket; expected a file, a device or a FIFO");
  EXPECT_EQ(checkWritable(path).message(), status.message());
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST(AtomicFile, DeviceIsWrittenNotReplaced) {
  // A rename over /dev/null would make it a regular file for the whole
  // system.
  ASSERT_TRUE(writeText("/dev/null", "discarded").ok());
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_TRUE(checkWritable("/dev/null").ok());
}

TEST(AtomicFile, FifoIsWrittenIntoForItsReader) {
  TempDir tmp;
  std::string fifo = tmp.path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = readText(fifo); });
  Status status = writeText(fifo, "through the pipe");
  reader.join();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(received, "through the pipe");
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"pipe"});
}

TEST(AtomicFile, OpenFileThroughProcIsWrittenInto) {
  TempDir tmp;
  std::string path = tmp.path("out.bin");
  writeBytes(path, toBytes("old and longer"));
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  Status status = writeText("/proc/self/fd/" + std::to_string(fd), "new");
  ::close(fd);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(readText(path), "new");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, SymlinkTargetIsReplacedAndLinkStays) {
  TempDir tmp;
  ASSERT_TRUE(::mkdir(tmp.path("real").c_str(), 0755) == 0);
  std::string target = tmp.path("real/w.axw");
  writeBytes(target, toBytes("old"));
  // A relative link, resolved against the link's own directory.
  ASSERT_EQ(::symlink("real/w.axw", tmp.path("link").c_str()), 0);
  ASSERT_TRUE(writeText(tmp.path("link"), "new").ok());
  struct stat st;
  ASSERT_EQ(::lstat(tmp.path("link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(readText(target), "new");
  // A dangling link gets its target created.
  ASSERT_EQ(::symlink(tmp.path("real/later.axw").c_str(),
                      tmp.path("dangling").c_str()),
            0);
  ASSERT_TRUE(writeText(tmp.path("dangling"), "created").ok());
  EXPECT_EQ(readText(tmp.path("real/later.axw")), "created");
  EXPECT_EQ(tmp.list(), (std::vector<std::string>{"dangling", "link", "real"}));
}

TEST(AtomicFile, LongestNameFits) {
  TempDir tmp;
  std::string name(kMaxNameLength - 1, 'w');
  ASSERT_TRUE(writeText(tmp.path(name), "x").ok());
  EXPECT_EQ(readText(tmp.path(name)), "x");
  EXPECT_LE(atomicTempPath(tmp.path(name)).size() - tmp.dir().size() - 1,
            kMaxNameLength);
  EXPECT_EQ(tmp.list(), std::vector<std::string>{name});
}

/// A pid that no process has now: a child's, reaped.
long deadPid() {
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return long(pid);
}

TEST(AtomicFile, DeadWritersTemporariesAreRemoved) {
  TempDir tmp;
  long dead = deadPid(), live = long(::getppid());
  std::string longName(kMaxNameLength - 2, 'n');
  std::string deadTemp = "a.bin.tmp." + std::to_string(dead);
  std::string liveTemp = "a.bin.tmp." + std::to_string(live);
  std::string otherTemp = "b.bin.tmp." + std::to_string(dead);
  for (const std::string &name : {deadTemp, liveTemp, otherTemp})
    writeBytes(tmp.path(name), toBytes("partial"));
  // The long name's temporary file has the short, hashed form.
  std::string longTemp = atomicTempPath(tmp.path(longName));
  std::string ours = "." + std::to_string(::getpid());
  ASSERT_EQ(longTemp.substr(longTemp.size() - ours.size()), ours);
  std::string longDeadTemp =
      longTemp.substr(0, longTemp.size() - ours.size() + 1) +
      std::to_string(dead);
  writeBytes(longDeadTemp, toBytes("partial"));

  ASSERT_TRUE(writeText(tmp.path("a.bin"), "new").ok());
  ASSERT_TRUE(writeText(tmp.path(longName), "new").ok());
  // Only a.bin's and the long name's dead writers lose their files.
  std::vector<std::string> want = {"a.bin", liveTemp, otherTemp, longName};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(tmp.list(), want);
}

TEST(AtomicFile, CheckWritable) {
  TempDir tmp;
  EXPECT_TRUE(checkWritable(tmp.path("new.axw")).ok());
  EXPECT_TRUE(checkWritable(tmp.path(std::string(kMaxNameLength, 'x'))).ok());
  Status tooLong = checkWritable(tmp.path(std::string(256, 'x')));
  ASSERT_FALSE(tooLong.ok());
  EXPECT_NE(tooLong.message().find(
                "file name of 256 characters, longer than the limit of 255"),
            std::string::npos)
      << tooLong.message();
  EXPECT_EQ(checkWritable(tmp.path("no/w.axw")).message(),
            tmp.path("no/w.axw") + ": cannot use directory '" + tmp.path("no") +
                "': No such file or directory");
  EXPECT_EQ(checkWritable(tmp.dir()).message(), tmp.dir() + ": is a directory");
  writeBytes(tmp.path("file"), toBytes("x"));
  EXPECT_EQ(checkWritable(tmp.path("file/w.axw")).message(),
            tmp.path("file/w.axw") + ": '" + tmp.path("file") +
                "' is not a directory");
  // Nothing was written.
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"file"});
}

TEST(AtomicFile, MissingDirectory) {
  TempDir tmp;
  Status status = writeText(tmp.path("no/such/dir/a.bin"), "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("No such file or directory"),
            std::string::npos)
      << status.message();
}

/// Runs `body` in a child process whose file size limit is `limit` bytes;
/// returns the raw wait status.
template <typename Body>
int inChildWithFileLimit(rlim_t limit, bool ignoreSigxfsz, Body body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (ignoreSigxfsz)
      ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(AtomicFile, WriteFailureLeavesOldFileAndNoTemp) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  ASSERT_TRUE(writeText(path, "old").ok());
  // With SIGXFSZ ignored, writing past RLIMIT_FSIZE fails with EFBIG.
  int status = inChildWithFileLimit(4096, true, [&] {
    std::vector<uint8_t> big(1 << 20, 7);
    Status s = writeFileAtomic(path, big.data(), big.size());
    if (s.ok())
      return 1;
    return s.message().find("cannot write temporary file") ==
                   std::string::npos
               ? 2
               : 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(readText(path), "old");
  EXPECT_EQ(tmp.list(), std::vector<std::string>{"a.bin"});
}

TEST(AtomicFile, KilledWriterLeavesOldFile) {
  TempDir tmp;
  std::string path = tmp.path("a.bin");
  ASSERT_TRUE(writeText(path, "old").ok());
  // SIGXFSZ's default action kills the writer in the middle of write().
  int status = inChildWithFileLimit(4096, false, [&] {
    std::vector<uint8_t> big(1 << 20, 7);
    (void)writeFileAtomic(path, big.data(), big.size());
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  EXPECT_EQ(readText(path), "old");
}

TEST(ReadFile, Errors) {
  TempDir tmp;
  auto missing = readFile(tmp.path("missing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message(),
            tmp.path("missing") + ": cannot open: No such file or directory");

  auto dir = readFile(tmp.dir());
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.message(), tmp.dir() + ": is a directory");

  auto device = readFile("/dev/null");
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.message(), "/dev/null: not a regular file");

  // A FIFO with no writer: refused at once, not waited on in open().
  ASSERT_EQ(::mkfifo(tmp.path("fifo").c_str(), 0600), 0);
  auto fifo = readFile(tmp.path("fifo"));
  ASSERT_FALSE(fifo.ok());
  EXPECT_EQ(fifo.message(), tmp.path("fifo") + ": not a regular file");

  writeBytes(tmp.path("big"), std::vector<uint8_t>(100, 1));
  auto big = readFile(tmp.path("big"), 99);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.message(),
            tmp.path("big") + ": file too large (100 bytes, limit 99)");
  EXPECT_TRUE(readFile(tmp.path("big"), 100).ok());
}

TEST(Status, Basics) {
  EXPECT_TRUE(Status().ok());
  Status err = Status::error("boom");
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.addContext("f").message(), "f: boom");
  Expected<int> value(3);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 3);
  Expected<int> failed(Status::error("bad"));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.message(), "bad");
  EXPECT_EQ(quoteText(std::string("a\nb'\xff", 5)), "'a\\x0ab\\x27\\xff'");
}

} // namespace
