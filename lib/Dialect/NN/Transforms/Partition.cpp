//===- Partition.cpp - Split a model over devices (Krizhevsky 2012, 3.2) --===//
//
// Runs on the forward graphs (@inference, @loss) before nn-autodiff, which
// then builds a backward graph placed like its forward. Ops are visited in
// order; each value gets a layout: whole on one device, or split along an
// axis in one contiguous part per device. An op's rule picks the layout it
// wants for its operands and the one its result gets; where a consumer
// needs what another device holds, the pass inserts nn.transfer (plus
// nn.concat for a gather), and nowhere else does a value cross devices.
//
// model parallelism (the paper's towers): convolutions and dense layers
// split along output channels / units, with sharded parameters
// (nn.param_ref row_offset); a groups = k*devices convolution keeps each
// device's groups on it with no communication; an LRN over split channels
// exchanges size/2 halo channels with its neighbours (the paper's
// cuda-convnet normalised each GPU's maps on their own, a different model).
// hybrid (Krizhevsky 2014): convolutional layers split the batch and read
// transferred copies of the weights; dense layers stay model-parallel.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Analysis/GraphHash.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace alexnet::nn {
#define GEN_PASS_DEF_PARTITIONPASS
#include "alexnet/Dialect/NN/Transforms/Passes.h.inc"

namespace {

/// Where a value of the partitioned graph lives.
struct Layout {
  /// -1: whole, in parts[0] on device `home`; else split along `axis`,
  /// part d on device d.
  int64_t axis = -1;
  int64_t home = 0;
  /// A model input: the runtime hands it to every device, so it is whole on
  /// each of them without a transfer.
  bool everywhere = false;
  SmallVector<Value> parts;

  bool isSplit() const { return axis >= 0; }
};

RankedTensorType withDim(Type type, int64_t axis, int64_t size) {
  auto tensor = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensor.getShape());
  shape[axis] = size;
  return RankedTensorType::get(shape, tensor.getElementType());
}

int64_t dimOf(Value value, int64_t axis) {
  return cast<RankedTensorType>(value.getType()).getDimSize(axis);
}

/// Partitions one function; owns the layouts of its values.
class FunctionPartitioner {
public:
  FunctionPartitioner(func::FuncOp func, int64_t devices, bool hybrid,
                      int64_t minPart)
      : func(func), b(func.getContext()), devices(devices), hybrid(hybrid),
        minPart(minPart) {}

  LogicalResult run() {
    Block &body = func.getBody().front();
    for (BlockArgument arg : body.getArguments())
      layouts[arg] = Layout{-1, 0, true, {arg}};
    SmallVector<Operation *> original;
    for (Operation &op : body)
      original.push_back(&op);
    for (Operation *op : original) {
      b.setInsertionPoint(op);
      if (isa<ParamRefOp>(op))
        continue; // sharded where a layer reads it
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (OpOperand &operand : ret->getOpOperands())
          operand.set(wholeOn(operand.get(), 0, ret.getLoc(), "output"));
        continue;
      }
      if (failed(partition(op)))
        return failure();
    }
    for (Operation *op : llvm::reverse(original))
      if (!isa<func::ReturnOp>(op)) {
        op->dropAllUses();
        op->erase();
      }
    return success();
  }

