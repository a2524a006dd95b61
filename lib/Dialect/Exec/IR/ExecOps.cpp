//===- ExecOps.cpp - exec dialect ops -------------------------------------===//
//
// Verifiers check what the emitter relies on: every index a generated kernel
// or a GEMM computes stays inside its buffers. Shape rules come from
// ShapeRules.h, as for the nn ops.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Dialect/Exec/ExecOps.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace alexnet;
using namespace alexnet::exec;

namespace {

MemRefType memref(Value value) { return cast<MemRefType>(value.getType()); }
int64_t numElements(Value value) { return memref(value).getNumElements(); }
shape::Shape shapeOf(Value value) { return memref(value).getShape().vec(); }
shape::Pair toPair(ArrayRef<int64_t> values) { return {values[0], values[1]}; }

/// Generated code indexes buffers as flat row-major arrays.
LogicalResult verifyIdentityLayouts(Operation *op) {
  for (Value operand : op->getOperands())
    if (auto type = dyn_cast<MemRefType>(operand.getType());
        type && !type.getLayout().isIdentity())
      return op->emitOpError("expected identity-layout memrefs, got ") << type;
  return success();
}

LogicalResult verifySameElements(Operation *op, Value a, Value b) {
  if (numElements(a) != numElements(b))
    return op->emitOpError("expected operands with the same number of "
                           "elements, got ")
           << numElements(a) << " and " << numElements(b);
  return success();
}

LogicalResult verifyShape(Operation *op, const shape::ShapeResult &expected,
                          Value output) {
  if (!expected.ok())
    return op->emitOpError(expected.error);
  if (shapeOf(output) != expected.shape)
    return op->emitOpError("expected an output of shape ")
           << shape::format(expected.shape) << ", got "
           << shape::format(shapeOf(output));
  return success();
}

} // namespace

namespace {
int64_t bytesOf(MemRefType type) {
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}
} // namespace

int64_t AllocOp::getSizeInBytes() { return bytesOf(getType()); }

int64_t TransferOp::getSizeInBytes() {
  return bytesOf(cast<MemRefType>(getOutput().getType()));
}

LogicalResult ParamOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<nn::ParameterOp>(*this, getNameAttr());
  if (!param)
    return emitOpError("expected '")
           << getName() << "' to name an nn.parameter, got no such symbol";
  shape::Shape whole = param.getTensorType().getShape().vec();
  shape::Shape view = getType().getShape().vec();
  if (!getRowOffset()) {
    if (whole != view)
      return emitOpError("expected the shape of parameter '")
             << getName() << "' (" << shape::format(whole) << "), got "
             << shape::format(view);
    return success();
  }
  int64_t offset = int64_t(*getRowOffset());
  if (whole.size() != view.size() || offset < 0 ||
      offset + view[0] > whole[0] ||
      !std::equal(whole.begin() + 1, whole.end(), view.begin() + 1))
    return emitOpError("expected rows [")
           << offset << ", " << offset + view[0] << ") of parameter '"
           << getName() << "' " << shape::format(whole) << ", got "
           << shape::format(view);
  return success();
}

LogicalResult ReshapeOp::verify() {
  return verifySameElements(*this, getSource(), getResult());
}

LogicalResult GemmOp::verify() {
  if (failed(verifyIdentityLayouts(*this)))
    return failure();
  int64_t m = getM(), n = getN(), k = getK();
  if (m < 1 || n < 1 || k < 1)
    return emitOpError("expected positive m, n, k, got ")
           << m << ", " << n << ", " << k;
  auto check = [&](StringRef name, Value buffer, int64_t offset,
                   int64_t elements) -> LogicalResult {
    if (offset < 0 || offset + elements > numElements(buffer))
      return emitOpError("expected matrix ")
             << name << " (" << elements << " elements at offset " << offset
             << ") inside its buffer of " << numElements(buffer)
             << " elements";
    return success();
  };
  return success(succeeded(check("a", getA(), getAOffset(), m * k)) &&
                 succeeded(check("b", getB(), getBOffset(), k * n)) &&
                 succeeded(check("c", getC(), getCOffset(), m * n)));
}

