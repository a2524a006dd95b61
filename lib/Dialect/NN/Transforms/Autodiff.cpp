//===- Autodiff.cpp - Reverse-mode gradients and the SGD step -------------===//
//
// Builds @gradients and @train_step from @loss. The forward ops are cloned
// (dropout becomes mask x input so the backward pass reuses the mask), then
// the ops are visited in reverse and each one that has an incoming gradient
// emits the gradient ops of its inputs (BackwardBuilder::visit). Gradients
// of a value used several times are summed with nn.add.
// A parameter the loss does not read gets a zero gradient and no SGD
// update, as PyTorch (torch.optim.SGD skips a parameter without a .grad).
//
// In a partitioned graph (nn-partition) every gradient op goes on its
// forward op's device (nn.device), a transfer's gradient is the reverse
// transfer, a value scattered over the devices (read only through slices)
// gets its slices' gradients concatenated, and each parameter shard
// (param_ref row_offset) gets its own gradient and SGD update on its device.
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

/// Puts every op the builder creates on `device`, when one is set (a
/// partitioned graph).
struct DevicePlacer : OpBuilder::Listener {
  std::optional<int64_t> device;

  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    if (device && !deviceOf(op))
      setDevice(op, *device);
  }
};

/// A parameter, or a shard of its rows, as a forward param_ref reads it.
struct ParamUse {
  Value grad;
  Type type;
  std::optional<int64_t> rowOffset, device;
};

/// A slice of a forward value and its result's gradient.
struct SliceGrad {
  SliceOp slice;
  Value grad;
};

