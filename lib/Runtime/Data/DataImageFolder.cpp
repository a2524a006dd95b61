//===- DataImageFolder.cpp - The ImageNet folder layout -------------------===//
//
// `root/train/<class>/<image>` and `root/val/<class>/<image>`: the listing
// is read at open, images are decoded when read, with the paper's
// preprocessing applied once per image: scaled so they cover the stored size
// (the shorter side to 256 for 256x256) and centre-cropped to it. When every
// stored image fits the cache budget, each is decoded once and kept.
//
//===----------------------------------------------------------------------===//

#include "Data/DataSet.h"

#include "Data/Image.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace alexnet::runtime {

namespace {

namespace fs = std::filesystem;

bool isImageName(const std::string &name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos)
    return false;
  std::string ext = name.substr(dot + 1);
  for (char &c : ext)
    c = char(std::tolower(static_cast<unsigned char>(c)));
  return ext == "jpeg" || ext == "jpg" || ext == "png";
}

/// The sorted names of the entries of `dir` that are directories (or, when
/// `wantDirs` is false, image files), hidden ones excluded.
std::vector<std::string> listDir(const fs::path &dir, bool wantDirs) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.')
      continue;
    std::error_code typeError;
    if (wantDirs ? it->is_directory(typeError)
                 : it->is_regular_file(typeError) && isImageName(name))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// FNV-1a, to fingerprint a listing without keeping it.
uint64_t fnv1a(const std::string &text, uint64_t hash) {
  for (unsigned char c : text)
    hash = (hash ^ c) * 0x100000001b3ull;
  return hash;
}

enum : uint8_t { kEmpty = 0, kFilling = 1, kReady = 2 };

class ImageFolderDataSet : public DataSet {
public:
  Status open(const std::string &rootPath, DataSplit split,
              const DataOptions &options) {
    root = rootPath;
    opts = options;
    if (opts.channels != 1 && opts.channels != 3)
      return Status::error(root + ": expected 1 or 3 channels, got " +
                           std::to_string(opts.channels));
    if (opts.storedHeight <= 0 || opts.storedWidth <= 0 ||
        opts.storedHeight > 4096 || opts.storedWidth > 4096)
      return Status::error(root + ": bad stored image size " +
                           std::to_string(opts.storedWidth) + "x" +
                           std::to_string(opts.storedHeight));
    std::error_code ec;
    if (!fs::is_directory(root, ec))
      return Status::error(root + ": no such data directory");
    splitDir = fs::path(root) / (split == DataSplit::Train ? "train" : "val");
    if (!fs::is_directory(splitDir, ec))
      return Status::error(splitDir.string() +
                           ": no such directory, expected <class>/ folders");
    fs::path classSource = fs::path(root) / "train";
    if (!fs::is_directory(classSource, ec))
      classSource = splitDir;
    names = listDir(classSource, /*wantDirs=*/true);
    std::vector<std::string> present = listDir(splitDir, true);
    for (const std::string &dir : present)
      if (!std::binary_search(names.begin(), names.end(), dir))
        return Status::error((splitDir / dir).string() +
                             ": class folder not in " + classSource.string());
    uint64_t hash = 0xcbf29ce484222325ull;
    for (size_t c = 0; c < names.size(); ++c) {
      for (std::string &file : listDir(splitDir / names[c], false)) {
        // Size and time too, so a replaced image invalidates cached
        // statistics (one stat per file, as the listing already costs).
        hash = fnv1a(names[c] + "/" + file + ":" +
                         fileFingerprint((splitDir / names[c] / file).string()) +
                         "\n",
                     hash);
        files.push_back(std::move(file));
        labels.push_back(int(c));
      }
    }
    if (files.empty())
      return Status::error(splitDir.string() +
                           ": empty data set, no .jpeg/.jpg/.png images in "
                           "<class>/ folders");
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)hash);
    finger = "imagefolder;" + splitDir.string() + ";" +
             std::to_string(files.size()) + ";" + buf;
    // Uninitialised storage: pages are only committed when written.
    uint64_t total = uint64_t(files.size()) * uint64_t(exampleBytes());
    if (options.cacheBytes > 0 && total <= uint64_t(options.cacheBytes)) {
      cache.reset(new uint8_t[total]);
      state.reset(new std::atomic<uint8_t>[files.size()]);
      for (size_t i = 0; i < files.size(); ++i)
        state[i].store(kEmpty, std::memory_order_relaxed);
    }
    return Status::success();
  }

  int64_t size() const override { return int64_t(files.size()); }
  int channels() const override { return opts.channels; }
  int height() const override { return opts.storedHeight; }
  int width() const override { return opts.storedWidth; }
  int numClasses() const override { return int(names.size()); }
  const std::vector<std::string> &classNames() const override { return names; }
  const std::string &path() const override { return root; }
  std::string fingerprint() const override {
    return finger + ";" + std::to_string(channels()) + "x" +
           std::to_string(height()) + "x" + std::to_string(width());
  }

  int labelOf(int64_t index) const override { return labels[size_t(index)]; }

  Status read(int64_t index, Example &out) const override {
    if (index < 0 || index >= size())
      return Status::error(root + ": example " + std::to_string(index) +
                           " out of range");
    size_t bytes = size_t(exampleBytes());
    out.label = labels[size_t(index)];
    out.pixels.resize(bytes);
    uint8_t *slot = cache ? cache.get() + size_t(index) * bytes : nullptr;
    if (slot && state[index].load(std::memory_order_acquire) == kReady) {
      std::memcpy(out.pixels.data(), slot, bytes);
      return Status::success();
    }
    if (Status s = decode(index, out.pixels.data()); !s.ok())
      return s;
    // Whoever claims the slot first fills it; the others just decode.
    uint8_t expected = kEmpty;
    if (slot && state[index].compare_exchange_strong(expected, kFilling)) {
      std::memcpy(slot, out.pixels.data(), bytes);
      state[index].store(kReady, std::memory_order_release);
    }
    return Status::success();
  }

  /// Whether decoded images are kept.
  bool caching() const { return cache != nullptr; }

