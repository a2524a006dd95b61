//===- Fuse.cpp - Fuse conv/dense epilogues and ReLU gradients ------------===//
//
// Greedy rewrite patterns. A pattern whose ops do not form its chain
// returns plain failure(); one whose chain is there but may not be fused
// says why with notifyMatchFailure, and with `remarks=true` every such
// reason (and every fused op) is reported as a remark.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Analysis/GraphHash.h"
#include "alexnet/Dialect/NN/NNOps.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <set>

using namespace mlir;

namespace alexnet::nn {
#define GEN_PASS_DEF_FUSEPASS
#include "alexnet/Dialect/NN/Transforms/Passes.h.inc"

namespace {

/// The fused LRN epilogue keeps a tile of 16 pixels x every channel on the
/// stack (64 KiB at 1024 channels), like the LRN gradient kernel.
constexpr int64_t kMaxFusedLrnChannels = 1024;

/// The fused op inherits the chain's device and a location naming every
/// layer it absorbed, in order.
void adopt(Operation *fused, ArrayRef<Operation *> chain) {
  SmallVector<Location> locs;
  for (Operation *op : chain) {
    if (auto parts = dyn_cast<FusedLoc>(op->getLoc()))
      llvm::append_range(locs, parts.getLocations());
    else
      locs.push_back(op->getLoc());
  }
  fused->setLoc(FusedLoc::get(fused->getContext(), locs));
  if (auto device = chain.front()->getAttr(NNDialect::kDeviceAttrName))
    fused->setAttr(NNDialect::kDeviceAttrName, device);
}

/// "conv1" for an op from the DSL, else its op name.
std::string describe(Operation *op) {
  SmallVector<StringRef> layers = fusedLayerNames(op->getLoc());
  if (layers.empty())
    return op->getName().getStringRef().str();
  return llvm::join(layers, " + ");
}

/// Refuses a chain whose ops are not all on one device.
LogicalResult checkOneDevice(PatternRewriter &rewriter, Operation *root,
                             Operation *producer) {
  // An op without nn.device runs on device 0.
  int64_t rootDevice = deviceOf(root).value_or(0);
  int64_t producerDevice = deviceOf(producer).value_or(0);
  if (rootDevice == producerDevice)
    return success();
  return rewriter.notifyMatchFailure(root, [&](Diagnostic &diag) {
    diag << "not fused: " << describe(producer) << " is on device "
         << producerDevice << " and " << describe(root) << " on device "
         << rootDevice << " (a fusion never crosses devices)";
  });
}

/// Refuses hiding `value` (the producer's result the fused op would no
/// longer expose) when anything but `consumer` reads it.
LogicalResult checkOnlyUser(PatternRewriter &rewriter, Operation *consumer,
                            Value value, StringRef what, StringRef cost) {
  for (Operation *user : value.getUsers())
    if (user != consumer)
      return rewriter.notifyMatchFailure(consumer, [&](Diagnostic &diag) {
        diag << "not fused: the " << what << " result of "
             << describe(value.getDefiningOp()) << " is also read by "
             << describe(user);
        if (describe(user) != user->getName().getStringRef())
          diag << " (" << user->getName() << ")";
        diag << "; fusing would " << cost;
      });
  return success();
}

/// conv2d -> relu  =>  conv2d_relu, and dense (with a bias) -> relu  =>
/// dense_relu: the fused op takes the producer's operands and attributes,
/// and its epilogue applies the bias and the ReLU in one pass over the
/// GEMM's result.
template <typename Producer, typename Fused>
struct FuseRelu : OpRewritePattern<ReluOp> {
  using OpRewritePattern<ReluOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReluOp relu,
                                PatternRewriter &rewriter) const override {
    auto producer = relu.getInput().template getDefiningOp<Producer>();
    if (!producer)
      return failure();
    constexpr bool dense = std::is_same_v<Producer, DenseOp>;
    if (dense && !producer.getBias())
      return rewriter.notifyMatchFailure(relu, [&](Diagnostic &diag) {
        diag << "not fused: " << describe(producer)
             << " has no bias, so its GEMM leaves no epilogue pass to fold "
                "the ReLU into";
      });
    if (failed(checkOnlyUser(rewriter, relu, producer.getResult(),
                             producer->getName().stripDialect(),
                             dense ? "recompute the GEMM"
                                   : "recompute the convolution")) ||
        failed(checkOneDevice(rewriter, relu, producer)))
      return failure();
    auto fused = rewriter.create<Fused>(relu.getLoc(), relu.getType(),
                                        producer->getOperands(),
                                        producer->getAttrs());
    adopt(fused, {producer, relu});
    rewriter.replaceOp(relu, fused.getResult());
    rewriter.eraseOp(producer);
    return success();
  }
};

/// conv2d_relu -> lrn  =>  conv2d_relu_lrn. The ReLU's output may have other
/// readers (the backward pass): it stays a result of the fused op.
struct FuseConvReluLrn : OpRewritePattern<LrnOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LrnOp lrn,
                                PatternRewriter &rewriter) const override {
    auto convRelu = lrn.getInput().getDefiningOp<Conv2DReluOp>();
    if (!convRelu)
      return failure();
    int64_t channels = lrn.getType().getDimSize(1);
    if (channels > kMaxFusedLrnChannels)
      return rewriter.notifyMatchFailure(lrn, [&](Diagnostic &diag) {
        diag << "not fused: " << describe(lrn) << " normalises across "
             << channels << " channels, more than the fused epilogue's tile of "
             << kMaxFusedLrnChannels;
      });
    if (failed(checkOneDevice(rewriter, lrn, convRelu)))
      return failure();
    // Built where conv2d_relu is: its ReLU output replaces that op's result,
    // whose other readers may come before the LRN.
    rewriter.setInsertionPoint(convRelu);
    Type type = lrn.getType();
    auto fused = rewriter.create<Conv2DReluLrnOp>(
        lrn.getLoc(), type, type, convRelu.getInput(), convRelu.getWeight(),
        convRelu.getBias(), convRelu.getStrideAttr(), convRelu.getPadAttr(),
        convRelu.getGroupsAttr(), lrn.getSizeAttr(), lrn.getAlphaAttr(),
        lrn.getBetaAttr(), lrn.getKAttr());
    adopt(fused, {convRelu, lrn});
    rewriter.replaceOp(convRelu, fused.getReluOutput());
    rewriter.replaceOp(lrn, fused.getOutput());
    return success();
  }
};

