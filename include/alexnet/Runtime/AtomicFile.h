//===- AtomicFile.h - Whole-file reads and atomic writes --------*- C++ -*-===//
//
// Every file the runtime writes (weights, checkpoints, .npy, .npz) goes
// through writeFileAtomic, so a crash, a kill or a full disk leaves either the
// old file or the new one at the path, never a mix. Reads are whole-file and
// bounded, so a huge or special file is refused instead of exhausting memory.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_ATOMICFILE_H
#define ALEXNET_RUNTIME_ATOMICFILE_H

#include "alexnet/Runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Default cap for readFile: large enough for any model's weights, small
/// enough that a wrong path (a disk image, /dev/zero) fails fast.
constexpr uint64_t kDefaultMaxFileSize = uint64_t(64) << 30; // 64 GiB

/// Replaces `path` with `size` bytes at `data`, atomically: writes
/// `<path>.tmp.<pid>` in the same directory, fsyncs it, renames it over
/// `path` and fsyncs the directory. On failure the temporary file is removed,
/// `path` is untouched and the message names the step and the errno text.
/// An existing file's permission bits are kept. If `path` is a symbolic link,
/// the link itself is replaced. Concurrent writers of one path in one process
/// are not supported (they share the temporary name).
Status writeFileAtomic(const std::string &path, const void *data, size_t size);

/// The name writeFileAtomic uses for its temporary file.
std::string atomicTempPath(const std::string &path);

/// Reads the whole regular file at `path`. Refuses directories, devices,
/// FIFOs and files larger than `maxSize` bytes. An empty file yields an empty
/// vector; callers decide whether that is an error.
Expected<std::vector<uint8_t>>
readFile(const std::string &path, uint64_t maxSize = kDefaultMaxFileSize);

} // namespace alexnet::runtime

#endif // ALEXNET_RUNTIME_ATOMICFILE_H
