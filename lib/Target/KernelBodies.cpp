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
#include <functional>

using namespace mlir;
using namespace alexnet;

namespace {

/// How finely bodies divide their work into indices (KernelBodies.h).
struct Granularity {
  bool fine;
  /// Pixels per index of the LRN kernels: 16 contiguous ones when coarse,
  /// so the per-pixel loops vectorise; one when fine, so neighbouring GPU
  /// threads read neighbouring pixels.
  int64_t lrnBlock() const { return fine ? 1 : 16; }
};

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
                         int64_t &work, const Granularity &g) {
  ArrayRef<int64_t> x = dims(op.getInput());
  int64_t kh = op.getKernel()[0], kw = op.getKernel()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  int64_t cg = x[1] / op.getGroups();
  int64_t oh = shape::slidingExtent(x[2], kh, sh, ph);
  int64_t ow = shape::slidingExtent(x[3], kw, sw, pw);
  int64_t p = oh * ow;
  // One image (`image` set: the launcher points in0 at that image, so all
  // images share one body) or the whole batch side by side.
  int64_t images = op.getImage() ? 1 : x[0];
  std::string image = op.getImage() ? "0" : "n";
  if (g.fine) {
    // One index per element of col: neighbouring threads write
    // neighbouring columns.
    count = cg * kh * kw * images * p;
    os << llvm::formatv(
        "  const int64_t ow = i % {0}, oh = (i / {0}) % {1}, n = (i / {2}) % {3}, "
        "row = i / {4};\n"
        "  const int64_t c = row / {5}, ki = (row / {6}) % {7}, kj = row % {6};\n"
        "  const int64_t ih = oh * {8} - {9} + ki, iw = ow * {10} - {11} + kj;\n"
        "  out[i] = ih < 0 || ih >= {12} || iw < 0 || iw >= {13} ? 0.0f\n"
        "         : in0[(({14} * {15} + {16} + c) * {12} + ih) * {13} + iw];\n",
        ow, oh, p, images, images * p, kh * kw, kw, kh, sh, ph, sw, pw, x[2],
        x[3], image, x[1], op.getGroup() * cg);
    return success();
  }
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

/// The most channels the LRN epilogue and gradient support: they keep a
/// tile of C x (pixels per block) floats on the stack (64 KiB at most).
constexpr int64_t kMaxLrnTileChannels = 1024;


/// The first statements of a kernel with one index per block of up to
/// `block` consecutive pixels of one image (`hw` pixels, `channels`
/// planes): the block's first pixel p0, its length and its element offset
/// in NCHW. Returns the number of blocks per image.
int64_t emitPixelBlock(raw_ostream &os, int64_t hw, int64_t channels,
                       int64_t block) {
  int64_t blocks = (hw + block - 1) / block;
  os << llvm::formatv(
      "  const int64_t p0 = (i % {0}) * {1};\n"
      "  const int64_t len = {2} - p0 < {1} ? {2} - p0 : {1};\n"
      "  const int64_t offset = (i / {0}) * {3} + p0;\n",
      blocks, block, hw, channels * hw);
  return blocks;
}

/// Kernels that keep a tile of a block of pixels x every channel on the
/// stack.
LogicalResult checkTileChannels(Operation *op, int64_t channels,
                                int64_t block) {
  if (channels <= kMaxLrnTileChannels)
    return success();
  return op->emitOpError("has ")
         << channels << " channels; the kernel keeps " << block
         << " floats per channel per block and supports at most "
         << kMaxLrnTileChannels;
}

/// `base[c * stride + j]`: channel c's element at pixel j of a row-major
/// [C, stride] block, for emitLrnSweep.
std::function<std::string(StringRef)> rowElement(StringRef base,
                                                 int64_t stride) {
  return [base = base.str(), stride](StringRef c) {
    return base + "[" + c.str() + " * " + std::to_string(stride) + " + j]";
  };
}

/// The LRN of one block of `len` pixels: a window of `size` channels slides
/// down the channel axis with a running sum of squares per pixel, so each
/// input is read twice instead of `size` times, and the per-pixel loops are
/// contiguous and vectorise. `x(c)` and `y(c)` are the input and output
/// elements of channel `c` at pixel `j`. Shared by exec.lrn and the
/// fused conv_epilogue, which therefore compute the same floats. With a
/// halo, the input's first `lo` and last `hi` channels are only read:
/// output channel c is input channel c + lo.
/// `text` with `indent` before each of its lines.
std::string indented(StringRef text, StringRef indent) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  std::string out;
  for (StringRef line : lines)
    out += (indent + line + "\n").str();
  return out;
}

void emitLrnSweep(raw_ostream &os, function_ref<std::string(StringRef)> x,
                  function_ref<std::string(StringRef)> y, int64_t channels,
                  int64_t block, int64_t size, double alpha, double beta,
                  double k, int64_t lo = 0, int64_t hi = 0) {
  int64_t half = size / 2;
  auto square = [&](StringRef c) { return x(c) + " * " + x(c); };
  std::string out = lo ? y("(c - " + std::to_string(lo) + ")") : y("c");
  std::string guard =
      lo || hi
          ? llvm::formatv("    if (c >= {0} && c < {1})\n", lo, channels - hi)
                .str()
          : std::string();
  // y_c from the window sum `sum[j]`. The paper's beta = 0.75 needs no
  // pow: t^-0.75 = 1 / sqrt(t * sqrt(t)).
  std::string normalise =
      "      const float t = " + literal(k) + " + " + literal(alpha) +
      " * sum[j];\n      " + out + " = " + x("c") +
      (beta == 0.75 ? " / sqrtf(t * sqrtf(t));\n"
                    : " * powf(t, " + literal(-beta) + ");\n");
  os << llvm::formatv(
      "  float sum[{0}];\n"
      "  for (int64_t j = 0; j < len; ++j) sum[j] = 0.0f;\n"
      "  for (int64_t c = 0; c < {1} && c < {2}; ++c)\n"
      "    for (int64_t j = 0; j < len; ++j) sum[j] += {3};\n"
      "  for (int64_t c = 0; c < {2}; ++c) {{\n"
      "{4}"
      "    for (int64_t j = 0; j < len; ++j) {{\n"
      "{5}"
      "    }\n"
      "    if (c + {6} < {2})\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] += {7};\n"
      "    if (c >= {8})\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] -= {9};\n"
      "  }\n",
      block, half + 1, channels, square("c"), guard, normalise, half + 1,
      square("(c + " + std::to_string(half + 1) + ")"), half,
      square("(c - " + std::to_string(half) + ")"));
  // Every channel's square entered the running sum, and one that is Inf or
  // NaN leaves it NaN for good (Inf - Inf), where PyTorch's window sum is
  // finite again once the Inf has left the window. So a block whose final
  // sums are all finite saw only finite squares and is exact; otherwise
  // (rare) it is normalised again from direct window sums. The hot loops
  // above stay as they were and vectorise.
  os << llvm::formatv(
      "  bool finite = true;\n"
      "  for (int64_t j = 0; j < len; ++j) finite &= sum[j] - sum[j] == 0.0f;\n"
      "  if (!finite)\n"
      "    for (int64_t c = 0; c < {0}; ++c) {{\n"
      "{1}"
      "      for (int64_t j = 0; j < len; ++j) {{\n"
      "        sum[j] = 0.0f;\n"
      "        for (int64_t w = c < {2} ? 0 : c - {2}; w <= c + {2} && w < {0}; ++w)\n"
      "          sum[j] += {3};\n"
      "{4}"
      "      }\n"
      "    }\n",
      channels, guard.empty() ? "" : "  " + guard, half, square("w"),
      indented(normalise, "  "));
}

