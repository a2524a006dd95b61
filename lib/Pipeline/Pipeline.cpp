//===- Pipeline.cpp - The compiler's pass pipeline ------------------------===//

#include "alexnet/Pipeline/Pipeline.h"
#include "alexnet/Conversion/Passes.h"
#include "alexnet/Dialect/Exec/Transforms/Passes.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace alexnet;

void alexnet::buildGraphPipeline(OpPassManager &pm,
                                 const PipelineOptions &options) {
  // Before autodiff: the backward graph is built already placed, each
  // gradient op with its forward op.
  if (options.devices > 1) {
    nn::PartitionPassOptions partition;
    partition.devices = options.devices;
    partition.parallel = options.parallel;
    pm.addPass(nn::createPartitionPass(partition));
  }
  if (options.training)
    pm.addPass(nn::createAutodiffPass());
  // After autodiff: the gradient rules know only the unfused ops, and the
  // backward fusions need the backward graph.
  if (options.fuse) {
    nn::FusePassOptions fuse;
    fuse.remarks = options.fusionRemarks;
    pm.addPass(nn::createFusePass(fuse));
  }
}

void alexnet::buildLoweringPipeline(OpPassManager &pm,
                                    const PipelineOptions &options) {
  // The options struct holds an ArrayRef: the list must outlive it.
  static const std::string inferenceOnly[] = {"inference"};
  static const std::string training[] = {"inference", "gradients",
                                         "train_step"};
  buildGraphPipeline(pm, options);
  ConvertNNToExecPassOptions lower;
  lower.entryPoints = options.training ? ArrayRef<std::string>(training)
                                       : ArrayRef<std::string>(inferenceOnly);
  const TargetDescription &target = getTarget(options.target);
  if (std::optional<int64_t> budget =
          options.im2colBudget ? options.im2colBudget : target.im2colBudget)
    lower.im2colBudget = *budget;
  lower.batchBackward = options.batchBackward.value_or(target.batchBackward);
  pm.addPass(createConvertNNToExecPass(lower));
  exec::PlanMemoryPassOptions plan;
  plan.alignment = target.bufferAlignment;
  pm.addNestedPass<func::FuncOp>(exec::createPlanMemoryPass(plan));
}

namespace {

enum class ConvBackward { TargetDefault, PerImage, Batched };

/// alexnet-compile's options that shape the lowering, as pipeline options.
struct LoweringOptions : PassPipelineOptions<LoweringOptions> {
  Option<TargetKind> target{
      *this, "target", llvm::cl::desc("the target whose defaults apply"),
      llvm::cl::init(TargetKind::Cpu),
      llvm::cl::values(
          clEnumValN(TargetKind::Cpu, "cpu", "the CPU"),
          clEnumValN(TargetKind::Cuda, "cuda", "CUDA"),
          clEnumValN(TargetKind::CudaSim, "cuda-sim", "the CUDA simulator"))};
  Option<bool> training{*this, "training",
                        llvm::cl::desc("also build @gradients and "
                                       "@train_step (needs @loss)"),
                        llvm::cl::init(false)};
  Option<bool> fuse{*this, "fuse", llvm::cl::desc("run nn-fuse"),
                    llvm::cl::init(true)};
  Option<int64_t> devices{*this, "devices",
                          llvm::cl::desc("nn-partition's device count"),
                          llvm::cl::init(1)};
  Option<std::string> parallel{*this, "parallel",
                               llvm::cl::desc("model or hybrid"),
                               llvm::cl::init("model")};
  Option<int64_t> im2colBudget{
      *this, "im2col-budget",
      llvm::cl::desc("bytes; -1 (the default): the target's"),
      llvm::cl::init(-1)};
  Option<ConvBackward> convBackward{
      *this, "conv-backward",
      llvm::cl::desc("convolution gradients image by image or batched"),
      llvm::cl::init(ConvBackward::TargetDefault),
      llvm::cl::values(
          clEnumValN(ConvBackward::TargetDefault, "target", "the target's"),
          clEnumValN(ConvBackward::PerImage, "per-image", "image by image"),
          clEnumValN(ConvBackward::Batched, "batched", "the whole batch"))};
};

} // namespace

void alexnet::registerPipelines() {
  PassPipelineRegistration<LoweringOptions>(
      "alexnet-lowering",
      "nn to planned exec as alexnet-compile lowers it: [nn-partition,] "
      "[nn-autodiff,] [nn-fuse,] convert-nn-to-exec, exec-plan-memory",
      [](OpPassManager &pm, const LoweringOptions &lowering) {
        PipelineOptions options;
        options.target = lowering.target;
        options.training = lowering.training;
        options.fuse = lowering.fuse;
        options.devices = lowering.devices;
        options.parallel = lowering.parallel;
        if (lowering.im2colBudget >= 0)
          options.im2colBudget = lowering.im2colBudget;
        if (lowering.convBackward != ConvBackward::TargetDefault)
          options.batchBackward = lowering.convBackward == ConvBackward::Batched;
        buildLoweringPipeline(pm, options);
      });
}
