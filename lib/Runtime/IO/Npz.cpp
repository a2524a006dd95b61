//===- Npz.cpp - NumPy .npz archives --------------------------------------===//
//
// A minimal ZIP reader and writer (PKWARE APPNOTE 6.3). The reader trusts
// nothing: it finds the end-of-central-directory record, takes every size and
// offset from the central directory (NumPy's local headers may hold 0 or
// 0xffffffff with a data descriptor or ZIP64 extra), checks each range
// against the buffer before reading it, bounds what deflate may expand to,
// and verifies each member's CRC-32.
//
//===----------------------------------------------------------------------===//

#include "IO/Npz.h"

#include "IO/AtomicFile.h"
#include "IO/Crc32.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <new>
#include <unordered_set>
#include <zlib.h>

namespace alexnet::runtime {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalSize = 30;
constexpr size_t kCentralSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagUtf8 = 0x0800;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint32_t kMax32 = 0xffffffffu;
constexpr uint16_t kMax16 = 0xffffu;
// Deflate cannot expand by more than about 1032:1; a member claiming more is
// corrupt (or a zip bomb) and is refused before allocating its size.
constexpr uint64_t kMaxDeflateRatio = 1032;

uint16_t le16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
uint64_t le64(const uint8_t *p) {
  return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32;
}

/// True when [offset, offset + length) lies inside a buffer of `size` bytes.
bool inBounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

/// What the central directory says about one member.
struct Entry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressedSize = 0;
  uint64_t size = 0;
  uint64_t localOffset = 0;
};

/// Replaces the 0xffffffff sizes and offset of `entry` with the values of its
/// ZIP64 extra field; returns why it cannot.
std::string applyZip64Extra(Entry &entry, const uint8_t *extra,
                            size_t extraSize, bool needSize, bool needCSize,
                            bool needOffset) {
  if (!needSize && !needCSize && !needOffset)
    return {};
  size_t pos = 0;
  while (pos + 4 <= extraSize) {
    uint16_t id = le16(extra + pos);
    uint16_t length = le16(extra + pos + 2);
    pos += 4;
    if (length > extraSize - pos)
      return "extra field overruns its record";
    if (id == kZip64ExtraId) {
      // The fields present are exactly the ones whose header value is
      // 0xffffffff, in this order.
      size_t need = 8 * (size_t(needSize) + needCSize + needOffset);
      if (length < need)
        return "ZIP64 extra field too short";
      const uint8_t *p = extra + pos;
      if (needSize)
        entry.size = le64(p), p += 8;
      if (needCSize)
        entry.compressedSize = le64(p), p += 8;
      if (needOffset)
        entry.localOffset = le64(p);
      return {};
    }
    pos += length;
  }
  return "sizes are 0xffffffff but there is no ZIP64 extra field";
}

/// Inflates raw deflate data into exactly `out.size()` bytes.
std::string inflateRaw(const uint8_t *in, uint64_t inSize,
                       std::vector<uint8_t> &out) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return "cannot initialize zlib";
  uint64_t inDone = 0, outDone = 0;
  uint8_t overflow[1];
  std::string problem;
  while (true) {
    // zlib counts in uInt, so feed buffers over 4 GiB in pieces.
    if (zs.avail_in == 0 && inDone < inSize) {
      zs.next_in = const_cast<Bytef *>(in + inDone);
      zs.avail_in = static_cast<uInt>(std::min<uint64_t>(inSize - inDone,
                                                         UINT_MAX));
    }
    bool full = outDone == out.size();
    if (zs.avail_out == 0) {
      // Once `out` is full, any further byte lands in `overflow`: too much.
      zs.next_out = full ? overflow : out.data() + outDone;
      zs.avail_out = full ? 1u
                          : static_cast<uInt>(std::min<uint64_t>(
                                out.size() - outDone, UINT_MAX));
    }
    uInt inBefore = zs.avail_in, outBefore = zs.avail_out;
    int ret = inflate(&zs, Z_NO_FLUSH);
    inDone += inBefore - zs.avail_in;
    if (!full)
      outDone += outBefore - zs.avail_out;
    if (full && zs.avail_out == 0) {
      problem = "inflates to more than its declared size";
      break;
    }
    if (ret == Z_STREAM_END) {
      if (outDone != out.size())
        problem = "inflates to " + std::to_string(outDone) +
                  " bytes, declared size is " + std::to_string(out.size());
      else if (inDone != inSize || zs.avail_in != 0)
        problem = "unexpected bytes after the compressed data";
      break;
    }
    if (ret == Z_OK)
      continue;
    if (ret == Z_BUF_ERROR && inDone == inSize && zs.avail_in == 0) {
      problem = "truncated compressed data";
      break;
    }
    problem = std::string("corrupt compressed data") +
              (zs.msg ? std::string(" (") + zs.msg + ")" : std::string());
    break;
  }
  inflateEnd(&zs);
  return problem;
}