/// The halo of an LRN or its gradient: {lo, hi} channels around the
/// output's.
std::pair<int64_t, int64_t> haloOf(std::optional<ArrayRef<int64_t>> halo) {
  return halo ? std::make_pair((*halo)[0], (*halo)[1])
              : std::make_pair(int64_t(0), int64_t(0));
}

/// With a halo the output has fewer channels than the input: a pointer to
/// block i of an output with `channels` per image.
std::string haloBlock(StringRef base, int64_t hw, int64_t channels,
                      int64_t block) {
  int64_t blocks = (hw + block - 1) / block;
  return llvm::formatv("{0} + (i / {1}) * {2} + p0", base, blocks,
                       channels * hw)
      .str();
}

/// One index per block of up to `block` consecutive pixels of one image.
LogicalResult emitLrn(exec::LrnOp op, raw_ostream &os, int64_t &count,
                      int64_t &work, int64_t block) {
  ArrayRef<int64_t> x = dims(op.getInput());
  auto [lo, hi] = haloOf(op.getHalo());
  int64_t channels = x[1], hw = x[2] * x[3];
  count = x[0] * emitPixelBlock(os, hw, channels, block);
  work = channels * block;
  os << "  const float *x = in0 + offset;\n"
     << "  float *y = "
     << (lo || hi ? haloBlock("out", hw, channels - lo - hi, block)
                  : "out + offset")
     << ";\n";
  emitLrnSweep(os, rowElement("x", hw), rowElement("y", hw), channels, block,
               op.getSize(),
               op.getAlpha().convertToDouble(), op.getBeta().convertToDouble(),
               op.getK().convertToDouble(), lo, hi);
  return success();
}

/// bias + ReLU [+ LRN] from a convolution's GEMM result (see the op's
/// description). The per-element arithmetic is exactly that of bias_add or
/// conv_output, relu and lrn, in the same order, at either granularity.
LogicalResult emitConvEpilogue(exec::ConvEpilogueOp op, raw_ostream &os,
                               int64_t &count, int64_t &work,
                               const Granularity &g) {
  ArrayRef<int64_t> y = dims(op.getOutput());
  int64_t n = y[0], channels = y[1], p = y[2] * y[3];
  // The accumulator holds one image's NCHW rows (`image` set), or row c of
  // the batch-wide [F, N*P] GEMM result holds channel c of every image.
  bool oneImage = op.getImage().has_value();
  std::string bias = op.getBias() ? " + in1[c]" : "";
  if (!op.hasLrn() && g.fine) {
    // One index per output element.
    count = (oneImage ? 1 : n) * channels * p;
    if (oneImage)
      os << llvm::formatv("  const int64_t c = i / {0};\n"
                          "  const float v = in0[i]{1};\n",
                          p, bias);
    else
      os << llvm::formatv(
          "  const int64_t p = i % {0}, c = (i / {0}) % {1}, n = i / {2};\n"
          "  const float v = in0[c * {3} + n * {0} + p]{4};\n",
          p, channels, channels * p, n * p, bias);
    os << "  out[i] = v < 0.0f ? 0.0f : v;\n";
    return success();
  }
  if (!op.hasLrn()) {
    // One index per output plane (image, channel); the launcher points
    // `out` at the image when there is one.
    count = oneImage ? channels : n * channels;
    work = p;
    os << (oneImage ? "  const int64_t c = i;\n"
                    : llvm::formatv("  const int64_t c = i % {0}, n = i / {0};\n",
                                    channels)
                          .str());
    os << llvm::formatv(
        "  const float *src = in0 + c * {0}{1};\n"
        "  float *dst = out + i * {2};\n"
        "  for (int64_t p = 0; p < {2}; ++p) {{\n"
        "    const float v = src[p]{3};\n"
        "    dst[p] = v < 0.0f ? 0.0f : v;\n"
        "  }\n",
        oneImage ? p : n * p, oneImage ? "" : " + n * " + std::to_string(p),
        p, bias);
    return success();
  }
  int64_t block = g.lrnBlock();
  // The LRN of one block: from `in` (indexable by c and j) into y.
  auto sweep = [&](std::function<std::string(StringRef)> in) {
    emitLrnSweep(os, in, rowElement("y", p), channels, block,
                 *op.getLrnSize(), op.getAlpha()->convertToDouble(),
                 op.getBeta()->convertToDouble(), op.getK()->convertToDouble());
  };
  bool batchWide = dims(op.getInput()).size() == 2;
  if (batchWide && !op.getReluOutput())
    return op.emitOpError("on a batch-wide GEMM result needs relu_into to "
                          "stage the ReLU's output");
  std::string reluOut = "io" + std::to_string(op->getNumOperands() - 2);
  if (batchWide && !g.fine) {
    // The batch-wide [F, N*P] result: channel rows lie N*P floats apart, too
    // far for a channel window per block on a CPU (a page per channel). One
    // index per image: its ReLU output is written to relu_into row by row
    // (runs of P contiguous floats), then normalised block by block from
    // there while the image is in cache.
    count = n;
    work = 3 * channels * p;
    os << llvm::formatv(
        "  const float *a = in0 + i * {0};\n"
        "  float *r = {1} + i * {2};\n"
        "  for (int64_t c = 0; c < {3}; ++c)\n"
        "    for (int64_t p = 0; p < {0}; ++p) {{\n"
        "      const float v = a[c * {4} + p]{5};\n"
        "      r[c * {0} + p] = v < 0.0f ? 0.0f : v;\n"
        "    }\n"
        "  for (int64_t p0 = 0; p0 < {0}; p0 += {6}) {{\n"
        "  const int64_t len = {0} - p0 < {6} ? {0} - p0 : {6};\n"
        "  const float *x = r + p0;\n"
        "  float *y = out + i * {2} + p0;\n",
        p, reluOut, channels * p, channels, n * p, bias, block);
    sweep(rowElement("x", p));
    os << "  }\n";
    return success();
  }
  if (failed(checkTileChannels(op, channels, block)))
    return failure();
  // One index per block of pixels of one image builds relu(acc + bias) for
  // every channel in a tile and normalises across channels from the tile.
  // The accumulator is one image's [1, F, P] scratch, still in cache, the
  // ReLU output's own buffer, rewritten in place (the launcher points the
  // operands at the image when there is one), or (fine granularity) the
  // batch-wide [F, N*P] result, whose ReLU output goes to relu_into.
  bool inPlace = op.getReluOutput() == op.getInput();
  count = (oneImage ? 1 : n) * emitPixelBlock(os, p, channels, block);
  work = channels * block;
  std::string acc = inPlace ? "io0 + offset" : "in0 + offset";
  if (batchWide)
    acc = llvm::formatv("in0 + (offset / {0}) * {1} + offset % {1}",
                        channels * p, p);
  os << llvm::formatv(
      "  {0} *a = {1};\n"
      "  float *y = out + offset;\n"
      "{6}"
      "  float tile[{2}][{3}]; // relu(acc + bias), every channel of the block\n"
      "  for (int64_t c = 0; c < {2}; ++c)\n"
      "    for (int64_t j = 0; j < len; ++j) {{\n"
      "      const float v = a[c * {4} + j]{5};\n"
      "      tile[c][j] = v < 0.0f ? 0.0f : v;\n",
      inPlace ? "float" : "const float", acc, channels, block,
      batchWide ? n * p : p, bias,
      batchWide ? "  float *r = " + reluOut + " + offset;\n" : "");
  // In place, the pass that reads the pre-activation writes the ReLU's
  // output back over it (relu_into is the input itself); batch-wide, to
  // relu_into.
  if (inPlace)
    os << "      a[c * " << p << " + j] = tile[c][j];\n";
  if (batchWide)
    os << "      r[c * " << p << " + j] = tile[c][j];\n";
  os << "    }\n";
  sweep([](StringRef c) { return ("tile[" + c + "][j]").str(); });
  return success();
}

