//===- Autodiff.cpp - Reverse-mode gradients and the SGD step -------------===//
//
// Builds @gradients and @train_step from @loss. The forward ops are cloned
// (dropout becomes mask x input so the backward pass reuses the mask), then
// the ops are visited in reverse and each one that has an incoming gradient
// emits the gradient ops of its inputs (BackwardBuilder::visit). Gradients
// of a value used several times are summed with nn.add.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace alexnet::nn {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "alexnet/Dialect/NN/Transforms/Passes.h.inc"

namespace {

/// The scalar arguments every training entry point takes after the model's
/// inputs (the learning rate comes first in @train_step only).
struct RngArgs {
  Value seed, step, dropout;
};

class BackwardBuilder {
public:
  explicit BackwardBuilder(OpBuilder &b) : b(b) {}

  /// Clones the body of @loss into the current insertion block, mapping
  /// its arguments to `args`; dropout becomes nn.dropout_mask x input.
  /// Returns the cloned loss value.
  FailureOr<Value> cloneForward(func::FuncOp loss, ArrayRef<Value> args,
                                RngArgs rng) {
    IRMapping map;
    for (auto [from, to] : llvm::zip(loss.getArguments(), args))
      map.map(from, to);
    int64_t stream = 0;
    Value result;
    for (Operation &op : loss.getBody().front()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        result = map.lookup(ret.getOperand(0));
        break;
      }
      if (auto dropout = dyn_cast<DropoutOp>(op)) {
        Value x = map.lookup(dropout.getInput());
        auto mask = b.create<DropoutMaskOp>(
            dropout.getLoc(), x.getType(), rng.seed, rng.step, rng.dropout,
            dropout.getRateAttr(), b.getI64IntegerAttr(stream++));
        auto mul = b.create<MulOp>(dropout.getLoc(), x, mask);
        map.map(dropout.getResult(), mul.getResult());
        forward.append({mask, mul});
        continue;
      }
      forward.push_back(b.clone(op, map));
    }
    if (!result || !result.getDefiningOp<SoftmaxCrossEntropyOp>())
      return loss.emitError("expected @loss to return the result of "
                            "nn.softmax_cross_entropy");
    return result;
  }

  /// Reverse pass from the loss; fills `paramGrads` (symbol -> gradient).
  LogicalResult run(Value loss) {
    markDependsOnParameters();
    auto xent = loss.getDefiningOp<SoftmaxCrossEntropyOp>();
    grads[xent.getLogits()] = b.create<SoftmaxCrossEntropyBackwardOp>(
        xent.getLoc(), xent.getLogits().getType(), xent.getLogits(),
        xent.getLabels());
    for (Operation *op : llvm::reverse(forward)) {
      if (isa<Conv2DReluOp, Conv2DReluLrnOp, DenseReluOp>(op))
        return op->emitOpError("is a fused op and has no gradient rule: run "
                               "nn-fuse after nn-autodiff");
      if (op == xent.getOperation() || op->getNumResults() != 1)
        continue;
      Value dy = grads.lookup(op->getResult(0));
      if (!dy)
        continue;
      if (failed(visit(op, dy)))
        return failure();
    }
    return success();
  }

  llvm::StringMap<Value> paramGrads;

private:
  void markDependsOnParameters() {
    for (Operation *op : forward) {
      bool depends = isa<ParamRefOp>(op) ||
                     llvm::any_of(op->getOperands(), [&](Value v) {
                       return needsGrad.contains(v);
                     });
      if (depends)
        for (Value result : op->getResults())
          needsGrad.insert(result);
    }
  }

  /// Adds `g` to the gradient of `value` (if `value` needs one).
  void accumulate(Value value, Value g) {
    if (!needsGrad.contains(value))
      return;
    Value &slot = grads[value];
    slot = slot ? b.create<AddOp>(g.getLoc(), slot, g).getResult() : g;
  }

  bool wanted(Value value) const { return needsGrad.contains(value); }