/// Appends little-endian integers and bytes.
struct ByteWriter {
  std::vector<uint8_t> &out;
  void u16(uint64_t v) {
    for (int i = 0; i < 2; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u32(uint64_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i)
      out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void bytes(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out.insert(out.end(), b, b + n);
  }
};

} // namespace

const NpyArray *NpzFile::find(const std::string &name) const {
  for (const NamedArray &a : arrays)
    if (a.name == name)
      return &a.array;
  return nullptr;
}

uint64_t npyFileLimit(uint64_t elements, uint64_t elementBytes) {
  // Magic, version and a 4-byte header length (format 2.0), then the header.
  constexpr uint64_t kPrefix = 12;
  return kPrefix + kMaxNpyHeaderSize + elements * elementBytes;
}

Expected<NpzFile> parseNpz(const uint8_t *data, size_t size,
                           const std::string &name,
                           const NpzMemberLimit &memberLimit) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  if (size == 0)
    return fail("empty file");
  if (size < kEndSize)
    return fail("not a .npz file (too short for a ZIP archive)");

  // The end record is the last 22 bytes plus a comment of up to 64 KiB; take
  // the last signature whose comment length reaches exactly the end.
  size_t endPos = SIZE_MAX;
  size_t lowest = size - kEndSize > 65535 ? size - kEndSize - 65535 : 0;
  for (size_t pos = size - kEndSize + 1; pos-- > lowest;) {
    if (le32(data + pos) == kEndSig &&
        pos + kEndSize + le16(data + pos + 20) == size) {
      endPos = pos;
      break;
    }
  }
  if (endPos == SIZE_MAX)
    return fail(le32(data) == kLocalSig
                    ? "truncated or corrupt ZIP archive (no end of central "
                      "directory record)"
                    : "not a .npz file (no ZIP end of central directory "
                      "record)");
  const uint8_t *end = data + endPos;
  uint64_t entryCount = le16(end + 10);
  uint64_t cdSize = le32(end + 12);
  uint64_t cdOffset = le32(end + 16);
  if (le16(end + 4) != 0 || le16(end + 6) != 0 || le16(end + 8) != le16(end + 10))
    return fail("multi-disk ZIP archives are not supported");
  // Everything before the end records; the central directory ends there.
  uint64_t limit = endPos;

