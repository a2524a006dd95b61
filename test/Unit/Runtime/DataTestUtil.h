//===- DataTestUtil.h - An in-memory data set for tests ---------*- C++ -*-===//
//
// A DataSet whose pixels are a function of the index, with chosen examples
// unreadable and an optional delay per read, for the statistics and loader
// tests.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TEST_UNIT_RUNTIME_DATATESTUTIL_H
#define ALEXNET_TEST_UNIT_RUNTIME_DATATESTUTIL_H

#include "Data/DataSet.h"

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

namespace alexnet::runtime::test {

class MemoryDataSet : public DataSet {
public:
  MemoryDataSet(int64_t count, int channels, int height, int width,
                int classes = 10)
      : count(count), c(channels), h(height), w(width), classes(classes) {}

  /// Example `index`'s byte `i`: a hash-like pattern, different everywhere.
  static uint8_t pixel(int64_t index, size_t i) {
    uint64_t x =
        uint64_t(index) * 0x9E3779B97F4A7C15ull + i * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return uint8_t(x * 0x94D049BB133111EBull >> 56);
  }
  int labelOf(int64_t index) const { return int(index % classes); }

  int64_t size() const override { return count; }
  int channels() const override { return c; }
  int height() const override { return h; }
  int width() const override { return w; }
  int numClasses() const override { return classes; }
  const std::vector<std::string> &classNames() const override { return names; }
  const std::string &path() const override { return name; }
  std::string fingerprint() const override {
    return "memory;" + std::to_string(count);
  }

  Status read(int64_t index, Example &out) const override {
    reads.fetch_add(1);
    while (held.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (delay.count() > 0)
      std::this_thread::sleep_for(delay);
    if (corrupt.count(index))
      return Status::error("mem/" + std::to_string(index) + ": corrupt");
    out.pixels.resize(size_t(exampleBytes()));
    for (size_t i = 0; i < out.pixels.size(); ++i)
      out.pixels[i] = pixel(index, i);
    out.label = labelOf(index);
    return Status::success();
  }

  std::set<int64_t> corrupt;
  std::chrono::microseconds delay{0};
  mutable std::atomic<int64_t> reads{0};
  /// While true, every read waits: a test orders reads against the consumer.
  std::atomic<bool> held{false};

private:
  int64_t count;
  int c, h, w, classes;
  std::vector<std::string> names;
  std::string name = "mem";
};

} // namespace alexnet::runtime::test

#endif // ALEXNET_TEST_UNIT_RUNTIME_DATATESTUTIL_H
