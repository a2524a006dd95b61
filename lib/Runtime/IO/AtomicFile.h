//===- AtomicFile.h - Whole-file reads and atomic writes --------*- C++ -*-===//
//
// Every file the runtime writes (weights, checkpoints, .npy, .npz) goes
// through writeFileAtomic, so a crash, a kill or a full disk leaves either the
// old file or the new one at the path, never a mix. Reads are whole-file and
// bounded, so a huge or special file is refused instead of exhausting memory.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_IO_ATOMICFILE_H
#define ALEXNET_LIB_RUNTIME_IO_ATOMICFILE_H

#include "Core/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

/// Default cap for readFile: large enough for any model's weights, small
/// enough that a wrong path (a disk image, /dev/zero) fails fast.
constexpr uint64_t kDefaultMaxFileSize = uint64_t(64) << 30; // 64 GiB

/// The longest name a directory entry may have on the usual file systems
/// (NAME_MAX); temporary names never pass it.
constexpr size_t kMaxNameLength = 255;

/// Replaces `path` with `size` bytes at `data`, atomically: writes a
/// temporary file in the same directory (atomicTempPath), fsyncs it, renames
/// it over `path` and fsyncs the directory. On failure the temporary file is
/// removed, `path` is untouched and the message names the step and the
/// errno text. An existing file's permission bits are kept. Temporary files
/// of `path` left by writers that were killed (their pid no longer exists)
/// are removed first; a live process's are left alone.
///
/// What `path` names decides how it is written:
///  - a regular file, or nothing yet: replaced atomically as above;
///  - a symbolic link: its target is replaced atomically, the link stays;
///  - a character or block device, a FIFO, or an open file named through
///    /dev/fd/N, /dev/stdout or /proc/<pid>/fd/N: written directly, not
///    atomically (a FIFO waits for a reader, as a shell's `>` does);
///  - a directory or a socket: refused.
/// Concurrent writers of one path in one process are not supported (they
/// share the temporary name).
Status writeFileAtomic(const std::string &path, const void *data, size_t size);

/// The name writeFileAtomic uses for its temporary file of `path` (a
/// symbolic link already followed): "<path>.tmp.<pid>", or, when that name
/// would be longer than kMaxNameLength, ".<hash of the name>.tmp.<pid>" in
/// the same directory.
std::string atomicTempPath(const std::string &path);

/// Checks, before any work, that writeFileAtomic(path, ...) can succeed as
/// far as names and permissions tell: the directory exists and is writable,
/// the name fits, and `path` is not a directory or a socket. Writes nothing.
Status checkWritable(const std::string &path);

/// Reads the whole regular file at `path`. Refuses directories, devices,
/// FIFOs and files larger than `maxSize` bytes. An empty file yields an empty
/// vector; callers decide whether that is an error.
Expected<std::vector<uint8_t>>
readFile(const std::string &path, uint64_t maxSize = kDefaultMaxFileSize);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_IO_ATOMICFILE_H