/// One index per output row (n, c, oh): the window rows that fall inside
/// the input are found once, then the OW outputs of the row are computed in
/// a loop the compiler can vectorise when there is no padding.
template <typename PoolOp>
LogicalResult emitPool(PoolOp op, raw_ostream &os, bool isMax, int64_t &count,
                       int64_t &work, const Granularity &g) {
  ArrayRef<int64_t> x = dims(op.getInput()), y = dims(op.getOutput());
  int64_t kh = op.getWindow()[0], kw = op.getWindow()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  // Coarse: one index per output row, a loop over its columns. Fine: one
  // index per output element, the same window loop without the row loop.
  count = y[0] * y[1] * y[2] * (g.fine ? y[3] : 1);
  work = (g.fine ? 1 : y[3]) * kh * kw;
  if (g.fine)
    os << llvm::formatv("  const int64_t ow = i % {0}, oh = (i / {0}) % {1}, "
                        "plane = i / {2};\n"
                        "  const float *src = in0 + plane * {3};\n"
                        "  float *dst = out + (i - ow);\n",
                        y[3], y[2], y[2] * y[3], x[2] * x[3]);
  else
    os << llvm::formatv("  const int64_t oh = i % {0}, plane = i / {0};\n"
                        "  const float *src = in0 + plane * {2};\n"
                        "  float *dst = out + i * {1};\n",
                        y[2], y[3], x[2] * x[3]);
  os << llvm::formatv(
      "  const int64_t h0 = oh * {0} - {1};\n"
      "  const int64_t kiLo = h0 < 0 ? -h0 : 0;\n"
      "  const int64_t kiHi = h0 + {2} > {3} ? {3} - h0 : {2};\n"
      "{4}"
      "    const int64_t w0 = ow * {5} - {6};\n",
      sh, ph, kh, x[2],
      g.fine ? "  {\n"
             : llvm::formatv("  for (int64_t ow = 0; ow < {0}; ++ow) {{\n", y[3])
                   .str(),
      sw, pw);
  os << (isMax ? "    float acc = -INFINITY;\n    bool sawNan = false;\n"
               : "    float acc = 0.0f;\n");
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
  // As PyTorch's max_pool2d, a window with a NaN gives NaN: a plain max
  // (a select GCC vectorises) and a separate NaN flag. Taking the NaN into
  // acc instead (`v > acc || v != v`) ran 18-28% slower than the max alone
  // on a 3x3/2 pool; this is 16% faster at the default -O3 and 20% slower
  // with -march=native. (The old `!(v <= acc)` took a NaN, then let the
  // next number replace it.)
  os << (isMax ? "        acc = v > acc ? v : acc;\n"
                 "        sawNan |= v != v;\n"
               : "        acc += v;\n");
  os << "      }\n    }\n";
  if (isMax)
    os << "    dst[ow] = sawNan ? NAN : acc;\n  }\n";
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

/// One index per row: dx = y * (dy - sum_j dy_j y_j), as PyTorch's softmax
/// backward; the sum in double. A NaN anywhere in the row makes the sum,
/// and so the whole row, NaN (as PyTorch).
LogicalResult emitSoftmaxGrad(exec::SoftmaxGradOp op, raw_ostream &os,
                              int64_t &count, int64_t &work) {
  ArrayRef<int64_t> y = dims(op.getForwardOutput());
  count = y[0];
  work = y[1];
  os << llvm::formatv(
      "  const float *dy = in0 + i * {0}, *y = in1 + i * {0};\n"
      "  float *dx = out + i * {0};\n"
      "  double dot = 0.0;\n"
      "  for (int64_t j = 0; j < {0}; ++j) dot += double(dy[j]) * y[j];\n"
      "  const float s = float(dot);\n"
      "  for (int64_t j = 0; j < {0}; ++j) dx[j] = y[j] * (dy[j] - s);\n",
      y[1]);
  return success();
}

/// One contiguous run of a block copy: per outer index o, `length` floats
/// from in<input> + o * srcStride + srcOffset to out + o * dstStride +
/// dstOffset.
struct CopyRun {
  int input;
  int64_t length, srcStride, srcOffset, dstStride, dstOffset;
};

/// Copies (or with `accumulate`, adds) `runs` for every outer index in
/// [0, outer): one index per chunk of at most kCopyChunk floats of a run, so
/// the inner loops are plain contiguous copies that vectorise and even one
/// long run spreads over the threads. Shared by concat, slice and add_slice.
constexpr int64_t kCopyChunk = 4096;
void emitBlockCopy(raw_ostream &os, ArrayRef<CopyRun> runs, int64_t outer,
                   bool accumulate, int64_t &count, int64_t &work) {
  int64_t chunks = 0;
  for (const CopyRun &run : runs)
    chunks += (run.length + kCopyChunk - 1) / kCopyChunk;
  count = outer * chunks;
  work = kCopyChunk;
  os << llvm::formatv("  const int64_t o = i / {0}, chunk = i % {0};\n"
                      "  const float *src;\n  float *dst;\n  int64_t len;\n",
                      chunks);
  int64_t first = 0;
  for (auto [k, run] : llvm::enumerate(runs)) {
    int64_t n = (run.length + kCopyChunk - 1) / kCopyChunk;
    os << llvm::formatv(
        "  {0}if (chunk < {1}) {{\n"
        "    const int64_t at = (chunk - {2}) * {3};\n"
        "    src = in{4} + o * {5} + {6} + at;\n"
        "    dst = out + o * {7} + {8} + at;\n"
        "    len = {9} - at < {3} ? {9} - at : {3};\n"
        "  }\n",
        k ? "else " : "", first + n, first, kCopyChunk, run.input,
        run.srcStride, run.srcOffset, run.dstStride, run.dstOffset, run.length);
    first += n;
  }
  if (runs.size() > 1)
    os << "  else return;\n";
  os << (accumulate ? "  for (int64_t r = 0; r < len; ++r) dst[r] += src[r];\n"
                    : "  for (int64_t r = 0; r < len; ++r) dst[r] = src[r];\n");
}

/// Elements per index of `axis` (the product of the later dimensions) and
/// the number of outer indices (the product of the earlier ones).
std::pair<int64_t, int64_t> innerOuter(ArrayRef<int64_t> shape, int64_t axis) {
  int64_t inner = 1, outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  return {inner, outer};
}

/// Per outer index, each input's rows are one contiguous run of the output.
LogicalResult emitConcat(exec::ConcatOp op, raw_ostream &os, int64_t &count,
                         int64_t &work) {
  ArrayRef<int64_t> y = dims(op.getOutput());
  int64_t axis = op.getAxis();
  auto [inner, outer] = innerOuter(y, axis);
  SmallVector<CopyRun> runs;
  int64_t start = 0;
  for (auto [k, input] : llvm::enumerate(op.getInputs())) {
    int64_t extent = dims(input)[axis];
    runs.push_back({int(k), extent * inner, extent * inner, 0, y[axis] * inner,
                    start * inner});
    start += extent;
  }
  emitBlockCopy(os, runs, outer, /*accumulate=*/false, count, work);
  return success();
}

//===----------------------------------------------------------------------===//
// Training kernels
//===----------------------------------------------------------------------===//

/// " + 3", " - 3" or "": a literal term after an index expression.
std::string plus(int64_t value) {
  if (value == 0)
    return "";
  return (value > 0 ? " + " : " - ") + std::to_string(value < 0 ? -value : value);
}

/// `lo` and `hi`: the range [lo, hi) of outputs `o` of a window (size `k`,
/// stride `s`, pad `p`, `extent` outputs) that covers input coordinate
/// `var`, i.e. o*s - p <= var < o*s - p + k. Shared by col2im and the pool
/// gradients, which gather from every window that read an input element.
std::string coveringRange(StringRef lo, StringRef hi, StringRef var, int64_t k,
                          int64_t s, int64_t p, int64_t extent) {
  // lo = ceil((var + p - k + 1) / s) clipped at 0; the test keeps the
  // division's operand non-negative (C++ rounds toward zero).
  auto term = [&](int64_t offset) {
    return offset ? "(" + var.str() + plus(offset) + ")" : var.str();
  };
  return llvm::formatv(
      "  const int64_t {0} = {2}{3} < {4} ? 0 : {5} / {6};\n"
      "  const int64_t {1} = {7} / {6} + 1 < {8} ? {7} / {6} + 1 : {8};\n",
      lo, hi, var, plus(p), k, term(p - k + s), s, term(p), extent);
}

/// One index per element of the output slice (image, channels of `group`):
/// a gather over the taps that read it, so no atomics and every element of
/// the slice is written (`=`) exactly once.
LogicalResult emitCol2Im(exec::Col2ImOp op, raw_ostream &os, int64_t &count,
                         int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getOutput());
  int64_t kh = op.getKernel()[0], kw = op.getKernel()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  int64_t cg = x[1] / op.getGroups(), hw = x[2] * x[3];
  int64_t oh = shape::slidingExtent(x[2], kh, sh, ph);
  int64_t ow = shape::slidingExtent(x[3], kw, sw, pw);
  int64_t p = oh * ow;
  // One image (`image` set: the launcher points `out` at that image, so
  // all images share one body) from [Kg, P], or the whole batch from
  // [Kg, N*P], image n's columns at n*P.
  bool oneImage = op.getImage().has_value();
  int64_t images = oneImage ? 1 : x[0];
  count = images * cg * hw;
  work = ((kh + sh - 1) / sh) * ((kw + sw - 1) / sw);
  if (oneImage)
    os << llvm::formatv(
        "  const int64_t iw = i % {0}, ih = (i / {0}) % {1}, c = i / {2};\n",
        x[3], x[2], hw);
  else
    os << llvm::formatv("  const int64_t iw = i % {0}, ih = (i / {0}) % {1}, "
                        "c = (i / {2}) % {3}, n = i / {4};\n",
                        x[3], x[2], hw, cg, cg * hw);
  os << coveringRange("ohLo", "ohHi", "ih", kh, sh, ph, oh);
  os << coveringRange("owLo", "owHi", "iw", kw, sw, pw, ow);
  // col[(c*kh + ki)*kw + kj, oh*OW + ow] with ki = ih + ph - oh*sh, and kj
  // likewise.
  os << llvm::formatv(
      "  float acc = 0.0f;\n"
      "  for (int64_t oh = ohLo; oh < ohHi; ++oh) {{\n"
      "    const int64_t ki = ih{0} - oh * {1};\n"
      "    const float *row = in0 + (c * {2} + ki) * {3} + {9}oh * {4};\n"
      "    for (int64_t ow = owLo; ow < owHi; ++ow)\n"
      "      acc += row[(iw{5} - ow * {6}) * {7} + ow];\n"
      "  }\n"
      "  out[{8}] = acc;\n",
      plus(ph), sh, kh, kw * images * p, ow, plus(pw), sw, images * p,
      // The group's channels start group*Cg planes into the image.
      (oneImage ? "i"
                : llvm::formatv("n * {0} + c * {1} + ih * {2} + iw", x[1] * hw,
                                hw, x[3])
                      .str()) +
          plus(int64_t(op.getGroup()) * cg * hw),
      oneImage ? "" : "n * " + std::to_string(p) + " + ");
  return success();
}

