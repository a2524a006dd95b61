//===- TrainingEntry.h - Argument roles of the training entry points -*- C++ -*-===//
//
// Private to lib/Runtime. The gradients and train_step entry points take the
// model's image and label inputs plus named scalars (lr, seed, step,
// dropout) and return the loss (and, for gradients, "<param>.grad" per
// parameter). The commands that drive them (grad, step, train, eval) find
// each argument by name and type here, so a mismatched emitter is an error,
// not a wild write.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CORE_TRAININGENTRY_H
#define ALEXNET_LIB_RUNTIME_CORE_TRAININGENTRY_H

#include "alexnet/Runtime/Model.h"
#include "IO/Npy.h"
#include "Core/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace alexnet::runtime {

class ExecContext;

/// Argument indices of a training entry point; -1 where it has none.
struct TrainingLayout {
  int image = -1, label = -1, lr = -1, seed = -1, step = -1, dropout = -1;
  int loss = -1;
  /// Per output: the parameter whose gradient it is, null for the loss.
  std::vector<const ParamSpec *> paramOfOutput;
};

/// The layout of `entry` of `model`. `wantsLr`: the entry point must take an
/// "lr" scalar (train_step) or must not (gradients).
Expected<TrainingLayout> trainingLayout(const ModelDesc &model,
                                        const EntryPoint &entry, bool wantsLr);

/// The number of classes: the last dimension of the inference output (the
/// softmax of the logits the loss reads).
Expected<int64_t> classCount(const ModelDesc &model);

/// The first label outside [0, classes), as an error naming `source`.
Status checkLabels(const std::string &source, const int32_t *labels,
                   int64_t count, int64_t classes);

/// One batch from .npy files for a training entry point: the image input
/// and the labels, checked against the entry point's shapes and the model's
/// classes.
struct NpyBatch {
  NpyArray images;
  NpyArray labels;
};
Expected<NpyBatch> loadNpyBatch(const ModelDesc &model, const EntryPoint &entry,
                                const TrainingLayout &layout,
                                const std::string &imagesPath,
                                const std::string &labelsPath);

/// Binds the scalar arguments of a training entry point; the values must
/// outlive the run.
struct TrainingScalars {
  float lr = 0.0f;
  int64_t seed = 0; ///< a bit pattern: any unsigned 64-bit value
  int64_t step = 0;
  uint8_t dropout = 1;
};
void bindScalars(ExecContext &ctx, const TrainingLayout &layout,
                 const TrainingScalars &scalars);

/// The unsigned seed as the i64 bit pattern the entry points take.
int64_t seedBits(uint64_t seed);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_CORE_TRAININGENTRY_H