  LogicalResult visit(Operation *op, Value dy) {
    Location loc = op->getLoc();
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](ParamRefOp param) {
          Value &slot = paramGrads[param.getName()];
          slot = slot ? b.create<AddOp>(loc, slot, dy).getResult() : dy;
          return success();
        })
        .Case([&](Conv2DOp conv) {
          if (wanted(conv.getInput()))
            accumulate(conv.getInput(),
                       b.create<Conv2DBackwardInputOp>(
                           loc, conv.getInput().getType(), dy, conv.getWeight(),
                           conv.getStrideAttr(), conv.getPadAttr(),
                           conv.getGroupsAttr()));
          accumulate(conv.getWeight(),
                     b.create<Conv2DBackwardWeightOp>(
                         loc, conv.getWeight().getType(), conv.getInput(), dy,
                         conv.getStrideAttr(), conv.getPadAttr(),
                         conv.getGroupsAttr()));
          if (conv.getBias())
            accumulate(conv.getBias(),
                       b.create<BiasBackwardOp>(loc, conv.getBias().getType(), dy));
          return success();
        })
        .Case([&](DenseOp dense) {
          if (wanted(dense.getInput()))
            accumulate(dense.getInput(),
                       b.create<DenseBackwardInputOp>(
                           loc, dense.getInput().getType(), dy, dense.getWeight()));
          accumulate(dense.getWeight(),
                     b.create<DenseBackwardWeightOp>(
                         loc, dense.getWeight().getType(), dense.getInput(), dy));
          if (dense.getBias())
            accumulate(dense.getBias(),
                       b.create<BiasBackwardOp>(loc, dense.getBias().getType(), dy));
          return success();
        })
        .Case([&](ReluOp relu) {
          accumulate(relu.getInput(),
                     b.create<ReluBackwardOp>(loc, dy, relu.getResult()));
          return success();
        })
        .Case([&](LrnOp lrn) {
          accumulate(lrn.getInput(),
                     b.create<LrnBackwardOp>(
                         loc, lrn.getType(), dy, lrn.getInput(), lrn.getResult(),
                         lrn.getSizeAttr(), lrn.getAlphaAttr(),
                         lrn.getBetaAttr(), lrn.getKAttr(), UnitAttr()));
          return success();
        })
        .Case([&](MaxPoolOp pool) {
          accumulate(pool.getInput(),
                     b.create<MaxPoolBackwardOp>(
                         loc, dy, pool.getInput(), pool.getWindowAttr(),
                         pool.getStrideAttr(), pool.getPadAttr()));
          return success();
        })
        .Case([&](AvgPoolOp pool) {
          accumulate(pool.getInput(),
                     b.create<AvgPoolBackwardOp>(
                         loc, pool.getInput().getType(), dy,
                         pool.getWindowAttr(), pool.getStrideAttr(),
                         pool.getPadAttr()));
          return success();
        })
        .Case([&](MulOp mul) {
          // Only dropout makes an nn.mul here: mask x input, mask constant.
          accumulate(mul.getLhs(), b.create<MulOp>(loc, dy, mul.getRhs()));
          return success();
        })
        .Case([&](FlattenOp flatten) {
          accumulate(flatten.getInput(),
                     b.create<ReshapeOp>(loc, flatten.getInput().getType(), dy));
          return success();
        })
        .Case([&](ConcatOp concat) {
          int64_t offset = 0;
          for (Value input : concat.getInputs()) {
            auto type = cast<RankedTensorType>(input.getType());
            if (wanted(input))
              accumulate(input, b.create<SliceOp>(loc, type, dy,
                                                  concat.getAxisAttr(),
                                                  b.getI64IntegerAttr(offset)));
            offset += type.getDimSize(concat.getAxis());
          }
          return success();
        })
        .Case([&](AddOp add) {
          accumulate(add.getLhs(), dy);
          accumulate(add.getRhs(), dy);
          return success();
        })
        .Default([&](Operation *op) {
          return op->emitOpError("has no gradient rule in nn-autodiff");
        });
  }

  OpBuilder &b;
  SmallVector<Operation *> forward;
  DenseMap<Value, Value> grads;
  llvm::SmallDenseSet<Value> needsGrad;
};

double trainSetting(ModuleOp module, StringRef name, double fallback) {
  auto train = module->getAttrOfType<DictionaryAttr>(NNDialect::kTrainAttrName);
  if (auto value = train ? train.getAs<FloatAttr>(name) : FloatAttr())
    return value.getValueAsDouble();
  return fallback;
}

