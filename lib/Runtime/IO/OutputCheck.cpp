//===- OutputCheck.cpp - Checking a command's outputs before it works -----===//

#include "IO/OutputCheck.h"

#include "IO/AtomicFile.h"

#include <climits>
#include <cstdlib>
#include <sys/stat.h>

namespace alexnet::runtime {

bool sameFile(const std::string &a, const std::string &b) {
  struct stat sa, sb;
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 &&
         sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

namespace {

/// `path` with its directory made absolute and free of links, so two
/// spellings of a file not yet written compare equal.
std::string canonicalTarget(const std::string &path) {
  size_t slash = path.find_last_of('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  if (dir.empty())
    dir = "/";
  char resolved[PATH_MAX];
  if (!::realpath(dir.c_str(), resolved))
    return path;
  return std::string(resolved) + "/" + path.substr(slash + 1);
}

/// Whether two outputs would write one file. Devices and FIFOs are written
/// into, not replaced: two outputs sharing /dev/null lose nothing.
bool sameOutput(const std::string &a, const std::string &b) {
  struct stat st;
  if (::stat(a.c_str(), &st) != 0)
    return canonicalTarget(a) == canonicalTarget(b);
  return S_ISREG(st.st_mode) && sameFile(a, b);
}

/// True when `output` is an existing file somewhere under directory `dir`
/// (a data set's files are inputs too; a new file there harms nothing).
bool replacesFileUnder(const std::string &output, const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
      ::stat(output.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return false;
  char outReal[PATH_MAX], dirReal[PATH_MAX];
  if (!::realpath(output.c_str(), outReal) || !::realpath(dir.c_str(), dirReal))
    return false;
  std::string prefix =
      std::string(dirReal) == "/" ? "/" : dirReal + std::string("/");
  return std::string(outReal).compare(0, prefix.size(), prefix) == 0;
}

std::string describe(const NamedPath &p) {
  return p.flag + " " + quoteText(p.path);
}

} // namespace

Status checkOutputs(const std::vector<NamedPath> &outputs,
                    const std::vector<NamedPath> &inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath &out = outputs[i];
    if (out.path.empty())
      continue;
    if (Status s = checkWritable(out.path); !s.ok())
      return Status::error("cannot write " + out.flag + ": " + s.message());
    for (const NamedPath &in : inputs) {
      if (in.path.empty())
        continue;
      if (sameFile(out.path, in.path))
        return Status::error(
            describe(out) + " is the same file as the input " + describe(in) +
            ": writing it would destroy the input; choose another output");
      if (replacesFileUnder(out.path, in.path))
        return Status::error(
            describe(out) + " is a file inside the input " + describe(in) +
            ": writing it could destroy the input; choose another output");
    }
    for (size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && sameOutput(out.path, outputs[j].path))
        return Status::error(describe(out) + " is the same file as " +
                             describe(outputs[j]) +
                             ": one would overwrite the other");
  }
  return Status::success();
}

} // namespace alexnet::runtime
