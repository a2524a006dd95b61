//===- NNOps.cpp - nn dialect ops -----------------------------------------===//
//
// Verifiers delegate every shape rule to ShapeRules.h, the same rules the DSL
// front end applies, then compare the declared result type with the computed
// one.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace alexnet;
using namespace alexnet::nn;

namespace {

shape::Shape toShape(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return shape::Shape(tensor.getShape().begin(), tensor.getShape().end());
}

shape::Pair toPair(ArrayRef<int64_t> values) {
  return {values[0], values[1]};
}

/// Checks every operand tensor has a valid static shape, so the shape rules
/// never see dynamic (-1) or absurd dimensions.
LogicalResult verifyStaticOperands(Operation *op) {
  for (Value operand : op->getOperands()) {
    auto tensor = cast<RankedTensorType>(operand.getType());
    if (!tensor.hasStaticShape())
      return op->emitOpError("expected static shapes, got ") << tensor;
    std::string error = shape::checkShape(toShape(tensor), "operand");
    if (!error.empty())
      return op->emitOpError(error);
  }
  return success();
}

/// Turns a shape rule's outcome into a diagnostic, or compares the computed
/// shape against the op's result type.
LogicalResult checkResult(Operation *op, const shape::ShapeResult &expected,
                          Type resultType) {
  if (!expected.ok())
    return op->emitOpError(expected.error);
  auto result = cast<RankedTensorType>(resultType);
  if (toShape(result) != expected.shape)
    return op->emitOpError("expected result shape ")
           << shape::format(expected.shape) << ", got "
           << shape::format(toShape(result));
  return success();
}

/// conv2d and dense share the parameter checks: weight and bias must agree
/// with the number of output channels / units.
LogicalResult verifyBias(Operation *op, Value bias, int64_t outputs) {
  if (!bias)
    return success();
  auto shape = toShape(bias.getType());
  if (shape[0] != outputs)
    return op->emitOpError("expected a bias of shape ")
           << outputs << ", got " << shape::format(shape);
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Result names
//===----------------------------------------------------------------------===//

StringRef alexnet::nn::layerName(Location loc, StringRef fallback) {
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName().getValue();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (auto named = dyn_cast<NameLoc>(part))
        return named.getName().getValue();
  return fallback;
}

bool alexnet::nn::passesThroughRelu(Operation *op) {
  if (auto lrn = dyn_cast<LrnBackwardOp>(op))
    return lrn.getThroughRelu();
  if (auto pool = dyn_cast<MaxPoolBackwardOp>(op))
    return pool.getThroughRelu();
  return false;
}

std::optional<int64_t> alexnet::nn::deviceOf(Operation *op) {
  if (auto device = op->getAttrOfType<IntegerAttr>(NNDialect::kDeviceAttrName))
    return device.getInt();
  return std::nullopt;
}

void alexnet::nn::setDevice(Operation *op, int64_t device) {
  op->setAttr(NNDialect::kDeviceAttrName,
              IntegerAttr::get(IntegerType::get(op->getContext(), 64), device));
}

SmallVector<StringRef> alexnet::nn::fusedLayerNames(Location loc) {
  SmallVector<StringRef> names;
  if (auto named = dyn_cast<NameLoc>(loc))
    names.push_back(named.getName().getValue());
  else if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location part : fused.getLocations())
      if (auto named = dyn_cast<NameLoc>(part))
        names.push_back(named.getName().getValue());
  return names;
}

/// Names the result after the layer recorded in the op's NameLoc.
static void nameAfterLayer(Operation *op, OpAsmSetValueNameFn setNameFn) {
  StringRef name = layerName(op->getLoc(), {});
  if (op->getNumResults() == 1 && !name.empty())
    setNameFn(op->getResult(0), name);
}

#define NN_NAME_RESULTS_AFTER_LAYER(OP)                                        \
  void OP::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {                  \
    nameAfterLayer(*this, setNameFn);                                          \
  }
NN_NAME_RESULTS_AFTER_LAYER(ParameterOp)
NN_NAME_RESULTS_AFTER_LAYER(Conv2DOp)
NN_NAME_RESULTS_AFTER_LAYER(ReluOp)
NN_NAME_RESULTS_AFTER_LAYER(LrnOp)
NN_NAME_RESULTS_AFTER_LAYER(MaxPoolOp)
NN_NAME_RESULTS_AFTER_LAYER(AvgPoolOp)
NN_NAME_RESULTS_AFTER_LAYER(DenseOp)
NN_NAME_RESULTS_AFTER_LAYER(DropoutOp)
NN_NAME_RESULTS_AFTER_LAYER(FlattenOp)
NN_NAME_RESULTS_AFTER_LAYER(ConcatOp)
NN_NAME_RESULTS_AFTER_LAYER(AddOp)
NN_NAME_RESULTS_AFTER_LAYER(SoftmaxOp)
NN_NAME_RESULTS_AFTER_LAYER(SoftmaxCrossEntropyOp)
NN_NAME_RESULTS_AFTER_LAYER(Conv2DBackwardInputOp)
NN_NAME_RESULTS_AFTER_LAYER(Conv2DBackwardWeightOp)
NN_NAME_RESULTS_AFTER_LAYER(BiasBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(DenseBackwardInputOp)
NN_NAME_RESULTS_AFTER_LAYER(DenseBackwardWeightOp)
NN_NAME_RESULTS_AFTER_LAYER(ReluBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(SoftmaxBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(LrnBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(MaxPoolBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(AvgPoolBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(DropoutMaskOp)
NN_NAME_RESULTS_AFTER_LAYER(MulOp)
NN_NAME_RESULTS_AFTER_LAYER(ReshapeOp)
NN_NAME_RESULTS_AFTER_LAYER(SliceOp)
NN_NAME_RESULTS_AFTER_LAYER(SoftmaxCrossEntropyBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(ZerosOp)
NN_NAME_RESULTS_AFTER_LAYER(SgdUpdateOp)
NN_NAME_RESULTS_AFTER_LAYER(ParamStoreOp)
NN_NAME_RESULTS_AFTER_LAYER(TransferOp)
NN_NAME_RESULTS_AFTER_LAYER(LrnHaloOp)
NN_NAME_RESULTS_AFTER_LAYER(LrnHaloBackwardOp)
NN_NAME_RESULTS_AFTER_LAYER(AddSliceOp)
#undef NN_NAME_RESULTS_AFTER_LAYER

/// A fused op's value is the last layer it absorbed (%relu3 for
/// conv3 + relu3); conv2d_relu_lrn has two: the relu's and the lrn's.
void Conv2DReluOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  SmallVector<StringRef> layers = fusedLayerNames(getLoc());
  if (!layers.empty())
    setNameFn(getResult(), layers.back());
}
void DenseReluOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  SmallVector<StringRef> layers = fusedLayerNames(getLoc());
  if (!layers.empty())
    setNameFn(getResult(), layers.back());
}
void Conv2DReluLrnOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  SmallVector<StringRef> layers = fusedLayerNames(getLoc());
  if (layers.size() == 3) {
    setNameFn(getReluOutput(), layers[1]);
    setNameFn(getOutput(), layers[2]);
  }
}

/// A parameter's value is named after the parameter: %conv1.weight.
void ParamRefOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), getName());
}

//===----------------------------------------------------------------------===//
// ParamRefOp
//===----------------------------------------------------------------------===//

/// A param_ref/param_store type: the parameter's, or with `rowOffset` a
/// range of its rows.
static LogicalResult verifyShardOf(Operation *op, ParameterOp param,
                                   std::optional<uint64_t> rowOffset,
                                   Type type) {
  if (!rowOffset) {
    if (param.getType() != type)
      return op->emitOpError("expected type ")
             << param.getType() << " of parameter '" << param.getSymName()
             << "', got " << type;
    return success();
  }
  shape::Shape whole = toShape(param.getType()), shard = toShape(type);
  int64_t offset = int64_t(*rowOffset);
  bool fits = whole.size() == shard.size() && offset >= 0 &&
              offset + shard[0] <= whole[0] &&
              std::equal(whole.begin() + 1, whole.end(), shard.begin() + 1);
  if (!fits)
    return op->emitOpError("expected rows [")
           << offset << ", " << offset + (shard.empty() ? 0 : shard[0])
           << ") of parameter '" << param.getSymName() << "' "
           << shape::format(whole) << ", got " << shape::format(shard);
  return success();
}

LogicalResult
ParamRefOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!param)
    return emitOpError("expected '")
           << getName() << "' to name an nn.parameter, got no such symbol";
  return verifyShardOf(*this, param, getRowOffset(), getType());
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

/// conv2d's rules, shared with the fused convolutions.
static LogicalResult verifyConv2D(Operation *op, Value inputValue,
                                  Value weightValue, Value bias,
                                  ArrayRef<int64_t> stride,
                                  ArrayRef<int64_t> pad, int64_t groups,
                                  Type resultType) {
  if (failed(verifyStaticOperands(op)))
    return failure();
  shape::Shape input = toShape(inputValue.getType());
  shape::Shape weight = toShape(weightValue.getType());
  int64_t filters = weight[0];
  shape::Pair kernel = {weight[2], weight[3]};
  shape::ShapeResult result = shape::conv2d(input, filters, kernel,
                                            toPair(stride), toPair(pad), groups);
  if (!result.ok())
    return op->emitOpError(result.error);
  shape::Shape expectedWeight =
      shape::conv2dWeight(input[1], filters, kernel, groups);
  if (weight != expectedWeight)
    return op->emitOpError("expected a weight of shape ")
           << shape::format(expectedWeight) << " ([filters, C/groups, kh, kw]), got "
           << shape::format(weight);
  if (failed(verifyBias(op, bias, filters)))
    return failure();
  return checkResult(op, result, resultType);
}

LogicalResult Conv2DOp::verify() {
  return verifyConv2D(*this, getInput(), getWeight(), getBias(), getStride(),
                      getPad(), getGroups(), getType());
}

//===----------------------------------------------------------------------===//
// LrnOp
//===----------------------------------------------------------------------===//

/// lrn's rules, shared with conv2d_relu_lrn.
static LogicalResult verifyLrn(Operation *op, Type inputType, int64_t size,
                               APFloat alphaValue, APFloat betaValue,
                               APFloat kValue, Type resultType) {
  double alpha = alphaValue.convertToDouble();
  double beta = betaValue.convertToDouble();
  double k = kValue.convertToDouble();
  if (!std::isfinite(alpha) || alpha < 0)
    return op->emitOpError("expected a finite non-negative alpha, got ") << alpha;
  if (!std::isfinite(beta) || beta < 0)
    return op->emitOpError("expected a finite non-negative beta, got ") << beta;
  if (!std::isfinite(k) || k <= 0)
    return op->emitOpError("expected a finite positive k, got ") << k;
  return checkResult(op, shape::lrn(toShape(inputType), size), resultType);
}

LogicalResult LrnOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  return verifyLrn(*this, getInput().getType(), getSize(), getAlpha(),
                   getBeta(), getK(), getType());
}

