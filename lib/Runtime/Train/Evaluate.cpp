//===- Evaluate.cpp - Top-1 and top-5 error over a data set ---------------===//

#include "Train/Evaluate.h"

#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/Model.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace alexnet::runtime {

namespace {

/// Whether `label` is among the `k` highest of `scores` (ties broken towards
/// the lower class, as a sort by descending score then index would). A NaN
/// score (a diverged model) is never a hit: NaN compares false both ways,
/// so it is ranked above everything instead.
bool inTopK(const float *scores, int64_t classes, int32_t label, int64_t k) {
  if (label < 0 || label >= classes || std::isnan(scores[label]))
    return false;
  int64_t better = 0;
  for (int64_t c = 0; c < classes; ++c)
    if (std::isnan(scores[c]) || scores[c] > scores[label] ||
        (scores[c] == scores[label] && c < label))
      ++better;
  return better < k;
}

} // namespace

Expected<EvalResult> evaluate(ExecContext &ctx, DataLoader &loader,
                              LoaderMode mode) {
  const ModelDesc &model = ctx.model();
  const TensorSpec *out = model.numOutputs > 0 ? &model.outputs[0] : nullptr;
  if (!out || out->rank != 2 || out->shape[0] != model.batch ||
      model.numInputs < 1)
    return Status::error("evaluation needs one image input and an output of "
                         "shape [batch, classes]");
  const int64_t batch = model.batch, classes = out->shape[1];
  const int crops = mode == LoaderMode::TenCrop ? 10 : 1;
  const int64_t sample = loader.sampleFloats();

  std::vector<float> scores(size_t(batch * classes)), sum(scores.size());
  EvalResult result;
  Batch data;
  loader.start({0, 0});
  for (;;) {
    Expected<bool> more = loader.next(data);
    if (!more.ok())
      return more.error();
    if (!*more)
      break;
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int crop = 0; crop < crops; ++crop) {
      ctx.setInput(0, data.images.data() + size_t(crop) * batch * sample);
      ctx.setOutput(0, scores.data());
      ctx.runInference();
      for (size_t i = 0; i < sum.size(); ++i)
        sum[i] += scores[i];
    }
    for (int row = 0; row < data.realCount; ++row) {
      const float *s = sum.data() + row * classes;
      int32_t label = data.labels[size_t(row)];
      result.top1Errors += !inTopK(s, classes, label, 1);
      result.top5Errors += !inTopK(s, classes, label, std::min<int64_t>(5, classes));
    }
    result.examples += data.realCount;
  }
  result.skipped = loader.skippedTotal();
  return result;
}

} // namespace alexnet::runtime