private:
  //===--- Placing values -------------------------------------------------===//

  Operation *place(Operation *op, int64_t device) {
    setDevice(op, device);
    return op;
  }

  /// A location named `<layer>.<what>` for the ops the pass adds, so kernel
  /// names, profiles and `info` say what they are for.
  Location named(Location consumer, StringRef what) {
    std::string name = (layerName(consumer, "value") + "." + what).str();
    return NameLoc::get(b.getStringAttr(name), consumer);
  }

  Value transfer(Value value, int64_t from, int64_t to, Location loc) {
    auto op = b.create<TransferOp>(loc, value.getType(), value,
                                   b.getI64IntegerAttr(from),
                                   b.getI64IntegerAttr(to));
    place(op, to);
    return op;
  }

  /// The whole of `value` on `device`: the value itself, a transfer of it,
  /// or a gather of its parts (nn.concat of local and transferred parts).
  Value wholeOn(Value value, int64_t device, Location consumer,
                StringRef why = "gather") {
    // A parameter of the source function: every device reads it itself.
    if (!layouts.count(value) && value.getDefiningOp<ParamRefOp>())
      return wholeParam(value, device);
    const Layout layout = layouts.lookup(value);
    if (layout.everywhere)
      return value;
    auto key = std::make_pair(value, device);
    if (Value cached = wholeCopies.lookup(key))
      return cached;
    Value whole;
    Location loc = named(consumer, why);
    if (!layout.isSplit()) {
      whole = layout.home == device
                  ? layout.parts[0]
                  : transfer(layout.parts[0], layout.home, device, loc);
    } else {
      SmallVector<Value> parts;
      for (auto [d, part] : llvm::enumerate(layout.parts))
        parts.push_back(int64_t(d) == device ? part
                                             : transfer(part, d, device, loc));
      whole = place(b.create<ConcatOp>(loc, value.getType(), parts,
                                       b.getI64IntegerAttr(layout.axis)),
                    device)
                  ->getResult(0);
    }
    wholeCopies[key] = whole;
    return whole;
  }

  /// `value` split along `axis` into `sizes`, part d on device d: its own
  /// parts when it is split that way already, else slices of the whole
  /// (cut where the whole lives, so only the part crosses).
  SmallVector<Value> splitOn(Value value, int64_t axis, ArrayRef<int64_t> sizes,
                             Location consumer) {
    const Layout layout = layouts.lookup(value);
    if (layout.axis == axis &&
        llvm::all_of(llvm::enumerate(layout.parts), [&](auto part) {
          return dimOf(part.value(), axis) == sizes[part.index()];
        }))
      return layout.parts;
    SmallVector<Value> parts;
    Location loc = named(consumer, "scatter");
    int64_t offset = 0;
    for (int64_t d = 0; d < devices; ++d) {
      int64_t at = layout.everywhere ? d : layout.isSplit() ? 0 : layout.home;
      Value whole = wholeOn(value, at, consumer);
      Value part = place(b.create<SliceOp>(loc, withDim(value.getType(), axis,
                                                        sizes[d]),
                                           whole, b.getI64IntegerAttr(axis),
                                           b.getI64IntegerAttr(offset)),
                         at)
                       ->getResult(0);
      parts.push_back(at == d ? part : transfer(part, at, d, loc));
      offset += sizes[d];
    }
    return parts;
  }

  SmallVector<int64_t> evenSizes(int64_t extent) const {
    return SmallVector<int64_t>(devices, extent / devices);
  }

  /// Rows [offset, offset + rows) of the parameter `ref` reads, on `device`.
  Value shard(Value ref, int64_t offset, int64_t rows, int64_t device) {
    auto param = ref.getDefiningOp<ParamRefOp>();
    auto op = b.create<ParamRefOp>(param.getLoc(),
                                   withDim(ref.getType(), 0, rows),
                                   param.getNameAttr(),
                                   b.getI64IntegerAttr(offset));
    place(op, device);
    return op;
  }

  Value wholeParam(Value ref, int64_t device) {
    auto param = ref.getDefiningOp<ParamRefOp>();
    return place(b.create<ParamRefOp>(param.getLoc(), ref.getType(),
                                      param.getNameAttr(), IntegerAttr()),
                 device)
        ->getResult(0);
  }

  //===--- Rules ----------------------------------------------------------===//

  /// The op on one device with every operand whole there.
  void runWhole(Operation *op, int64_t device) {
    IRMapping map;
    for (Value operand : op->getOperands())
      map.map(operand, wholeOn(operand, device, op->getLoc()));
    Operation *clone = place(b.clone(*op, map), device);
    for (auto [from, to] : llvm::zip(op->getResults(), clone->getResults()))
      layouts[from] = Layout{-1, device, false, {to}};
  }

  /// One clone of `op` per device, operands mapped by `operandOf(d, i)`,
  /// result split along `axis` with part d of `size(d)`.
  template <typename OperandFn, typename SizeFn>
  SmallVector<Operation *> perDevice(Operation *op, int64_t axis,
                                     OperandFn operandOf, SizeFn size) {
    SmallVector<Operation *> clones;
    Layout result{axis, 0, false, {}};
    for (int64_t d = 0; d < devices; ++d) {
      IRMapping map;
      for (auto [i, operand] : llvm::enumerate(op->getOperands()))
        map.map(operand, operandOf(d, i));
      Operation *clone = place(b.clone(*op, map), d);
      clone->getResult(0).setType(
          withDim(op->getResult(0).getType(), axis, size(d)));
      result.parts.push_back(clone->getResult(0));
      clones.push_back(clone);
    }
    layouts[op->getResult(0)] = result;
    return clones;
  }

  /// Element-wise and per-channel ops keep their input's layout.
  void followInput(Operation *op) {
    const Layout in = layouts.lookup(op->getOperand(0));
    if (!in.isSplit())
      return runWhole(op, in.everywhere ? 0 : in.home);
    SmallVector<Value> parts = in.parts;
    int64_t axis = in.axis;
    perDevice(op, axis, [&](int64_t d, unsigned) { return parts[d]; },
              [&](int64_t d) { return dimOf(parts[d], axis); });
  }

  /// conv2d / dense split along output channels (axis 1 of the result,
  /// rows of the weight), each device reading `inputOf(d)`.
  template <typename InputFn>
  void splitOutputs(Operation *op, Value weight, Value bias, InputFn inputOf,
                    int64_t groupsPerDevice) {
    int64_t rows = dimOf(weight, 0) / devices;
    SmallVector<Operation *> clones = perDevice(
        op, 1,
        [&](int64_t d, unsigned i) -> Value {
          Value operand = op->getOperand(i);
          if (operand == weight || operand == bias)
            return shard(operand, d * rows, rows, d);
          return inputOf(d);
        },
        [&](int64_t) { return rows; });
    if (groupsPerDevice)
      for (Operation *clone : clones)
        clone->setAttr("groups", b.getI64IntegerAttr(groupsPerDevice));
  }

  /// Output channels split, every device reading the whole input (gathered
  /// where it is not whole already): conv3, fc6-fc8.
  void splitGathered(Operation *op, Value input, Value weight, Value bias) {
    SmallVector<Value> inputs;
    for (int64_t d = 0; d < devices; ++d)
      inputs.push_back(wholeOn(input, d, op->getLoc()));
    splitOutputs(op, weight, bias, [&](int64_t d) { return inputs[d]; }, 0);
  }

  bool splittable(int64_t extent) const {
    return extent % devices == 0 && extent / devices >= minPart;
  }

  /// Weights are sharded by row_offset: only parameters can be split.
  static bool readsParameters(Operation *op) {
    return llvm::all_of(op->getOperands().drop_front(), [](Value operand) {
      return bool(operand.getDefiningOp<ParamRefOp>());
    });
  }

  LogicalResult partitionConv(Conv2DOp conv) {
    if (!readsParameters(conv)) {
      runWhole(conv, 0);
      return success();
    }
    int64_t filters = dimOf(conv.getWeight(), 0);
    int64_t channels = dimOf(conv.getInput(), 1);
    int64_t batch = dimOf(conv.getInput(), 0);
    int64_t groups = conv.getGroups();
    if (hybrid && batch % devices == 0) {
      // Data parallel: each device convolves its share of the batch with a
      // copy of the whole weights (transferred from their owner, device 0).
      SmallVector<Value> inputs =
          splitOn(conv.getInput(), 0, evenSizes(batch), conv.getLoc());
      SmallVector<Value> params;
      for (Value operand : conv->getOperands().drop_front()) {
        Value whole = wholeParam(operand, 0);
        layouts[whole] = Layout{-1, 0, false, {whole}};
        params.push_back(whole);
      }
      perDevice(
          conv, 0,
          [&](int64_t d, unsigned i) -> Value {
            return i == 0 ? inputs[d]
                          : wholeOn(params[i - 1], d, conv.getLoc(), "weights");
          },
          [&](int64_t) { return batch / devices; });
      return success();
    }
    if (groups % devices == 0 && filters % devices == 0 &&
        channels % devices == 0 && groups > 1) {
      // One group (or groups/devices of them) per device: the tower's own
      // maps, no communication.
      SmallVector<Value> inputs =
          splitOn(conv.getInput(), 1, evenSizes(channels), conv.getLoc());
      splitOutputs(conv, conv.getWeight(), conv.getBias(),
                   [&](int64_t d) { return inputs[d]; }, groups / devices);
      return success();
    }
    if (groups == 1 && splittable(filters)) {
      splitGathered(conv, conv.getInput(), conv.getWeight(), conv.getBias());
      return success();
    }
    // Too small to split, or groups that do not map onto the devices.
    runWhole(conv, 0);
    return success();
  }

  LogicalResult partitionDense(DenseOp dense) {
    if (!readsParameters(dense) || !splittable(dimOf(dense.getWeight(), 0))) {
      runWhole(dense, 0);
      return success();
    }
    splitGathered(dense, dense.getInput(), dense.getWeight(), dense.getBias());
    return success();
  }

  /// Split channels: each device normalises its own with `size / 2` halo
  /// channels from each neighbour (nn.lrn_halo), as the whole LRN would.
  LogicalResult partitionLrn(LrnOp lrn) {
    const Layout in = layouts.lookup(lrn.getInput());
    int64_t half = lrn.getSize() / 2;
    bool haloFits = in.isSplit() && in.axis == 1 &&
                    llvm::all_of(in.parts, [&](Value part) {
                      return dimOf(part, 1) >= half;
                    });
    if (!in.isSplit() || in.axis != 1 || half == 0) {
      followInput(lrn);
      return success();
    }
    if (!haloFits) {
      runWhole(lrn, 0);
      return success();
    }
    SmallVector<Value> parts = in.parts;
    Location loc = named(lrn.getLoc(), "halo");
    Layout result{1, 0, false, {}};
    for (int64_t d = 0; d < devices; ++d) {
      SmallVector<Value> pieces;
      int64_t lo = d > 0 ? half : 0, hi = d + 1 < devices ? half : 0;
      if (lo) {
        Value below = parts[d - 1];
        Value edge = place(b.create<SliceOp>(
                               loc, withDim(below.getType(), 1, lo), below,
                               b.getI64IntegerAttr(1),
                               b.getI64IntegerAttr(dimOf(below, 1) - lo)),
                           d - 1)
                         ->getResult(0);
        pieces.push_back(transfer(edge, d - 1, d, loc));
      }
      pieces.push_back(parts[d]);
      if (hi) {
        Value above = parts[d + 1];
        Value edge = place(b.create<SliceOp>(
                               loc, withDim(above.getType(), 1, hi), above,
                               b.getI64IntegerAttr(1), b.getI64IntegerAttr(0)),
                           d + 1)
                         ->getResult(0);
        pieces.push_back(transfer(edge, d + 1, d, loc));
      }
      Value extended = parts[d];
      if (pieces.size() > 1)
        extended = place(b.create<ConcatOp>(
                             loc,
                             withDim(parts[d].getType(), 1,
                                     dimOf(parts[d], 1) + lo + hi),
                             pieces, b.getI64IntegerAttr(1)),
                         d)
                       ->getResult(0);
      auto piece = b.create<LrnHaloOp>(
          lrn.getLoc(), parts[d].getType(), extended,
          b.getDenseI64ArrayAttr({lo, hi}), lrn.getSizeAttr(),
          lrn.getAlphaAttr(), lrn.getBetaAttr(), lrn.getKAttr());
      place(piece, d);
      result.parts.push_back(piece);
    }
    layouts[lrn.getResult()] = result;
    return success();
  }

  /// Every piece of a split dropout draws the layer's mask: the same stream,
  /// and its window in the whole tensor.
  void partitionDropout(DropoutOp dropout) {
    dropout.setStreamAttr(b.getI64IntegerAttr(dropoutStreams++));
    const Layout in = layouts.lookup(dropout.getInput());
    if (!in.isSplit())
      return runWhole(dropout, in.everywhere ? 0 : in.home);
    followInput(dropout);
    int64_t offset = 0, extent = dimOf(dropout.getInput(), in.axis);
    for (Value part : layouts[dropout.getResult()].parts) {
      part.getDefiningOp()->setAttr(
          "window", b.getDenseI64ArrayAttr({in.axis, offset, extent}));
      offset += dimOf(part, in.axis);
    }
  }

  /// [N, C, H, W] split along C (or N) flattens to [N, C*H*W] split along
  /// the same axis: each part's rows are a contiguous range of columns.
  void partitionFlatten(FlattenOp flatten) {
    const Layout in = layouts.lookup(flatten.getInput());
    if (!in.isSplit() || in.axis > 1)
      return runWhole(flatten, in.everywhere ? 0 : in.home);
    int64_t axis = in.axis;
    SmallVector<Value> parts = in.parts;
    perDevice(flatten, axis, [&](int64_t d, unsigned) { return parts[d]; },
              [&](int64_t d) {
                auto type = cast<RankedTensorType>(parts[d].getType());
                return axis == 0 ? type.getDimSize(0)
                                 : type.getNumElements() / type.getDimSize(0);
              });
  }

  void partitionAdd(AddOp add) {
    const Layout lhs = layouts.lookup(add.getLhs());
    const Layout rhs = layouts.lookup(add.getRhs());
    bool sameSplit = lhs.isSplit() && rhs.isSplit() && lhs.axis == rhs.axis &&
                     llvm::all_of(llvm::seq<int64_t>(0, devices), [&](int64_t d) {
                       return lhs.parts[d].getType() == rhs.parts[d].getType();
                     });
    if (!sameSplit)
      return runWhole(add, 0);
    SmallVector<Value> a = lhs.parts, c = rhs.parts;
    perDevice(add, lhs.axis,
              [&](int64_t d, unsigned i) { return i == 0 ? a[d] : c[d]; },
              [&](int64_t d) { return dimOf(a[d], lhs.axis); });
  }

  LogicalResult partition(Operation *op) {
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](Conv2DOp conv) { return partitionConv(conv); })
        .Case([&](DenseOp dense) { return partitionDense(dense); })
        .Case([&](LrnOp lrn) { return partitionLrn(lrn); })
        .Case([&](DropoutOp dropout) {
          partitionDropout(dropout);
          return success();
        })
        .Case([&](FlattenOp flatten) {
          partitionFlatten(flatten);
          return success();
        })
        .Case([&](AddOp add) {
          partitionAdd(add);
          return success();
        })
        .Case<ReluOp, MaxPoolOp, AvgPoolOp>([&](Operation *op) {
          followInput(op);
          return success();
        })
        .Case<SoftmaxOp, SoftmaxCrossEntropyOp, ConcatOp>([&](Operation *op) {
          // Need every class (or mixed layouts): whole on device 0.
          runWhole(op, 0);
          return success();
        })
        .Default([&](Operation *op) {
          return op->emitOpError("has no partitioning rule (run nn-partition "
                                 "before nn-autodiff and nn-fuse)");
        });
  }

  func::FuncOp func;
  OpBuilder b;
  int64_t devices;
  bool hybrid;
  int64_t minPart;
  DenseMap<Value, Layout> layouts;
  DenseMap<std::pair<Value, int64_t>, Value> wholeCopies;
  int64_t dropoutStreams = 0;
};