//===----------------------------------------------------------------------===//
// MaxPoolOp / AvgPoolOp
//===----------------------------------------------------------------------===//

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  if (failed(verifyStaticOperands(op)))
    return failure();
  return checkResult(op,
                     shape::pool2d(toShape(op.getInput().getType()),
                                   toPair(op.getWindow()),
                                   toPair(op.getStride()), toPair(op.getPad())),
                     op.getType());
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

//===----------------------------------------------------------------------===//
// DenseOp
//===----------------------------------------------------------------------===//

/// dense's rules, shared with dense_relu.
static LogicalResult verifyDense(Operation *op, Value inputValue,
                                 Value weightValue, Value bias,
                                 Type resultType) {
  if (failed(verifyStaticOperands(op)))
    return failure();
  shape::Shape input = toShape(inputValue.getType());
  shape::Shape weight = toShape(weightValue.getType());
  if (weight[1] != input[1])
    return op->emitOpError("expected a weight of shape ")
           << weight[0] << "x" << input[1] << " ([units, in]), got "
           << shape::format(weight);
  if (failed(verifyBias(op, bias, weight[0])))
    return failure();
  return checkResult(op, shape::dense(input, weight[0]), resultType);
}

LogicalResult DenseOp::verify() {
  return verifyDense(*this, getInput(), getWeight(), getBias(), getType());
}