private:
  /// Decodes file `index` into planar stored-size pixels at `out`.
  Status decode(int64_t index, uint8_t *out) const {
    size_t i = size_t(index);
    std::string file = (splitDir / names[labels[i]] / files[i]).string();
    Expected<Image> image = loadImage(file);
    if (!image.ok())
      return image.error();
    Image src = convertChannels(*image, opts.channels);
    int w = opts.storedWidth, h = opts.storedHeight;
    // Scale so the image covers w x h, then keep the central window.
    double scale = std::max(double(w) / src.width, double(h) / src.height);
    int64_t newWidth = std::max<int64_t>(w, std::llround(src.width * scale));
    int64_t newHeight = std::max<int64_t>(h, std::llround(src.height * scale));
    Image crop = resizeWindow(src, newWidth, newHeight, (newWidth - w) / 2,
                              (newHeight - h) / 2, w, h);
    size_t plane = size_t(w) * h;
    for (int c = 0; c < opts.channels; ++c)
      for (size_t p = 0; p < plane; ++p)
        out[c * plane + p] = crop.pixels[p * opts.channels + c];
    return Status::success();
  }

  std::string root, finger;
  DataOptions opts;
  fs::path splitDir;
  std::vector<std::string> names, files;
  std::vector<int> labels;
  std::unique_ptr<uint8_t[]> cache;
  std::unique_ptr<std::atomic<uint8_t>[]> state;
};

} // namespace

Expected<std::unique_ptr<DataSet>> openImageFolder(const std::string &root,
                                                   DataSplit split,
                                                   const DataOptions &options) {
  auto set = std::make_unique<ImageFolderDataSet>();
  if (Status s = set->open(root, split, options); !s.ok())
    return s;
  return std::unique_ptr<DataSet>(std::move(set));
}

} // namespace alexnet::runtime