LogicalResult Im2ColOp::verify() {
  if (failed(verifyIdentityLayouts(*this)))
    return failure();
  shape::Shape input = shapeOf(getInput());
  if (input.size() != 4)
    return emitOpError("expected an NCHW input, got ") << memref(getInput());
  if (getGroups() < 1 || input[1] % getGroups() != 0 || getGroup() < 0 ||
      getGroup() >= getGroups())
    return emitOpError("expected group in [0, groups) and groups dividing ")
           << input[1] << " channels, got group " << getGroup() << " of "
           << getGroups();
  shape::ShapeResult out = shape::pool2d(input, toPair(getKernel()),
                                         toPair(getStride()), toPair(getPad()));
  if (!out.ok())
    return emitOpError(out.error);
  if (getImage() && (*getImage() < 0 || *getImage() >= input[0]))
    return emitOpError("expected an image in [0, ")
           << input[0] << "), got " << *getImage();
  int64_t rows = input[1] / getGroups() * getKernel()[0] * getKernel()[1];
  int64_t cols = (getImage() ? 1 : input[0]) * out.shape[2] * out.shape[3];
  return verifyShape(*this, {{rows, cols}, {}}, getOutput());
}

LogicalResult ConvOutputOp::verify() {
  shape::Shape in = shapeOf(getInput()), out = shapeOf(getOutput());
  if (out.size() != 4)
    return emitOpError("expected an NCHW output, got ") << memref(getOutput());
  if (getBias() && numElements(getBias()) != out[1])
    return emitOpError("expected a bias of ")
           << out[1] << " elements, got " << numElements(getBias());
  return verifyShape(*this, {{out[1], out[0] * out[2] * out[3]}, {}},
                     getInput()) ;
}

LogicalResult BiasAddOp::verify() {
  int64_t period = getInner() * numElements(getBias());
  if (getInner() < 1 || numElements(getOutput()) % period != 0)
    return emitOpError("expected the output (")
           << numElements(getOutput())
           << " elements) to be whole periods of inner * bias = " << period;
  return success();
}

