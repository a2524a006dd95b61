//===- ModelSummary.cpp - Per-layer shapes, parameters and FLOPs ----------===//

#include "alexnet/Analysis/ModelSummary.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace alexnet;

namespace {

int64_t numElements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

int64_t forwardFlops(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([](nn::Conv2DOp conv) {
        auto input = cast<RankedTensorType>(conv.getInput().getType());
        auto weight = cast<RankedTensorType>(conv.getWeight().getType());
        return shape::conv2dFlops(
            cast<RankedTensorType>(conv.getType()).getShape().vec(),
            input.getDimSize(1), {weight.getDimSize(2), weight.getDimSize(3)},
            conv.getGroups());
      })
      .Case([](nn::DenseOp dense) {
        auto input = cast<RankedTensorType>(dense.getInput().getType());
        return shape::denseFlops(
            cast<RankedTensorType>(dense.getType()).getShape().vec(),
            input.getDimSize(1));
      })
      .Case([](nn::LrnOp lrn) {
        // size squares and adds, then scale, offset, pow and divide.
        return numElements(lrn.getOutput()) * (2 * lrn.getSize() + 3);
      })
      .Case<nn::MaxPoolOp, nn::AvgPoolOp>([](auto pool) {
        return numElements(pool.getOutput()) * pool.getWindow()[0] *
               pool.getWindow()[1];
      })
      .Case([](nn::SoftmaxOp softmax) {
        return 4 * numElements(softmax.getOutput()); // max, sub+exp, sum, div
      })
      .Case<nn::ReluOp, nn::AddOp>(
          [](Operation *op) { return numElements(op->getResult(0)); })
      .Default([](Operation *) { return int64_t(0); });
}

std::string withCommas(int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

/// Per-image shape as the paper writes it: HxWxC for feature maps.
std::string paperShape(const std::vector<int64_t> &shape) {
  if (shape.size() == 4)
    return shape::format({shape[2], shape[3], shape[1]});
  return shape::format(std::vector<int64_t>(shape.begin() + 1, shape.end()));
}

} // namespace

FailureOr<ModelSummary> alexnet::summarizeModel(ModuleOp module) {
  auto inference = module.lookupSymbol<func::FuncOp>("inference");
  if (!inference)
    return module.emitError("expected a func.func @inference to summarise");

  ModelSummary summary;
  if (auto name = module->getAttrOfType<StringAttr>(nn::NNDialect::kModelAttrName))
    summary.model = name.str();
  if (auto batch = module->getAttrOfType<IntegerAttr>(nn::NNDialect::kBatchAttrName))
    summary.batch = batch.getInt();
  for (auto param : module.getOps<nn::ParameterOp>())
    summary.totalParameters += param.getTensorType().getNumElements();

  inference.walk([&](Operation *op) {
    if (op->getDialect() != op->getContext()->getLoadedDialect<nn::NNDialect>() ||
        isa<nn::ParamRefOp>(op))
      return;
    LayerSummary row;
    row.name = nn::layerName(op->getLoc(), op->getName().stripDialect()).str();
    row.op = op->getName().stripDialect().str();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    row.shape.assign(type.getShape().begin(), type.getShape().end());
    for (Value operand : op->getOperands())
      if (isa_and_nonnull<nn::ParamRefOp>(operand.getDefiningOp()))
        row.parameters += numElements(operand);
    row.flops = forwardFlops(op);
    summary.totalFlops += row.flops;
    summary.layers.push_back(std::move(row));
  });
  return summary;
}

void alexnet::printModelSummary(const ModelSummary &summary,
                                llvm::raw_ostream &os) {
  auto row = [&](StringRef name, StringRef op, StringRef shape,
                 StringRef parameters, StringRef flops) {
    os << llvm::left_justify(name, 12) << ' ' << llvm::left_justify(op, 22)
       << ' ' << llvm::left_justify(shape, 14) << ' '
       << llvm::right_justify(parameters, 14) << ' '
       << llvm::right_justify(flops, 18) << '\n';
  };
  os << "model " << summary.model << ", batch " << summary.batch
     << " (output shapes per image: HxWxC for feature maps)\n";
  row("layer", "op", "output", "parameters", "forward FLOPs");
  for (const LayerSummary &layer : summary.layers)
    row(layer.name, layer.op, paperShape(layer.shape),
        withCommas(layer.parameters), withCommas(layer.flops));
  row("total", "", "", withCommas(summary.totalParameters),
      withCommas(summary.totalFlops));
  os << llvm::format("forward: %.3f GFLOP per image\n",
                     summary.totalFlops / 1e9 / summary.batch);
}
