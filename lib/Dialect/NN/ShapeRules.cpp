//===- ShapeRules.cpp - Result shapes of the nn ops -----------------------===//
//
// See ShapeRules.h. Messages follow the project style: lower case, no final
// period, "expected X, got Y", shapes written as 128x3x224x224.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Dialect/NN/ShapeRules.h"

namespace alexnet::shape {

std::string format(const Shape &shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += 'x';
    s += std::to_string(shape[i]);
  }
  return shape.empty() ? "scalar" : s;
}

std::string format(const Pair &pair) {
  return std::to_string(pair[0]) + "x" + std::to_string(pair[1]);
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string checkShape(const Shape &shape, const std::string &what) {
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 1)
      return "expected positive dimensions for " + what + ", got " +
             format(shape);
    if (d > kMaxDim)
      return "expected dimensions of at most " + std::to_string(kMaxDim) +
             " for " + what + ", got " + format(shape);
    // Divide rather than multiply so the check itself cannot overflow.
    if (elements > kMaxElements / d)
      return "expected at most " + std::to_string(kMaxElements) +
             " elements in " + what + ", got " + format(shape);
    elements *= d;
  }
  return {};
}

int64_t slidingExtent(int64_t input, int64_t window, int64_t stride,
                      int64_t pad) {
  return (input + 2 * pad - window) / stride + 1;
}

namespace {

/// "expected at most 16777216 <what>, got N" for an attribute that is
/// positive but too large; a separate message, since "expected a positive
/// ..." would be false for it.
std::string tooLarge(const std::string &what, const std::string &got) {
  return "expected " + what + " of at most " + std::to_string(kMaxDim) +
         ", got " + got;
}

std::string checkRank(const Shape &shape, size_t rank, const char *what) {
  if (shape.size() == rank)
    return {};
  return "expected a rank-" + std::to_string(rank) + " " + what +
         ", got rank " + std::to_string(shape.size()) + " (" + format(shape) +
         ")";
}

/// Validates kernel/window, stride and padding and computes the output
/// spatial extents of a window sliding over an NCHW input.
std::string slide(const Shape &input, Pair window, Pair stride, Pair pad,
                  const char *windowName, Pair &out) {
  for (int i = 0; i < 2; ++i) {
    if (window[i] < 1)
      return std::string("expected a positive ") + windowName + ", got " +
             format(window);
    if (window[i] > kMaxDim)
      return tooLarge(std::string("a ") + windowName, format(window));
    if (stride[i] < 1)
      return "expected a positive stride, got " + format(stride);
    if (stride[i] > kMaxDim)
      return tooLarge("a stride", format(stride));
    if (pad[i] < 0)
      return "expected a non-negative pad, got " + format(pad);
    if (pad[i] > kMaxDim)
      return tooLarge("a pad", format(pad));
    if (pad[i] >= window[i])
      return "expected a pad smaller than the " + std::string(windowName) +
             " " + format(window) + ", got " + format(pad);
  }
  Pair padded = {input[2] + 2 * pad[0], input[3] + 2 * pad[1]};
  if (window[0] > padded[0] || window[1] > padded[1])
    return std::string("expected a ") + windowName +
           " no larger than the padded input " + format(padded) + ", got " +
           format(window);
  out = {slidingExtent(input[2], window[0], stride[0], pad[0]),
         slidingExtent(input[3], window[1], stride[1], pad[1])};
  return {};
}

} // namespace

ShapeResult conv2d(const Shape &input, int64_t filters, Pair kernel,
                   Pair stride, Pair pad, int64_t groups) {
  if (auto e = checkRank(input, 4, "NCHW input"); !e.empty())
    return ShapeResult::failure(e);
  if (filters < 1)
    return ShapeResult::failure("expected a positive number of filters, got " +
                                std::to_string(filters));
  if (filters > kMaxDim)
    return ShapeResult::failure(
        tooLarge("a number of filters", std::to_string(filters)));
  if (groups < 1)
    return ShapeResult::failure("expected a positive number of groups, got " +
                                std::to_string(groups));
  if (groups > kMaxDim)
    return ShapeResult::failure(
        tooLarge("a number of groups", std::to_string(groups)));
  if (input[1] % groups != 0)
    return ShapeResult::failure(
        "expected groups to divide the input channels (" +
        std::to_string(input[1]) + "), got groups = " + std::to_string(groups));
  if (filters % groups != 0)
    return ShapeResult::failure("expected groups to divide the filters (" +
                                std::to_string(filters) +
                                "), got groups = " + std::to_string(groups));
  Pair hw;
  if (auto e = slide(input, kernel, stride, pad, "kernel", hw); !e.empty())
    return ShapeResult::failure(e);
  ShapeResult r;
  r.shape = {input[0], filters, hw[0], hw[1]};
  r.error = checkShape(r.shape, "the conv2d result");
  return r;
}

