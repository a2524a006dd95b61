//===- TestUtil.cpp - Helpers for the runtime unit tests ------------------===//

#include "TestUtil.h"

#include "IO/Crc32.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <zlib.h>

namespace alexnet::runtime::test {

TempDir::TempDir() {
  const char *base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base && *base ? base : "/tmp") + "/alexnet-runtime-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw std::runtime_error("mkdtemp failed");
  root = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
}

std::string TempDir::path(const std::string &name) const {
  return root + "/" + name;
}

std::vector<std::string> TempDir::list() const {
  std::vector<std::string> names;
  for (const auto &entry : std::filesystem::directory_iterator(root))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> toBytes(const std::string &text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

namespace {

void put16(std::vector<uint8_t> &out, uint32_t v) {
  out.push_back(uint8_t(v));
  out.push_back(uint8_t(v >> 8));
}
void put32(std::vector<uint8_t> &out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

std::vector<uint8_t> deflateRaw(const std::vector<uint8_t> &in) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&zs, in.size()));
  zs.next_in = const_cast<Bytef *>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("deflate failed");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

} // namespace

std::vector<uint8_t> makeZip(const std::vector<ZipMember> &members,
                             const ZipOptions &options) {
  std::vector<uint8_t> out, central;
  for (const ZipMember &m : members) {
    std::vector<uint8_t> payload = options.deflate ? deflateRaw(m.data) : m.data;
    uint32_t crc = crc32(m.data.data(), m.data.size());
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint16_t method = options.deflate ? 8 : 0;
    uint16_t flags = options.dataDescriptor ? 0x0008 : 0;
    bool dd = options.dataDescriptor;

    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, flags);
    put16(out, method);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, dd ? 0 : crc);
    put32(out, dd ? 0 : static_cast<uint32_t>(payload.size()));
    put32(out, dd ? 0 : static_cast<uint32_t>(m.data.size()));
    put16(out, static_cast<uint16_t>(m.name.size()));
    put16(out, 0);
    out.insert(out.end(), m.name.begin(), m.name.end());
    out.insert(out.end(), payload.begin(), payload.end());
    if (dd) {
      put32(out, 0x08074b50);
      put32(out, crc);
      put32(out, static_cast<uint32_t>(payload.size()));
      put32(out, static_cast<uint32_t>(m.data.size()));
    }

    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, flags);
    put16(central, method);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, static_cast<uint32_t>(payload.size()));
    put32(central, static_cast<uint32_t>(m.data.size()));
    put16(central, static_cast<uint16_t>(m.name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central.insert(central.end(), m.name.begin(), m.name.end());
  }
  uint32_t cdOffset = static_cast<uint32_t>(out.size());
  out.insert(out.end(), central.begin(), central.end());
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint16_t>(members.size()));
  put16(out, static_cast<uint16_t>(members.size()));
  put32(out, static_cast<uint32_t>(central.size()));
  put32(out, cdOffset);
  put16(out, static_cast<uint16_t>(options.comment.size()));
  out.insert(out.end(), options.comment.begin(), options.comment.end());
  return out;
}

bool haveNumpy() {
  static const bool available =
      std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return available;
}

int runPython(const std::string &dir, const std::string &script,
              std::string &output) {
  const std::string scriptPath = dir + "/script.py";
  writeBytes(scriptPath, toBytes(script));
  const std::string command =
      "cd '" + dir + "' && /usr/bin/python3 script.py 2>&1";
  FILE *pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return -1;
  output.clear();
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    output.append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int mutationCount() {
  const char *env = std::getenv("ALEXNET_FUZZ_MUTATIONS");
  int n = env ? std::atoi(env) : 0;
  return n > 0 ? n : 2000;
}

std::vector<uint8_t> mutate(std::vector<uint8_t> bytes, std::mt19937 &rng) {
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  const int rounds = 1 + static_cast<int>(pick(3));
  for (int r = 0; r < rounds && !bytes.empty(); ++r) {
    switch (pick(7)) {
    case 0: // flip one bit
      bytes[pick(bytes.size())] ^= static_cast<uint8_t>(1u << pick(8));
      break;
    case 1: // random byte
      bytes[pick(bytes.size())] = static_cast<uint8_t>(pick(256));
      break;
    case 2: // truncate
      bytes.resize(pick(bytes.size()));
      break;
    case 3: { // interesting 32-bit value: sizes, offsets, sentinels
      static const uint32_t values[] = {0,          1,          0x7fffffff,
                                        0x80000000, 0xffffffff, 0xfffffff0,
                                        0x10000,    4,          8};
      if (bytes.size() >= 4) {
        uint32_t v = values[pick(sizeof(values) / sizeof(values[0]))];
        size_t at = pick(bytes.size() - 3);
        for (int i = 0; i < 4; ++i)
          bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
      }
      break;
    }
    case 4: // insert a byte
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(
                                       pick(bytes.size() + 1)),
                   static_cast<uint8_t>(pick(256)));
      break;
    case 5: // delete a byte
      bytes.erase(bytes.begin() +
                  static_cast<std::ptrdiff_t>(pick(bytes.size())));
      break;
    case 6: { // copy a chunk over another place
      size_t len = 1 + pick(std::min<size_t>(bytes.size(), 16));
      size_t from = pick(bytes.size() - len + 1), to = pick(bytes.size() - len + 1);
      std::vector<uint8_t> chunk(bytes.begin() + from,
                                 bytes.begin() + from + len);
      std::copy(chunk.begin(), chunk.end(), bytes.begin() + to);
      break;
    }
    }
  }
  return bytes;
}

} // namespace alexnet::runtime::test