/// One index per channel: a sum over N * inner elements, in double so a
/// large batch of small values does not lose its low bits.
LogicalResult emitBiasGrad(exec::BiasGradOp op, raw_ostream &os,
                           int64_t &count, int64_t &work) {
  ArrayRef<int64_t> dy = dims(op.getInput());
  int64_t inner = 1;
  for (int64_t d = 2; d < int64_t(dy.size()); ++d)
    inner *= dy[d];
  count = dy[1];
  work = dy[0] * inner;
  os << llvm::formatv(
      "  double acc = 0.0;\n"
      "  for (int64_t n = 0; n < {0}; ++n) {{\n"
      "    const float *plane = in0 + (n * {1} + i) * {2};\n"
      "    for (int64_t p = 0; p < {2}; ++p) acc += plane[p];\n"
      "  }\n"
      "  out[i] = float(acc);\n",
      dy[0], dy[1], inner);
  return success();
}

/// dx_c = dy_c s_c^-beta - 2 alpha beta x_c sum_{|j-c| <= half} dy_j y_j / s_j.
/// s_c comes from the forward's running sum of squares, in the same order
/// of float operations, so it matches the s the forward divided by; dx
/// first holds the first term, then the second pass subtracts the second.
/// One index per block of consecutive pixels of one image, as in the
/// forward (16 coarse: the inner loops run over contiguous pixels and
/// vectorise; 1 fine).
LogicalResult emitLrnGrad(exec::LrnGradOp op, raw_ostream &os, int64_t &count,
                          int64_t &work, int64_t block) {
  ArrayRef<int64_t> x = dims(op.getForwardInput());
  int64_t channels = x[1], hw = x[2] * x[3], half = op.getSize() / 2;
  if (failed(checkTileChannels(op, channels, block)))
    return failure();
  // With a halo, dy and y have only the middle channels: row c - lo.
  auto [lo, hi] = haloOf(op.getHalo());
  std::string row = lo ? "(c - " + std::to_string(lo) + ")" : "c";
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  count = x[0] * emitPixelBlock(os, hw, channels, block);
  work = channels * block;
  std::string middle = lo || hi
                           ? haloBlock("in0", hw, channels - lo - hi, block)
                           : "in0 + offset";
  os << llvm::formatv(
      "  const float *dy = {6}, *x = in1 + offset, *y = {7};\n"
      "  float *dx = out + offset;\n"
      "  float t[{0}][{1}]; // dy_c y_c / s_c\n"
      "  float sum[{1}];\n"
      "  for (int64_t j = 0; j < len; ++j) sum[j] = 0.0f;\n"
      "  for (int64_t c = 0; c < {3} && c < {0}; ++c)\n"
      "    for (int64_t j = 0; j < len; ++j) sum[j] += x[c * {2} + j] * x[c * {2} + j];\n"
      "  for (int64_t c = 0; c < {0}; ++c) {{\n"
      "{8}"
      "    for (int64_t j = 0; j < len; ++j) {{\n"
      "      const float s = {4} + {5} * sum[j];\n",
      channels, block, hw, half + 1, literal(op.getK().convertToDouble()),
      literal(alpha), middle,
      lo || hi ? haloBlock("in2", hw, channels - lo - hi, block)
               : "in2 + offset",
      // A neighbour's channel has no output here (no dy, no first term);
      // its gradient is the window sum below over this device's outputs.
      lo || hi ? llvm::formatv("    if (c < {0} || c >= {1})\n"
                               "      for (int64_t j = 0; j < len; ++j) "
                               "dx[c * {2} + j] = t[c][j] = 0.0f;\n"
                               "    else\n",
                               lo, channels - hi, hw)
                     .str()
               : std::string());
  // The forward's pow-free path for the paper's beta = 0.75.
  if (beta == 0.75)
    os << "      dx[c * " << hw << " + j] = dy[" << row << " * " << hw
       << " + j] / sqrtf(s * sqrtf(s));\n";
  else
    os << "      dx[c * " << hw << " + j] = dy[" << row << " * " << hw
       << " + j] * powf(s, " << literal(-beta) << ");\n";
  os << llvm::formatv(
      "      t[c][j] = dy[{7} * {0} + j] * y[{7} * {0} + j] / s;\n"
      "    }\n"
      "    if (c + {1} < {2})\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] += x[(c + {1}) * {0} + j] * x[(c + {1}) * {0} + j];\n"
      "    if (c >= {3})\n"
      "      for (int64_t j = 0; j < len; ++j) sum[j] -= x[(c - {3}) * {0} + j] * x[(c - {3}) * {0} + j];\n"
      "  }\n"
      // A running window sum of t, in double: t changes sign, and float
      // add/subtract would drift across the channels.
      "  double window[{5}];\n"
      "  for (int64_t j = 0; j < len; ++j) window[j] = 0.0;\n"
      "  for (int64_t c = 0; c < {3} && c < {2}; ++c)\n"
      "    for (int64_t j = 0; j < len; ++j) window[j] += t[c][j];\n"
      "  for (int64_t c = 0; c < {2}; ++c) {{\n"
      "    if (c + {3} < {2})\n"
      "      for (int64_t j = 0; j < len; ++j) window[j] += t[c + {3}][j];\n"
      "    for (int64_t j = 0; j < len; ++j)\n"
      "      dx[c * {0} + j] -= {4} * x[c * {0} + j] * float(window[j]);\n"
      "{6}"
      "    if (c >= {3})\n"
      "      for (int64_t j = 0; j < len; ++j) window[j] -= t[c - {3}][j];\n"
      "  }\n",
      hw, half + 1, channels, half, literal(2.0 * alpha * beta), block,
      // through_relu: x is the ReLU's output, and the ReLU passes dx except
      // where it is <= 0, so through a NaN too, as PyTorch's
      // threshold_backward (relu_grad's test, on the row just written).
      // A separate loop: selecting between the arithmetic result and 0
      // inside the loop above is a branch GCC will not vectorise (it may
      // not speculate the float arithmetic), 2x slower with AVX-512.
      op.getThroughRelu()
          ? llvm::formatv("    for (int64_t j = 0; j < len; ++j)\n"
                          "      dx[c * {0} + j] = x[c * {0} + j] <= 0.0f ? "
                          "0.0f : dx[c * {0} + j];\n",
                          hw)
                .str()
          : std::string(),
      row);
  return success();
}