  if (endPos >= kZip64LocatorSize &&
      le32(data + endPos - kZip64LocatorSize) == kZip64LocatorSig) {
    const uint8_t *locator = data + endPos - kZip64LocatorSize;
    uint64_t zip64EndPos = le64(locator + 8);
    if (le32(locator + 4) != 0 || le32(locator + 16) > 1)
      return fail("multi-disk ZIP archives are not supported");
    if (!inBounds(zip64EndPos, kZip64EndSize, endPos - kZip64LocatorSize) ||
        le32(data + zip64EndPos) != kZip64EndSig)
      return fail("corrupt ZIP64 end of central directory record");
    const uint8_t *end64 = data + zip64EndPos;
    if (le32(end64 + 16) != 0 || le32(end64 + 20) != 0 ||
        le64(end64 + 24) != le64(end64 + 32))
      return fail("multi-disk ZIP archives are not supported");
    entryCount = le64(end64 + 32);
    cdSize = le64(end64 + 40);
    cdOffset = le64(end64 + 48);
    limit = zip64EndPos;
  }
  if (!inBounds(cdOffset, cdSize, limit))
    return fail("truncated or corrupt ZIP archive (central directory at " +
                std::to_string(cdOffset) + ", " + std::to_string(cdSize) +
                " bytes, outside the file)");
  if (entryCount > cdSize / kCentralSize)
    return fail("corrupt ZIP archive (" + std::to_string(entryCount) +
                " entries cannot fit in a " + std::to_string(cdSize) +
                "-byte central directory)");

