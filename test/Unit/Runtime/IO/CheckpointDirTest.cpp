//===- CheckpointDirTest.cpp - Checkpoint directories and kill -9 ---------===//
//
// The layout, the fallback when last.axc is damaged, the cleanup of dead
// writers' temporary files, and the crash test: a child process saves a
// large checkpoint in a loop and is killed with SIGKILL at random moments;
// after every kill the directory must still hold a checkpoint that loads and
// equals one of the versions written, and last.axc must never be seen
// missing or partial, not even while the child is writing it.
//
//===----------------------------------------------------------------------===//

#include "CheckpointTestUtil.h"
#include "TestUtil.h"

#include "IO/CheckpointDir.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

/// Saves version `v` of a checkpoint: even versions end an epoch.
Status saveVersion(const CheckpointDir &dir, uint64_t v, size_t floats = 256) {
  Checkpoint c = versionedCheckpoint(v, floats);
  return v % 2 == 0 ? dir.saveEpoch(c.params, c.momentum, c.state)
                    : dir.saveLatest(c.params, c.momentum, c.state);
}

/// Empty when `c` is exactly version `c.state.step` of versionedCheckpoint.
std::string notAVersion(const Checkpoint &c, size_t floats = 256) {
  Checkpoint v = versionedCheckpoint(c.state.step, floats);
  return checkpointDiffers(c, v.params, v.momentum, v.state);
}

