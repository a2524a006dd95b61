//===- NNToExec.cpp - Lower nn tensor graphs to exec buffers --------------===//
//
// Destination-passing lowering of the straight-line nn graph: each tensor
// value maps to a buffer (an exec.alloc, an exec.param view, a function
// argument, or an alias for ops that move no data). The op producing the
// function's result writes into the output argument directly.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Analysis/GraphHash.h"
#include "alexnet/Analysis/ModelSummary.h"
#include "alexnet/Conversion/Passes.h"
#include "alexnet/Dialect/Exec/ExecOps.h"
#include "alexnet/Dialect/NN/NNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace alexnet {
#define GEN_PASS_DEF_CONVERTNNTOEXECPASS
#include "alexnet/Conversion/Passes.h.inc"

namespace {

MemRefType bufferType(Type tensor) {
  auto t = cast<RankedTensorType>(tensor);
  return MemRefType::get(t.getShape(), t.getElementType());
}

/// In a partitioned module, puts every exec op on the device of the nn op
/// it lowers: exec.alloc in that device's arena, the others with
/// exec.device.
struct DevicePlacer : OpBuilder::Listener {
  std::optional<int64_t> device;

  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    if (!device || isa<func::ReturnOp>(op))
      return;
    if (auto alloc = dyn_cast<exec::AllocOp>(op))
      alloc.setDevice(*device);
    else
      op->setAttr(exec::ExecDialect::kDeviceAttrName,
                  IntegerAttr::get(IntegerType::get(op->getContext(), 64),
                                   *device));
  }
};

IntegerAttr rowOffsetAttr(Builder &b, std::optional<uint64_t> offset) {
  return offset ? b.getI64IntegerAttr(int64_t(*offset)) : IntegerAttr();
}

/// Lowers one function; owns the tensor -> buffer map.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp source, int64_t im2colBudget,
                   bool batchBackward)
      : source(source), b(source), im2colBudget(im2colBudget),
        batchBackward(batchBackward) {
    b.setListener(&placer);
  }

  FailureOr<func::FuncOp> run() {
    auto returnOp = cast<func::ReturnOp>(source.getBody().front().getTerminator());
    SmallVector<Type> argTypes;
    for (Type t : source.getArgumentTypes())
      argTypes.push_back(bufferType(t));
    for (Type t : source.getResultTypes())
      argTypes.push_back(bufferType(t));
    b.setInsertionPoint(source);
    auto func = b.create<func::FuncOp>(source.getLoc(), source.getName(),
                                       b.getFunctionType(argTypes, {}));
    unsigned numInputs = source.getNumArguments();
    for (unsigned i = 0; i < numInputs; ++i)
      if (auto name = source.getArgAttrOfType<StringAttr>(
              i, nn::NNDialect::kInputAttrName))
        func.setArgAttr(i, exec::ExecDialect::kInputAttrName, name);
    for (unsigned i = 0; i < source.getNumResults(); ++i)
      if (auto name = source.getResultAttrOfType<StringAttr>(
              i, nn::NNDialect::kOutputAttrName))
        func.setArgAttr(numInputs + i, exec::ExecDialect::kOutputAttrName, name);

    Block *entry = func.addEntryBlock();
    b.setInsertionPointToStart(entry);
    for (auto [tensor, buffer] :
         llvm::zip(source.getArguments(), entry->getArguments()))
      buffers[tensor] = buffer;
    for (auto [i, result] : llvm::enumerate(returnOp.getOperands()))
      destinations[result] = entry->getArgument(numInputs + i);

    bool partitioned = false;
    for (Operation &op : source.getBody().front().without_terminator()) {
      placer.device = nn::deviceOf(&op);
      partitioned |= placer.device.has_value();
      if (failed(lower(&op)))
        return failure();
    }
    // Results are gathered on device 0.
    placer.device = partitioned ? std::optional<int64_t>(0) : std::nullopt;

    // A result that no kernel wrote in place (an argument, an alias) is
    // copied out.
    for (auto [i, result] : llvm::enumerate(returnOp.getOperands())) {
      Value out = entry->getArgument(numInputs + i);
      if (buffers[result] != out)
        b.create<exec::CopyOp>(returnOp.getLoc(), buffers[result], out);
    }
    b.create<func::ReturnOp>(returnOp.getLoc());
    return func;
  }

