//===- TestUtil.h - Helpers for the runtime unit tests ----------*- C++ -*-===//
//
// Scratch directories, raw file access, a hand-rolled ZIP builder (for
// archives our writer never produces: deflate, data descriptors) and a
// Python runner for the NumPy interop tests.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TEST_UNIT_RUNTIME_TESTUTIL_H
#define ALEXNET_TEST_UNIT_RUNTIME_TESTUTIL_H

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace alexnet::runtime::test {

/// A fresh directory, removed with its contents on destruction.
class TempDir {
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::string &dir() const { return root; }
  /// `dir()/name`.
  std::string path(const std::string &name) const;
  /// The names in the directory, sorted.
  std::vector<std::string> list() const;

private:
  std::string root;
};

std::vector<uint8_t> readBytes(const std::string &path);
void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes);
std::vector<uint8_t> toBytes(const std::string &text);

/// Mutations per fuzzed buffer: 2000, or ALEXNET_FUZZ_MUTATIONS for longer
/// runs.
int mutationCount();

/// One to three random corruptions of `bytes`: bit flips, random bytes,
/// truncation, boundary 32-bit values, insertion, deletion, copied chunks.
std::vector<uint8_t> mutate(std::vector<uint8_t> bytes, std::mt19937 &rng);

/// One member of a hand-built ZIP archive.
struct ZipMember {
  std::string name;
  std::vector<uint8_t> data;
};

struct ZipOptions {
  /// Deflate members (method 8) instead of storing them.
  bool deflate = false;
  /// Zero CRC and sizes in local headers, real ones in a data descriptor
  /// after the data (general purpose flag bit 3), as streaming writers do.
  bool dataDescriptor = false;
  /// A comment after the end record.
  std::string comment;
};

/// A ZIP archive of `members`, written independently of the runtime's writer.
std::vector<uint8_t> makeZip(const std::vector<ZipMember> &members,
                             const ZipOptions &options = {});

/// True when /usr/bin/python3 can import numpy.
bool haveNumpy();

/// Runs `script` with /usr/bin/python3 in `dir`; returns its exit status and
/// sets `output` to its stdout and stderr.
int runPython(const std::string &dir, const std::string &script,
              std::string &output);

} // namespace alexnet::runtime::test

#endif // ALEXNET_TEST_UNIT_RUNTIME_TESTUTIL_H