/// latestValid, collecting the warnings instead of printing them.
Expected<FoundCheckpoint> latest(const std::string &dir,
                                 std::vector<std::string> &warnings) {
  return latestValid(dir, [&](const std::string &w) { warnings.push_back(w); });
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

ino_t inode(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

/// Writes `bytes` to `path` as a new file, leaving other links alone.
void replaceFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  ::unlink(path.c_str());
  writeBytes(path, bytes);
}

std::vector<uint8_t> firstHalf(const std::string &path) {
  auto bytes = readBytes(path);
  bytes.resize(bytes.size() / 2);
  return bytes;
}

const std::vector<std::string> kFullLayout = {
    ".lock", "epoch-003.axc", "epoch-004.axc", "last.axc", "last.axw"};

TEST(CheckpointDir, Layout) {
  TempDir tmp;
  CheckpointDir dir(tmp.path("run") + "/");
  EXPECT_EQ(dir.dir(), tmp.path("run"));
  EXPECT_EQ(dir.epochPath(12), tmp.path("run/epoch-012.axc"));
  EXPECT_EQ(dir.epochPath(1234), tmp.path("run/epoch-1234.axc"));
  for (uint64_t v : {2, 4, 6, 8})
    ASSERT_TRUE(saveVersion(dir, v).ok());
  EXPECT_EQ(listDir(dir.dir()), kFullLayout);
  EXPECT_EQ(dir.epochFiles(), (std::vector<uint64_t>{3, 4}));
  // last.axc is the epoch file under a second name, not a second copy.
  EXPECT_EQ(inode(dir.lastPath()), inode(dir.epochPath(4)));
  auto last = loadCheckpoint(dir.lastPath());
  ASSERT_TRUE(last.ok()) << last.message();
  EXPECT_EQ(last->state.step, 8u);
  EXPECT_EQ(notAVersion(*last), "");
  auto weights = loadWeights(dir.weightsPath());
  ASSERT_TRUE(weights.ok()) << weights.message();
  EXPECT_EQ(tensorsDiffer(weights->tensors, last->params.tensors), "");

  // Within an epoch only last.axc and last.axw change.
  ASSERT_TRUE(saveVersion(dir, 9).ok());
  EXPECT_EQ(listDir(dir.dir()), kFullLayout);
  auto epoch4 = loadCheckpoint(dir.epochPath(4));
  ASSERT_TRUE(epoch4.ok()) << epoch4.message();
  EXPECT_EQ(epoch4->state.step, 8u);
  last = loadCheckpoint(dir.lastPath());
  ASSERT_TRUE(last.ok()) << last.message();
  EXPECT_EQ(last->state.step, 9u);
  weights = loadWeights(dir.weightsPath());
  ASSERT_TRUE(weights.ok()) << weights.message();
  EXPECT_EQ(tensorsDiffer(weights->tensors, last->params.tensors), "");
}

TEST(CheckpointDir, Options) {
  TempDir tmp;
  CheckpointDirOptions options;
  options.keepEpochs = 0;
  options.exportWeights = false;
  CheckpointDir dir(tmp.dir(), options);
  for (uint64_t v : {2, 3, 4})
    ASSERT_TRUE(saveVersion(dir, v).ok());
  EXPECT_EQ(listDir(dir.dir()),
            (std::vector<std::string>{".lock", "last.axc"}));
}

TEST(CheckpointDir, LatestValidFallsBack) {
  TempDir tmp;
  CheckpointDir dir(tmp.dir());
  for (uint64_t v : {6, 7, 8})
    ASSERT_TRUE(saveVersion(dir, v).ok());
  std::vector<std::string> warnings;
  auto found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.lastPath());
  EXPECT_EQ(found->checkpoint.state.step, 8u);
  EXPECT_TRUE(warnings.empty());

  // A damaged last.axc of its own (say, copied back from a cut-off backup).
  replaceFile(dir.lastPath(), firstHalf(dir.lastPath()));
  found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.epochPath(4));
  EXPECT_EQ(notAVersion(found->checkpoint), "");
  EXPECT_EQ(found->checkpoint.state.step, 8u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], dir.lastPath() +
                             ": truncated or corrupt (FlatBuffers verification "
                             "failed); using " +
                             dir.epochPath(4) + " instead");

  // Missing entirely.
  ::unlink(dir.lastPath().c_str());
  warnings.clear();
  found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.epochPath(4));
  EXPECT_EQ(warnings,
            std::vector<std::string>{dir.lastPath() + ": missing; using " +
                                     dir.epochPath(4) + " instead"});

  // Damage to the file both names share costs one epoch: epoch-003 remains.
  ASSERT_TRUE(saveVersion(dir, 8).ok());
  writeBytes(dir.lastPath(), firstHalf(dir.lastPath())); // in place
  warnings.clear();
  found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.epochPath(3));
  EXPECT_EQ(found->checkpoint.state.step, 6u);
  EXPECT_EQ(warnings.size(), 2u);

  // Nothing loads: the error lists every file and why.
  writeBytes(dir.epochPath(3), {1, 2, 3});
  found = latest(dir.dir(), warnings);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.message(),
            dir.dir() + ": no valid checkpoint: " + dir.lastPath() +
                ": truncated or corrupt (FlatBuffers verification failed); " +
                dir.epochPath(4) +
                ": truncated or corrupt (FlatBuffers verification failed); " +
                dir.epochPath(3) +
                ": truncated or corrupt (3 bytes, too short for a "
                "checkpoint)");
}

TEST(CheckpointDir, LatestValidWithoutCheckpoints) {
  TempDir tmp;
  std::vector<std::string> warnings;
  auto found = latest(tmp.dir(), warnings);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.message(), tmp.dir() + ": no checkpoint (expected last.axc "
                                         "or epoch-NNN.axc)");
  found = latest(tmp.path("nope"), warnings);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.message(), tmp.path("nope") + ": cannot open checkpoint "
                                                "directory: No such file or "
                                                "directory");
  EXPECT_TRUE(warnings.empty());
}

TEST(CheckpointDir, SaveInterruptedBetweenEpochFileAndLast) {
  TempDir tmp;
  CheckpointDir dir(tmp.dir());
  ASSERT_TRUE(saveVersion(dir, 8).ok());
  ASSERT_TRUE(saveVersion(dir, 9).ok());
  // Mid-epoch last.axc (epoch 4, step 9) is newer than epoch-004 (step 8).
  std::vector<std::string> warnings;
  auto found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.lastPath());
  // Killed after writing epoch-005 but before relinking last.axc.
  Checkpoint c = versionedCheckpoint(10, 256);
  ASSERT_TRUE(
      saveCheckpoint(dir.epochPath(5), c.params, c.momentum, c.state).ok());
  found = latest(dir.dir(), warnings);
  ASSERT_TRUE(found.ok()) << found.message();
  EXPECT_EQ(found->path, dir.epochPath(5));
  EXPECT_EQ(found->checkpoint.state.step, 10u);
  EXPECT_TRUE(warnings.empty());
}

