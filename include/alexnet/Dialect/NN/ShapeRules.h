//===- ShapeRules.h - Result shapes of the nn ops ---------------*- C++ -*-===//
//
// The single source of truth for how every nn op computes its result shape.
// Both the DSL front end (which reports errors against the source text) and
// the dialect verifiers (which report them against the IR) call these, so the
// two can never disagree. Deliberately free of MLIR and LLVM so the parser
// fuzzer and the runtime can link it alone.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_DIALECT_NN_SHAPERULES_H
#define ALEXNET_DIALECT_NN_SHAPERULES_H

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::shape {

using Shape = std::vector<int64_t>;
/// A (height, width) pair: kernel, stride, padding or pooling window.
using Pair = std::array<int64_t, 2>;

/// Largest extent accepted for any dimension or size attribute; keeps every
/// product of a handful of dimensions far from int64 overflow.
constexpr int64_t kMaxDim = int64_t(1) << 24;
/// Largest element count accepted for one tensor.
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// Outcome of a shape rule: either a shape, or an error message written in
/// the project's diagnostic style (lower case, "expected X, got Y").
struct ShapeResult {
  Shape shape;
  std::string error;
  bool ok() const { return error.empty(); }
  static ShapeResult failure(std::string message) {
    ShapeResult r;
    r.error = std::move(message);
    return r;
  }
};

/// "128x3x224x224"; the form used in every diagnostic that quotes a shape.
std::string format(const Shape &shape);
/// "11x11" for a pair.
std::string format(const Pair &pair);
/// Number of elements; the caller guarantees the shape is valid.
int64_t numElements(const Shape &shape);
/// Checks that every dimension is in [1, kMaxDim] and the element count is
/// below kMaxElements; `what` names the tensor in the message.
std::string checkShape(const Shape &shape, const std::string &what);

/// Output spatial extent of a window sliding over `input` (floor mode, as
/// PyTorch): (input + 2*pad - window) / stride + 1.
int64_t slidingExtent(int64_t input, int64_t window, int64_t stride,
                      int64_t pad);

/// Convolution, NCHW input, `filters` output channels, weights
/// [filters, C/groups, kh, kw].
ShapeResult conv2d(const Shape &input, int64_t filters, Pair kernel,
                   Pair stride, Pair pad, int64_t groups);
/// Shape of the weight tensor of a conv2d.
Shape conv2dWeight(int64_t inChannels, int64_t filters, Pair kernel,
                   int64_t groups);
/// Max or average pooling over NCHW.
ShapeResult pool2d(const Shape &input, Pair window, Pair stride, Pair pad);
/// Local response normalisation across channels; shape preserving.
ShapeResult lrn(const Shape &input, int64_t size);
/// Fully connected layer on [N, in]; weights [units, in].
ShapeResult dense(const Shape &input, int64_t units);
/// [N, d1, d2, ...] -> [N, d1*d2*...].
ShapeResult flatten(const Shape &input);
/// Concatenation along `axis`; every other dimension must match.
ShapeResult concat(const std::vector<Shape> &inputs, int64_t axis);
/// Element-wise addition of two equal shapes.
ShapeResult add(const Shape &lhs, const Shape &rhs);
/// Softmax over the last axis of [N, classes].
ShapeResult softmax(const Shape &input);
/// Mean cross-entropy of logits [N, classes] against labels [N]; scalar.
ShapeResult softmaxCrossEntropy(const Shape &logits, const Shape &labels);
/// Shape preserving ops (relu, dropout) only need a valid shape.
ShapeResult elementwise(const Shape &input);

/// Multiply-accumulate counts are reported as FLOPs = 2 * MACs, per batch.
int64_t conv2dFlops(const Shape &output, int64_t inChannels, Pair kernel,
                    int64_t groups);
int64_t denseFlops(const Shape &output, int64_t inUnits);

} // namespace alexnet::shape

#endif // ALEXNET_DIALECT_NN_SHAPERULES_H
