//===- Pipeline.h - The compiler's pass pipeline ----------------*- C++ -*-===//

#ifndef ALEXNET_PIPELINE_PIPELINE_H
#define ALEXNET_PIPELINE_PIPELINE_H

#include "alexnet/Target/TargetDescription.h"

#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>

namespace alexnet {

struct PipelineOptions {
  /// Sets the arena alignment and the defaults below
  /// (TargetDescription).
  TargetKind target = TargetKind::Cpu;
  /// convert-nn-to-exec's im2col-budget in bytes (--im2col-budget); unset:
  /// the target's.
  std::optional<int64_t> im2colBudget;
  /// convert-nn-to-exec's batch-backward (--conv-backward=batched); unset:
  /// the target's.
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

/// Registers `--alexnet-lowering` for alexnet-opt, with the options of
/// alexnet-compile that shape the pipeline, so that
/// `--alexnet-lowering="target=cuda devices=2 training=true"` reproduces
/// `alexnet-compile --target=cuda --devices=2 --emit=lowered`.
void registerPipelines();

} // namespace alexnet

#endif // ALEXNET_PIPELINE_PIPELINE_H