class BackwardBuilder {
public:
  BackwardBuilder(OpBuilder &b, DevicePlacer &placer) : b(b), placer(placer) {}

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
        // A partitioned layer's pieces share their layer's stream.
        int64_t layerStream =
            dropout.getStream() ? int64_t(*dropout.getStream()) : stream++;
        placer.device = deviceOf(dropout);
        auto mask = b.create<DropoutMaskOp>(
            dropout.getLoc(), x.getType(), rng.seed, rng.step, rng.dropout,
            dropout.getRateAttr(), b.getI64IntegerAttr(layerStream),
            dropout.getWindowAttr());
        auto mul = b.create<MulOp>(dropout.getLoc(), x, mask);
        placer.device.reset();
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
    placer.device = deviceOf(xent);
    grads[xent.getLogits()] = b.create<SoftmaxCrossEntropyBackwardOp>(
        xent.getLoc(), xent.getLogits().getType(), xent.getLogits(),
        xent.getLabels());
    for (Operation *op : llvm::reverse(forward)) {
      if (isa<Conv2DReluOp, Conv2DReluLrnOp, DenseReluOp>(op))
        return op->emitOpError("is a fused op and has no gradient rule: run "
                               "nn-fuse after nn-autodiff");
      if (op == xent.getOperation() || op->getNumResults() != 1)
        continue;
      placer.device = deviceOf(op);
      FailureOr<Value> dy = gradientOf(op->getResult(0));
      if (failed(dy))
        return failure();
      if (!*dy)
        continue;
      // A transfer's gradient goes back where its input lives.
      if (auto move = dyn_cast<TransferOp>(op))
        placer.device = move.getSource();
      if (failed(visit(op, *dy)))
        return failure();
    }
    placer.device.reset();
    return success();
  }

  /// Gradients per parameter symbol: one entry for a parameter read whole,
  /// one per shard of a partitioned one (in the order first reached).
  llvm::StringMap<SmallVector<ParamUse>> paramGrads;

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

  /// The gradient of `value` with the slices' contributions (an LRN halo's
  /// gradient coming home) added into their ranges; null when it has none.
  FailureOr<Value> gradientOf(Value value) {
    Value whole = grads.lookup(value);
    auto found = sliceGrads.find(value);
    if (found == sliceGrads.end())
      return whole;
    SmallVector<SliceGrad> slices = found->second;
    // Read through slices only (nn-partition scattering a whole value over
    // the devices): the slices' gradients side by side are the whole one.
    if (!whole)
      whole = concatOfTiling(value, slices);
    if (!whole)
      return value.getDefiningOp()->emitOpError(
          "has gradients only for slices of its result that do not tile it");
    for (auto [slice, grad] : slices)
      whole = b.create<AddSliceOp>(slice.getLoc(), whole, grad,
                                   slice.getAxisAttr(), slice.getOffsetAttr());
    return whole;
  }

  /// The gradients of slices that tile `value` along one axis, concatenated
  /// in offset order and removed from `slices`; null when none tile it.
  Value concatOfTiling(Value value, SmallVectorImpl<SliceGrad> &slices) {
    auto type = cast<RankedTensorType>(value.getType());
    for (int64_t axis = 0; axis < type.getRank(); ++axis) {
      SmallVector<size_t> tiles;
      int64_t next = 0;
      for (bool grew = true; grew && next < type.getDimSize(axis);) {
        grew = false;
        for (auto [i, s] : llvm::enumerate(slices))
          if (int64_t(s.slice.getAxis()) == axis &&
              int64_t(s.slice.getOffset()) == next &&
              !llvm::is_contained(tiles, i)) {
            tiles.push_back(i);
            next += s.slice.getType().getDimSize(axis);
            grew = true;
            break;
          }
      }
      if (next != type.getDimSize(axis))
        continue;
      SmallVector<Value> parts;
      for (size_t i : tiles)
        parts.push_back(slices[i].grad);
      Location loc = slices[tiles.front()].slice.getLoc();
      Value whole = parts.size() == 1
                        ? parts.front()
                        : b.create<ConcatOp>(loc, type, parts,
                                             b.getI64IntegerAttr(axis))
                              .getResult();
      llvm::sort(tiles, std::greater<size_t>());
      for (size_t i : tiles)
        slices.erase(slices.begin() + i);
      return whole;
    }
    return {};
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
        .Case([&](ParamRefOp param) -> LogicalResult {
          SmallVector<ParamUse> &uses = paramGrads[param.getName()];
          std::optional<int64_t> offset;
          if (param.getRowOffset())
            offset = int64_t(*param.getRowOffset());
          auto same = llvm::find_if(uses, [&](const ParamUse &use) {
            return use.rowOffset == offset && use.type == param.getType();
          });
          if (same == uses.end()) {
            uses.push_back({dy, param.getType(), offset, deviceOf(param)});
            return success();
          }
          if (same->device != deviceOf(param))
            return param.emitOpError("reads a shard that another device "
                                     "reads too; transfer it instead");
          same->grad = b.create<AddOp>(loc, same->grad, dy);
          return success();
        })
        .Case([&](TransferOp move) {
          accumulate(move.getInput(),
                     b.create<TransferOp>(loc, dy.getType(), dy,
                                          move.getTargetAttr(),
                                          move.getSourceAttr()));
          return success();
        })
        .Case([&](SliceOp slice) {
          // Added into the input's gradient once that is complete
          // (gradientOf): it covers only a range.
          if (wanted(slice.getInput()))
            sliceGrads[slice.getInput()].push_back({slice, dy});
          return success();
        })
        .Case([&](LrnHaloOp lrn) {
          accumulate(lrn.getInput(),
                     b.create<LrnHaloBackwardOp>(
                         loc, lrn.getInput().getType(), dy, lrn.getInput(),
                         lrn.getResult(), lrn.getHaloAttr(), lrn.getSizeAttr(),
                         lrn.getAlphaAttr(), lrn.getBetaAttr(), lrn.getKAttr()));
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
        .Case([&](SoftmaxOp softmax) {
          accumulate(softmax.getInput(),
                     b.create<SoftmaxBackwardOp>(loc, dy, softmax.getResult()));
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
  DevicePlacer &placer;
  SmallVector<Operation *> forward;
  DenseMap<Value, Value> grads;
  /// Slices of a value whose results have gradients (see gradientOf).
  DenseMap<Value, SmallVector<SliceGrad>> sliceGrads;
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
    DevicePlacer placer;
    b.setListener(&placer);
    BackwardBuilder backward(b, placer);
    SmallVector<Value> inputs(all.begin(), all.begin() + numInputs);
    FailureOr<Value> lossValue = backward.cloneForward(
        loss, inputs, {all[rng], all[rng + 1], all[rng + 2]});
    if (failed(lossValue) || failed(backward.run(*lossValue)))
      return failure();

    SmallVector<Value> returned = {*lossValue};
    // Device 0 in a partitioned graph (where the loss is), none otherwise.
    std::optional<int64_t> lossDevice = deviceOf(lossValue->getDefiningOp());
    func.setResultAttr(0, NNDialect::kOutputAttrName, b.getStringAttr("loss"));
    double momentum = trainSetting(module, "momentum", 0.9);
    double decay = trainSetting(module, "weight_decay", 5e-4);
    for (ParameterOp param : params) {
      if (param.getOptimizerState())
        continue;
      SmallVector<ParamUse> uses =
          backward.paramGrads.lookup(param.getSymName());
      if (uses.empty()) {
        // The loss does not read it (its layer's output reaches no loss).
        // As PyTorch: its gradient is zero, and torch.optim.SGD skips a
        // parameter whose .grad is None, so neither it nor its velocity
        // changes (no weight decay). The velocity still exists, so every
        // parameter has the same optimizer state.
        if (train) {
          momentumOf(module, param);
          continue;
        }
        placer.device = lossDevice;
        Value zeros = b.create<ZerosOp>(param.getLoc(), param.getType());
        placer.device.reset();
        func.setResultAttr(returned.size(), NNDialect::kOutputAttrName,
                           b.getStringAttr(param.getSymName() + ".grad"));
        returned.push_back(zeros);
        continue;
      }
      if (!train) {
        placer.device = uses.front().device ? std::optional<int64_t>(0)
                                            : std::nullopt;
        FailureOr<Value> grad = wholeGradient(b, param, uses);
        placer.device.reset();
        if (failed(grad))
          return failure();
        func.setResultAttr(returned.size(), NNDialect::kOutputAttrName,
                           b.getStringAttr(param.getSymName() + ".grad"));
        returned.push_back(*grad);
        continue;
      }
      // Each shard is updated on its device, in place.
      ParameterOp velocity = momentumOf(module, param);
      Location loc = param.getLoc();
      for (const ParamUse &use : uses) {
        placer.device = use.device;
        IntegerAttr offset =
            use.rowOffset ? b.getI64IntegerAttr(*use.rowOffset) : IntegerAttr();
        auto ref = [&](ParameterOp p) -> Value {
          return b.create<ParamRefOp>(
              loc, use.type, FlatSymbolRefAttr::get(p.getSymNameAttr()), offset);
        };
        Value w = ref(param), v = ref(velocity);
        auto update = b.create<SgdUpdateOp>(loc, use.type, use.type, w, v,
                                            use.grad, all[numInputs],
                                            b.getF64FloatAttr(momentum),
                                            b.getF64FloatAttr(decay));
        b.create<ParamStoreOp>(loc, update.getNewWeight(),
                               FlatSymbolRefAttr::get(param.getSymNameAttr()),
                               offset);
        b.create<ParamStoreOp>(loc, update.getNewVelocity(),
                               FlatSymbolRefAttr::get(velocity.getSymNameAttr()),
                               offset);
      }
      placer.device.reset();
    }
    b.setListener(nullptr);
    b.create<func::ReturnOp>(loss.getLoc(), returned);
    return success();
  }

  /// The gradient of the whole parameter: its one use's, or its shards'
  /// gathered on device 0 in row order.
  FailureOr<Value> wholeGradient(OpBuilder &b, ParameterOp param,
                                 ArrayRef<ParamUse> uses) {
    if (uses.size() == 1 && !uses[0].rowOffset)
      return uses[0].grad;
    SmallVector<ParamUse> shards(uses);
    llvm::sort(shards, [](const ParamUse &a, const ParamUse &c) {
      return a.rowOffset.value_or(0) < c.rowOffset.value_or(0);
    });
    SmallVector<Value> parts;
    int64_t next = 0;
    for (const ParamUse &shard : shards) {
      if (shard.rowOffset.value_or(-1) != next)
        return param.emitError("parameter '")
               << param.getSymName()
               << "' has gradients for shards that do not tile its rows";
      next += cast<RankedTensorType>(shard.type).getDimSize(0);
      Value part = shard.grad;
      if (shard.device.value_or(0) != 0)
        part = b.create<TransferOp>(param.getLoc(), shard.type, part,
                                    b.getI64IntegerAttr(*shard.device),
                                    b.getI64IntegerAttr(0));
      parts.push_back(part);
    }
    if (next != param.getTensorType().getDimSize(0))
      return param.emitError("parameter '")
             << param.getSymName() << "' has gradients for only " << next
             << " of its rows";
    return b.create<ConcatOp>(param.getLoc(), param.getType(), parts,
                              b.getI64IntegerAttr(0))
        .getResult();
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