struct PartitionPass : impl::PartitionPassBase<PartitionPass> {
  using PartitionPassBase::PartitionPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (devices < 1) {
      module.emitError("expected devices >= 1, got ") << int64_t(devices);
      return signalPassFailure();
    }
    if (parallel != "model" && parallel != "hybrid") {
      module.emitError("expected parallel=model or parallel=hybrid, got '")
          << parallel << "'";
      return signalPassFailure();
    }
    if (devices == 1)
      return; // one device: nothing to place
    // The model's identity is its unpartitioned graph (see GraphHash.h).
    if (!module->hasAttr(NNDialect::kGraphHashAttrName) &&
        module.lookupSymbol<func::FuncOp>("inference"))
      module->setAttr(NNDialect::kGraphHashAttrName,
                      StringAttr::get(&getContext(), computeGraphHash(module)));
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(FunctionPartitioner(func, devices, parallel == "hybrid",
                                     minPart)
                     .run()))
        return signalPassFailure();
    module->setAttr(NNDialect::kDevicesAttrName,
                    IntegerAttr::get(IntegerType::get(&getContext(), 64),
                                     devices));
    warnIdleDevices(module);
  }

  /// A device the inference graph never uses still gets its share of the
  /// threads: say so.
  void warnIdleDevices(ModuleOp module) {
    auto inference = module.lookupSymbol<func::FuncOp>("inference");
    if (!inference)
      return;
    llvm::SmallDenseSet<int64_t> used;
    inference.walk([&](Operation *op) {
      if (std::optional<int64_t> device = deviceOf(op))
        used.insert(*device);
    });
    std::string idle;
    for (int64_t d = 0; d < devices; ++d)
      if (!used.contains(d))
        idle += (idle.empty() ? "" : ", ") + std::to_string(d);
    if (!idle.empty())
      inference.emitWarning("nn-partition placed no layer on device(s) ")
          << idle << ": no layer has " << int64_t(minPart)
          << " or more output channels or units per device (min-part) in "
             "a count the devices divide; they will idle";
  }
};

} // namespace
} // namespace alexnet::nn
