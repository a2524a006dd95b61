//===- DataStats.cpp - Mean image and colour covariance -------------------===//
//
// One pass over the (sampled) training set, split into contiguous index
// ranges per thread. Per-pixel and per-channel sums are integers (128-bit
// for the products), merged exactly, so the statistics are bit-identical on
// any thread count.
//
//===----------------------------------------------------------------------===//

#include "Data/DataStats.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace alexnet::runtime {

namespace {

using Wide = unsigned __int128;

/// The sums of one thread's share of the examples.
struct Sums {
  std::vector<uint64_t> pixels; // [C, H, W]
  std::vector<Wide> channel;    // [C]
  std::vector<Wide> product;    // [C, C]
  int64_t examples = 0;
  int64_t skipped = 0;
  Status firstError;
};

void accumulate(const DataSet &set, const std::vector<int64_t> &indices,
                size_t begin, size_t end, Sums &sums) {
  int channels = set.channels();
  size_t plane = size_t(set.height()) * set.width();
  sums.pixels.assign(size_t(channels) * plane, 0);
  sums.channel.assign(channels, 0);
  sums.product.assign(size_t(channels) * channels, 0);
  std::vector<uint64_t> channel(channels), product(size_t(channels) * channels);
  Example example;
  for (size_t i = begin; i < end; ++i) {
    if (Status s = set.read(indices[i], example); !s.ok()) {
      if (sums.firstError.ok())
        sums.firstError = s;
      ++sums.skipped;
      continue;
    }
    ++sums.examples;
    const uint8_t *px = example.pixels.data();
    for (size_t j = 0; j < sums.pixels.size(); ++j)
      sums.pixels[j] += px[j];
    // One image's sums fit 64 bits (255^2 * 2^32 pixels would not, but no
    // image is that large); the running totals are 128-bit.
    std::fill(channel.begin(), channel.end(), 0);
    std::fill(product.begin(), product.end(), 0);
    for (size_t p = 0; p < plane; ++p)
      for (int c = 0; c < channels; ++c) {
        uint64_t v = px[c * plane + p];
        channel[c] += v;
        for (int d = c; d < channels; ++d)
          product[c * channels + d] += v * px[d * plane + p];
      }
    for (int c = 0; c < channels; ++c) {
      sums.channel[c] += channel[c];
      for (int d = c; d < channels; ++d)
        sums.product[c * channels + d] += product[c * channels + d];
    }
  }
}

} // namespace

Expected<DataStats> computeDataStats(const DataSet &set,
                                     const StatsOptions &options) {
  int64_t n = set.size();
  int64_t take = options.maxExamples > 0 ? std::min(n, options.maxExamples) : n;
  std::vector<int64_t> indices(size_t(std::max<int64_t>(take, 0)));
  for (int64_t i = 0; i < take; ++i)
    indices[size_t(i)] = take == n ? i : i * n / take;
  int threads =
      int(std::clamp<int64_t>(options.threads, 1, std::max<int64_t>(1, take)));
  std::vector<Sums> parts(threads);
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t)
    workers.emplace_back([&, t] {
      accumulate(set, indices, indices.size() * t / threads,
                 indices.size() * (t + 1) / threads, parts[t]);
    });
  accumulate(set, indices, 0, indices.size() / threads, parts[0]);
  for (std::thread &w : workers)
    w.join();

  Sums &total = parts[0];
  for (int t = 1; t < threads; ++t) {
    for (size_t j = 0; j < total.pixels.size(); ++j)
      total.pixels[j] += parts[t].pixels[j];
    for (size_t c = 0; c < total.channel.size(); ++c)
      total.channel[c] += parts[t].channel[c];
    for (size_t j = 0; j < total.product.size(); ++j)
      total.product[j] += parts[t].product[j];
    total.examples += parts[t].examples;
    total.skipped += parts[t].skipped;
    if (total.firstError.ok())
      total.firstError = parts[t].firstError;
  }
  if (total.examples == 0) {
    Status error = Status::error(set.path() + ": no readable example");
    if (!total.firstError.ok())
      error = Status::error(set.path() + ": no readable example, e.g. " +
                            total.firstError.message());
    return error;
  }

  DataStats stats;
  int channels = stats.channels = set.channels();
  stats.height = set.height();
  stats.width = set.width();
  stats.examples = total.examples;
  stats.skipped = total.skipped;
  stats.mean.resize(total.pixels.size());
  double scale = 1.0 / (255.0 * double(total.examples));
  for (size_t j = 0; j < total.pixels.size(); ++j)
    stats.mean[j] = float(double(total.pixels[j]) * scale);
  // cov = (N * S_cd - S_c * S_d) / N^2, exact in 128 bits up to the division.
  Wide pixels = Wide(total.examples) * Wide(stats.height) * Wide(stats.width);
  long double norm = (long double)pixels * (long double)pixels * 65025.0L;
  stats.covariance.assign(size_t(channels) * channels, 0.0);
  for (int c = 0; c < channels; ++c)
    for (int d = c; d < channels; ++d) {
      Wide a = pixels * total.product[c * channels + d];
      Wide b = total.channel[c] * total.channel[d];
      long double diff = a >= b ? (long double)(a - b) : -(long double)(b - a);
      stats.covariance[c * channels + d] = stats.covariance[d * channels + c] =
          double(diff / norm);
    }
  stats.eigenvalues.resize(channels);
  stats.eigenvectors.resize(size_t(channels) * channels);
  jacobiEigen(channels, stats.covariance.data(), stats.eigenvalues.data(),
              stats.eigenvectors.data());
  return stats;
}

