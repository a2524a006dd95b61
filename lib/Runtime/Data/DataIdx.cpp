//===- DataIdx.cpp - MNIST-style IDX files --------------------------------===//
//
// IDX (LeCun's MNIST format): a big-endian header, magic 0x00000803 and
// count, rows, cols for images, magic 0x00000801 and count for labels, then
// unsigned bytes. zlib's gzread reads gzip'd and plain files alike, so the
// Debian package's .gz files are read in place. The whole split is loaded
// at open (Fashion-MNIST's training set is 47 MB).
//
//===----------------------------------------------------------------------===//

#include "Data/DataSet.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace alexnet::runtime {

namespace {

const std::vector<std::string> kFashionNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kDigitNames = {"0", "1", "2", "3", "4",
                                              "5", "6", "7", "8", "9"};

/// Refuses headers that promise absurd sizes before anything is allocated.
constexpr uint64_t kMaxIdxBytes = uint64_t(16) << 30;

/// A gzFile closed on scope exit.
struct GzFile {
  gzFile file = nullptr;
  ~GzFile() {
    if (file)
      gzclose(file);
  }
};

/// zlib's message for the last error on `file`, or "unexpected end of file".
std::string gzMessage(gzFile file) {
  int code = Z_OK;
  const char *text = gzerror(file, &code);
  if (code == Z_OK || !text || !*text)
    return "unexpected end of file";
  return text;
}

/// Reads exactly `size` bytes into `out` (appending in bounded chunks, so a
/// header that lies about the count fails at the end of the data rather
/// than at a huge allocation).
Status readExactly(gzFile file, uint64_t size, std::vector<uint8_t> &out,
                   const std::string &path, const char *what) {
  constexpr uint64_t kChunk = uint64_t(1) << 24;
  out.clear();
  while (out.size() < size) {
    size_t old = out.size();
    size_t want = size_t(std::min<uint64_t>(kChunk, size - old));
    out.resize(old + want);
    int got = gzread(file, out.data() + old, unsigned(want));
    if (got < 0)
      return Status::error(path + ": " + gzMessage(file));
    out.resize(old + size_t(got));
    if (size_t(got) < want)
      return Status::error(path + ": truncated " + what + ", expected " +
                           std::to_string(size) + " bytes, got " +
                           std::to_string(out.size()));
  }
  return Status::success();
}

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// The dimensions of one IDX file whose magic must be `magic`, with its
/// payload in `data`.
Status readIdx(const std::string &path, uint32_t magic,
               std::vector<uint32_t> &dims, std::vector<uint8_t> &data) {
  GzFile f;
  f.file = gzopen(path.c_str(), "rb");
  if (!f.file)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> header;
  if (Status s = readExactly(f.file, 4, header, path, "header"); !s.ok())
    return s;
  uint32_t got = bigEndian32(header.data());
  if (got != magic) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "expected IDX magic 0x%08x, got 0x%08x",
                  magic, got);
    return Status::error(path + ": " + buf);
  }
  size_t rank = magic & 0xff;
  if (Status s = readExactly(f.file, 4 * rank, header, path, "header"); !s.ok())
    return s;
  dims.clear();
  // The item size first (each dimension after the count at most 65535, so
  // the product cannot overflow), then the count against the size limit:
  // a bad count is named as a count, not as the dimension after it.
  uint64_t itemBytes = 1;
  for (size_t i = 0; i < rank; ++i) {
    dims.push_back(bigEndian32(&header[4 * i]));
    if (dims.back() == 0)
      return Status::error(path + (i == 0 ? ": empty data set, 0 items"
                                          : ": bad IDX dimension 0"));
    if (i > 0 && dims.back() > 65535)
      return Status::error(path + ": bad IDX dimension " +
                           std::to_string(dims.back()) +
                           ", expected at most 65535");
    if (i > 0)
      itemBytes *= dims.back();
  }
  if (dims[0] > kMaxIdxBytes / itemBytes)
    return Status::error(path + ": bad IDX item count " +
                         std::to_string(dims[0]) + ": " +
                         std::to_string(dims[0]) + " items of " +
                         std::to_string(itemBytes) + " bytes exceed the " +
                         std::to_string(kMaxIdxBytes >> 30) + " GiB limit");
  uint64_t total = dims[0] * itemBytes;
  if (Status s = readExactly(f.file, total, data, path, "data"); !s.ok())
    return s;
  uint8_t extra;
  int more = gzread(f.file, &extra, 1);
  if (more < 0)
    return Status::error(path + ": " + gzMessage(f.file));
  if (more > 0)
    return Status::error(path + ": unexpected bytes after " +
                         std::to_string(dims[0]) + " items");
  return Status::success();
}