TEST(CheckpointDir, RemovesStaleTemporariesAndAbandonedEpochs) {
  TempDir tmp;
  CheckpointDirOptions options;
  options.keepEpochs = 3;
  CheckpointDir dir(tmp.dir(), options);
  for (uint64_t v : {10, 12, 14})
    ASSERT_TRUE(saveVersion(dir, v).ok());
  EXPECT_EQ(dir.epochFiles(), (std::vector<uint64_t>{5, 6, 7}));
  for (const char *name :
       {"last.axc.tmp.99999", "epoch-008.axc.tmp.123", "last.axw.tmp.7",
        "notes.txt.tmp.1", "last.axc.tmp.x", "last.axc.tmp."})
    writeBytes(tmp.path(name), {1, 2, 3});
  // A run resumed from epoch 5 saves: epochs 6 and 7 are from the abandoned
  // future, and the dead writers' temporaries go too.
  ASSERT_TRUE(saveVersion(dir, 11).ok());
  EXPECT_EQ(listDir(tmp.dir()),
            (std::vector<std::string>{".lock", "epoch-005.axc", "last.axc",
                                      "last.axc.tmp.", "last.axc.tmp.x",
                                      "last.axw", "notes.txt.tmp.1"}));
}

TEST(CheckpointDir, OneWriterAtATime) {
  TempDir tmp;
  CheckpointDir dir(tmp.dir());
  ASSERT_TRUE(saveVersion(dir, 2).ok());
  int fd = ::open(tmp.path(".lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  Status status = saveVersion(dir, 3);
  ASSERT_FALSE(status.ok());
  // The last holder (this process's earlier save) left its pid there.
  EXPECT_EQ(status.message(),
            tmp.dir() +
                ": checkpoint directory is in use by another training "
                "run (pid " +
                std::to_string(::getpid()) +
                "); wait for it to end or choose another --checkpoint-dir");
  ::close(fd);
  EXPECT_TRUE(saveVersion(dir, 3).ok());

  CheckpointDir notADir(tmp.path("last.axc"));
  status = saveVersion(notADir, 4);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(), tmp.path("last.axc") +
                                  ": cannot create checkpoint directory: Not "
                                  "a directory");

  // Missing parents are created, as mkdir -p would.
  EXPECT_TRUE(saveVersion(CheckpointDir(tmp.path("a/b/c")), 2).ok());
  EXPECT_EQ(CheckpointDir(tmp.path("a/b/c")).epochFiles(),
            std::vector<uint64_t>{1});
}

/// Kills and reaps the child if a check returns early.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

TEST(CheckpointDir, ClaimedForTheWholeRun) {
  TempDir tmp;
  std::string root = tmp.path("run");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  ChildGuard child;
  child.pid = ::fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    // Another training run: claims the directory and keeps it until killed.
    CheckpointDir theirs(root);
    char ok = theirs.claim().ok() ? 'y' : 'n';
    (void)!::write(ready[1], &ok, 1);
    for (;;)
      ::pause();
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(ok, 'y');

  // Between the other run's saves, neither a claim nor a save gets in.
  CheckpointDir mine(root);
  Status status = mine.claim();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            root +
                ": checkpoint directory is in use by another training run "
                "(pid " +
                std::to_string(child.pid) +
                "); wait for it to end or choose another --checkpoint-dir");
  EXPECT_FALSE(saveVersion(CheckpointDir(root), 2).ok());

  // Its death releases the directory; the claimant's own saves then work,
  // and the claim holds between them.
  ::kill(child.pid, SIGKILL);
  ::waitpid(child.pid, nullptr, 0);
  child.pid = -1;
  ASSERT_TRUE(mine.claim().ok());
  EXPECT_TRUE(saveVersion(mine, 2).ok());
  EXPECT_TRUE(saveVersion(mine, 3).ok());
  EXPECT_FALSE(CheckpointDir(root).claim().ok());
  EXPECT_EQ(mine.checkpointFiles(),
            (std::vector<std::string>{"epoch-001.axc", "last.axc"}));
  EXPECT_TRUE(CheckpointDir(tmp.path("empty")).checkpointFiles().empty());
}

