//===- Pipeline.cpp - The compiler's pass pipeline ------------------------===//

#include "alexnet/Pipeline/Pipeline.h"
#include "alexnet/Conversion/Passes.h"
#include "alexnet/Dialect/Exec/Transforms/Passes.h"
#include "alexnet/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void alexnet::buildLoweringPipeline(OpPassManager &pm,
                                    const PipelineOptions &options) {
  // The options struct holds an ArrayRef: the list must outlive it.
  static const std::string inferenceOnly[] = {"inference"};
  static const std::string training[] = {"inference", "gradients",
                                         "train_step"};
  ConvertNNToExecPassOptions lower;
  lower.entryPoints = inferenceOnly;
  if (options.training) {
    pm.addPass(nn::createAutodiffPass());
    lower.entryPoints = training;
  }
  pm.addPass(createConvertNNToExecPass(lower));
  exec::PlanMemoryPassOptions plan;
  // Cache lines on the CPU; 256 bytes keeps cuBLAS and vector loads happy.
  plan.alignment = options.target == "cuda" ? 256 : 64;
  pm.addNestedPass<func::FuncOp>(exec::createPlanMemoryPass(plan));
}

void alexnet::registerPipelines() {
  PassPipelineRegistration<>(
      "alexnet-lowering",
      "nn to planned exec: convert-nn-to-exec, exec-plan-memory",
      [](OpPassManager &pm) { buildLoweringPipeline(pm, PipelineOptions()); });
}