LogicalResult ReluOp::verify() {
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult CopyOp::verify() {
  return verifySameElements(*this, getInput(), getOutput());
}

/// The shape of an LRN's output channels: its input less the halo.
static shape::ShapeResult lrnMiddle(Value input, int64_t size,
                             std::optional<ArrayRef<int64_t>> halo) {
  shape::ShapeResult r = shape::lrn(shapeOf(input), size);
  if (r.ok() && halo) {
    r.shape[1] -= (*halo)[0] + (*halo)[1];
    if ((*halo)[0] < 0 || (*halo)[1] < 0 || r.shape[1] < 1)
      r.error = "expected a halo leaving at least one channel";
  }
  return r;
}

LogicalResult LrnOp::verify() {
  return verifyShape(*this, lrnMiddle(getInput(), getSize(), getHalo()),
                     getOutput());
}

LogicalResult MaxPoolOp::verify() {
  return verifyShape(*this,
                     shape::pool2d(shapeOf(getInput()), toPair(getWindow()),
                                   toPair(getStride()), toPair(getPad())),
                     getOutput());
}

LogicalResult AvgPoolOp::verify() {
  return verifyShape(*this,
                     shape::pool2d(shapeOf(getInput()), toPair(getWindow()),
                                   toPair(getStride()), toPair(getPad())),
                     getOutput());
}

LogicalResult SoftmaxOp::verify() {
  return verifyShape(*this, shape::softmax(shapeOf(getInput())), getOutput());
}

LogicalResult AddOp::verify() {
  if (failed(verifySameElements(*this, getLhs(), getOutput())))
    return failure();
  return verifySameElements(*this, getRhs(), getOutput());
}

LogicalResult ConcatOp::verify() {
  std::vector<shape::Shape> inputs;
  for (Value input : getInputs())
    inputs.push_back(shapeOf(input));
  return verifyShape(*this, shape::concat(inputs, getAxis()), getOutput());
}

//===----------------------------------------------------------------------===//
// Training kernels
//===----------------------------------------------------------------------===//

LogicalResult Col2ImOp::verify() {
  shape::Shape x = shapeOf(getOutput());
  if (x.size() != 4)
    return emitOpError("expected an NCHW output, got ") << memref(getOutput());
  std::optional<int64_t> image;
  if (auto attr = getImageAttr())
    image = attr.getValue().getSExtValue();
  int64_t group = getGroupAttr().getValue().getSExtValue();
  if (getGroups() < 1 || x[1] % getGroups() != 0 || group < 0 ||
      group >= int64_t(getGroups()) || (image && (*image < 0 || *image >= x[0])))
    return emitOpError("expected group in [0, groups), groups dividing ")
           << x[1] << " channels and image in [0, " << x[0] << ")";
  shape::ShapeResult out = shape::pool2d(x, toPair(getKernel()),
                                         toPair(getStride()), toPair(getPad()));
  if (!out.ok())
    return emitOpError(out.error);
  int64_t rows = x[1] / getGroups() * getKernel()[0] * getKernel()[1];
  int64_t cols = (image ? 1 : x[0]) * out.shape[2] * out.shape[3];
  return verifyShape(*this, {{rows, cols}, {}}, getInput());
}

LogicalResult FillOp::verify() { return success(); }

LogicalResult ChannelMajorOp::verify() {
  shape::Shape x = shapeOf(getInput());
  if (x.size() != 4)
    return emitOpError("expected an NCHW input, got ") << memref(getInput());
  return verifyShape(*this, {{x[1], x[0] * x[2] * x[3]}, {}}, getOutput());
}

LogicalResult BiasGradOp::verify() {
  shape::Shape dy = shapeOf(getInput());
  if (dy.size() < 2)
    return emitOpError("expected a gradient of rank 2 or more");
  return verifyShape(*this, {{dy[1]}, {}}, getOutput());
}

LogicalResult ReluGradOp::verify() {
  if (failed(verifySameElements(*this, getGrad(), getForwardOutput())))
    return failure();
  return verifySameElements(*this, getGrad(), getOutput());
}

LogicalResult SoftmaxGradOp::verify() {
  shape::ShapeResult y = shape::softmax(shapeOf(getForwardOutput()));
  if (failed(verifyShape(*this, y, getGrad())))
    return failure();
  return verifyShape(*this, y, getOutput());
}

LogicalResult LrnGradOp::verify() {
  shape::ShapeResult whole = shape::lrn(shapeOf(getForwardInput()), getSize());
  shape::ShapeResult middle = lrnMiddle(getForwardInput(), getSize(), getHalo());
  if (getHalo() && getThroughRelu())
    return emitOpError("expected no through_relu with a halo");
  if (failed(verifyShape(*this, whole, getOutput())) ||
      failed(verifyShape(*this, middle, getGrad())))
    return failure();
  return verifyShape(*this, middle, getForwardOutput());
}

LogicalResult TransferOp::verify() {
  // The accessors are unsigned: read the signed attribute values.
  int64_t source = getSourceAttr().getInt(), target = getTargetAttr().getInt();
  if (source < 0 || target < 0 || source == target)
    return emitOpError("expected two different non-negative devices, got ")
           << source << " and " << target;
  return verifySameElements(*this, getInput(), getOutput());
}

LogicalResult AddSliceOp::verify() {
  shape::Shape base = shapeOf(getBase()), part = shapeOf(getPart());
  int64_t axis = getAxis(), offset = getOffsetAttr().getInt();
  bool ok = base.size() == part.size() && axis >= 0 &&
            axis < int64_t(base.size()) && offset >= 0 &&
            offset + part[axis] <= base[axis];
  for (size_t d = 0; ok && d < base.size(); ++d)
    ok = int64_t(d) == axis || base[d] == part[d];
  if (!ok)
    return emitOpError("expected a part of axis ")
           << axis << " at offset " << offset << " inside "
           << shape::format(base) << ", got " << shape::format(part);
  return success();
}

LogicalResult MaxPoolGradOp::verify() {
  if (failed(verifyShape(*this,
                         shape::pool2d(shapeOf(getForwardInput()),
                                       toPair(getWindow()), toPair(getStride()),
                                       toPair(getPad())),
                         getGrad())))
    return failure();
  return verifySameElements(*this, getForwardInput(), getOutput());
}

LogicalResult AvgPoolGradOp::verify() {
  return verifyShape(*this,
                     shape::pool2d(shapeOf(getOutput()), toPair(getWindow()),
                                   toPair(getStride()), toPair(getPad())),
                     getGrad());
}

LogicalResult MulOp::verify() {
  if (failed(verifySameElements(*this, getLhs(), getOutput())))
    return failure();
  return verifySameElements(*this, getRhs(), getOutput());
}

LogicalResult SgdUpdateOp::verify() {
  if (failed(verifySameElements(*this, getGrad(), getOutput())) ||
      failed(verifySameElements(*this, getVelocity(), getOutput())))
    return failure();
  if (getVelocity() == getOutput())
    return emitOpError("expected the velocity and the parameter in distinct "
                       "buffers");
  double m = getMomentum().convertToDouble();
  double wd = getWeightDecay().convertToDouble();
  if (!(m >= 0.0 && m < 1.0) || !(wd >= 0.0))
    return emitOpError("expected momentum in [0, 1) and weight_decay >= 0, "
                       "got ")
           << m << " and " << wd;
  return success();
}

LogicalResult DropoutMaskOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("expected a rate in [0, 1), got ") << rate;
  if (auto window = getWindow()) {
    shape::Shape out = shapeOf(getOutput());
    if (window->size() != 3 || (*window)[0] < 0 ||
        (*window)[0] >= int64_t(out.size()) || (*window)[1] < 0 ||
        (*window)[1] + out[(*window)[0]] > (*window)[2])
      return emitOpError("expected window = [axis, offset, extent] holding "
                         "the output");
  }
  return success();
}