//===----------------------------------------------------------------------===//
// DropoutOp, FlattenOp, ConcatOp
//===----------------------------------------------------------------------===//

/// A dropout piece's `window = [axis, offset, extent]` in the whole mask.
static LogicalResult verifyMaskWindow(Operation *op,
                                      std::optional<ArrayRef<int64_t>> window,
                                      Type type) {
  if (!window)
    return success();
  shape::Shape shape = toShape(type);
  if (window->size() != 3)
    return op->emitOpError("expected window = [axis, offset, extent]");
  int64_t axis = (*window)[0], offset = (*window)[1], extent = (*window)[2];
  if (axis < 0 || axis >= int64_t(shape.size()) || offset < 0 ||
      offset + shape[axis] > extent)
    return op->emitOpError("expected the window's range [")
           << offset << ", " << offset + (axis >= 0 && axis < int64_t(shape.size()) ? shape[axis] : 0)
           << ") of axis " << axis << " inside [0, " << extent << ")";
  return success();
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("expected a rate in [0, 1), got ") << rate;
  if (getStream() && int64_t(*getStream()) < 0)
    return emitOpError("expected a non-negative stream");
  return verifyMaskWindow(*this, getWindow(), getType());
}

LogicalResult FlattenOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  return checkResult(*this, shape::flatten(toShape(getInput().getType())),
                     getType());
}

