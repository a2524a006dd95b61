//===- NpyBatchRun.h - A training entry point on one .npy batch -*- C++ -*-===//
//
// What `grad` and `step` share: the entry point's argument layout, one
// batch of images and labels read from .npy and checked against it, a
// context with the weights loaded and the batch bound. The commands then
// bind their scalars and outputs and run.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_DRIVER_NPYBATCHRUN_H
#define ALEXNET_LIB_RUNTIME_DRIVER_NPYBATCHRUN_H

#include "Core/Status.h"
#include "Core/TrainingEntry.h"
#include "IO/ModelWeights.h"
#include "alexnet/Runtime/ExecContext.h"

#include <memory>
#include <optional>
#include <string>

namespace alexnet::runtime {

struct NpyBatchRun {
  TrainingLayout layout;
  NpyBatch batch; ///< bound to the context's image and label inputs
  std::unique_ptr<ExecContext> ctx;
  /// The weights file's input mean, when it has one (step writes it back).
  std::optional<NamedTensor> mean;
};

/// Prepares `entry` of `model` (train_step when `wantsLr`, else gradients)
/// to run on the batch in `imagesPath` and `labelsPath` with the weights in
/// `weightsPath`, on `threads` threads.
Expected<NpyBatchRun> prepareNpyBatchRun(const ModelDesc &model,
                                         const EntryPoint &entry, bool wantsLr,
                                         const std::string &weightsPath,
                                         const std::string &imagesPath,
                                         const std::string &labelsPath,
                                         int threads);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_DRIVER_NPYBATCHRUN_H
