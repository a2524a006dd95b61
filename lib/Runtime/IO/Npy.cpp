//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//
//
// Format: "\x93NUMPY", major and minor version bytes, the header length
// (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), then a header such
// as "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" padded
// with spaces and a newline, then the raw elements.
//
//===----------------------------------------------------------------------===//

#include "IO/Npy.h"

#include "IO/AtomicFile.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <new>
#include <string_view>

namespace alexnet::runtime {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
// NumPy aligns the data to 64 bytes (ARRAY_ALIGN) for memory mapping.
constexpr size_t kAlign = 64;

/// What the header says about the data.
struct Header {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

/// A recursive-descent parser for the one dict literal .npy headers contain.
/// It accepts Python syntax NumPy or a hand-written header might use (either
/// quote, any key order, a trailing comma, `3L` from Python 2) and nothing
/// that would need evaluation.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text(text) {}

  /// Fills `header`, or returns why the text is not a valid header.
  std::string parse(Header &header) {
    bool haveDescr = false, haveOrder = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return "expected '{' at the start";
    skipSpace();
    while (!consume('}')) {
      std::string key;
      if (!parseString(key))
        return "expected a quoted key at offset " + std::to_string(pos);
      skipSpace();
      if (!consume(':'))
        return "expected ':' after key " + quoteText(key);
      skipSpace();
      if (key == "descr") {
        if (haveDescr)
          return "duplicate key 'descr'";
        haveDescr = true;
        if (!parseString(header.descr))
          return "'descr' is not a string (structured dtypes are not "
                 "supported)";
      } else if (key == "fortran_order") {
        if (haveOrder)
          return "duplicate key 'fortran_order'";
        haveOrder = true;
        if (!parseBool(header.fortranOrder))
          return "'fortran_order' is not True or False";
      } else if (key == "shape") {
        if (haveShape)
          return "duplicate key 'shape'";
        haveShape = true;
        std::string problem = parseShape(header.shape);
        if (!problem.empty())
          return problem;
      } else {
        return "unexpected key " + quoteText(key);
      }
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      skipSpace();
      if (!consume('}'))
        return "expected ',' or '}' at offset " + std::to_string(pos);
      break;
    }
    skipSpace();
    if (pos != text.size())
      return "unexpected text after the dict at offset " + std::to_string(pos);
    if (!haveDescr || !haveOrder || !haveShape)
      return std::string("missing key '") +
             (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") +
             "'";
    return {};
  }

private:
  std::string_view text;
  size_t pos = 0;

  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }
  bool consume(char c) {
    if (atEnd() || text[pos] != c)
      return false;
    ++pos;
    return true;
  }
  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos;
  }

  /// A '...' or "..." string of printable ASCII without escapes.
  bool parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return false;
    size_t start = ++pos;
    while (!atEnd() && peek() != quote) {
      unsigned char c = static_cast<unsigned char>(peek());
      if (c < 0x20 || c >= 0x7f || c == '\\')
        return false;
      ++pos;
    }
    if (atEnd())
      return false;
    out.assign(text.substr(start, pos - start));
    ++pos;
    return true;
  }

  bool parseWord(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return false;
    pos += word.size();
    // "Trueish" is not True.
    char next = peek();
    return !(std::isalnum(static_cast<unsigned char>(next)) || next == '_');
  }

  bool parseBool(bool &out) {
    size_t start = pos;
    if (parseWord("True")) {
      out = true;
      return true;
    }
    pos = start;
    if (parseWord("False")) {
      out = false;
      return true;
    }
    pos = start;
    return false;
  }

  /// A non-negative decimal integer that fits in int64, optionally with L.
  bool parseInt(int64_t &out) {
    if (!std::isdigit(static_cast<unsigned char>(peek())))
      return false;
    uint64_t value = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + static_cast<uint64_t>(peek() - '0');
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return false;
      ++pos;
    }
    consume('L');
    out = static_cast<int64_t>(value);
    return true;
  }

  /// A tuple of integers: (), (n,), (n, m) or (n, m,).
  std::string parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return "'shape' is not a tuple";
    skipSpace();
    if (consume(')'))
      return {};
    while (true) {
      int64_t dim;
      if (peek() == '-')
        return "'shape' has a negative dimension";
      if (!parseInt(dim))
        return "'shape' has an element that is not a valid size";
      // A rank this large is corruption, and would make messages huge.
      if (shape.size() >= kMaxNpyRank)
        return "'shape' has more than " + std::to_string(kMaxNpyRank) +
               " dimensions";
      shape.push_back(dim);
      skipSpace();
      bool comma = consume(',');
      skipSpace();
      if (consume(')')) {
        // (3) is the integer 3 in Python, not a tuple.
        if (shape.size() == 1 && !comma)
          return "'shape' is not a tuple";
        return {};
      }
      if (!comma)
        return "expected ',' or ')' in 'shape'";
    }
  }
};