LogicalResult ConcatOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  std::vector<shape::Shape> inputs;
  for (Value input : getInputs())
    inputs.push_back(toShape(input.getType()));
  return checkResult(*this, shape::concat(inputs, getAxis()), getType());
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropyOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxCrossEntropyOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  shape::ShapeResult result = shape::softmaxCrossEntropy(
      toShape(getLogits().getType()), toShape(getLabels().getType()));
  if (!result.ok())
    return emitOpError(result.error);
  return success();
}

//===----------------------------------------------------------------------===//
// Gradient ops: each checks its shapes against the forward op's rule
//===----------------------------------------------------------------------===//

/// The forward conv2d that `input` (NCHW), `weight` and `output` describe
/// must be valid and produce exactly `output`'s shape.
static LogicalResult verifyConvShapes(Operation *op, const shape::Shape &input,
                                      const shape::Shape &weight,
                                      const shape::Shape &output,
                                      ArrayRef<int64_t> stride,
                                      ArrayRef<int64_t> pad, int64_t groups) {
  shape::ShapeResult forward = shape::conv2d(
      input, weight[0], {weight[2], weight[3]}, toPair(stride), toPair(pad),
      groups);
  if (!forward.ok())
    return op->emitOpError(forward.error);
  shape::Shape expectedWeight =
      shape::conv2dWeight(input[1], weight[0], {weight[2], weight[3]}, groups);
  if (weight != expectedWeight)
    return op->emitOpError("expected a weight of shape ")
           << shape::format(expectedWeight) << ", got " << shape::format(weight);
  if (forward.shape != output)
    return op->emitOpError("expected an output gradient of shape ")
           << shape::format(forward.shape) << ", got " << shape::format(output);
  return success();
}

LogicalResult Conv2DBackwardInputOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  return verifyConvShapes(*this, toShape(getType()), toShape(getWeight().getType()),
                          toShape(getGrad().getType()), getStride(), getPad(),
                          getGroups());
}

