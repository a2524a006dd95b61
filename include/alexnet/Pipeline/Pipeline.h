//===- Pipeline.h - The compiler's pass pipeline ----------------*- C++ -*-===//

#ifndef ALEXNET_PIPELINE_PIPELINE_H
#define ALEXNET_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace alexnet {

struct PipelineOptions {
  /// "cpu" or "cuda": sets the arena alignment.
  std::string target = "cpu";
  /// Also build and lower @gradients and @train_step (nn-autodiff); needs
  /// @loss.
  bool training = false;
};

/// nn module -> planned exec module: [nn-autodiff,] convert-nn-to-exec
/// (@inference [, @gradients and
/// @train_step]), then exec-plan-memory on every function.
void buildLoweringPipeline(mlir::OpPassManager &pm,
                           const PipelineOptions &options);

/// Registers `--alexnet-lowering` for alexnet-opt.
void registerPipelines();

} // namespace alexnet

#endif // ALEXNET_PIPELINE_PIPELINE_H
