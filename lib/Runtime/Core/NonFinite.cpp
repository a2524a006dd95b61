//===- NonFinite.cpp - Finding NaN and Inf in weights ---------------------===//

#include "Core/NonFinite.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace alexnet::runtime {

bool allFinite(const float *data, size_t n) {
  // NaN and +-Inf are exactly the floats whose exponent bits are all ones.
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, data + i, sizeof bits);
    bad |= uint32_t((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

std::string describeNonFinite(const std::vector<NamedTensor> &tensors) {
  constexpr int kNamed = 4;
  std::string text;
  int found = 0;
  for (const NamedTensor &t : tensors) {
    if (allFinite(t.data.data(), t.data.size()))
      continue;
    if (++found > kNamed)
      continue;
    size_t nans = 0, infs = 0;
    for (float v : t.data) {
      nans += std::isnan(v);
      infs += std::isinf(v);
    }
    text += (text.empty() ? "" : ", ") + t.name + " has ";
    if (nans)
      text += std::to_string(nans) + " NaN";
    if (nans && infs)
      text += " and ";
    if (infs)
      text += std::to_string(infs) + " Inf";
    text += " of " + std::to_string(t.data.size()) + " values";
  }
  if (found > kNamed)
    text += " and " + std::to_string(found - kNamed) + " more tensors";
  return text;
}

Status checkFinite(const WeightsFile &w, const std::string &name) {
  std::string bad = describeNonFinite(w.tensors);
  if (bad.empty())
    return Status::success();
  return Status::error(name + ": non-finite weights: " + bad +
                       " (a diverged run's; --allow-nonfinite takes them)");
}

} // namespace alexnet::runtime