void jacobiEigen(int n, const double *matrix, double *values, double *vectors) {
  std::vector<double> a(matrix, matrix + size_t(n) * n);
  std::vector<double> v(size_t(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    v[i * n + i] = 1.0;
  auto at = [&](std::vector<double> &m, int r, int c) -> double & {
    return m[size_t(r) * n + c];
  };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0, diag = 0.0;
    for (int p = 0; p < n; ++p) {
      diag += at(a, p, p) * at(a, p, p);
      for (int q = p + 1; q < n; ++q)
        off += at(a, p, q) * at(a, p, q);
    }
    if (off <= 1e-30 * diag || off == 0.0)
      break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        double apq = at(a, p, q);
        if (apq == 0.0)
          continue;
        // The rotation angle that zeroes a[p][q]: t = tan, the smaller root.
        double theta = (at(a, q, q) - at(a, p, p)) / (2.0 * apq);
        double t = std::abs(theta) > 1e150
                       ? 0.5 / theta
                       : std::copysign(1.0, theta) /
                             (std::abs(theta) + std::sqrt(theta * theta + 1));
        double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) { // A <- A J
          double kp = at(a, k, p), kq = at(a, k, q);
          at(a, k, p) = c * kp - s * kq;
          at(a, k, q) = s * kp + c * kq;
        }
        for (int k = 0; k < n; ++k) { // A <- J^T A
          double pk = at(a, p, k), qk = at(a, q, k);
          at(a, p, k) = c * pk - s * qk;
          at(a, q, k) = s * pk + c * qk;
        }
        for (int k = 0; k < n; ++k) { // V <- V J
          double kp = at(v, k, p), kq = at(v, k, q);
          at(v, k, p) = c * kp - s * kq;
          at(v, k, q) = s * kp + c * kq;
        }
      }
  }
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return at(a, x, x) > at(a, y, y); });
  for (int i = 0; i < n; ++i) {
    int col = order[i];
    values[i] = at(a, col, col);
    // A fixed sign (largest component positive) makes the output canonical.
    int big = 0;
    for (int k = 1; k < n; ++k)
      if (std::abs(at(v, k, col)) > std::abs(at(v, big, col)))
        big = k;
    double sign = at(v, big, col) < 0 ? -1.0 : 1.0;
    for (int k = 0; k < n; ++k)
      vectors[i * n + k] = sign * at(v, k, col);
  }
}

std::vector<float> centreMean(const DataStats &stats, int height, int width) {
  if (height > stats.height || width > stats.width || height <= 0 || width <= 0)
    return {};
  int top = (stats.height - height) / 2, left = (stats.width - width) / 2;
  std::vector<float> out(size_t(stats.channels) * height * width);
  for (int c = 0; c < stats.channels; ++c)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        out[(size_t(c) * height + y) * width + x] =
            stats.mean[(size_t(c) * stats.height + top + y) * stats.width +
                       left + x];
  return out;
}

} // namespace alexnet::runtime
