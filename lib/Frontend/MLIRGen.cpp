//===- MLIRGen.cpp - Checked graph to the nn dialect ----------------------===//

#include "alexnet/Frontend/MLIRGen.h"
#include "alexnet/Dialect/NN/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace alexnet;
using namespace alexnet::frontend;

namespace {

class ModuleBuilder {
public:
  ModuleBuilder(MLIRContext &context, const Graph &graph)
      : graph(graph), builder(&context) {}

  OwningOpRef<ModuleOp> build() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc(graph.loc));
    module->getOperation()->setAttr(nn::NNDialect::kModelAttrName,
                                    builder.getStringAttr(graph.modelName));
    module->getOperation()->setAttr(nn::NNDialect::kBatchAttrName,
                                    builder.getI64IntegerAttr(graph.batch));
    if (graph.train)
      module->getOperation()->setAttr(nn::NNDialect::kTrainAttrName,
                                      trainAttr(*graph.train));
    builder.setInsertionPointToEnd(module->getBody());
    for (const Layer &layer : graph.layers)
      declareParameters(layer);
    if (const Layer *output = graph.outputLayer())
      buildFunction("inference", *output);
    if (const Layer *loss = graph.lossLayer())
      buildFunction("loss", *loss);
    return module;
  }

private:
  Location loc(const SourceRange &range, StringRef name = {}) {
    Location file = FileLineColLoc::get(builder.getStringAttr(graph.fileName),
                                        range.line, range.column);
    return name.empty() ? file : NameLoc::get(builder.getStringAttr(name), file);
  }

  RankedTensorType tensorType(const Shape &shape, DType dtype) {
    Type element = dtype == DType::F32 ? Type(builder.getF32Type())
                                       : Type(builder.getI32Type());
    return RankedTensorType::get(shape, element);
  }

  nn::InitAttr initAttr(const Init &init) {
    StringRef kind = init.kind == Init::Kind::Normal    ? "normal"
                     : init.kind == Init::Kind::Uniform ? "uniform"
                                                        : "constant";
    return nn::InitAttr::get(builder.getContext(), kind, init.a, init.b);
  }

  DictionaryAttr trainAttr(const TrainConfig &train) {
    NamedAttrList attrs;
    attrs.append("optimizer", builder.getStringAttr(train.optimizer));
    attrs.append("lr", builder.getF64FloatAttr(train.learningRate));
    attrs.append("momentum", builder.getF64FloatAttr(train.momentum));
    attrs.append("weight_decay", builder.getF64FloatAttr(train.weightDecay));
    attrs.append("schedule", builder.getStringAttr(train.schedule));
    attrs.append("factor", builder.getF64FloatAttr(train.factor));
    attrs.append("patience", builder.getI64IntegerAttr(train.patience));
    attrs.append("max_drops", builder.getI64IntegerAttr(train.maxDrops));
    if (train.schedule == "step")
      attrs.append("every", builder.getI64IntegerAttr(train.every));
    attrs.append("epochs", builder.getI64IntegerAttr(train.epochs));
    attrs.append("augment", builder.getStringAttr(train.augment));
    return attrs.getDictionary(builder.getContext());
  }

  /// Shapes of a layer's weight and bias; empty when it has none.
  std::pair<Shape, Shape> parameterShapes(const Layer &layer) {
    const Shape &in = graph.values[layer.inputs[0]].shape;
    if (layer.kind == OpKind::Conv2D)
      return {shape::conv2dWeight(in[1], layer.filters, layer.kernel,
                                  layer.groups),
              {layer.filters}};
    if (layer.kind == OpKind::Dense)
      return {{layer.units, in[1]}, {layer.units}};
    return {};
  }

  void declareParameters(const Layer &layer) {
    if (!layer.hasParameters())
      return;
    auto [weight, bias] = parameterShapes(layer);
    builder.create<nn::ParameterOp>(loc(layer.loc, layer.name),
                                    layer.name + ".weight",
                                    tensorType(weight, DType::F32),
                                    initAttr(layer.weightInit));
    if (layer.biasInit)
      builder.create<nn::ParameterOp>(loc(layer.loc, layer.name),
                                      layer.name + ".bias",
                                      tensorType(bias, DType::F32),
                                      initAttr(*layer.biasInit));
  }

  /// Marks every value the target layer depends on, so each function holds
  /// only the layers (and inputs) it needs: @inference never takes labels.
  std::vector<bool> reachableValues(const Layer &target) {
    std::vector<bool> needed(graph.values.size(), false);
    needed[target.result] = true;
    for (auto it = graph.layers.rbegin(); it != graph.layers.rend(); ++it)
      if (needed[it->result])
        for (int input : it->inputs)
          needed[input] = true;
    return needed;
  }

  void buildFunction(StringRef name, const Layer &target) {
    std::vector<bool> needed = reachableValues(target);
    SmallVector<Type> argTypes;
    SmallVector<int> args;
    for (int input : graph.inputs) {
      if (!needed[input])
        continue;
      args.push_back(input);
      argTypes.push_back(tensorType(graph.values[input].shape,
                                    graph.values[input].dtype));
    }
    const frontend::Value &result = graph.values[target.result];
    auto type = builder.getFunctionType(
        argTypes, tensorType(result.shape, result.dtype));

    OpBuilder::InsertionGuard guard(builder);
    auto func =
        builder.create<func::FuncOp>(loc(graph.loc, graph.modelName), name, type);
    for (auto [i, input] : llvm::enumerate(args))
      func.setArgAttr(i, nn::NNDialect::kInputAttrName,
                      builder.getStringAttr(graph.values[input].name));
    func.setResultAttr(0, nn::NNDialect::kOutputAttrName,
                       builder.getStringAttr(result.name));

    Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    values.assign(graph.values.size(), mlir::Value());
    for (auto [i, input] : llvm::enumerate(args))
      values[input] = entry->getArgument(i);
    for (const Layer &layer : graph.layers)
      if (needed[layer.result])
        values[layer.result] = buildLayer(layer);
    builder.create<func::ReturnOp>(loc(target.loc, target.name),
                                   values[target.result]);
  }

  mlir::Value paramRef(const Layer &layer, StringRef suffix, const Shape &shape,
                       Location location) {
    return builder.create<nn::ParamRefOp>(
        location, tensorType(shape, DType::F32),
        FlatSymbolRefAttr::get(builder.getContext(), layer.name + suffix.str()),
        /*row_offset=*/IntegerAttr());
  }

  mlir::Value buildLayer(const Layer &layer) {
    Location location = loc(layer.loc, layer.name);
    const frontend::Value &out = graph.values[layer.result];
    Type resultType = tensorType(out.shape, out.dtype);
    mlir::Value x = values[layer.inputs[0]];
    auto pair = [&](const Pair &p) { return builder.getDenseI64ArrayAttr(p); };
    auto f64 = [&](double v) { return builder.getF64FloatAttr(v); };

    switch (layer.kind) {
    case OpKind::Conv2D:
    case OpKind::Dense: {
      auto [weightShape, biasShape] = parameterShapes(layer);
      mlir::Value weight = paramRef(layer, ".weight", weightShape, location);
      mlir::Value bias = layer.biasInit
                             ? paramRef(layer, ".bias", biasShape, location)
                             : mlir::Value();
      if (layer.kind == OpKind::Dense)
        return builder.create<nn::DenseOp>(location, resultType, x, weight,
                                           bias);
      return builder.create<nn::Conv2DOp>(
          location, resultType, x, weight, bias, pair(layer.stride),
          pair(layer.pad), builder.getI64IntegerAttr(layer.groups));
    }
    case OpKind::Relu:
      return builder.create<nn::ReluOp>(location, x);
    case OpKind::Lrn:
      return builder.create<nn::LrnOp>(
          location, x, builder.getI64IntegerAttr(layer.size), f64(layer.alpha),
          f64(layer.beta), f64(layer.k));
    case OpKind::MaxPool:
      return builder.create<nn::MaxPoolOp>(location, resultType, x,
                                           pair(layer.kernel),
                                           pair(layer.stride), pair(layer.pad));
    case OpKind::AvgPool:
      return builder.create<nn::AvgPoolOp>(location, resultType, x,
                                           pair(layer.kernel),
                                           pair(layer.stride), pair(layer.pad));
    case OpKind::Dropout:
      return builder.create<nn::DropoutOp>(location, x.getType(), x, f64(layer.rate),
                                           /*stream=*/IntegerAttr(),
                                           /*window=*/DenseI64ArrayAttr());
    case OpKind::Flatten:
      return builder.create<nn::FlattenOp>(location, resultType, x);
    case OpKind::Concat: {
      SmallVector<mlir::Value> inputs;
      for (int input : layer.inputs)
        inputs.push_back(values[input]);
      return builder.create<nn::ConcatOp>(location, resultType, inputs,
                                          builder.getI64IntegerAttr(layer.axis));
    }
    case OpKind::Add:
      return builder.create<nn::AddOp>(location, x, values[layer.inputs[1]]);
    case OpKind::Softmax:
      return builder.create<nn::SoftmaxOp>(location, x);
    case OpKind::SoftmaxCrossEntropy:
      return builder.create<nn::SoftmaxCrossEntropyOp>(
          location, resultType, x, values[layer.inputs[1]]);
    }
    llvm_unreachable("unhandled layer kind");
  }

  const Graph &graph;
  OpBuilder builder;
  std::vector<mlir::Value> values; ///< per graph value, in the current function
};

} // namespace

OwningOpRef<ModuleOp> alexnet::frontend::buildModule(MLIRContext &context,
                                                     const Graph &graph) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  OwningOpRef<ModuleOp> module = ModuleBuilder(context, graph).build();
  if (failed(verify(*module)))
    return nullptr;
  return module;
}