/// dy goes to the FIRST maximum of each window in row-major order, with
/// the forward's comparison (`v > best || v != v`, so ties keep the first
/// and the last NaN wins, as in PyTorch); the window is clipped to the input
/// as the forward's padding is. One index per (n, c) plane, which only it
/// writes: it clears the plane, then finds each window's argmax once
/// (branch-free selects) and adds dy there, windows in row-major order, so
/// an input shared by overlapping windows sums their dy in a fixed order.
/// No stored indices, no atomics.
LogicalResult emitMaxPoolGrad(exec::MaxPoolGradOp op, raw_ostream &os,
                              int64_t &count, int64_t &work,
                              const Granularity &g) {
  ArrayRef<int64_t> x = dims(op.getForwardInput()), y = dims(op.getGrad());
  int64_t kh = op.getWindow()[0], kw = op.getWindow()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  // The window argmax, as the forward compares: from (hLo, wLo), the
  // window clipped to the input, into `arg` (an index in the plane).
  auto argmax = [&](StringRef indent) {
    std::string text = llvm::formatv(
        "const int64_t h0 = oh * {0}{1}, w0 = ow * {2}{3};\n"
        "const int64_t hLo = h0 < 0 ? 0 : h0, hHi = h0 + {4} > {5} ? {5} : h0 + {4};\n"
        "const int64_t wLo = w0 < 0 ? 0 : w0, wHi = w0 + {6} > {7} ? {7} : w0 + {6};\n"
        // Starting at the window's first element also routes an all -inf
        // window's gradient there, as PyTorch does.
        "int64_t arg = hLo * {7} + wLo;\n"
        "float best = -INFINITY;\n"
        "for (int64_t h = hLo; h < hHi; ++h)\n"
        "  for (int64_t w = wLo; w < wHi; ++w) {{\n"
        "    const float v = x[h * {7} + w];\n"
        "    const bool take = v > best || v != v;\n"
        "    best = take ? v : best;\n"
        "    arg = take ? h * {7} + w : arg;\n"
        "  }\n",
        sh, plus(-ph), sw, plus(-pw), kh, x[2], kw, x[3]);
    SmallVector<StringRef> lines;
    StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
    std::string out;
    for (StringRef line : lines)
      out += (indent + line + "\n").str();
    return out;
  };
  if (g.fine) {
    // One index per input element: the windows covering it, in row-major
    // order, each adding its dy when its argmax is this element. The same
    // additions in the same order as the per-plane form.
    os << llvm::formatv(
        "  const int64_t iw = i % {0}, ih = (i / {0}) % {1}, plane = i / {2};\n"
        "  const float *x = in1 + plane * {2};\n"
        "  const float *dy = in0 + plane * {3};\n"
        "  const int64_t self = ih * {0} + iw;\n",
        x[3], x[2], x[2] * x[3], y[2] * y[3]);
    os << coveringRange("ohLo", "ohHi", "ih", kh, sh, ph, y[2]);
    os << coveringRange("owLo", "owHi", "iw", kw, sw, pw, y[3]);
    os << "  float acc = 0.0f;\n"
       << "  for (int64_t oh = ohLo; oh < ohHi; ++oh)\n"
       << "    for (int64_t ow = owLo; ow < owHi; ++ow) {\n"
       << argmax("      ")
       << llvm::formatv("      if (arg == self) acc += dy[oh * {0} + ow];\n"
                        "    }\n",
                        y[3]);
    os << (op.getThroughRelu() ? "  out[i] = x[self] <= 0.0f ? 0.0f : acc;\n"
                               : "  out[i] = acc;\n");
    return success();
  }
  count = x[0] * x[1];
  work = y[2] * y[3] * kh * kw;
  os << llvm::formatv(
      "  const float *x = in1 + i * {0};\n"
      "  const float *dy = in0 + i * {1};\n"
      "  float *dx = out + i * {0};\n"
      "  for (int64_t p = 0; p < {0}; ++p) dx[p] = 0.0f;\n",
      x[2] * x[3], y[2] * y[3]);
  os << llvm::formatv(
      "  for (int64_t oh = 0; oh < {0}; ++oh)\n"
      "    for (int64_t ow = 0; ow < {1}; ++ow) {{\n"
      "{2}"
      "      dx[arg] += dy[oh * {1} + ow];\n"
      "    }\n",
      y[2], y[3], argmax("      "));
  // through_relu: x is the ReLU's output; relu_grad's test while the plane
  // is still in cache.
  if (op.getThroughRelu())
    os << llvm::formatv(
        "  for (int64_t p = 0; p < {0}; ++p) dx[p] = x[p] <= 0.0f ? 0.0f : dx[p];\n",
        x[2] * x[3]);
  return success();
}