LogicalResult SliceOp::verify() {
  shape::Shape in = shapeOf(getInput()), out = shapeOf(getOutput());
  int64_t axis = getAxis();
  if (in.size() != out.size() || axis < 0 || axis >= int64_t(in.size()) ||
      getOffset() < 0 || getOffset() + out[axis] > in[axis])
    return emitOpError("expected a slice of axis ")
           << axis << " at offset " << getOffset() << " inside "
           << shape::format(in) << ", got " << shape::format(out);
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  shape::ShapeResult r =
      shape::softmaxCrossEntropy(shapeOf(getLogits()), shapeOf(getLabels()));
  return r.ok() ? success() : emitOpError(r.error);
}

LogicalResult CrossEntropyGradOp::verify() {
  shape::ShapeResult r =
      shape::softmaxCrossEntropy(shapeOf(getLogits()), shapeOf(getLabels()));
  if (!r.ok())
    return emitOpError(r.error);
  return verifyShape(*this, {shapeOf(getLogits()), {}}, getOutput());
}

LogicalResult ConvEpilogueOp::verify() {
  shape::Shape in = shapeOf(getInput()), out = shapeOf(getOutput());
  if (out.size() != 4)
    return emitOpError("expected an NCHW output, got ") << memref(getOutput());
  bool inPlace = getReluOutput() && getReluOutput() == getInput();
  if (getImage() && (*getImage() < 0 || *getImage() >= out[0]))
    return emitOpError("expected an image in [0, ")
           << out[0] << "), got " << *getImage();
  if (getImage() && !inPlace) {
    if (getReluOutput())
      return emitOpError("expected relu_into with an image only in place "
                         "(a one-image scratch epilogue stores only its "
                         "output)");
    if (failed(verifyShape(*this, {{1, out[1], out[2], out[3]}, {}},
                           getInput())))
      return failure();
  } else if (inPlace) {
    if (!hasLrn())
      return emitOpError("expected an LRN when working in place (without "
                         "one the output is the ReLU's)");
    if (in != out)
      return emitOpError("expected the in-place ReLU output of the output's "
                         "shape");
  } else if (failed(verifyShape(*this, {{out[1], out[0] * out[2] * out[3]}, {}},
                                getInput()))) {
    return failure();
  }
  if (getBias() && numElements(getBias()) != out[1])
    return emitOpError("expected a bias of ")
           << out[1] << " elements, got " << numElements(getBias());
  bool lrnAttrs[] = {bool(getLrnSize()), bool(getAlpha()), bool(getBeta()),
                     bool(getK())};
  if (llvm::any_of(lrnAttrs, [&](bool b) { return b != hasLrn(); }))
    return emitOpError("expected lrn_size, alpha, beta and k together");
  if (getReluOutput() && !hasLrn())
    return emitOpError("expected relu_into only with an LRN (without one the "
                       "output is the ReLU's)");
  if (hasLrn() && !getImage() && !getReluOutput())
    return emitOpError("expected relu_into with an LRN on a batch-wide GEMM "
                       "result (it stages the ReLU's output)");
  if (getReluOutput() && shapeOf(getReluOutput()) != out)
    return emitOpError("expected relu_into of the output's shape");
  if (hasLrn())
    return verifyShape(*this, shape::lrn(out, *getLrnSize()), getOutput());
  return success();
}

LogicalResult BiasReluOp::verify() {
  shape::Shape out = shapeOf(getOutput());
  if (out.size() != 2 || numElements(getBias()) != out[1])
    return emitOpError("expected an [N, units] output and a bias of units "
                       "elements, got ")
           << memref(getOutput()) << " and " << memref(getBias());
  return success();
}

#define GET_OP_CLASSES
#include "alexnet/Dialect/Exec/ExecOps.cpp.inc"