std::string lower(std::string text) {
  for (char &c : text)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class IdxDataSet : public DataSet {
public:
  Status open(const std::string &imagesPath, const std::string &labelsPath) {
    root = imagesPath;
    std::vector<uint32_t> imageDims, labelDims;
    if (Status s = readIdx(imagesPath, 0x803, imageDims, images); !s.ok())
      return s;
    if (Status s = readIdx(labelsPath, 0x801, labelDims, labels); !s.ok())
      return s;
    if (imageDims[0] != labelDims[0])
      return Status::error(
          labelsPath + ": expected " + std::to_string(imageDims[0]) +
          " labels (as many as images), got " + std::to_string(labelDims[0]));
    count = imageDims[0];
    rows = int(imageDims[1]);
    cols = int(imageDims[2]);
    // MNIST and Fashion-MNIST always have ten classes, even in a subset.
    std::string name = lower(imagesPath);
    if (name.find("fashion") != std::string::npos)
      names = kFashionNames;
    else if (name.find("mnist") != std::string::npos)
      names = kDigitNames;
    int maxLabel = *std::max_element(labels.begin(), labels.end());
    if (!names.empty() && maxLabel >= int(names.size()))
      return Status::error(labelsPath + ": label " + std::to_string(maxLabel) +
                           " out of range for " + std::to_string(names.size()) +
                           " classes");
    classes = std::max(maxLabel + 1, int(names.size()));
    finger = "idx;" + imagesPath + ";" + fileFingerprint(imagesPath) + ";" +
             labelsPath + ";" + fileFingerprint(labelsPath);
    return Status::success();
  }

  int64_t size() const override { return count; }
  int channels() const override { return 1; }
  int height() const override { return rows; }
  int width() const override { return cols; }
  int numClasses() const override { return classes; }
  const std::vector<std::string> &classNames() const override { return names; }
  const std::string &path() const override { return root; }
  std::string fingerprint() const override { return finger; }

  Status read(int64_t index, Example &out) const override {
    if (index < 0 || index >= count)
      return Status::error(root + ": example " + std::to_string(index) +
                           " out of range");
    size_t bytes = size_t(rows) * cols;
    const uint8_t *begin = images.data() + size_t(index) * bytes;
    out.pixels.assign(begin, begin + bytes);
    out.label = labels[size_t(index)];
    return Status::success();
  }

  int labelOf(int64_t index) const override {
    return labels[size_t(index)];
  }

  void setPath(const std::string &dir) { root = dir; }

private:
  std::string root, finger;
  std::vector<uint8_t> images, labels;
  std::vector<std::string> names;
  int64_t count = 0;
  int rows = 0, cols = 0, classes = 0;
};

/// `dir/base.gz` or `dir/base`, whichever exists (the .gz first).
std::string findIdxFile(const std::string &dir, const std::string &base) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const std::string &name : {base + ".gz", base})
    if (fs::is_regular_file(fs::path(dir) / name, ec))
      return (fs::path(dir) / name).string();
  return "";
}

} // namespace

Expected<std::unique_ptr<DataSet>> openIdxFiles(const std::string &images,
                                                const std::string &labels) {
  auto set = std::make_unique<IdxDataSet>();
  if (Status s = set->open(images, labels); !s.ok())
    return s;
  return std::unique_ptr<DataSet>(std::move(set));
}

Expected<std::unique_ptr<DataSet>> openIdx(const std::string &dir,
                                           DataSplit split) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Status::error(dir + ": no such data directory");
  std::string prefix = split == DataSplit::Train ? "train" : "t10k";
  std::string images = findIdxFile(dir, prefix + "-images-idx3-ubyte");
  std::string labels = findIdxFile(dir, prefix + "-labels-idx1-ubyte");
  if (images.empty() || labels.empty())
    return Status::error(
        dir + ": expected " + prefix +
        (images.empty() ? "-images-idx3-ubyte" : "-labels-idx1-ubyte") +
        "[.gz] for the " + splitName(split) + " split");
  auto set = std::make_unique<IdxDataSet>();
  if (Status s = set->open(images, labels); !s.ok())
    return s;
  set->setPath(dir);
  return std::unique_ptr<DataSet>(std::move(set));
}

} // namespace alexnet::runtime