bool hasTemp(const std::string &dir) {
  for (const std::string &name : listDir(dir))
    if (name.find(".tmp.") != std::string::npos)
      return true;
  return false;
}

TEST(CheckpointDir, KillDuringSave) {
  using Clock = std::chrono::steady_clock;
  TempDir tmp;
  CheckpointDir dir(tmp.path("ckpt"));
  // 4 MiB of parameters and 4 MiB of momentum: saves take long enough to be
  // interrupted in every phase.
  const size_t floats = size_t(1) << 20;
  Clock::time_point start = Clock::now();
  ASSERT_TRUE(saveVersion(dir, 0, floats).ok());
  const auto saveTime = Clock::now() - start;

  std::mt19937 rng(20120101);
  uint64_t newest = 0;
  int killedMidWrite = 0, reads = 0;
  const int kills = 30;
  for (int iteration = 0; iteration < kills; ++iteration) {
    ChildGuard child;
    child.pid = ::fork();
    ASSERT_GE(child.pid, 0);
    if (child.pid == 0) {
      for (uint64_t v = newest + 1;; ++v)
        if (!saveVersion(dir, v, floats).ok())
          ::_exit(3);
    }
    if (iteration % 2) {
      // Aimed: kill just after a temporary file appears, inside a write.
      Clock::time_point giveUp = Clock::now() + std::chrono::seconds(10);
      while (!hasTemp(dir.dir()) && Clock::now() < giveUp)
        ;
      auto wait = std::uniform_int_distribution<int>(0, 2000)(rng);
      std::this_thread::sleep_for(std::chrono::microseconds(wait));
    } else {
      // At random, reading last.axc meanwhile: always there and whole.
      auto wait =
          std::uniform_int_distribution<int64_t>(0, 3 * saveTime.count())(rng);
      Clock::time_point deadline =
          Clock::now() + Clock::duration(wait) + std::chrono::milliseconds(2);
      do {
        auto c = loadCheckpoint(dir.lastPath());
        ASSERT_TRUE(c.ok()) << "iteration " << iteration << ": " << c.message();
        ASSERT_EQ(notAVersion(c.take(), floats), "");
        ++reads;
      } while (Clock::now() < deadline);
    }

    ASSERT_EQ(::kill(child.pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child.pid, &wstatus, 0), child.pid);
    child.pid = -1;
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the child stopped saving by itself (status " << wstatus << ")";
    killedMidWrite += hasTemp(dir.dir());

    std::vector<std::string> warnings;
    auto found = latest(dir.dir(), warnings);
    ASSERT_TRUE(found.ok())
        << "iteration " << iteration << ": " << found.message();
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    EXPECT_EQ(notAVersion(found->checkpoint, floats), "");
    EXPECT_GE(found->checkpoint.state.step, newest) << "went backwards";
    newest = found->checkpoint.state.step;
    auto last = loadCheckpoint(dir.lastPath());
    ASSERT_TRUE(last.ok()) << last.message();
  }
  ::testing::Test::RecordProperty("killed_mid_write", killedMidWrite);
  ::testing::Test::RecordProperty("concurrent_reads", reads);
  EXPECT_GE(killedMidWrite, kills / 4) << "too few kills landed in a write";

  // The next save cleans up after the dead writers.
  ASSERT_TRUE(saveVersion(dir, newest + 2 - newest % 2, floats).ok());
  EXPECT_FALSE(hasTemp(dir.dir()));
  EXPECT_LE(dir.epochFiles().size(), 2u);
}

} // namespace