uint32_t readLE32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

/// The element count of `shape`, or false on overflow or negative dims.
bool elementCount(const std::vector<int64_t> &shape, uint64_t &count) {
  count = 1;
  for (int64_t dim : shape)
    if (dim < 0 ||
        __builtin_mul_overflow(count, static_cast<uint64_t>(dim), &count))
      return false;
  return true;
}

} // namespace

const char *dtypeName(NpyDType dtype) {
  return dtype == NpyDType::Float32 ? "float32" : "int32";
}

NpyArray NpyArray::floats(std::vector<int64_t> shape, std::vector<float> data) {
  NpyArray a;
  a.dtype = NpyDType::Float32;
  a.shape = std::move(shape);
  a.f32 = std::move(data);
  return a;
}

NpyArray NpyArray::ints(std::vector<int64_t> shape, std::vector<int32_t> data) {
  NpyArray a;
  a.dtype = NpyDType::Int32;
  a.shape = std::move(shape);
  a.i32 = std::move(data);
  return a;
}

Expected<NpyArray> parseNpy(const uint8_t *data, size_t size,
                            const std::string &name) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  if (size == 0)
    return fail("empty file");
  if (std::memcmp(data, kMagic, std::min(size, kMagicSize)) != 0)
    return fail("not a .npy file (bad magic)");
  if (size < kMagicSize + 2)
    return fail("truncated header (" + std::to_string(size) + " bytes)");
  const unsigned major = data[6], minor = data[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail("unsupported .npy version " + std::to_string(major) + "." +
                std::to_string(minor) + " (expected 1.0, 2.0 or 3.0)");
  const size_t lengthSize = major == 1 ? 2 : 4;
  const size_t headerStart = kMagicSize + 2 + lengthSize;
  if (size < headerStart)
    return fail("truncated header (" + std::to_string(size) + " bytes)");
  const uint64_t headerSize =
      major == 1 ? uint64_t(data[8]) | uint64_t(data[9]) << 8
                 : uint64_t(readLE32(data + 8));
  if (headerSize > kMaxNpyHeaderSize)
    return fail("header too long (" + std::to_string(headerSize) +
                " bytes, limit " + std::to_string(kMaxNpyHeaderSize) + ")");
  if (headerSize > size - headerStart)
    return fail("truncated header (expected " + std::to_string(headerSize) +
                " bytes, got " + std::to_string(size - headerStart) + ")");

  std::string_view text(reinterpret_cast<const char *>(data + headerStart),
                        static_cast<size_t>(headerSize));
  Header header;
  std::string problem = HeaderParser(text).parse(header);
  if (!problem.empty())
    return fail("malformed header: " + problem);
  if (header.fortranOrder)
    return fail("Fortran-order arrays are not supported (save a C-order "
                "array, e.g. np.ascontiguousarray)");

  size_t itemSize;
  NpyArray out;
  if (header.descr == "<f4") {
    itemSize = 4;
    out.dtype = NpyDType::Float32;
  } else if (header.descr == "<i4") {
    itemSize = 4;
    out.dtype = NpyDType::Int32;
  } else if (header.descr == "<i8") {
    itemSize = 8;
    out.dtype = NpyDType::Int32;
  } else {
    return fail("unsupported dtype " + quoteText(header.descr) +
                " (expected '<f4', '<i4' or '<i8')");
  }

  uint64_t count, bytes;
  if (!elementCount(header.shape, count) ||
      __builtin_mul_overflow(count, uint64_t(itemSize), &bytes))
    return fail("shape " + shapeText(header.shape) + " is too large");
  const uint64_t available = size - headerStart - headerSize;
  if (available < bytes)
    return fail("truncated data (shape " + shapeText(header.shape) +
                " needs " + std::to_string(bytes) + " bytes, got " +
                std::to_string(available) + ")");
  if (available > bytes)
    return fail("unexpected " + std::to_string(available - bytes) +
                " bytes after the data (shape " + shapeText(header.shape) +
                " needs " + std::to_string(bytes) + ")");

  const uint8_t *payload = data + headerStart + headerSize;
  out.shape = std::move(header.shape);
  try {
    if (out.dtype == NpyDType::Float32) {
      out.f32.resize(count);
      if (count)
        std::memcpy(out.f32.data(), payload, bytes);
    } else if (itemSize == 4) {
      out.i32.resize(count);
      if (count)
        std::memcpy(out.i32.data(), payload, bytes);
    } else {
      out.i32.resize(count);
      for (uint64_t i = 0; i < count; ++i) {
        int64_t value;
        std::memcpy(&value, payload + 8 * i, 8);
        if (value < std::numeric_limits<int32_t>::min() ||
            value > std::numeric_limits<int32_t>::max())
          return fail("int64 element " + std::to_string(i) + " is " +
                      std::to_string(value) + ", outside the int32 range");
        out.i32[i] = static_cast<int32_t>(value);
      }
    }
  } catch (const std::bad_alloc &) {
    return fail("out of memory for " + std::to_string(bytes) + " bytes");
  }
  return out;
}

