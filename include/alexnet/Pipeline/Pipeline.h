//===- Pipeline.h - The compiler's pass pipeline ----------------*- C++ -*-===//

#ifndef ALEXNET_PIPELINE_PIPELINE_H
#define ALEXNET_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>

namespace alexnet {

struct PipelineOptions {
  /// "cpu" or "cuda": sets the arena alignment and the im2col budget.
  std::string target = "cpu";
  /// convert-nn-to-exec's im2col-budget in bytes (--im2col-budget); unset:
  /// 2 MiB on the CPU (cache-sized pieces), unlimited on CUDA.
  std::optional<int64_t> im2colBudget;
  /// convert-nn-to-exec's batch-backward (--conv-backward=batched); unset:
  /// image by image on the CPU, the whole batch on CUDA.
  std::optional<bool> batchBackward;
  /// Also build and lower @gradients and @train_step (nn-autodiff); needs
  /// @loss.
  bool training = false;
  /// Run nn-fuse (after nn-autodiff); --no-fuse turns it off.
  bool fuse = true;
  /// Report each fusion and each refusal as a remark (--print-fusions).
  bool fusionRemarks = false;
  /// Logical devices for nn-partition (--devices); 1 leaves the graph whole.
  int64_t devices = 1;
  /// "model" (the paper's split of every layer) or "hybrid"
  /// (data-parallel convolutions, model-parallel dense layers).
  std::string parallel = "model";
};

/// The nn-level graph passes: [nn-partition,] [nn-autodiff,] [nn-fuse]. `--emit=summary`
/// runs them before it summarises, to report what will be compiled.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const PipelineOptions &options);

/// nn module -> planned exec module: the graph passes, then
/// convert-nn-to-exec (@inference [, @gradients and @train_step]), then
/// exec-plan-memory on every function.
void buildLoweringPipeline(mlir::OpPassManager &pm,
                           const PipelineOptions &options);

/// Registers `--alexnet-lowering` for alexnet-opt.
void registerPipelines();

} // namespace alexnet

#endif // ALEXNET_PIPELINE_PIPELINE_H