Shape conv2dWeight(int64_t inChannels, int64_t filters, Pair kernel,
                   int64_t groups) {
  return {filters, inChannels / groups, kernel[0], kernel[1]};
}

ShapeResult pool2d(const Shape &input, Pair window, Pair stride, Pair pad) {
  if (auto e = checkRank(input, 4, "NCHW input"); !e.empty())
    return ShapeResult::failure(e);
  Pair hw;
  if (auto e = slide(input, window, stride, pad, "window", hw); !e.empty())
    return ShapeResult::failure(e);
  return {{input[0], input[1], hw[0], hw[1]}, {}};
}

ShapeResult lrn(const Shape &input, int64_t size) {
  if (auto e = checkRank(input, 4, "NCHW input"); !e.empty())
    return ShapeResult::failure(e);
  if (size < 1 || size % 2 == 0)
    return ShapeResult::failure("expected a positive odd size, got " +
                                std::to_string(size));
  if (size > kMaxDim)
    return ShapeResult::failure(tooLarge("a size", std::to_string(size)));
  return {input, {}};
}

ShapeResult dense(const Shape &input, int64_t units) {
  if (auto e = checkRank(input, 2, "[batch, features] input (flatten first)");
      !e.empty())
    return ShapeResult::failure(e);
  if (units < 1)
    return ShapeResult::failure("expected a positive number of units, got " +
                                std::to_string(units));
  if (units > kMaxDim)
    return ShapeResult::failure(
        tooLarge("a number of units", std::to_string(units)));
  ShapeResult r;
  r.shape = {input[0], units};
  // The weight matrix is the tensor that can grow out of range.
  r.error = checkShape({units, input[1]}, "the dense weight");
  return r;
}

ShapeResult flatten(const Shape &input) {
  if (input.size() < 2)
    return ShapeResult::failure("expected an input of rank 2 or more, got " +
                                std::string("rank ") +
                                std::to_string(input.size()));
  Shape rest(input.begin() + 1, input.end());
  return {{input[0], numElements(rest)}, {}};
}

ShapeResult concat(const std::vector<Shape> &inputs, int64_t axis) {
  if (inputs.size() < 2)
    return ShapeResult::failure("expected at least 2 inputs, got " +
                                std::to_string(inputs.size()));
  const Shape &first = inputs.front();
  if (axis < 0 || axis >= (int64_t)first.size())
    return ShapeResult::failure("expected an axis in [0, " +
                                std::to_string(first.size()) + "), got " +
                                std::to_string(axis));
  Shape out = first;
  out[axis] = 0;
  for (const Shape &s : inputs) {
    bool same = s.size() == first.size();
    for (size_t i = 0; same && i < s.size(); ++i)
      same = (int64_t)i == axis || s[i] == first[i];
    if (!same)
      return ShapeResult::failure(
          "expected shapes equal except along axis " + std::to_string(axis) +
          ", got " + format(first) + " and " + format(s));
    out[axis] += s[axis];
  }
  ShapeResult r;
  r.shape = out;
  r.error = checkShape(out, "the concat result");
  return r;
}

ShapeResult add(const Shape &lhs, const Shape &rhs) {
  if (lhs != rhs)
    return ShapeResult::failure("expected operands of the same shape, got " +
                                format(lhs) + " and " + format(rhs));
  return {lhs, {}};
}

ShapeResult softmax(const Shape &input) {
  if (auto e = checkRank(input, 2, "[batch, classes] input"); !e.empty())
    return ShapeResult::failure(e);
  return {input, {}};
}

ShapeResult softmaxCrossEntropy(const Shape &logits, const Shape &labels) {
  if (auto e = checkRank(logits, 2, "[batch, classes] logits"); !e.empty())
    return ShapeResult::failure(e);
  if (labels.size() != 1 || labels[0] != logits[0])
    return ShapeResult::failure("expected labels of shape " +
                                std::to_string(logits[0]) + ", got " +
                                format(labels));
  return {{}, {}};
}

ShapeResult elementwise(const Shape &input) {
  if (input.empty())
    return ShapeResult::failure("expected a tensor of rank 1 or more, got a "
                                "scalar");
  return {input, {}};
}

int64_t conv2dFlops(const Shape &output, int64_t inChannels, Pair kernel,
                    int64_t groups) {
  return 2 * numElements(output) * (inChannels / groups) * kernel[0] *
         kernel[1];
}

int64_t denseFlops(const Shape &output, int64_t inUnits) {
  return 2 * numElements(output) * inUnits;
}

} // namespace alexnet::shape
