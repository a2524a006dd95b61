//===- Pipeline.cpp - The compiler's pass pipeline ------------------------===//

#include "alexnet/Pipeline/Pipeline.h"
#include "alexnet/Conversion/Passes.h"
#include "alexnet/Dialect/Exec/Transforms/Passes.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

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
  // A GPU gains nothing from cache-sized im2col pieces and pays a launch
  // per image: one wide GEMM per group for every convolution and gradient.
  bool cuda = options.target == "cuda";
  if (options.im2colBudget)
    lower.im2colBudget = *options.im2colBudget;
  else if (cuda)
    lower.im2colBudget = int64_t(1) << 40;
  lower.batchBackward = options.batchBackward.value_or(cuda);
  pm.addPass(createConvertNNToExecPass(lower));
  exec::PlanMemoryPassOptions plan;
  // Cache lines on the CPU; 256 bytes keeps cuBLAS and vector loads happy.
  plan.alignment = options.target == "cuda" ? 256 : 64;
  pm.addNestedPass<func::FuncOp>(exec::createPlanMemoryPass(plan));
}

void alexnet::registerPipelines() {
  PassPipelineRegistration<>(
      "alexnet-lowering",
      "nn to planned exec: nn-fuse, convert-nn-to-exec, exec-plan-memory",
      [](OpPassManager &pm) { buildLoweringPipeline(pm, PipelineOptions()); });
}
