//===- ModelSummary.cpp - Per-layer shapes, parameters and FLOPs ----------===//

#include "alexnet/Analysis/ModelSummary.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/ShapeRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace alexnet;

namespace {

int64_t numElements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

/// A convolution's multiply-adds (x2), for conv2d and the fused convs.
template <typename ConvLike>
int64_t convFlops(ConvLike conv) {
  auto input = cast<RankedTensorType>(conv.getInput().getType());
  auto weight = cast<RankedTensorType>(conv.getWeight().getType());
  return shape::conv2dFlops(
      cast<RankedTensorType>(conv->getResults().back().getType())
          .getShape()
          .vec(),
      input.getDimSize(1), {weight.getDimSize(2), weight.getDimSize(3)},
      conv.getGroups());
}

/// A dense layer's multiply-adds (x2), for dense and dense_relu.
template <typename DenseLike>
int64_t denseFlops(DenseLike dense) {
  auto input = cast<RankedTensorType>(dense.getInput().getType());
  return shape::denseFlops(
      cast<RankedTensorType>(dense.getType()).getShape().vec(),
      input.getDimSize(1));
}

/// size squares and adds, then scale, offset, pow and divide.
int64_t lrnFlops(int64_t elements, int64_t size) {
  return elements * (2 * size + 3);
}

int64_t forwardFlops(Operation *op) {
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([](nn::Conv2DOp conv) { return convFlops(conv); })
      .Case([](nn::DenseOp dense) { return denseFlops(dense); })
      .Case([](nn::LrnOp lrn) {
        return lrnFlops(numElements(lrn.getOutput()), lrn.getSize());
      })
      .Case([](nn::LrnHaloOp lrn) {
        return lrnFlops(numElements(lrn.getOutput()), lrn.getSize());
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

int64_t bytes(Value value) {
  auto tensor = cast<RankedTensorType>(value.getType());
  return tensor.getNumElements() * tensor.getElementTypeBitWidth() / 8;
}

/// A parameter's gradient (or a sum of them): weight-sized, not an
/// activation.
bool isParameterGradient(Value value) {
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<nn::Conv2DBackwardWeightOp, nn::DenseBackwardWeightOp,
                      nn::BiasBackwardOp>(def))
    return true;
  if (auto add = dyn_cast_or_null<nn::AddOp>(def))
    return isParameterGradient(add.getLhs());
  return false;
}

/// A value that is an activation (or its gradient): not a parameter, not a
/// parameter's gradient, not a scalar.
bool isActivation(Value value) {
  auto tensor = dyn_cast<RankedTensorType>(value.getType());
  return tensor && tensor.getRank() > 0 &&
         !value.getDefiningOp<nn::ParamRefOp>() && !isParameterGradient(value);
}

/// Each activation operand read once, each activation result written once.
int64_t readsAndWrites(Operation *op) {
  int64_t total = 0;
  for (Value operand : op->getOperands())
    if (isActivation(operand))
      total += bytes(operand);
  for (Value result : op->getResults())
    if (isActivation(result))
      total += bytes(result);
  return total;
}

/// A row per layer a fused op absorbed: its rule's mnemonic, shapes,
/// parameters and FLOPs as if unfused.
struct Part {
  std::string op;
  int64_t flops = 0, traffic = 0;
  bool head = false;
};

SmallVector<Part> partsOf(Operation *op) {
  int64_t y = bytes(op->getResults().back());
  int64_t elements = numElements(op->getResults().back());
  auto producer = [&](StringRef name, int64_t flops, Value input, bool bias) {
    return Part{name.str(), flops, bytes(input) + y + (bias ? 2 * y : 0), true};
  };
  Part relu{"relu", elements, 2 * y};
  if (auto conv = dyn_cast<nn::Conv2DReluOp>(op))
    return {producer("conv2d", convFlops(conv), conv.getInput(),
                     bool(conv.getBias())),
            relu};
  if (auto conv = dyn_cast<nn::Conv2DReluLrnOp>(op))
    return {producer("conv2d", convFlops(conv), conv.getInput(),
                     bool(conv.getBias())),
            relu, Part{"lrn", lrnFlops(elements, conv.getSize()), 2 * y}};
  if (auto dense = dyn_cast<nn::DenseReluOp>(op))
    return {producer("dense", denseFlops(dense), dense.getInput(), true), relu};
  return {};
}

} // namespace

Traffic alexnet::activationTraffic(Operation *op) {
  // Views and parameter updates move no activations.
  if (isa<nn::ParamRefOp, nn::FlattenOp, nn::ReshapeOp, nn::DropoutOp,
          nn::ParamStoreOp, nn::SgdUpdateOp>(op))
    return {};
  if (isa<nn::Conv2DReluOp, nn::Conv2DReluLrnOp, nn::DenseReluOp>(op)) {
    Traffic t;
    for (const Part &part : partsOf(op))
      t.unfused += part.traffic;
    Value input = op->getOperand(0), result = op->getResults().back();
    t.fused = bytes(input) + 3 * bytes(result);
    if (auto lrn = dyn_cast<nn::Conv2DReluLrnOp>(op);
        lrn && !lrn.getReluOutput().use_empty())
      t.fused += bytes(lrn.getReluOutput());
    return t;
  }
  // Copies of a range: what they read is what they write.
  if (isa<nn::SliceOp, nn::TransferOp>(op))
    return {2 * bytes(op->getResult(0)), 2 * bytes(op->getResult(0))};
  if (auto add = dyn_cast<nn::AddSliceOp>(op)) // in place on the range
    return {3 * bytes(add.getPart()), 3 * bytes(add.getPart())};
  int64_t generic = readsAndWrites(op);
  bool biasPass = (isa<nn::Conv2DOp>(op) && cast<nn::Conv2DOp>(op).getBias()) ||
                  (isa<nn::DenseOp>(op) && cast<nn::DenseOp>(op).getBias());
  if (biasPass)
    generic += 2 * bytes(op->getResult(0));
  // The relu_backward folded in read dy and the mask and wrote dx.
  int64_t folded = nn::passesThroughRelu(op) ? 3 * bytes(op->getResult(0)) : 0;
  return {generic + folded, generic};
}

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
    if (!param.getOptimizerState())
      summary.totalParameters += param.getTensorType().getNumElements();

  inference.walk([&](Operation *op) {
    if (op->getDialect() != op->getContext()->getLoadedDialect<nn::NNDialect>() ||
        isa<nn::ParamRefOp>(op))
      return;
    Traffic traffic = activationTraffic(op);
    summary.forwardTraffic.unfused += traffic.unfused;
    summary.forwardTraffic.fused += traffic.fused;
    auto type = cast<RankedTensorType>(op->getResults().back().getType());
    int64_t parameters = 0;
    for (Value operand : op->getOperands())
      if (isa_and_nonnull<nn::ParamRefOp>(operand.getDefiningOp()))
        parameters += numElements(operand);

    SmallVector<Part> parts = partsOf(op);
    if (parts.empty())
      parts.push_back(Part{op->getName().stripDialect().str(), forwardFlops(op),
                           traffic.unfused, true});
    SmallVector<StringRef> layers = nn::fusedLayerNames(op->getLoc());
    std::optional<int64_t> device = nn::deviceOf(op);
    std::string head;
    for (auto [i, part] : llvm::enumerate(parts)) {
      LayerSummary row;
      row.name = i < layers.size() ? layers[i].str() : part.op;
      row.op = part.op;
      row.shape.assign(type.getShape().begin(), type.getShape().end());
      row.flops = part.flops;
      row.traffic = part.traffic;
      row.device = device.value_or(-1);
      if (part.head) {
        head = row.name;
        row.parameters = parameters;
        row.fusedTraffic = traffic.fused;
        if (parts.size() > 1)
          row.fusion = op->getName().stripDialect().str();
      } else {
        row.fusedInto = head;
      }
      summary.totalFlops += row.flops;
      summary.layers.push_back(std::move(row));
    }
  });
  auto transferBytes = [](func::FuncOp func) {
    int64_t total = 0;
    func.walk([&](nn::TransferOp transfer) { total += bytes(transfer); });
    return total;
  };
  if (auto trainStep = module.lookupSymbol<func::FuncOp>("train_step")) {
    Traffic total;
    trainStep.walk([&](Operation *op) {
      Traffic t = activationTraffic(op);
      total.unfused += t.unfused;
      total.fused += t.fused;
    });
    summary.trainTraffic = total;
    summary.trainTransferBytes = transferBytes(trainStep);
  }
  if (auto devices =
          module->getAttrOfType<IntegerAttr>(nn::NNDialect::kDevicesAttrName)) {
    summary.devices = devices.getInt();
    summary.deviceParameters.assign(summary.devices, 0);
    for (const LayerSummary &layer : summary.layers)
      if (layer.device >= 0 && layer.device < summary.devices)
        summary.deviceParameters[layer.device] += layer.parameters;
    summary.forwardTransferBytes = transferBytes(inference);
  }
  return summary;
}

void alexnet::printModelSummary(const ModelSummary &summary,
                                llvm::raw_ostream &os) {
  auto megabytes = [](int64_t value) {
    return llvm::formatv("{0:f2} MB", double(value) / 1e6).str();
  };
  // A device column only for a partitioned model.
  bool partitioned = summary.devices > 1;
  auto row = [&](StringRef name, StringRef op, StringRef shape,
                 StringRef parameters, StringRef flops, StringRef traffic,
                 StringRef fused, StringRef note, StringRef device = "") {
    std::string line;
    llvm::raw_string_ostream text(line);
    if (partitioned)
      text << llvm::left_justify(device, 6) << ' ';
    text << llvm::left_justify(name, 12) << ' ' << llvm::left_justify(op, 22)
         << ' ' << llvm::left_justify(shape, 14) << ' '
         << llvm::right_justify(parameters, 14) << ' '
         << llvm::right_justify(flops, 18) << ' '
         << llvm::right_justify(traffic, 11) << ' '
         << llvm::right_justify(fused, 11) << "  " << note;
    os << StringRef(line).rtrim() << '\n';
  };
  os << "model " << summary.model << ", batch " << summary.batch
     << " (output shapes per image: HxWxC for feature maps; traffic: bytes of "
        "activations read and written per batch, unfused and fused)\n";
  row("layer", "op", "output", "parameters", "forward FLOPs", "traffic",
      "fused", "", "device");
  for (const LayerSummary &layer : summary.layers) {
    std::string note = !layer.fusion.empty() ? "-> " + layer.fusion
                       : !layer.fusedInto.empty() ? "(in " + layer.fusedInto + ")"
                                                  : "";
    row(layer.name, layer.op, paperShape(layer.shape),
        withCommas(layer.parameters), withCommas(layer.flops),
        megabytes(layer.traffic),
        layer.fusedInto.empty() ? megabytes(layer.fusedTraffic) : "-", note,
        layer.device >= 0 ? std::to_string(layer.device) : "");
  }
  row("total", "", "", withCommas(summary.totalParameters),
      withCommas(summary.totalFlops), megabytes(summary.forwardTraffic.unfused),
      megabytes(summary.forwardTraffic.fused), "");
  os << llvm::format("forward: %.3f GFLOP per image\n",
                     summary.totalFlops / 1e9 / summary.batch);
  auto perImage = [&](StringRef what, const Traffic &traffic) {
    int64_t unfused = traffic.unfused / summary.batch;
    int64_t fused = traffic.fused / summary.batch;
    os << "activation traffic per image (" << what << "): "
       << withCommas(unfused) << " bytes unfused, " << withCommas(fused)
       << " bytes fused (saves " << withCommas(unfused - fused) << " bytes, "
       << llvm::format("%.1f%%", unfused ? 100.0 * (unfused - fused) / unfused
                                         : 0.0)
       << ")\n";
  };
  perImage("forward", summary.forwardTraffic);
  if (summary.trainTraffic)
    perImage("train step", *summary.trainTraffic);
  if (!partitioned)
    return;
  os << summary.devices << " devices; parameters per device:";
  for (auto [d, count] : llvm::enumerate(summary.deviceParameters))
    os << (d ? ", " : " ") << d << ": " << withCommas(count)
       << llvm::format(" (%.1f%%)", summary.totalParameters
                                        ? 100.0 * count / summary.totalParameters
                                        : 0.0);
  os << "\ntransfers per batch: " << withCommas(summary.forwardTransferBytes)
     << " bytes forward";
  if (summary.trainTransferBytes)
    os << ", " << withCommas(*summary.trainTransferBytes)
       << " bytes per train step";
  os << "\n";
}