  NpzFile npz;
  std::unordered_set<std::string> seen;
  uint64_t totalSize = 0;
  uint64_t pos = cdOffset;
  const uint64_t cdEnd = cdOffset + cdSize;
  try {
    npz.arrays.reserve(static_cast<size_t>(entryCount));
    for (uint64_t index = 0; index < entryCount; ++index) {
      std::string where = "central directory entry " + std::to_string(index);
      if (!inBounds(pos, kCentralSize, cdEnd) ||
          le32(data + pos) != kCentralSig)
        return fail("corrupt ZIP archive (" + where + " is invalid)");
      const uint8_t *c = data + pos;
      Entry entry;
      entry.flags = le16(c + 8);
      entry.method = le16(c + 10);
      entry.crc = le32(c + 16);
      entry.compressedSize = le32(c + 20);
      entry.size = le32(c + 24);
      size_t nameSize = le16(c + 28), extraSize = le16(c + 30),
             commentSize = le16(c + 32);
      uint16_t disk = le16(c + 34);
      entry.localOffset = le32(c + 42);
      if (!inBounds(pos + kCentralSize, nameSize + extraSize + commentSize,
                    cdEnd))
        return fail("corrupt ZIP archive (" + where +
                    " overruns the central directory)");
      entry.name.assign(reinterpret_cast<const char *>(c + kCentralSize),
                        nameSize);
      std::string member = "member " + quoteText(entry.name);
      std::string problem = applyZip64Extra(
          entry, c + kCentralSize + nameSize, extraSize,
          entry.size == kMax32, entry.compressedSize == kMax32,
          entry.localOffset == kMax32);
      if (!problem.empty())
        return fail(member + ": corrupt ZIP archive (" + problem + ")");
      pos += kCentralSize + nameSize + extraSize + commentSize;
      if (disk != 0 && disk != kMax16)
        return fail("multi-disk ZIP archives are not supported");

      if (entry.flags & kFlagEncrypted)
        return fail(member + ": encrypted members are not supported");
      if (entry.method != kMethodStored && entry.method != kMethodDeflate)
        return fail(member + ": unsupported compression method " +
                    std::to_string(entry.method) +
                    " (expected 0, stored, or 8, deflate)");
      const std::string suffix = ".npy";
      if (entry.name.size() < suffix.size() ||
          entry.name.compare(entry.name.size() - suffix.size(), suffix.size(),
                             suffix) != 0)
        return fail(member + " is not a .npy array");
      std::string arrayName =
          entry.name.substr(0, entry.name.size() - suffix.size());
      if (arrayName.empty())
        return fail(member + " has an empty array name");
      if (!seen.insert(arrayName).second)
        return fail("duplicate array " + quoteText(arrayName));

      // The local header: only its name and extra lengths are trusted, to
      // find the data; its sizes may be placeholders.
      if (!inBounds(entry.localOffset, kLocalSize, cdOffset) ||
          le32(data + entry.localOffset) != kLocalSig)
        return fail(member + ": corrupt ZIP archive (bad local header offset " +
                    std::to_string(entry.localOffset) + ")");
      const uint8_t *local = data + entry.localOffset;
      uint64_t localName = le16(local + 26), localExtra = le16(local + 28);
      uint64_t dataStart = entry.localOffset + kLocalSize + localName +
                           localExtra;
      if (!inBounds(entry.localOffset + kLocalSize, localName + localExtra,
                    cdOffset) ||
          localName != nameSize ||
          std::memcmp(local + kLocalSize, entry.name.data(), nameSize) != 0)
        return fail(member + ": corrupt ZIP archive (local header does not "
                             "match the central directory)");
      if (le16(local + 8) != entry.method)
        return fail(member + ": corrupt ZIP archive (compression method "
                             "differs between headers)");
      if (!inBounds(dataStart, entry.compressedSize, cdOffset))
        return fail(member + ": truncated or corrupt ZIP archive (data at " +
                    std::to_string(dataStart) + ", " +
                    std::to_string(entry.compressedSize) +
                    " bytes, outside the file)");

      // Bound the allocation before making it.
      if (entry.method == kMethodStored && entry.size != entry.compressedSize)
        return fail(member + ": corrupt ZIP archive (stored member has size " +
                    std::to_string(entry.size) + " but compressed size " +
                    std::to_string(entry.compressedSize) + ")");
      if (entry.method == kMethodDeflate &&
          entry.size > entry.compressedSize * kMaxDeflateRatio + 1024)
        return fail(member + ": corrupt ZIP archive (declared size " +
                    std::to_string(entry.size) +
                    " is impossible for compressed size " +
                    std::to_string(entry.compressedSize) + ")");
      if (memberLimit && entry.size > memberLimit(arrayName))
        return fail(member + ": declares " + std::to_string(entry.size) +
                    " bytes, more than array " + quoteText(arrayName) +
                    " can need (at most " +
                    std::to_string(memberLimit(arrayName)) +
                    "); refused before inflating");
      totalSize += entry.size;
      if (totalSize > kDefaultMaxFileSize)
        return fail("archive expands to more than " +
                    std::to_string(kDefaultMaxFileSize) + " bytes");

      const uint8_t *bytes = data + dataStart;
      std::vector<uint8_t> inflated;
      if (entry.method == kMethodDeflate) {
        inflated.resize(static_cast<size_t>(entry.size));
        problem = inflateRaw(bytes, entry.compressedSize, inflated);
        if (!problem.empty())
          return fail(member + ": " + problem);
        bytes = inflated.data();
      }
      uint32_t crc = crc32(bytes, static_cast<size_t>(entry.size));
      if (crc != entry.crc) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), "stored 0x%08x, computed 0x%08x",
                      entry.crc, crc);
        return fail(member + ": CRC-32 mismatch (" + buf + ")");
      }
      auto array = parseNpy(bytes, static_cast<size_t>(entry.size),
                            name + ": " + member);
      if (!array.ok())
        return array.error();
      npz.arrays.push_back({std::move(arrayName), array.take()});
    }
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
  if (pos != cdEnd)
    return fail("corrupt ZIP archive (central directory has " +
                std::to_string(cdEnd - pos) + " unexplained bytes)");
  return npz;
}

Expected<NpzFile> loadNpz(const std::string &path,
                          const NpzMemberLimit &limit) {
  auto bytes = readFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseNpz(bytes->data(), bytes->size(), path, limit);
}