private:
  /// Where the op defining `tensor` should write: the output argument when
  /// the tensor is returned, else a fresh arena buffer.
  Value destination(Value tensor, Location loc) {
    if (Value out = destinations.lookup(tensor))
      if (!claimed.contains(out)) {
        claimed.insert(out);
        return out;
      }
    return b.create<exec::AllocOp>(loc, bufferType(tensor.getType()));
  }

  Value alloc(Location loc, ArrayRef<int64_t> shape) {
    return b.create<exec::AllocOp>(loc,
                                   MemRefType::get(shape, b.getF32Type()));
  }

  LogicalResult lower(Operation *op) {
    Location loc = op->getLoc();
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](nn::ParamRefOp param) {
          buffers[param.getResult()] = b.create<exec::ParamOp>(
              loc, bufferType(param.getType()), param.getNameAttr(),
              rowOffsetAttr(b, param.getRowOffset()));
          return success();
        })
        .Case([&](nn::Conv2DOp conv) { return lowerConv(conv); })
        .Case([&](nn::Conv2DReluOp conv) { return lowerConv(conv); })
        .Case([&](nn::Conv2DReluLrnOp conv) { return lowerConv(conv); })
        .Case([&](nn::DenseOp dense) {
          return lowerDense(dense.getInput(), dense.getWeight(),
                            dense.getBias(), dense.getResult(), false);
        })
        .Case([&](nn::DenseReluOp dense) {
          return lowerDense(dense.getInput(), dense.getWeight(),
                            dense.getBias(), dense.getResult(), true);
        })
        .Case([&](nn::ReluOp relu) {
          return unary<exec::ReluOp>(relu.getInput(), relu.getResult());
        })
        .Case<nn::LrnOp, nn::LrnHaloOp>([&](auto lrn) {
          Value y = destination(lrn.getResult(), loc);
          DenseI64ArrayAttr halo;
          if constexpr (std::is_same_v<decltype(lrn), nn::LrnHaloOp>)
            halo = lrn.getHaloAttr();
          b.create<exec::LrnOp>(loc, buffers[lrn.getInput()], y,
                                lrn.getSizeAttr(), lrn.getAlphaAttr(),
                                lrn.getBetaAttr(), lrn.getKAttr(), halo);
          buffers[lrn.getResult()] = y;
          return success();
        })
        .Case([&](nn::TransferOp move) {
          Value y = destination(move.getResult(), loc);
          b.create<exec::TransferOp>(loc, buffers[move.getInput()], y,
                                     move.getSourceAttr(), move.getTargetAttr());
          buffers[move.getResult()] = y;
          return success();
        })
        .Case<nn::MaxPoolOp, nn::AvgPoolOp>([&](auto pool) {
          using ExecPool =
              std::conditional_t<std::is_same_v<decltype(pool), nn::MaxPoolOp>,
                                 exec::MaxPoolOp, exec::AvgPoolOp>;
          Value y = destination(pool.getResult(), loc);
          b.create<ExecPool>(loc, buffers[pool.getInput()], y,
                             pool.getWindowAttr(), pool.getStrideAttr(),
                             pool.getPadAttr());
          buffers[pool.getResult()] = y;
          return success();
        })
        .Case([&](nn::DropoutOp dropout) {
          // Inference: the identity, so the result aliases its input. (Read
          // first: operator[] may grow the map and move the input's entry.)
          Value input = buffers.lookup(dropout.getInput());
          buffers[dropout.getResult()] = input;
          return success();
        })
        .Case([&](nn::FlattenOp flatten) {
          buffers[flatten.getResult()] = b.create<exec::ReshapeOp>(
              loc, bufferType(flatten.getType()), buffers[flatten.getInput()]);
          return success();
        })
        .Case([&](nn::ConcatOp concat) {
          Value y = destination(concat.getResult(), loc);
          SmallVector<Value> inputs;
          for (Value input : concat.getInputs())
            inputs.push_back(buffers[input]);
          b.create<exec::ConcatOp>(loc, inputs, y, concat.getAxis());
          buffers[concat.getResult()] = y;
          return success();
        })
        .Case([&](nn::AddOp add) {
          Value y = destination(add.getResult(), loc);
          b.create<exec::AddOp>(loc, buffers[add.getLhs()],
                                buffers[add.getRhs()], y);
          buffers[add.getResult()] = y;
          return success();
        })
        .Case([&](nn::SoftmaxOp softmax) {
          return unary<exec::SoftmaxOp>(softmax.getInput(),
                                        softmax.getResult());
        })
        .Default([&](Operation *op) { return lowerTraining(op); });
  }

  /// The ops --nn-autodiff adds (gradients, dropout masks, the loss).
  LogicalResult lowerTraining(Operation *op) {
    Location loc = op->getLoc();
    auto result = [&](Value tensor, Value buffer) {
      buffers[tensor] = buffer;
      return success();
    };
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](nn::SoftmaxCrossEntropyOp xent) {
          Value loss = destination(xent.getResult(), loc);
          b.create<exec::CrossEntropyOp>(loc, buffers[xent.getLogits()],
                                         buffers[xent.getLabels()], loss);
          return result(xent.getResult(), loss);
        })
        .Case([&](nn::SoftmaxCrossEntropyBackwardOp grad) {
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::CrossEntropyGradOp>(loc, buffers[grad.getLogits()],
                                             buffers[grad.getLabels()], dx);
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::DropoutMaskOp mask) {
          Value m = destination(mask.getResult(), loc);
          b.create<exec::DropoutMaskOp>(
              loc, buffers[mask.getSeed()], buffers[mask.getStep()],
              buffers[mask.getEnabled()], m, mask.getRateAttr(),
              mask.getStreamAttr(), mask.getWindowAttr());
          return result(mask.getResult(), m);
        })
        .Case([&](nn::MulOp mul) {
          Value y = destination(mul.getResult(), loc);
          b.create<exec::MulOp>(loc, buffers[mul.getLhs()],
                                buffers[mul.getRhs()], y);
          return result(mul.getResult(), y);
        })
        .Case([&](nn::ReluBackwardOp grad) {
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::ReluGradOp>(loc, buffers[grad.getGrad()],
                                     buffers[grad.getOutput()], dx);
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::ZerosOp zeros) {
          Value y = destination(zeros.getResult(), loc);
          b.create<exec::FillOp>(loc, y, b.getF32FloatAttr(0.0f));
          return result(zeros.getResult(), y);
        })
        .Case([&](nn::SoftmaxBackwardOp grad) {
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::SoftmaxGradOp>(loc, buffers[grad.getGrad()],
                                        buffers[grad.getOutput()], dx);
          return result(grad.getResult(), dx);
        })
        .Case<nn::LrnBackwardOp, nn::LrnHaloBackwardOp>([&](auto grad) {
          Value dx = destination(grad.getResult(), loc);
          UnitAttr throughRelu;
          DenseI64ArrayAttr halo;
          if constexpr (std::is_same_v<decltype(grad), nn::LrnBackwardOp>)
            throughRelu = grad.getThroughReluAttr();
          else
            halo = grad.getHaloAttr();
          b.create<exec::LrnGradOp>(loc, buffers[grad.getGrad()],
                                    buffers[grad.getInput()],
                                    buffers[grad.getOutput()], dx,
                                    grad.getSizeAttr(), grad.getAlphaAttr(),
                                    grad.getBetaAttr(), grad.getKAttr(),
                                    throughRelu, halo);
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::AddSliceOp add) {
          // In place when nothing else reads the base (autodiff's running
          // gradient sum), else on a copy.
          Value base = buffers[add.getBase()];
          bool inPlace = add.getBase().hasOneUse() &&
                         base.getDefiningOp<exec::AllocOp>() &&
                         !destinations.count(add.getResult());
          Value y = base;
          if (!inPlace) {
            y = destination(add.getResult(), loc);
            b.create<exec::CopyOp>(loc, base, y);
          }
          b.create<exec::AddSliceOp>(loc, buffers[add.getPart()], y,
                                     add.getAxisAttr(), add.getOffsetAttr());
          return result(add.getResult(), y);
        })
        .Case([&](nn::MaxPoolBackwardOp grad) {
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::MaxPoolGradOp>(
              loc, buffers[grad.getGrad()], buffers[grad.getInput()], dx,
              grad.getWindowAttr(), grad.getStrideAttr(), grad.getPadAttr(),
              grad.getThroughReluAttr());
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::AvgPoolBackwardOp grad) {
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::AvgPoolGradOp>(loc, buffers[grad.getGrad()], dx,
                                        grad.getWindowAttr(),
                                        grad.getStrideAttr(), grad.getPadAttr());
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::ReshapeOp reshape) {
          return result(reshape.getResult(),
                        b.create<exec::ReshapeOp>(
                            loc, bufferType(reshape.getType()),
                            buffers[reshape.getInput()]));
        })
        .Case([&](nn::SliceOp slice) {
          Value y = destination(slice.getResult(), loc);
          b.create<exec::SliceOp>(loc, buffers[slice.getInput()], y,
                                  slice.getAxisAttr(), slice.getOffsetAttr());
          return result(slice.getResult(), y);
        })
        .Case([&](nn::BiasBackwardOp grad) {
          Value db = destination(grad.getResult(), loc);
          auto dy = cast<RankedTensorType>(grad.getGrad().getType());
          if (batchBackward && dy.getRank() == 4 && dy.getDimSize(0) > 1) {
            // db = dy's [C, N*P] rows . ones: one GEMV (cuBLAS) instead of
            // a thread per channel summing N*P values.
            Value rows = channelMajorOf(grad.getGrad(), loc);
            int64_t columns = dy.getNumElements() / dy.getDimSize(1);
            Value ones = alloc(loc, {columns});
            b.create<exec::FillOp>(loc, ones, b.getF32FloatAttr(1.0f));
            b.create<exec::GemmOp>(loc, rows, ones, db, dy.getDimSize(1), 1,
                                   columns);
            return result(grad.getResult(), db);
          }
          b.create<exec::BiasGradOp>(loc, buffers[grad.getGrad()], db);
          return result(grad.getResult(), db);
        })
        .Case([&](nn::DenseBackwardInputOp grad) {
          // dx [N, I] = dy [N, U] . W [U, I]
          auto dy = cast<RankedTensorType>(grad.getGrad().getType());
          auto w = cast<RankedTensorType>(grad.getWeight().getType());
          Value dx = destination(grad.getResult(), loc);
          b.create<exec::GemmOp>(loc, buffers[grad.getGrad()],
                                 buffers[grad.getWeight()], dx,
                                 dy.getDimSize(0), w.getDimSize(1),
                                 dy.getDimSize(1));
          return result(grad.getResult(), dx);
        })
        .Case([&](nn::DenseBackwardWeightOp grad) {
          // dW [U, I] = dy^T [U, N] . x [N, I]
          auto x = cast<RankedTensorType>(grad.getInput().getType());
          auto dy = cast<RankedTensorType>(grad.getGrad().getType());
          Value dw = destination(grad.getResult(), loc);
          auto gemm = b.create<exec::GemmOp>(
              loc, buffers[grad.getGrad()], buffers[grad.getInput()], dw,
              dy.getDimSize(1), x.getDimSize(1), x.getDimSize(0));
          gemm.setTransA(true);
          return result(grad.getResult(), dw);
        })
        .Case([&](nn::SgdUpdateOp sgd) { return lowerSgdUpdate(sgd); })
        .Case([&](nn::ParamStoreOp store) {
          // The update already wrote the parameter's own buffer in place;
          // anything else is copied in.
          IntegerAttr offset = rowOffsetAttr(b, store.getRowOffset());
          Value target = b.create<exec::ParamOp>(
              loc, bufferType(store.getValue().getType()), store.getNameAttr(),
              offset);
          Value value = buffers[store.getValue()];
          if (auto param = value.getDefiningOp<exec::ParamOp>();
              param && param.getName() == store.getName() &&
              param.getRowOffsetAttr() == offset) {
            target.getDefiningOp()->erase();
            return success();
          }
          b.create<exec::CopyOp>(loc, value, target);
          return success();
        })
        .Case([&](nn::Conv2DBackwardWeightOp grad) {
          return lowerConvBackwardWeight(grad);
        })
        .Case([&](nn::Conv2DBackwardInputOp grad) {
          return lowerConvBackwardInput(grad);
        })
        .Default([&](Operation *op) {
          return op->emitOpError("is not supported by convert-nn-to-exec in "
                                 "this function");
        });
  }

  /// The symbol a parameter-valued tensor reads, if it is an nn.param_ref.
  static FailureOr<StringRef> parameterOf(Value tensor) {
    if (auto ref = tensor.getDefiningOp<nn::ParamRefOp>())
      return ref.getName();
    return failure();
  }

  /// An op after `update` that still reads parameter `name` (null when
  /// none): the in-place update would change what it sees.
  /// Rows [first, last) of a parameter a param_ref reads.
  static std::pair<int64_t, int64_t> rowsOf(nn::ParamRefOp ref) {
    int64_t first = ref.getRowOffset() ? int64_t(*ref.getRowOffset()) : 0;
    return {first, first + cast<RankedTensorType>(ref.getType()).getDimSize(0)};
  }

  /// An op after `update` that reads rows of parameter `ref` it rewrites.
  static Operation *laterReader(Operation *update, nn::ParamRefOp ref) {
    auto func = update->getParentOfType<func::FuncOp>();
    auto [first, last] = rowsOf(ref);
    Operation *reader = nullptr;
    func.walk([&](nn::ParamRefOp other) {
      auto [otherFirst, otherLast] = rowsOf(other);
      if (other.getName() != ref.getName() || otherLast <= first ||
          last <= otherFirst)
        return;
      for (Operation *user : other->getUsers())
        if (user != update && !isa<nn::ParamStoreOp>(user) &&
            update->isBeforeInBlock(user))
          reader = user;
    });
    return reader;
  }

  LogicalResult lowerSgdUpdate(nn::SgdUpdateOp sgd) {
    FailureOr<StringRef> weight = parameterOf(sgd.getWeight());
    FailureOr<StringRef> velocity = parameterOf(sgd.getVelocity());
    if (failed(weight) || failed(velocity))
      return sgd.emitOpError("expected the weight and the velocity to be "
                             "nn.param_ref values (updated in place)");
    for (Value ref : {sgd.getWeight(), sgd.getVelocity()})
      if (Operation *reader =
              laterReader(sgd, ref.getDefiningOp<nn::ParamRefOp>()))
        return sgd.emitOpError("updates parameter '")
               << ref.getDefiningOp<nn::ParamRefOp>().getName()
               << "' in place but a later op still reads it: "
               << reader->getName();
    Value w = buffers[sgd.getWeight()], v = buffers[sgd.getVelocity()];
    b.create<exec::SgdUpdateOp>(sgd.getLoc(), buffers[sgd.getGrad()],
                                buffers[sgd.getLr()], v, w,
                                sgd.getMomentumAttr(), sgd.getWeightDecayAttr());
    buffers[sgd.getNewWeight()] = w;
    buffers[sgd.getNewVelocity()] = v;
    return success();
  }

  /// Sizes of a convolution seen from its input, weight and output types.
  struct ConvDims {
    int64_t n, c, f, kh, kw, groups, cg, fg, p, kg;
    bool pointwise;
  };
  static ConvDims convDims(Type input, Type weight, Type output,
                           ArrayRef<int64_t> stride, ArrayRef<int64_t> pad,
                           int64_t groups) {
    auto x = cast<RankedTensorType>(input);
    auto w = cast<RankedTensorType>(weight);
    auto y = cast<RankedTensorType>(output);
    ConvDims d;
    d.n = x.getDimSize(0);
    d.c = x.getDimSize(1);
    d.f = w.getDimSize(0);
    d.kh = w.getDimSize(2);
    d.kw = w.getDimSize(3);
    d.groups = groups;
    d.cg = d.c / groups;
    d.fg = d.f / groups;
    d.p = y.getDimSize(2) * y.getDimSize(3);
    d.kg = d.cg * d.kh * d.kw;
    d.pointwise = d.kh == 1 && d.kw == 1 && stride[0] == 1 && stride[1] == 1 &&
                  pad[0] == 0 && pad[1] == 0;
    return d;
  }

  /// dy of a convolution as [F, N*P] rows, reordered once per dy.
  Value channelMajorOf(Value dyTensor, Location loc) {
    Value &rows = channelMajor[dyTensor];
    if (!rows) {
      auto dy = cast<RankedTensorType>(dyTensor.getType());
      rows = alloc(loc, {dy.getDimSize(1), dy.getDimSize(0) * dy.getDimSize(2) *
                                               dy.getDimSize(3)});
      b.create<exec::ChannelMajorOp>(loc, buffers[dyTensor], rows);
    }
    return rows;
  }

  /// dW_g = sum over images of dy_g[n] [Fg, P] . col_n^T [P, Kg]: one GEMM
  /// per image and group, accumulating (beta = 1) after the first image.
  /// With batch-backward, one GEMM per group over the whole batch:
  /// dy_g [Fg, N*P] . col^T [N*P, Kg], col from a batch-wide im2col.
  LogicalResult lowerConvBackwardWeight(nn::Conv2DBackwardWeightOp grad) {
    Location loc = grad.getLoc();
    ConvDims d = convDims(grad.getInput().getType(), grad.getType(),
                          grad.getGrad().getType(), grad.getStride(),
                          grad.getPad(), grad.getGroups());
    Value x = buffers[grad.getInput()];
    Value dy = buffers[grad.getGrad()];
    Value dw = destination(grad.getResult(), loc);
    if (batchBackward && d.n > 1) {
      Value rows = channelMajorOf(grad.getGrad(), loc);
      Value col = alloc(loc, {d.kg, d.n * d.p});
      for (int64_t g = 0; g < d.groups; ++g) {
        b.create<exec::Im2ColOp>(
            loc, x, col, b.getDenseI64ArrayAttr({d.kh, d.kw}),
            grad.getStrideAttr(), grad.getPadAttr(), b.getI64IntegerAttr(g),
            grad.getGroupsAttr(), IntegerAttr());
        auto gemm =
            b.create<exec::GemmOp>(loc, rows, col, dw, d.fg, d.kg, d.n * d.p);
        gemm.setTransB(true);
        gemm.setAOffset(g * d.fg * d.n * d.p);
        gemm.setCOffset(g * d.fg * d.kg);
      }
      buffers[grad.getResult()] = dw;
      return success();
    }
    Value col = d.pointwise ? x : alloc(loc, {d.kg, d.p});
    for (int64_t image = 0; image < d.n; ++image)
      for (int64_t g = 0; g < d.groups; ++g) {
        if (!d.pointwise) {
          auto im2col = b.create<exec::Im2ColOp>(
              loc, x, col, b.getDenseI64ArrayAttr({d.kh, d.kw}),
              grad.getStrideAttr(), grad.getPadAttr(), b.getI64IntegerAttr(g),
              grad.getGroupsAttr(), IntegerAttr());
          im2col.setImage(image);
        }
        auto gemm = b.create<exec::GemmOp>(loc, dy, col, dw, d.fg, d.kg, d.p);
        gemm.setTransB(true);
        gemm.setAOffset((image * d.f + g * d.fg) * d.p);
        gemm.setBOffset(d.pointwise ? (image * d.c + g * d.cg) * d.p : 0);
        gemm.setCOffset(g * d.fg * d.kg);
        if (image > 0)
          gemm.setBetaAttr(b.getF32FloatAttr(1.0f));
      }
    buffers[grad.getResult()] = dw;
    return success();
  }

  /// dx = col2im(W_g^T [Kg, Fg] . dy_g[n] [Fg, P]) per image and group; a
  /// pointwise kernel's GEMM writes the image's channels directly. With
  /// batch-backward, one GEMM per group over the whole batch, W_g^T .
  /// dy_g [Fg, N*P], and a batch-wide col2im.
  LogicalResult lowerConvBackwardInput(nn::Conv2DBackwardInputOp grad) {
    Location loc = grad.getLoc();
    ConvDims d = convDims(grad.getType(), grad.getWeight().getType(),
                          grad.getGrad().getType(), grad.getStride(),
                          grad.getPad(), grad.getGroups());
    Value w = buffers[grad.getWeight()];
    Value dy = buffers[grad.getGrad()];
    Value dx = destination(grad.getResult(), loc);
    if (batchBackward && d.n > 1) {
      Value rows = channelMajorOf(grad.getGrad(), loc);
      Value col = alloc(loc, {d.kg, d.n * d.p});
      for (int64_t g = 0; g < d.groups; ++g) {
        auto gemm =
            b.create<exec::GemmOp>(loc, w, rows, col, d.kg, d.n * d.p, d.fg);
        gemm.setTransA(true);
        gemm.setAOffset(g * d.fg * d.kg);
        gemm.setBOffset(g * d.fg * d.n * d.p);
        b.create<exec::Col2ImOp>(
            loc, col, dx, b.getDenseI64ArrayAttr({d.kh, d.kw}),
            grad.getStrideAttr(), grad.getPadAttr(), b.getI64IntegerAttr(g),
            grad.getGroupsAttr(), IntegerAttr());
      }
      buffers[grad.getResult()] = dx;
      return success();
    }
    Value col = d.pointwise ? dx : alloc(loc, {d.kg, d.p});
    for (int64_t image = 0; image < d.n; ++image)
      for (int64_t g = 0; g < d.groups; ++g) {
        auto gemm = b.create<exec::GemmOp>(loc, w, dy, col, d.kg, d.p, d.fg);
        gemm.setTransA(true);
        gemm.setAOffset(g * d.fg * d.kg);
        gemm.setBOffset((image * d.f + g * d.fg) * d.p);
        if (d.pointwise) {
          gemm.setCOffset((image * d.c + g * d.cg) * d.p);
          continue;
        }
        b.create<exec::Col2ImOp>(
            loc, col, dx, b.getDenseI64ArrayAttr({d.kh, d.kw}),
            grad.getStrideAttr(), grad.getPadAttr(), b.getI64IntegerAttr(g),
            grad.getGroupsAttr(), b.getI64IntegerAttr(image));
      }
    buffers[grad.getResult()] = dx;
    return success();
  }

  template <typename ExecOp>
  LogicalResult unary(Value input, Value result) {
    Value y = destination(result, result.getLoc());
    b.create<ExecOp>(result.getLoc(), buffers[input], y);
    buffers[result] = y;
    return success();
  }

  /// y = x W^T (+ b); dense_relu applies the bias and the ReLU in one pass
  /// over the GEMM's result.
  LogicalResult lowerDense(Value input, Value weight, Value bias, Value result,
                           bool relu) {
    Location loc = result.getLoc();
    Value y = destination(result, loc);
    auto w = cast<RankedTensorType>(weight.getType());
    auto x = cast<RankedTensorType>(input.getType());
    auto gemm = b.create<exec::GemmOp>(loc, buffers[input], buffers[weight], y,
                                       x.getDimSize(0), w.getDimSize(0),
                                       x.getDimSize(1));
    gemm.setTransB(true);
    if (relu)
      b.create<exec::BiasReluOp>(loc, buffers[bias], y);
    else if (bias)
      b.create<exec::BiasAddOp>(loc, buffers[bias], y, 1);
    buffers[result] = y;
    return success();
  }

  /// im2col + one GEMM per group. When one image's im2col matrix is
  /// large (or the batch is 1), images go one at a time: the matrix stays in
  /// cache and each GEMM writes its image's NCHW rows. Otherwise the whole
  /// batch is unfolded side by side for one wide GEMM per group (better for
  /// the small late layers), whose [F, N*P] result is reordered to NCHW. A
  /// 1x1, stride-1, unpadded kernel per image needs no im2col: the input
  /// image already is the matrix.
  ///
  /// conv2d: the per-image GEMMs write the result directly and bias_add
  /// adds the bias in place; the batch-wide result goes through
  /// conv_output. Fused ops (conv2d_relu, conv2d_relu_lrn): each image's
  /// GEMMs write a one-image scratch that conv_epilogue turns into the
  /// output while it is still in cache; the batch-wide result goes through
  /// one conv_epilogue.
  template <typename ConvOp>
  LogicalResult lowerConv(ConvOp conv) {
    constexpr bool fused = !std::is_same_v<ConvOp, nn::Conv2DOp>;
    Location loc = conv.getLoc();
    auto x = cast<RankedTensorType>(conv.getInput().getType());
    auto w = cast<RankedTensorType>(conv.getWeight().getType());
    auto y = cast<RankedTensorType>(conv->getResult(0).getType());
    int64_t n = x.getDimSize(0), c = x.getDimSize(1);
    int64_t f = w.getDimSize(0), kh = w.getDimSize(2), kw = w.getDimSize(3);
    int64_t groups = conv.getGroups(), cg = c / groups, fg = f / groups;
    int64_t p = y.getDimSize(2) * y.getDimSize(3), kg = cg * kh * kw;
    ArrayRef<int64_t> stride = conv.getStride(), pad = conv.getPad();
    // Above the budget a convolution's im2col matrix is built one image at
    // a time, so it stays in the caches between im2col and GEMM (AlexNet on
    // the CPU's 2 MiB: conv1 4.4 MB and conv2 3.5 MB per image go one by
    // one; conv3-5, 1.2-1.6 MB, are unfolded for the whole batch).
    bool perImage =
        n == 1 || kg * p * int64_t(sizeof(float)) > im2colBudget;
    bool pointwise = perImage && kh == 1 && kw == 1 && stride[0] == 1 &&
                     stride[1] == 1 && pad[0] == 0 && pad[1] == 0;

    Value input = buffers[conv.getInput()];
    Value weight = buffers[conv.getWeight()];
    Value result = conv->getResults().back();
    Value out = destination(result, loc);
    Value bias = conv.getBias() ? buffers[conv.getBias()] : Value();
    auto im2col = [&](Value col, int64_t g, std::optional<int64_t> image) {
      auto op = b.create<exec::Im2ColOp>(
          loc, input, col, b.getDenseI64ArrayAttr({kh, kw}),
          conv.getStrideAttr(), conv.getPadAttr(), b.getI64IntegerAttr(g),
          b.getI64IntegerAttr(groups), IntegerAttr());
      if (image)
        op.setImage(*image);
    };
    auto gemm = [&](Value col, Value c, int64_t g, int64_t cols,
                    int64_t bOffset, int64_t cOffset) {
      auto op = b.create<exec::GemmOp>(loc, weight, col, c, fg, cols, kg);
      op.setAOffset(g * fg * kg);
      op.setBOffset(bOffset);
      op.setCOffset(cOffset);
    };
    // The fused epilogue: from the GEMM's result `acc` (one image, the
    // batch side by side, or the ReLU output's own buffer) to the output.
    // The ReLU's output needs a buffer when the backward pass reads it, and
    // on the batch-wide LRN path, which stages it (see exec.conv_epilogue).
    Value reluOut;
    if constexpr (std::is_same_v<ConvOp, nn::Conv2DReluLrnOp>) {
      if (!conv.getReluOutput().use_empty()) {
        reluOut = destination(conv.getReluOutput(), loc);
        buffers[conv.getReluOutput()] = reluOut;
      } else if (!perImage) {
        reluOut = alloc(loc, y.getShape());
      }
    }
    auto epilogue = [&](Value acc, std::optional<int64_t> image) {
      auto op = b.create<exec::ConvEpilogueOp>(loc, acc, bias, reluOut, out,
                                               IntegerAttr(), IntegerAttr(),
                                               FloatAttr(), FloatAttr(),
                                               FloatAttr());
      if (image)
        op.setImage(*image);
      if constexpr (std::is_same_v<ConvOp, nn::Conv2DReluLrnOp>) {
        op.setLrnSizeAttr(conv.getSizeAttr());
        op.setAlphaAttr(conv.getAlphaAttr());
        op.setBetaAttr(conv.getBetaAttr());
        op.setKAttr(conv.getKAttr());
      }
    };

    if (perImage) {
      // Fused: each image's GEMMs write a one-image scratch that its
      // epilogue reads while in cache; but when the ReLU's output must be
      // stored, they write that image of it and the epilogue rewrites it
      // in place (storing it from the LRN's 16-pixel tiles into another
      // buffer, 16 floats of each channel at a time, made conv1's epilogue
      // 2x slower than the unfused kernels).
      bool scratch = fused && !reluOut;
      Value col = pointwise ? input : alloc(loc, {kg, p});
      Value acc = scratch ? alloc(loc, {1, f, y.getDimSize(2), y.getDimSize(3)})
                  : reluOut ? reluOut
                            : out;
      for (int64_t image = 0; image < n; ++image) {
        for (int64_t g = 0; g < groups; ++g) {
          if (!pointwise && n == 1)
            im2col(col, g, std::nullopt);
          else if (!pointwise)
            im2col(col, g, image);
          gemm(col, acc, g, p, pointwise ? (image * c + g * cg) * p : 0,
               ((scratch ? 0 : image) * f + g * fg) * p);
        }
        if (fused)
          epilogue(acc, image);
      }
      if (!fused && bias)
        b.create<exec::BiasAddOp>(loc, bias, out, p);
    } else {
      Value col = alloc(loc, {kg, n * p});
      Value gemmOut = alloc(loc, {f, n * p});
      for (int64_t g = 0; g < groups; ++g) {
        im2col(col, g, std::nullopt);
        gemm(col, gemmOut, g, n * p, 0, g * fg * n * p);
      }
      if (fused)
        epilogue(gemmOut, std::nullopt);
      else
        b.create<exec::ConvOutputOp>(loc, gemmOut, bias, out);
    }
    buffers[result] = out;
    return success();
  }

  func::FuncOp source;
  OpBuilder b;
  /// See the pass's im2col-budget and batch-backward options.
  int64_t im2colBudget;
  bool batchBackward;
  /// dy in [F, N*P] (exec.channel_major), shared by a convolution's weight
  /// and input gradients.
  DenseMap<Value, Value> channelMajor;
  DevicePlacer placer;
  DenseMap<Value, Value> buffers;      ///< tensor -> buffer
  DenseMap<Value, Value> destinations; ///< returned tensor -> output argument
  llvm::SmallDenseSet<Value> claimed;
};