Expected<NpyArray> loadNpy(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes.ok())
    return bytes.error();
  return parseNpy(bytes->data(), bytes->size(), path);
}

Expected<std::vector<uint8_t>> serializeNpy(const NpyArray &a) {
  const bool isFloat = a.dtype == NpyDType::Float32;
  if ((isFloat && !a.i32.empty()) || (!isFloat && !a.f32.empty()))
    return Status::error(std::string(dtypeName(a.dtype)) +
                         " array also holds " +
                         (isFloat ? "int32" : "float32") + " data");
  if (a.shape.size() > kMaxNpyRank)
    return Status::error("rank " + std::to_string(a.shape.size()) +
                         " exceeds the limit of " +
                         std::to_string(kMaxNpyRank));
  uint64_t count;
  if (!elementCount(a.shape, count))
    return Status::error("shape " + shapeText(a.shape) +
                         " has a negative dimension or too many elements");
  if (count != a.size())
    return Status::error("shape " + shapeText(a.shape) + " needs " +
                         std::to_string(count) + " elements, data has " +
                         std::to_string(a.size()));

  // Key order and spacing as NumPy writes them (sorted keys, repr values).
  std::string header = std::string("{'descr': '") +
                       (isFloat ? "<f4" : "<i4") +
                       "', 'fortran_order': False, 'shape': " +
                       shapeText(a.shape) + ", }";
  // Version 1.0 has a 2-byte length; 2.0 only when that is too small.
  size_t lengthSize = 2;
  unsigned major = 1;
  if (kMagicSize + 2 + 2 + header.size() + 1 + kAlign > 65535) {
    lengthSize = 4;
    major = 2;
  }
  const size_t preamble = kMagicSize + 2 + lengthSize;
  size_t total = preamble + header.size() + 1;
  header.append((kAlign - total % kAlign) % kAlign, ' ');
  header += '\n';
  const size_t headerSize = header.size();
  const size_t dataBytes = a.size() * 4;

  std::vector<uint8_t> out;
  try {
    out.resize(preamble + headerSize + dataBytes);
  } catch (const std::bad_alloc &) {
    return Status::error("out of memory for " + std::to_string(dataBytes) +
                         " bytes");
  }
  std::memcpy(out.data(), kMagic, kMagicSize);
  out[6] = static_cast<uint8_t>(major);
  out[7] = 0;
  for (size_t i = 0; i < lengthSize; ++i)
    out[8 + i] = static_cast<uint8_t>(headerSize >> (8 * i));
  std::memcpy(out.data() + preamble, header.data(), headerSize);
  if (dataBytes)
    std::memcpy(out.data() + preamble + headerSize,
                isFloat ? static_cast<const void *>(a.f32.data())
                        : static_cast<const void *>(a.i32.data()),
                dataBytes);
  return out;
}

Status saveNpy(const std::string &path, const NpyArray &a) {
  auto bytes = serializeNpy(a);
  if (!bytes.ok())
    return Status(bytes.error()).addContext(path);
  return writeFileAtomic(path, bytes->data(), bytes->size());
}

} // namespace alexnet::runtime