/// relu_backward(g, r) with g = lrn_backward(dy, r, y) or
/// maxpool_backward(dy, r): the gradient op applies the ReLU's mask itself
/// (`through_relu`), in the pass that writes g.
template <typename GradOp>
struct FuseReluBackward : OpRewritePattern<ReluBackwardOp> {
  using OpRewritePattern<ReluBackwardOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReluBackwardOp reluGrad,
                                PatternRewriter &rewriter) const override {
    auto grad = reluGrad.getGrad().template getDefiningOp<GradOp>();
    if (!grad || grad.getThroughRelu())
      return failure();
    if (grad.getInput() != reluGrad.getOutput())
      return rewriter.notifyMatchFailure(reluGrad, [&](Diagnostic &diag) {
        diag << "not fused: the ReLU's output is not the forward input of "
             << describe(grad) << ", so its mask cannot be taken from it";
      });
    if (failed(checkOnlyUser(rewriter, reluGrad, grad.getResult(),
                             grad->getName().stripDialect(),
                             "compute the gradient twice")) ||
        failed(checkOneDevice(rewriter, reluGrad, grad)))
      return failure();
    rewriter.modifyOpInPlace(grad, [&] {
      grad.setThroughRelu(true);
      adopt(grad, {grad, reluGrad});
    });
    rewriter.replaceOp(reluGrad, grad.getResult());
    return success();
  }
};

/// Collects notifyMatchFailure reasons, once each, in the order they came.
struct RefusalCollector : RewriterBase::Listener {
  void notifyMatchFailure(Location loc,
                          function_ref<void(Diagnostic &)> reason) override {
    Diagnostic diag(loc, DiagnosticSeverity::Remark);
    reason(diag);
    if (seen.insert({loc.getAsOpaquePointer(), diag.str()}).second)
      refusals.push_back({loc, diag.str()});
  }
  std::vector<std::pair<Location, std::string>> refusals;
  std::set<std::pair<const void *, std::string>> seen;
};

/// The remark for an op nn-fuse built or marked, if it is one.
std::optional<std::string> fusionReport(Operation *op) {
  bool forward = isa<Conv2DReluOp, Conv2DReluLrnOp, DenseReluOp>(op);
  if (!forward && !passesThroughRelu(op))
    return std::nullopt;
  // Hand-written IR has no layer names: name the chain by its ops.
  std::string layers =
      !fusedLayerNames(op->getLoc()).empty()
          ? describe(op)
          : llvm::TypeSwitch<Operation *, std::string>(op)
                .Case([](Conv2DReluOp) { return "conv2d + relu"; })
                .Case([](Conv2DReluLrnOp) { return "conv2d + relu + lrn"; })
                .Case([](DenseReluOp) { return "dense + relu"; })
                .Case([](LrnBackwardOp) { return "lrn + relu"; })
                .Default([](Operation *) { return "maxpool + relu"; });
  std::string fused = op->getName().getStringRef().str();
  if (forward)
    return "fused " + layers + " into " + fused;
  return "fused the gradients of " + layers + " into " + fused + " through_relu";
}

struct FusePass : impl::FusePassBase<FusePass> {
  using FusePassBase::FusePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The model's identity is its unfused graph (see GraphHash.h).
    if (!module->hasAttr(NNDialect::kGraphHashAttrName) &&
        module.lookupSymbol<func::FuncOp>("inference"))
      module->setAttr(NNDialect::kGraphHashAttrName,
                      StringAttr::get(&getContext(), computeGraphHash(module)));

    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRelu<Conv2DOp, Conv2DReluOp>, FuseConvReluLrn,
                 FuseRelu<DenseOp, DenseReluOp>,
                 FuseReluBackward<LrnBackwardOp>,
                 FuseReluBackward<MaxPoolBackwardOp>>(&getContext());
    FrozenRewritePatternSet frozen(std::move(patterns));
    RefusalCollector collector;
    GreedyRewriteConfig config;
    config.listener = &collector;
    config.enableRegionSimplification = GreedySimplifyRegionLevel::Disabled;
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(applyPatternsAndFoldGreedily(func, frozen, config)))
        return signalPassFailure();
    if (!remarks)
      return;
    module.walk([](Operation *op) {
      if (std::optional<std::string> report = fusionReport(op))
        op->emitRemark(*report) << " in @"
                                << op->getParentOfType<func::FuncOp>().getName();
    });
    for (const auto &[loc, reason] : collector.refusals)
      emitRemark(loc, reason);
  }
};

} // namespace
} // namespace alexnet::nn
