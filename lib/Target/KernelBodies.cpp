//===- KernelBodies.cpp - C++ text of each exec kernel --------------------===//
//
// NCHW index arithmetic for every kernel, written once for both targets.
// Generated names: `i` the index, `in0..` the inputs, `out` the output.
//
//===----------------------------------------------------------------------===//

#include "KernelBodies.h"

#include "alexnet/Dialect/Exec/ExecOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace alexnet;

namespace {

ArrayRef<int64_t> dims(Value v) { return cast<MemRefType>(v.getType()).getShape(); }
int64_t elements(Value v) { return cast<MemRefType>(v.getType()).getNumElements(); }

/// A float literal that round-trips exactly.
std::string literal(double value) {
  return llvm::formatv("{0:e9}f", value).str();
}

/// One index per output row segment (row, n, oh): the OW elements of a
/// segment are contiguous in `col` and, for stride 1, in the input too, so
/// the divisions happen once per segment and the inner loop vectorises.
LogicalResult emitIm2Col(exec::Im2ColOp op, raw_ostream &os, int64_t &count,
                         int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getInput());
  int64_t kh = op.getKernel()[0], kw = op.getKernel()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  int64_t cg = x[1] / op.getGroups();
  int64_t oh = shape::slidingExtent(x[2], kh, sh, ph);
  int64_t ow = shape::slidingExtent(x[3], kw, sw, pw);
  int64_t p = oh * ow;
  // One image (`image` set) or the whole batch side by side.
  int64_t images = op.getImage() ? 1 : x[0];
  std::string image = op.getImage() ? std::to_string(*op.getImage()) : "n";
  count = cg * kh * kw * images * oh;
  work = ow;
  // col[(c*kh + ki)*kw + kj, n*P + oh*OW + ow]. The columns whose tap lands
  // inside the input form one interval [lo, hi): zeros, a (strided) copy
  // with no bounds checks, zeros.
  os << llvm::formatv(
      "  const int64_t oh = i % {0}, n = (i / {0}) % {1}, row = i / {2};\n"
      "  const int64_t c = row / {3}, ki = (row / {4}) % {5}, kj = row % {4};\n"
      "  float *dst = out + row * {6} + n * {7} + oh * {8};\n"
      "  const int64_t ih = oh * {9} - {10} + ki;\n"
      "  if (ih < 0 || ih >= {11}) {{\n"
      "    for (int64_t ow = 0; ow < {8}; ++ow) dst[ow] = 0.0f;\n"
      "    return;\n"
      "  }\n"
      "  const float *src = in0 + (({17} * {12} + {13} + c) * {11} + ih) * {14};\n"
      "  const int64_t lo = kj < {16} ? ({16} - kj + {15} - 1) / {15} : 0;\n"
      "  const int64_t span = {14} - 1 + {16} - kj;\n"
      "  int64_t hi = span < 0 ? 0 : span / {15} + 1;\n"
      "  hi = hi > {8} ? {8} : hi < lo ? lo : hi;\n"
      "  for (int64_t ow = 0; ow < lo; ++ow) dst[ow] = 0.0f;\n"
      "  for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * {15} + kj - {16}];\n"
      "  for (int64_t ow = hi; ow < {8}; ++ow) dst[ow] = 0.0f;\n",
      oh, images, images * oh, kh * kw, kw, kh, images * p, p, ow, sh, ph,
      x[2], x[1], op.getGroup() * cg, x[3], sw, pw, image);
  return success();
}