/// One index per input element (n, c, ih, iw), gathering dy / (kh*kw) from
/// the windows covering it: padding counts in the divisor
/// (count_include_pad), as in the forward.
LogicalResult emitAvgPoolGrad(exec::AvgPoolGradOp op, raw_ostream &os,
                              int64_t &count, int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getOutput()), y = dims(op.getGrad());
  int64_t kh = op.getWindow()[0], kw = op.getWindow()[1];
  int64_t sh = op.getStride()[0], sw = op.getStride()[1];
  int64_t ph = op.getPad()[0], pw = op.getPad()[1];
  count = elements(op.getOutput());
  work = ((kh + sh - 1) / sh) * ((kw + sw - 1) / sw);
  os << llvm::formatv(
      "  const int64_t iw = i % {0}, ih = (i / {0}) % {1}, plane = i / {2};\n"
      "  const float *dy = in0 + plane * {3};\n",
      x[3], x[2], x[2] * x[3], y[2] * y[3]);
  os << coveringRange("ohLo", "ohHi", "ih", kh, sh, ph, y[2]);
  os << coveringRange("owLo", "owHi", "iw", kw, sw, pw, y[3]);
  os << llvm::formatv(
      "  float acc = 0.0f;\n"
      "  for (int64_t oh = ohLo; oh < ohHi; ++oh)\n"
      "    for (int64_t ow = owLo; ow < owHi; ++ow) acc += dy[oh * {0} + ow];\n"
      "  out[i] = acc * {1};\n",
      y[3], literal(1.0 / double(kh * kw)));
  return success();
}

/// Dropout streams occupy the upper half of Philox's 32-bit stream word:
/// parameter initialisation draws under the same key philoxKey(seed) with
/// stream = parameter index, and must never share a counter with a mask.
constexpr uint64_t kDropoutStreamBit = 0x80000000u;