LogicalResult Conv2DBackwardWeightOp::verify() {
  if (failed(verifyStaticOperands(*this)))
    return failure();
  return verifyConvShapes(*this, toShape(getInput().getType()), toShape(getType()),
                          toShape(getGrad().getType()), getStride(), getPad(),
                          getGroups());
}

LogicalResult BiasBackwardOp::verify() {
  shape::Shape grad = toShape(getGrad().getType());
  if (grad.size() < 2)
    return emitOpError("expected a gradient of rank 2 or more, got rank ")
           << grad.size();
  return checkResult(*this, {{grad[1]}, {}}, getType());
}

LogicalResult DenseBackwardInputOp::verify() {
  shape::Shape grad = toShape(getGrad().getType());
  shape::Shape weight = toShape(getWeight().getType());
  if (weight[0] != grad[1])
    return emitOpError("expected a weight with ")
           << grad[1] << " rows, got " << shape::format(weight);
  return checkResult(*this, {{grad[0], weight[1]}, {}}, getType());
}

LogicalResult DenseBackwardWeightOp::verify() {
  shape::Shape input = toShape(getInput().getType());
  shape::Shape grad = toShape(getGrad().getType());
  if (input[0] != grad[0])
    return emitOpError("expected input and gradient with the same batch, got ")
           << shape::format(input) << " and " << shape::format(grad);
  return checkResult(*this, {{grad[1], input[1]}, {}}, getType());
}

template <typename PoolOp>
static LogicalResult verifyPoolBackward(PoolOp op, Type inputType) {
  if (failed(verifyStaticOperands(op)))
    return failure();
  shape::ShapeResult forward =
      shape::pool2d(toShape(inputType), toPair(op.getWindow()),
                    toPair(op.getStride()), toPair(op.getPad()));
  if (!forward.ok())
    return op.emitOpError(forward.error);
  shape::Shape grad = toShape(op.getGrad().getType());
  if (forward.shape != grad)
    return op.emitOpError("expected an output gradient of shape ")
           << shape::format(forward.shape) << ", got " << shape::format(grad);
  return success();
}

LogicalResult MaxPoolBackwardOp::verify() {
  return verifyPoolBackward(*this, getInput().getType());
}

LogicalResult AvgPoolBackwardOp::verify() {
  return verifyPoolBackward(*this, getType());
}

LogicalResult DropoutMaskOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("expected a rate in [0, 1), got ") << rate;
  if (getStream() < 0)
    return emitOpError("expected a non-negative stream, got ") << getStream();
  return verifyMaskWindow(*this, getWindow(), getType());
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("expected the same number of elements, got ")
           << in.getNumElements() << " and " << out.getNumElements();
  return success();
}

LogicalResult SliceOp::verify() {
  shape::Shape in = toShape(getInput().getType());
  shape::Shape out = toShape(getType());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= int64_t(in.size()) || in.size() != out.size())
    return emitOpError("expected an axis in [0, ")
           << in.size() << ") and results of the input's rank, got axis " << axis;
  for (size_t d = 0; d < in.size(); ++d)
    if (int64_t(d) != axis && in[d] != out[d])
      return emitOpError("expected shapes equal except along axis ")
             << axis << ", got " << shape::format(in) << " and "
             << shape::format(out);
  if (getOffset() < 0 || getOffset() + out[axis] > in[axis])
    return emitOpError("expected the slice [")
           << getOffset() << ", " << getOffset() + out[axis]
           << ") inside [0, " << in[axis] << ")";
  return success();
}

LogicalResult SoftmaxCrossEntropyBackwardOp::verify() {
  shape::ShapeResult result = shape::softmaxCrossEntropy(
      toShape(getLogits().getType()), toShape(getLabels().getType()));
  if (!result.ok())
    return emitOpError(result.error);
  return checkResult(*this, {toShape(getLogits().getType()), {}}, getType());
}