/// One index per block of up to 16 consecutive pixels of one image: a
/// window of `size` channels slides down the channel axis with a running
/// sum of squares per pixel, so each input is read twice instead of `size`
/// times, and the per-pixel loops are contiguous and vectorise.
LogicalResult emitLrn(exec::LrnOp op, raw_ostream &os, int64_t &count,
                      int64_t &work) {
  constexpr int64_t kBlock = 16;
  ArrayRef<int64_t> x = dims(op.getInput());
  int64_t channels = x[1], hw = x[2] * x[3], half = op.getSize() / 2;
  int64_t blocks = (hw + kBlock - 1) / kBlock;
  double beta = op.getBeta().convertToDouble();
  count = x[0] * blocks;
  work = channels * kBlock;
  os << llvm::formatv(
      "  const int64_t p0 = (i % {0}) * {1};\n"
      "  const int64_t len = {2} - p0 < {1} ? {2} - p0 : {1};\n"
      "  const int64_t offset = (i / {0}) * {3} + p0;\n"
      "  const float *x = in0 + offset;\n"
      "  float *y = out + offset;\n"
      "  float sum[{1}];\n"
      "  for (int64_t j = 0; j < len; ++j) sum[j] = 0.0f;\n"
      "  for (int64_t c = 0; c < {4} && c < {5}; ++c)\n"
      "    for (int64_t j = 0; j < len; ++j) sum[j] += x[c * {2} + j] * x[c * {2} + j];\n"
      "  for (int64_t c = 0; c < {5}; ++c) {{\n"
      "    const float *xc = x + c * {2};\n"
      "    float *yc = y + c * {2};\n"
      "    for (int64_t j = 0; j < len; ++j) {{\n"
      "      const float t = {6} + {7} * sum[j];\n",
      blocks, kBlock, hw, channels * hw, half + 1, channels,
      literal(op.getK().convertToDouble()),
      literal(op.getAlpha().convertToDouble()));
  // The paper's beta = 0.75 needs no pow: t^-0.75 = 1 / sqrt(t * sqrt(t)).
  if (beta == 0.75)
    os << "      yc[j] = xc[j] / sqrtf(t * sqrtf(t));\n";
  else
    os << "      yc[j] = xc[j] * powf(t, " << literal(-beta) << ");\n";
  os << llvm::formatv(
      "    }\n"
      "    if (c + {0} < {1}) {{\n"
      "      const float *xa = x + (c + {0}) * {2};\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] += xa[j] * xa[j];\n"
      "    }\n"
      "    if (c >= {3}) {{\n"
      "      const float *xr = x + (c - {3}) * {2};\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] -= xr[j] * xr[j];\n"
      "    }\n"
      "  }\n",
      half + 1, channels, hw, half);
  return success();
}

/// One index per output row (n, c, oh): the window rows that fall inside
/// the input are found once, then the OW outputs of the row are computed in
/// a loop the compiler can vectorise when there is no padding.
template <typename PoolOp>
LogicalResult emitPool(PoolOp op, raw_ostream &os, bool isMax, int64_t &count,
                       int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getInput()), y = dims(op.getOutput());
  int64_t kh = op.getWindow()[0], kw = op.getWindow()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  count = y[0] * y[1] * y[2];
  work = y[3] * kh * kw;
  os << llvm::formatv(
      "  const int64_t oh = i % {0}, plane = i / {0};\n"
      "  const float *src = in0 + plane * {1};\n"
      "  float *dst = out + i * {2};\n"
      "  const int64_t h0 = oh * {3} - {4};\n"
      "  const int64_t kiLo = h0 < 0 ? -h0 : 0;\n"
      "  const int64_t kiHi = h0 + {5} > {6} ? {6} - h0 : {5};\n"
      "  for (int64_t ow = 0; ow < {2}; ++ow) {{\n"
      "    const int64_t w0 = ow * {7} - {8};\n",
      y[2], x[2] * x[3], y[3], sh, ph, kh, x[2], sw, pw);
  os << (isMax ? "    float acc = -INFINITY;\n" : "    float acc = 0.0f;\n");
  os << llvm::formatv("    for (int64_t ki = kiLo; ki < kiHi; ++ki) {{\n"
                      "      const float *line = src + (h0 + ki) * {0};\n"
                      "      for (int64_t kj = 0; kj < {1}; ++kj) {{\n",
                      x[3], kw);
  // Columns only need a bounds check when the window can hang over the
  // left or right edge.
  bool edges = pw > 0 || (y[3] - 1) * sw + kw > x[3];
  if (edges)
    os << llvm::formatv("        if (w0 + kj < 0 || w0 + kj >= {0}) continue;\n",
                        x[3]);
  os << "        const float v = line[w0 + kj];\n";
  // `!(v <= acc)` also takes a NaN, which then propagates as in PyTorch.
  os << (isMax ? "        if (!(v <= acc)) acc = v;\n"
               : "        acc += v;\n");
  os << "      }\n    }\n";
  if (isMax)
    os << "    dst[ow] = acc;\n  }\n";
  else // padding counts in the divisor (count_include_pad)
    os << "    dst[ow] = acc * " << literal(1.0 / double(kh * kw))
       << ";\n  }\n";
  return success();
}