/// mask[i] = philoxUniform(philoxKey(seed), 0x80000000 | stream,
/// (step << 32) | i) >= rate ? 1 / (1 - rate) : 0. In Philox.h's layout
/// that is the counter (0x80000000 | stream, ((step & 3) << 30) | i / 4,
/// step >> 2 (low 32 bits), 0), word i % 4: distinct for every (stream,
/// step, i) with i < 2^32 and step in [0, 2^32) (larger steps wrap, so masks
/// repeat after 2^32 steps); the same (seed, step, stream) always gives the
/// same mask, on either target.
LogicalResult emitDropoutMask(exec::DropoutMaskOp op, raw_ostream &os) {
  // getStream() is unsigned: a negative stream is caught here too.
  if (op.getStream() >= kDropoutStreamBit)
    return op.emitOpError("expected a stream in [0, 2^31), got ")
           << int64_t(op.getStream());
  // A piece of a larger mask (`window`) draws with the larger mask's
  // element index g.
  ArrayRef<int64_t> shape = dims(op.getOutput());
  int64_t whole = elements(op.getOutput());
  std::string g = "uint64_t(i)";
  if (auto window = op.getWindow()) {
    int64_t axis = (*window)[0], offset = (*window)[1], extent = (*window)[2];
    int64_t inner = 1;
    for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
      inner *= shape[d];
    whole = whole / shape[axis] * extent;
    g = llvm::formatv("uint64_t((i / {0}) * {1} + {2} + i % {0})",
                      shape[axis] * inner, extent * inner, offset * inner)
            .str();
  }
  if (uint64_t(whole) > (uint64_t(1) << 32))
    return op.emitOpError("has more than 2^32 elements, beyond the element "
                          "index's 32 bits in the Philox counter");
  double rate = op.getRate().convertToDouble();
  os << llvm::formatv(
      "  if (!in2[0]) {{ out[i] = 1.0f; return; }\n"
      "  const uint64_t index = (uint64_t(in1[0]) << 32) | {3};\n"
      "  const float u = philoxUniform(philoxKey(uint64_t(in0[0])), {0}u, index);\n"
      "  out[i] = u >= {1} ? {2} : 0.0f;\n",
      kDropoutStreamBit | uint64_t(op.getStream()), literal(rate),
      literal(1.0 / (1.0 - rate)), g);
  return success();
}

/// out[range of axis] += part: the inverse index map of emitSlice.
/// out[range of axis] += part: per outer index one contiguous run.
LogicalResult emitAddSlice(exec::AddSliceOp op, raw_ostream &os,
                           int64_t &count, int64_t &work) {
  ArrayRef<int64_t> part = dims(op.getPart()), base = dims(op.getBase());
  int64_t axis = op.getAxis();
  auto [inner, outer] = innerOuter(part, axis);
  CopyRun run{0, part[axis] * inner, part[axis] * inner, 0, base[axis] * inner,
              int64_t(op.getOffset()) * inner};
  emitBlockCopy(os, run, outer, /*accumulate=*/true, count, work);
  return success();
}

/// The range [offset, offset + extent) of one axis: per outer index one
/// contiguous run.
LogicalResult emitSlice(exec::SliceOp op, raw_ostream &os, int64_t &count,
                        int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getInput()), y = dims(op.getOutput());
  int64_t axis = op.getAxis();
  auto [inner, outer] = innerOuter(y, axis);
  CopyRun run{0, y[axis] * inner, x[axis] * inner,
              int64_t(op.getOffset()) * inner, y[axis] * inner, 0};
  emitBlockCopy(os, run, outer, /*accumulate=*/false, count, work);
  return success();
}

/// The mean loss over the batch, by one index (a scalar with no atomics):
/// per row a max-shifted logsumexp in double. A label outside [0, K) reads
/// class 0 instead (never out of bounds) and makes the loss NaN, which the
/// runtime's divergence check then reports.
LogicalResult emitCrossEntropy(exec::CrossEntropyOp op, raw_ostream &os,
                               int64_t &count, int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getLogits());
  count = 1;
  work = x[0] * x[1];
  os << llvm::formatv(
      "  (void)i; // the only index\n"
      "  double total = 0.0;\n"
      "  bool valid = true;\n"
      "  for (int64_t n = 0; n < {0}; ++n) {{\n"
      "    const float *x = in0 + n * {1};\n"
      "    const int32_t label = in1[n];\n"
      "    const bool ok = label >= 0 && label < {1};\n"
      "    valid = valid && ok;\n"
      "    float m = x[0];\n"
      "    for (int64_t j = 1; j < {1}; ++j) m = x[j] > m ? x[j] : m;\n"
      "    double sum = 0.0;\n"
      "    for (int64_t j = 0; j < {1}; ++j) sum += exp(double(x[j]) - double(m));\n"
      "    total += double(m) + log(sum) - double(x[ok ? label : 0]);\n"
      "  }\n"
      "  out[0] = valid ? float(total / {0}) : NAN;\n",
      x[0], x[1]);
  return success();
}

/// One index per row: (softmax(x_n) - onehot(label_n)) / N, max-shifted,
/// normalised in double. A label outside [0, K) gives a row of NaN (and the
/// loss is NaN too, see emitCrossEntropy).
LogicalResult emitCrossEntropyGrad(exec::CrossEntropyGradOp op,
                                   raw_ostream &os, int64_t &count,
                                   int64_t &work) {
  ArrayRef<int64_t> x = dims(op.getLogits());
  count = x[0];
  work = x[1];
  os << llvm::formatv(
      "  const float *x = in0 + i * {0};\n"
      "  float *g = out + i * {0};\n"
      "  const int32_t label = in1[i];\n"
      "  if (label < 0 || label >= {0}) {{\n"
      "    for (int64_t j = 0; j < {0}; ++j) g[j] = NAN;\n"
      "    return;\n"
      "  }\n"
      "  float m = x[0];\n"
      "  for (int64_t j = 1; j < {0}; ++j) m = x[j] > m ? x[j] : m;\n"
      "  double sum = 0.0;\n"
      "  for (int64_t j = 0; j < {0}; ++j) {{ g[j] = expf(x[j] - m); sum += g[j]; }\n"
      "  const double scale = 1.0 / (sum * {1});\n"
      "  for (int64_t j = 0; j < {0}; ++j)\n"
      "    g[j] = float(g[j] * scale - (j == label ? {2:e17} : 0.0));\n",
      x[1], x[0], 1.0 / double(x[0]));
  return success();
}

} // namespace

SmallVector<int64_t> alexnet::kernelOperandOffsets(Operation *op) {
  SmallVector<int64_t> offsets(op->getNumOperands(), 0);
  auto imageSize = [](Value nchw) {
    ArrayRef<int64_t> d = dims(nchw);
    return d[1] * d[2] * d[3];
  };
  if (auto im2col = dyn_cast<exec::Im2ColOp>(op); im2col && im2col.getImage())
    offsets[0] = *im2col.getImage() * imageSize(im2col.getInput());
  if (auto col2im = dyn_cast<exec::Col2ImOp>(op))
    if (col2im.getImage())
      offsets[1] = *col2im.getImage() * imageSize(col2im.getOutput());
  // The fused epilogue of one image writes that image of its outputs.
  if (auto epilogue = dyn_cast<exec::ConvEpilogueOp>(op);
      epilogue && epilogue.getImage()) {
    int64_t offset = *epilogue.getImage() * imageSize(epilogue.getOutput());
    offsets.back() = offset;
    // In place, the input is the ReLU output's whole buffer.
    if (epilogue.getReluOutput())
      offsets[0] = offsets[op->getNumOperands() - 2] = offset;
  }
  return offsets;
}