LogicalResult
ParamStoreOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  auto param =
      symbolTable.lookupNearestSymbolFrom<ParameterOp>(*this, getNameAttr());
  if (!param)
    return emitOpError("expected '")
           << getName() << "' to name an nn.parameter, got no such symbol";
  return verifyShardOf(*this, param, getRowOffset(), getValue().getType());
}

//===----------------------------------------------------------------------===//
// Partitioning ops
//===----------------------------------------------------------------------===//

LogicalResult TransferOp::verify() {
  // The accessors are unsigned: read the signed attribute values.
  int64_t source = getSourceAttr().getInt(), target = getTargetAttr().getInt();
  if (source < 0 || target < 0 || source == target)
    return emitOpError("expected two different non-negative devices, got ")
           << source << " and " << target;
  return success();
}

/// The shape of nn.lrn_halo's result: the input less its halo channels.
static LogicalResult verifyHalo(Operation *op, Type input, ArrayRef<int64_t> halo,
                                Type middle) {
  shape::Shape in = toShape(input), out = toShape(middle);
  if (halo[0] < 0 || halo[1] < 0 || in[1] - halo[0] - halo[1] < 1)
    return op->emitOpError("expected a halo of non-negative sizes leaving at "
                           "least one channel, got [")
           << halo[0] << ", " << halo[1] << "] of " << in[1] << " channels";
  shape::Shape expected = in;
  expected[1] -= halo[0] + halo[1];
  if (out != expected)
    return op->emitOpError("expected the middle channels to have shape ")
           << shape::format(expected) << ", got " << shape::format(out);
  return success();
}

LogicalResult LrnHaloOp::verify() {
  if (failed(verifyLrn(*this, getInput().getType(), getSize(), getAlpha(),
                       getBeta(), getK(), getInput().getType())))
    return failure();
  return verifyHalo(*this, getInput().getType(), getHalo(), getType());
}

LogicalResult LrnHaloBackwardOp::verify() {
  if (getInput().getType() != getType() ||
      getGrad().getType() != getOutput().getType())
    return emitOpError("expected the result typed like the input and the "
                       "gradient like the output");
  return verifyHalo(*this, getInput().getType(), getHalo(), getGrad().getType());
}

LogicalResult AddSliceOp::verify() {
  shape::Shape base = toShape(getBase().getType());
  shape::Shape part = toShape(getPart().getType());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= int64_t(base.size()) || base.size() != part.size())
    return emitOpError("expected an axis in [0, ")
           << base.size() << ") and a part of the base's rank, got axis " << axis;
  for (size_t d = 0; d < base.size(); ++d)
    if (int64_t(d) != axis && base[d] != part[d])
      return emitOpError("expected shapes equal except along axis ")
             << axis << ", got " << shape::format(base) << " and "
             << shape::format(part);
  int64_t offset = getOffsetAttr().getInt();
  if (offset < 0 || offset + part[axis] > base[axis])
    return emitOpError("expected the range [")
           << offset << ", " << offset + part[axis] << ") inside [0, "
           << base[axis] << ")";
  return success();
}


//===----------------------------------------------------------------------===//
// Fused ops: the rules of the ops they replace
//===----------------------------------------------------------------------===//

LogicalResult Conv2DReluOp::verify() {
  return verifyConv2D(*this, getInput(), getWeight(), getBias(), getStride(),
                      getPad(), getGroups(), getType());
}

LogicalResult Conv2DReluLrnOp::verify() {
  if (failed(verifyConv2D(*this, getInput(), getWeight(), getBias(),
                          getStride(), getPad(), getGroups(),
                          getReluOutput().getType())))
    return failure();
  return verifyLrn(*this, getReluOutput().getType(), getSize(), getAlpha(),
                   getBeta(), getK(), getOutput().getType());
}

LogicalResult DenseReluOp::verify() {
  return verifyDense(*this, getInput(), getWeight(), getBias(), getType());
}

#define GET_OP_CLASSES
#include "alexnet/Dialect/NN/NNOps.cpp.inc"
