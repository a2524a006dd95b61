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

/// Above this many bytes per image, a convolution's im2col matrix is built
/// one image at a time, so it stays in the caches between im2col and GEMM
/// (AlexNet: conv1 4.4 MB and conv2 3.5 MB per image go one by one; conv3-5,
/// 1.2-1.6 MB, are unfolded for the whole batch and meet a wider GEMM).
constexpr int64_t kIm2ColBudgetBytes = 2 << 20;

MemRefType bufferType(Type tensor) {
  auto t = cast<RankedTensorType>(tensor);
  return MemRefType::get(t.getShape(), t.getElementType());
}

/// Lowers one function; owns the tensor -> buffer map.
class FunctionLowering {
public:
  FunctionLowering(func::FuncOp source) : source(source), b(source) {}

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

    for (Operation &op : source.getBody().front().without_terminator())
      if (failed(lower(&op)))
        return failure();

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
              loc, bufferType(param.getType()), param.getNameAttr());
          return success();
        })
        .Case([&](nn::Conv2DOp conv) { return lowerConv(conv); })
        .Case([&](nn::DenseOp dense) {
          Value y = destination(dense.getResult(), loc);
          auto w = cast<RankedTensorType>(dense.getWeight().getType());
          auto x = cast<RankedTensorType>(dense.getInput().getType());
          auto gemm = b.create<exec::GemmOp>(
              loc, buffers[dense.getInput()], buffers[dense.getWeight()], y,
              x.getDimSize(0), w.getDimSize(0), x.getDimSize(1));
          gemm.setTransB(true);
          if (dense.getBias())
            b.create<exec::BiasAddOp>(loc, buffers[dense.getBias()], y, 1);
          buffers[dense.getResult()] = y;
          return success();
        })
        .Case([&](nn::ReluOp relu) {
          return unary<exec::ReluOp>(relu.getInput(), relu.getResult());
        })
        .Case([&](nn::LrnOp lrn) {
          Value y = destination(lrn.getResult(), loc);
          b.create<exec::LrnOp>(loc, buffers[lrn.getInput()], y, lrn.getSize(),
                                lrn.getAlpha(), lrn.getBeta(), lrn.getK());
          buffers[lrn.getResult()] = y;
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
          // Inference: the identity, so the result aliases its input.
          buffers[dropout.getResult()] = buffers[dropout.getInput()];
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
        .Default([&](Operation *op) {
          return op->emitOpError("is not supported by convert-nn-to-exec in "
                                 "this function");
        });
  }

  template <typename ExecOp>
  LogicalResult unary(Value input, Value result) {
    Value y = destination(result, result.getLoc());
    b.create<ExecOp>(result.getLoc(), buffers[input], y);
    buffers[result] = y;
    return success();
  }

  /// im2col + one GEMM per group. When one image's im2col matrix is
  /// large (or the batch is 1), images go one at a time: the matrix stays in
  /// cache and each GEMM writes its image's NCHW rows straight into the
  /// result, so the bias is added in place. Otherwise the whole batch is
  /// unfolded side by side for one wide GEMM per group (better for the small
  /// late layers), whose [F, N*P] result conv_output reorders to NCHW with
  /// the bias. A 1x1, stride-1, unpadded kernel per image needs no im2col:
  /// the input image already is the matrix.
  LogicalResult lowerConv(nn::Conv2DOp conv) {
    Location loc = conv.getLoc();
    auto x = cast<RankedTensorType>(conv.getInput().getType());
    auto w = cast<RankedTensorType>(conv.getWeight().getType());
    auto y = cast<RankedTensorType>(conv.getType());
    int64_t n = x.getDimSize(0), c = x.getDimSize(1);
    int64_t f = w.getDimSize(0), kh = w.getDimSize(2), kw = w.getDimSize(3);
    int64_t groups = conv.getGroups(), cg = c / groups, fg = f / groups;
    int64_t p = y.getDimSize(2) * y.getDimSize(3), kg = cg * kh * kw;
    ArrayRef<int64_t> stride = conv.getStride(), pad = conv.getPad();
    bool perImage = n == 1 || kg * p * int64_t(sizeof(float)) > kIm2ColBudgetBytes;
    bool pointwise = perImage && kh == 1 && kw == 1 && stride[0] == 1 &&
                     stride[1] == 1 && pad[0] == 0 && pad[1] == 0;

    Value input = buffers[conv.getInput()];
    Value weight = buffers[conv.getWeight()];
    Value out = destination(conv.getResult(), loc);
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

    if (perImage) {
      Value col = pointwise ? input : alloc(loc, {kg, p});
      for (int64_t image = 0; image < n; ++image)
        for (int64_t g = 0; g < groups; ++g) {
          if (!pointwise && n == 1)
            im2col(col, g, std::nullopt);
          else if (!pointwise)
            im2col(col, g, image);
          gemm(col, out, g, p, pointwise ? (image * c + g * cg) * p : 0,
               (image * f + g * fg) * p);
        }
      if (bias)
        b.create<exec::BiasAddOp>(loc, bias, out, p);
    } else {
      Value col = alloc(loc, {kg, n * p});
      Value gemmOut = alloc(loc, {f, n * p});
      for (int64_t g = 0; g < groups; ++g) {
        im2col(col, g, std::nullopt);
        gemm(col, gemmOut, g, n * p, 0, g * fg * n * p);
      }
      b.create<exec::ConvOutputOp>(loc, gemmOut, bias, out);
    }
    buffers[conv.getResult()] = out;
    return success();
  }

  func::FuncOp source;
  OpBuilder b;
  DenseMap<Value, Value> buffers;      ///< tensor -> buffer
  DenseMap<Value, Value> destinations; ///< returned tensor -> output argument
  llvm::SmallDenseSet<Value> claimed;
};

/// The per-layer table `info` prints, recorded before the nn graph is gone.
ArrayAttr layerTable(ModuleOp module, const ModelSummary &summary) {
  Builder b(module.getContext());
  SmallVector<Attribute> rows;
  for (const LayerSummary &layer : summary.layers)
    rows.push_back(b.getDictionaryAttr({
        b.getNamedAttr("name", b.getStringAttr(layer.name)),
        b.getNamedAttr("op", b.getStringAttr(layer.op)),
        b.getNamedAttr("shape", b.getDenseI64ArrayAttr(layer.shape)),
        b.getNamedAttr("params", b.getI64IntegerAttr(layer.parameters)),
        b.getNamedAttr("flops", b.getI64IntegerAttr(layer.flops)),
    }));
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
      FailureOr<func::FuncOp> lowered = FunctionLowering(func).run();
      if (failed(lowered))
        return signalPassFailure();
      func.erase();
    }
  }
};

} // namespace
} // namespace alexnet