LogicalResult alexnet::emitKernelStatements(Operation *op, raw_ostream &os,
                                            int64_t &count, int64_t &work,
                                            bool fine) {
  Value output = op->getOperands().back();
  count = elements(output);
  work = 1;
  Granularity g{fine};
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](exec::Im2ColOp im2col) {
        return emitIm2Col(im2col, os, count, work, g);
      })
      .Case([&](exec::ConvOutputOp conv) {
        ArrayRef<int64_t> y = dims(conv.getOutput());
        int64_t p = y[2] * y[3];
        std::string b = conv.getBias() ? "in1[f]" : "0.0f";
        if (g.fine) {
          // One index per output element.
          os << llvm::formatv(
              "  const int64_t p = i % {0}, f = (i / {0}) % {1}, n = i / {2};\n"
              "  out[i] = in0[f * {3} + n * {0} + p] + {4};\n",
              p, y[1], y[1] * p, y[0] * p, b);
          return success();
        }
        // One index per output plane (n, f): P contiguous elements.
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
      .Case([&](exec::FillOp fill) {
        os << "  out[i] = " << literal(fill.getValue().convertToDouble())
           << ";\n";
        return success();
      })
      .Case([&](exec::ChannelMajorOp reorder) {
        ArrayRef<int64_t> x = dims(reorder.getInput());
        int64_t p = x[2] * x[3];
        if (g.fine) {
          // One index per output element of [C, N*P].
          os << llvm::formatv(
              "  const int64_t p = i % {0}, n = (i / {0}) % {1}, c = i / {2};\n"
              "  out[i] = in0[(n * {3} + c) * {0} + p];\n",
              p, x[0], x[0] * p, x[1]);
          return success();
        }
        // One index per (c, n) plane: P contiguous floats.
        count = x[1] * x[0];
        work = p;
        os << llvm::formatv(
            "  const int64_t n = i % {0}, c = i / {0};\n"
            "  const float *src = in0 + (n * {1} + c) * {2};\n"
            "  float *dst = out + i * {2};\n"
            "  for (int64_t p = 0; p < {2}; ++p) dst[p] = src[p];\n",
            x[0], x[1], p);
        return success();
      })
      .Case([&](exec::BiasAddOp bias) {
        int64_t channels = elements(bias.getBias()), inner = bias.getInner();
        if (g.fine) {
          // One index per element, in place.
          if (inner == 1)
            os << llvm::formatv("  out[i] += in0[i % {0}];\n", channels);
          else
            os << llvm::formatv("  out[i] += in0[(i / {0}) % {1}];\n", inner,
                                channels);
          return success();
        }
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
      .Case([&](exec::ConvEpilogueOp epilogue) {
        return emitConvEpilogue(epilogue, os, count, work, g);
      })
      .Case([&](exec::BiasReluOp bias) {
        // [rows, units]: one index per row; bias_add then relu, per element.
        int64_t units = elements(bias.getBias());
        if (g.fine) {
          // One index per element, in place.
          os << llvm::formatv("  const float v = out[i] + in0[i % {0}];\n"
                              "  out[i] = v < 0.0f ? 0.0f : v;\n",
                              units);
          return success();
        }
        count = elements(bias.getOutput()) / units;
        work = units;
        os << llvm::formatv(
            "  float *row = out + i * {0};\n"
            "  for (int64_t c = 0; c < {0}; ++c) {{\n"
            "    const float v = row[c] + in0[c];\n"
            "    row[c] = v < 0.0f ? 0.0f : v;\n"
            "  }\n",
            units);
        return success();
      })
      .Case([&](exec::ReluOp) {
        os << "  const float v = in0[i];\n  out[i] = v < 0.0f ? 0.0f : v;\n";
        return success();
      })
      .Case<exec::CopyOp, exec::TransferOp>([&](Operation *) {
        os << "  out[i] = in0[i];\n";
        return success();
      })
      .Case([&](exec::AddSliceOp add) {
        return emitAddSlice(add, os, count, work);
      })
      .Case([&](exec::AddOp) {
        os << "  out[i] = in0[i] + in1[i];\n";
        return success();
      })
      .Case([&](exec::LrnOp lrn) {
        return emitLrn(lrn, os, count, work, g.lrnBlock());
      })
      .Case([&](exec::MaxPoolOp pool) {
        return emitPool(pool, os, true, count, work, g);
      })
      .Case([&](exec::AvgPoolOp pool) {
        return emitPool(pool, os, false, count, work, g);
      })
      .Case([&](exec::SoftmaxOp softmax) {
        count = dims(softmax.getInput())[0]; // one index per row
        work = dims(softmax.getInput())[1];
        return emitSoftmax(softmax, os);
      })
      .Case([&](exec::ConcatOp concat) {
        return emitConcat(concat, os, count, work);
      })
      .Case([&](exec::Col2ImOp col2im) {
        return emitCol2Im(col2im, os, count, work);
      })
      .Case([&](exec::BiasGradOp grad) {
        return emitBiasGrad(grad, os, count, work);
      })
      .Case([&](exec::ReluGradOp) {
        os << "  out[i] = in1[i] <= 0.0f ? 0.0f : in0[i];\n";
        return success();
      })
      .Case([&](exec::SoftmaxGradOp grad) {
        return emitSoftmaxGrad(grad, os, count, work);
      })
      .Case([&](exec::LrnGradOp grad) {
        return emitLrnGrad(grad, os, count, work, g.lrnBlock());
      })
      .Case([&](exec::MaxPoolGradOp grad) {
        return emitMaxPoolGrad(grad, os, count, work, g);
      })
      .Case([&](exec::AvgPoolGradOp grad) {
        return emitAvgPoolGrad(grad, os, count, work);
      })
      .Case([&](exec::MulOp) {
        os << "  out[i] = in0[i] * in1[i];\n";
        return success();
      })
      .Case([&](exec::DropoutMaskOp mask) { return emitDropoutMask(mask, os); })
      .Case([&](exec::SgdUpdateOp sgd) {
        // The paper's order of terms, in float like PyTorch's update.
        os << llvm::formatv(
            "  const float lr = in1[0], w = out[i];\n"
            "  const float v = {0} * io2[i] - {1} * lr * w - lr * in0[i];\n"
            "  io2[i] = v;\n"
            "  out[i] = w + v;\n",
            literal(sgd.getMomentum().convertToDouble()),
            literal(sgd.getWeightDecay().convertToDouble()));
        return success();
      })
      .Case([&](exec::SliceOp slice) {
        return emitSlice(slice, os, count, work);
      })
      .Case([&](exec::CrossEntropyOp xent) {
        return emitCrossEntropy(xent, os, count, work);
      })
      .Case([&](exec::CrossEntropyGradOp grad) {
        return emitCrossEntropyGrad(grad, os, count, work);
      })
      .Default([&](Operation *op) {
        return op->emitOpError("has no kernel body in the C++ emitter");
      });
}