struct AutodiffPass : impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto loss = module.lookupSymbol<func::FuncOp>("loss");
    if (!loss) {
      module.emitError("expected a func.func @loss (the model needs a "
                       "`loss` statement to train)");
      return signalPassFailure();
    }
    SmallVector<ParameterOp> params(module.getOps<ParameterOp>());
    if (failed(buildEntry(module, loss, params, /*train=*/false)) ||
        failed(buildEntry(module, loss, params, /*train=*/true)))
      return signalPassFailure();
    loss.erase();
  }

  /// Builds @gradients (train = false) or @train_step (train = true).
  LogicalResult buildEntry(ModuleOp module, func::FuncOp loss,
                           ArrayRef<ParameterOp> params, bool train) {
    OpBuilder b(module.getContext());
    b.setInsertionPoint(loss);
    Type i64 = RankedTensorType::get({}, b.getI64Type());
    Type f32 = RankedTensorType::get({}, b.getF32Type());
    Type i1 = RankedTensorType::get({}, b.getI1Type());
    SmallVector<Type> args(loss.getArgumentTypes());
    SmallVector<StringRef> extraNames;
    if (train)
      extraNames.push_back("lr");
    extraNames.append({"seed", "step", "dropout"});
    for (StringRef name : extraNames)
      args.push_back(name == "lr" ? f32 : name == "dropout" ? i1 : i64);

    SmallVector<Type> results = {loss.getResultTypes()[0]};
    if (!train)
      for (ParameterOp param : params)
        if (!param.getOptimizerState())
          results.push_back(param.getType());
    auto func = b.create<func::FuncOp>(loss.getLoc(),
                                       train ? "train_step" : "gradients",
                                       b.getFunctionType(args, results));
    unsigned numInputs = loss.getNumArguments();
    for (unsigned i = 0; i < numInputs; ++i)
      if (Attribute name = loss.getArgAttr(i, NNDialect::kInputAttrName))
        func.setArgAttr(i, NNDialect::kInputAttrName, name);
    for (auto [i, name] : llvm::enumerate(extraNames))
      func.setArgAttr(numInputs + i, NNDialect::kInputAttrName,
                      b.getStringAttr(name));

    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    ArrayRef<BlockArgument> all = entry->getArguments();
    unsigned rng = numInputs + (train ? 1 : 0);
    BackwardBuilder backward(b);
    SmallVector<Value> inputs(all.begin(), all.begin() + numInputs);
    FailureOr<Value> lossValue = backward.cloneForward(
        loss, inputs, {all[rng], all[rng + 1], all[rng + 2]});
    if (failed(lossValue) || failed(backward.run(*lossValue)))
      return failure();

    SmallVector<Value> returned = {*lossValue};
    func.setResultAttr(0, NNDialect::kOutputAttrName, b.getStringAttr("loss"));
    double momentum = trainSetting(module, "momentum", 0.9);
    double decay = trainSetting(module, "weight_decay", 5e-4);
    for (ParameterOp param : params) {
      if (param.getOptimizerState())
        continue;
      Value grad = backward.paramGrads.lookup(param.getSymName());
      if (!grad)
        return param.emitError("parameter '")
               << param.getSymName() << "' does not affect the loss";
      if (!train) {
        func.setResultAttr(returned.size(), NNDialect::kOutputAttrName,
                           b.getStringAttr(param.getSymName() + ".grad"));
        returned.push_back(grad);
        continue;
      }
      ParameterOp velocity = momentumOf(module, param);
      Location loc = param.getLoc();
      Value w = b.create<ParamRefOp>(loc, param.getType(),
                                     FlatSymbolRefAttr::get(param.getSymNameAttr()));
      Value v = b.create<ParamRefOp>(
          loc, param.getType(), FlatSymbolRefAttr::get(velocity.getSymNameAttr()));
      auto update = b.create<SgdUpdateOp>(loc, param.getType(), param.getType(),
                                          w, v, grad, all[numInputs],
                                          b.getF64FloatAttr(momentum),
                                          b.getF64FloatAttr(decay));
      b.create<ParamStoreOp>(loc, update.getNewWeight(),
                             FlatSymbolRefAttr::get(param.getSymNameAttr()));
      b.create<ParamStoreOp>(loc, update.getNewVelocity(),
                             FlatSymbolRefAttr::get(velocity.getSymNameAttr()));
    }
    b.create<func::ReturnOp>(loss.getLoc(), returned);
    return success();
  }

  /// `<p>.momentum`, created next to `p` the first time it is asked for.
  ParameterOp momentumOf(ModuleOp module, ParameterOp param) {
    std::string name = (param.getSymName() + ".momentum").str();
    if (auto existing = module.lookupSymbol<ParameterOp>(name))
      return existing;
    OpBuilder b(param);
    b.setInsertionPointAfter(param);
    auto velocity = b.create<ParameterOp>(
        param.getLoc(), name, param.getType(),
        InitAttr::get(b.getContext(), "constant", 0.0, 0.0));
    velocity.setOptimizerState(true);
    return velocity;
  }
};

} // namespace
} // namespace alexnet::nn
