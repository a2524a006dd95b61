//===- OutputCheck.h - Outputs checked before any work ----------*- C++ -*-===//
//
// A subcommand names its inputs and outputs once, before any work, so that a
// typo in an output path fails in a second instead of after hours of
// training, and an output that is one of the inputs (`-o` naming the weights
// it reads, through a symbolic or hard link too) is refused before it can
// destroy them.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_OUTPUTCHECK_H
#define ALEXNET_LIB_RUNTIME_IO_OUTPUTCHECK_H

#include "Core/Status.h"

#include <string>
#include <vector>

namespace alexnet::runtime {

/// A file a command reads or writes, with the flag that named it.
struct NamedPath {
  std::string flag; ///< e.g. "-o", "--weights"
  std::string path; ///< empty: not given, skipped
};

/// True when `a` and `b` both exist and are one file (same device and
/// inode), whatever links or spellings lead to it.
bool sameFile(const std::string &a, const std::string &b);

/// Checks each output with checkWritable and refuses one that is the same
/// file as an input or as another output, or an existing file inside an
/// input that is a directory (a data set); the message names both flags and
/// paths. Devices (e.g. /dev/null) may be named by several outputs.
Status checkOutputs(const std::vector<NamedPath> &outputs,
                    const std::vector<NamedPath> &inputs);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_OUTPUTCHECK_H