Expected<std::vector<uint8_t>> serializeNpz(const NpzFile &npz,
                                            NpzWriteOptions options) {
  std::vector<uint8_t> out;
  std::vector<uint8_t> central;
  ByteWriter w{out}, cw{central};
  std::unordered_set<std::string> seen;
  // Unix, spec 4.5 when ZIP64 records are used, 2.0 otherwise.
  try {
    for (const NamedArray &a : npz.arrays) {
      if (a.name.empty())
        return Status::error("array with an empty name");
      if (!seen.insert(a.name).second)
        return Status::error("duplicate array " + quoteText(a.name));
      const std::string fileName = a.name + ".npy";
      if (fileName.size() > kMax16)
        return Status::error("array name " + quoteText(a.name) + " is too long");
      auto member = serializeNpy(a.array);
      if (!member.ok())
        return Status(member.error()).addContext("array " + quoteText(a.name));

      const uint64_t size = member->size();
      const uint64_t offset = out.size();
      const uint32_t crc = crc32(member->data(), member->size());
      const bool zip64 =
          options.forceZip64 || size >= kMax32 || offset >= kMax32;
      const uint16_t version = zip64 ? 45 : 20;
      uint16_t flags = 0;
      for (unsigned char ch : fileName)
        if (ch >= 0x80)
          flags = kFlagUtf8;

      w.u32(kLocalSig);
      w.u16(version);
      w.u16(flags);
      w.u16(kMethodStored);
      w.u16(0);    // time 00:00
      w.u16(0x21); // date 1980-01-01: reproducible output
      w.u32(crc);
      w.u32(zip64 ? kMax32 : size);
      w.u32(zip64 ? kMax32 : size);
      w.u16(fileName.size());
      w.u16(zip64 ? 20 : 0);
      w.bytes(fileName.data(), fileName.size());
      if (zip64) {
        w.u16(kZip64ExtraId);
        w.u16(16);
        w.u64(size);
        w.u64(size);
      }
      w.bytes(member->data(), member->size());

      cw.u32(kCentralSig);
      cw.u16(0x0300 | version); // made by Unix
      cw.u16(version);
      cw.u16(flags);
      cw.u16(kMethodStored);
      cw.u16(0);
      cw.u16(0x21);
      cw.u32(crc);
      cw.u32(zip64 ? kMax32 : size);
      cw.u32(zip64 ? kMax32 : size);
      cw.u16(fileName.size());
      cw.u16(zip64 ? 28 : 0);
      cw.u16(0);                  // comment
      cw.u16(0);                  // disk
      cw.u16(0);                  // internal attributes
      cw.u32(uint32_t(0100644) << 16); // -rw-r--r--
      cw.u32(zip64 ? kMax32 : offset);
      cw.bytes(fileName.data(), fileName.size());
      if (zip64) {
        cw.u16(kZip64ExtraId);
        cw.u16(24);
        cw.u64(size);
        cw.u64(size);
        cw.u64(offset);
      }
    }

    const uint64_t cdOffset = out.size();
    const uint64_t cdSize = central.size();
    const uint64_t count = npz.arrays.size();
    w.bytes(central.data(), central.size());
    central = std::vector<uint8_t>();
    const bool zip64End = options.forceZip64 || count >= kMax16 ||
                          cdOffset >= kMax32 || cdSize >= kMax32;
    if (zip64End) {
      const uint64_t end64 = out.size();
      w.u32(kZip64EndSig);
      w.u64(kZip64EndSize - 12);
      w.u16(0x0300 | 45);
      w.u16(45);
      w.u32(0);
      w.u32(0);
      w.u64(count);
      w.u64(count);
      w.u64(cdSize);
      w.u64(cdOffset);
      w.u32(kZip64LocatorSig);
      w.u32(0);
      w.u64(end64);
      w.u32(1);
    }
    w.u32(kEndSig);
    w.u16(0);
    w.u16(0);
    w.u16(std::min<uint64_t>(count, kMax16));
    w.u16(std::min<uint64_t>(count, kMax16));
    w.u32(std::min<uint64_t>(cdSize, kMax32));
    w.u32(std::min<uint64_t>(cdOffset, kMax32));
    w.u16(0);
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory building the archive");
  }
  return out;
}

Status saveNpz(const std::string &path, const NpzFile &npz,
               NpzWriteOptions options) {
  auto bytes = serializeNpz(npz, options);
  if (!bytes.ok())
    return Status(bytes.error()).addContext(path);
  return writeFileAtomic(path, bytes->data(), bytes->size());
}

} // namespace alexnet::runtime