/// The per-layer table `info` prints, recorded before the nn graph is gone.
ArrayAttr layerTable(ModuleOp module, const ModelSummary &summary) {
  MLIRContext *context = module.getContext();
  Builder b(context);
  SmallVector<Attribute> rows;
  for (const LayerSummary &layer : summary.layers) {
    std::string fusion = !layer.fusion.empty()      ? "-> " + layer.fusion
                         : !layer.fusedInto.empty() ? "(in " + layer.fusedInto + ")"
                                                    : "";
    rows.push_back(exec::LayerAttr::get(
        context, layer.name, layer.op, b.getDenseI64ArrayAttr(layer.shape),
        layer.parameters, layer.flops, layer.traffic, layer.fusedTraffic,
        fusion, layer.device >= 0 ? layer.device : -1));
  }
  return b.getArrayAttr(rows);
}

struct ConvertNNToExecPass
    : impl::ConvertNNToExecPassBase<ConvertNNToExecPass> {
  using ConvertNNToExecPassBase::ConvertNNToExecPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::string> wanted(entryPoints.begin(), entryPoints.end());
    if (wanted.empty())
      wanted.push_back("inference");

    if (module.lookupSymbol<func::FuncOp>("inference")) {
      FailureOr<ModelSummary> summary = summarizeModel(module);
      if (failed(summary))
        return signalPassFailure();
      module->setAttr(exec::ExecDialect::kGraphHashAttrName,
                      StringAttr::get(&getContext(), computeGraphHash(module)));
      module->setAttr(exec::ExecDialect::kLayersAttrName,
                      layerTable(module, *summary));
    }

    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (!llvm::is_contained(wanted, func.getName().str())) {
        func.erase();
        continue;
      }
      FailureOr<func::FuncOp> lowered = FunctionLowering(func, im2colBudget, batchBackward).run();
      if (failed(lowered))
        return signalPassFailure();
      func.erase();
    }
  }
};

} // namespace
} // namespace alexnet