LogicalResult emitSoftmax(exec::SoftmaxOp op, raw_ostream &os) {
  int64_t classes = dims(op.getInput())[1];
  os << llvm::formatv(
      "  const float *x = in0 + i * {0};\n"
      "  float *y = out + i * {0};\n"
      "  float m = x[0];\n"
      "  for (int64_t j = 1; j < {0}; ++j) m = x[j] > m ? x[j] : m;\n"
      "  float sum = 0.0f;\n"
      "  for (int64_t j = 0; j < {0}; ++j) {{ y[j] = expf(x[j] - m); sum += y[j]; }\n"
      "  const float inv = 1.0f / sum;\n"
      "  for (int64_t j = 0; j < {0}; ++j) y[j] *= inv;\n",
      classes);
  return success();
}

LogicalResult emitConcat(exec::ConcatOp op, raw_ostream &os) {
  ArrayRef<int64_t> y = dims(op.getOutput());
  int64_t axis = op.getAxis(), inner = 1;
  for (int64_t d = axis + 1; d < int64_t(y.size()); ++d)
    inner *= y[d];
  os << llvm::formatv("  const int64_t inner = i % {0};\n"
                      "  const int64_t a = (i / {0}) % {1};\n"
                      "  const int64_t outer = i / ({0} * {1});\n",
                      inner, y[axis]);
  int64_t start = 0;
  for (auto [k, input] : llvm::enumerate(op.getInputs())) {
    int64_t extent = dims(input)[axis];
    os << llvm::formatv("  {0}if (a < {1}) out[i] = in{2}[(outer * {3} + a - "
                        "{4}) * {5} + inner];\n",
                        k ? "else " : "", start + extent, k, extent, start,
                        inner);
    start += extent;
  }
  return success();
}

} // namespace

LogicalResult alexnet::emitKernelStatements(Operation *op, raw_ostream &os,
                                            int64_t &count, int64_t &work) {
  Value output = op->getOperands().back();
  count = elements(output);
  work = 1;
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](exec::Im2ColOp im2col) {
        return emitIm2Col(im2col, os, count, work);
      })
      .Case([&](exec::ConvOutputOp conv) {
        // One index per output plane (n, f): P contiguous elements.
        ArrayRef<int64_t> y = dims(conv.getOutput());
        int64_t p = y[2] * y[3];
        count = y[0] * y[1];
        work = p;
        os << llvm::formatv("  const int64_t f = i % {0}, n = i / {0};\n"
                            "  const float *src = in0 + f * {1} + n * {2};\n"
                            "  float *dst = out + i * {2};\n",
                            y[1], y[0] * p, p);
        os << (conv.getBias() ? "  const float b = in1[f];\n"
                              : "  const float b = 0.0f;\n");
        os << llvm::formatv(
            "  for (int64_t p = 0; p < {0}; ++p) dst[p] = src[p] + b;\n", p);
        return success();
      })
      .Case([&](exec::BiasAddOp bias) {
        int64_t channels = elements(bias.getBias()), inner = bias.getInner();
        if (inner == 1) {
          // [rows, channels]: one index per row.
          count = elements(bias.getOutput()) / channels;
          work = channels;
          os << llvm::formatv("  float *row = out + i * {0};\n"
                              "  for (int64_t c = 0; c < {0}; ++c) row[c] += in0[c];\n",
                              channels);
        } else {
          // [.., channels, inner]: one index per (.., channel) plane.
          count = elements(bias.getOutput()) / inner;
          work = inner;
          os << llvm::formatv("  const float b = in0[i % {0}];\n"
                              "  float *plane = out + i * {1};\n"
                              "  for (int64_t p = 0; p < {1}; ++p) plane[p] += b;\n",
                              channels, inner);
        }
        return success();
      })
      .Case([&](exec::ReluOp) {
        os << "  const float v = in0[i];\n  out[i] = v > 0.0f ? v : 0.0f;\n";
        return success();
      })
      .Case([&](exec::CopyOp) {
        os << "  out[i] = in0[i];\n";
        return success();
      })
      .Case([&](exec::AddOp) {
        os << "  out[i] = in0[i] + in1[i];\n";
        return success();
      })
      .Case([&](exec::LrnOp lrn) { return emitLrn(lrn, os, count, work); })
      .Case([&](exec::MaxPoolOp pool) {
        return emitPool(pool, os, true, count, work);
      })
      .Case([&](exec::AvgPoolOp pool) {
        return emitPool(pool, os, false, count, work);
      })
      .Case([&](exec::SoftmaxOp softmax) {
        count = dims(softmax.getInput())[0]; // one index per row
        work = dims(softmax.getInput())[1];
        return emitSoftmax(softmax, os);
      })
      .Case([&](exec::ConcatOp concat) { return emitConcat(concat, os); })
      .Default([&](Operation *op) {
        return op->emitOpError("has no kernel body in the C++ emitter");
      });
}
