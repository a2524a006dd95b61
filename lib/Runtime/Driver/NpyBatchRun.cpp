//===- NpyBatchRun.cpp - A training entry point on one .npy batch ---------===//

#include "Driver/NpyBatchRun.h"

#include "Driver/Driver.h"

namespace alexnet::runtime {

Expected<NpyBatchRun> prepareNpyBatchRun(const ModelDesc &model,
                                         const EntryPoint &entry, bool wantsLr,
                                         const std::string &weightsPath,
                                         const std::string &imagesPath,
                                         const std::string &labelsPath,
                                         int threads) {
  NpyBatchRun run;
  Expected<TrainingLayout> layout = trainingLayout(model, entry, wantsLr);
  if (!layout.ok())
    return layout.error();
  run.layout = std::move(*layout);
  Expected<NpyBatch> batch =
      loadNpyBatch(model, entry, run.layout, imagesPath, labelsPath);
  if (!batch.ok())
    return batch.error();
  run.batch = std::move(*batch);

  applyBlasThreads(model, threads);
  run.ctx = std::make_unique<ExecContext>(model, threads);
  if (Status s = loadWeightsInto(weightsPath, model, run.ctx->params(),
                                 &run.mean);
      !s.ok())
    return s;
  // The arrays' storage stays put when `run` is moved.
  run.ctx->setInput(run.layout.image, run.batch.images.f32.data());
  run.ctx->setInput(run.layout.label, run.batch.labels.i32.data());
  return run;
}

} // namespace alexnet::runtime
