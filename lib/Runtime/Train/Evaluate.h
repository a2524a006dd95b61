//===- Evaluate.h - Top-1 and top-5 error over a data set -------*- C++ -*-===//
//
// Runs the inference entry point over every example of an evaluation
// loader (centre crop, or the paper's ten crops with their softmax outputs
// averaged) and counts top-1 and top-5 errors. Used by `eval` and by the
// validation pass at the end of every training epoch.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_TRAIN_EVALUATE_H
#define ALEXNET_LIB_RUNTIME_TRAIN_EVALUATE_H

#include "Data/DataLoader.h"
#include "Core/Status.h"

#include <cstdint>

namespace alexnet::runtime {

class ExecContext;

struct EvalResult {
  int64_t examples = 0; ///< readable examples evaluated
  int64_t skipped = 0;  ///< unreadable examples left out
  int64_t top1Errors = 0;
  int64_t top5Errors = 0;
  double top1Error() const { return examples ? double(top1Errors) / examples : 0.0; }
  double top5Error() const { return examples ? double(top5Errors) / examples : 0.0; }
};

/// Evaluates `ctx`'s parameters on every batch of `loader` (mode Eval or
/// TenCrop, started here at epoch 0). The model's first output must be
/// [batch, classes] class scores (the DSL's softmax output); top-5 counts
/// min(5, classes) guesses.
Expected<EvalResult> evaluate(ExecContext &ctx, DataLoader &loader,
                              LoaderMode mode);

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_TRAIN_EVALUATE_H
