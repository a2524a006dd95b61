//===- DriverPredict.cpp - The predict subcommand -------------------------===//
//
// Classifies image files: decode, the paper's evaluation preprocessing
// (shorter side to 256/224 of the crop, centre crop, [0, 1] scaling, minus
// the weights file's mean tensor when it has one), inference in batches of
// the compiled batch size, top-K classes per image. A bad image is reported
// and skipped; the others are still classified.
//
//===----------------------------------------------------------------------===//

#include "Driver/Driver.h"

#include "IO/AtomicFile.h"
#include "Driver/DriverArgs.h"
#include "alexnet/Runtime/ExecContext.h"
#include "Data/Image.h"
#include "IO/ModelWeights.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

namespace alexnet::runtime {

namespace {

/// One class name per line; trailing empty lines are ignored.
Expected<std::vector<std::string>> loadLabels(const std::string &path,
                                              int64_t classes) {
  Expected<std::vector<uint8_t>> bytes = readFile(path, 64 << 20);
  if (!bytes.ok())
    return bytes.error();
  std::vector<std::string> labels(1);
  for (uint8_t c : *bytes) {
    if (c == '\n')
      labels.emplace_back();
    else if (c != '\r')
      labels.back() += char(c);
  }
  while (!labels.empty() && labels.back().empty())
    labels.pop_back();
  if (int64_t(labels.size()) != classes)
    return Status::error(path + ": expected " + std::to_string(classes) +
                         " labels (one per line), got " +
                         std::to_string(labels.size()));
  return labels;
}

/// `row` as probabilities: kept when it already is a distribution (the
/// model ends in softmax), otherwise treated as logits and softmaxed.
std::vector<double> probabilities(const float *row, int64_t n) {
  std::vector<double> p(row, row + n);
  double sum = 0;
  bool distribution = true;
  for (double v : p) {
    distribution &= std::isfinite(v) && v >= 0;
    sum += v;
  }
  if (distribution && std::abs(sum - 1) < 1e-3)
    return p;
  double max = *std::max_element(p.begin(), p.end());
  sum = 0;
  for (double &v : p)
    sum += (v = std::exp(v - max));
  for (double &v : p)
    v /= sum;
  return p;
}

/// The model geometry predict needs, or why it cannot classify images.
struct Geometry {
  int channels, height, width;
  int64_t sampleFloats, classes;
};

Expected<Geometry> geometryOf(const ModelDesc &model) {
  if (model.numInputs != 1 || model.numOutputs < 1)
    return Status::error("predict needs a model with one input and an output");
  const TensorSpec &in = model.inputs[0];
  if (in.type != ElementType::F32 || in.rank != 4 ||
      (in.shape[1] != 1 && in.shape[1] != 3))
    return Status::error("predict needs a float32 image input [batch, 1 or 3, "
                         "height, width], got " +
                         formatDims(in.shape, in.rank));
  const TensorSpec &out = model.outputs[0];
  Geometry g{int(in.shape[1]), int(in.shape[2]), int(in.shape[3]),
             in.shape[1] * in.shape[2] * in.shape[3],
             tensorElements(out) / std::max<int64_t>(1, model.batch)};
  if (out.type != ElementType::F32 || g.classes < 1)
    return Status::error("predict needs a float32 output with a row per image");
  return g;
}

} // namespace

int runPredictCommand(const Invocation &inv) {
  auto args = ParsedArgs::parse(
      inv.args, {{"--weights"}, {"--top"}, {"--labels"}, {"--threads"}},
      /*allowPositional=*/true);
  if (!args.ok())
    return inv.usageError(args.message());
  Expected<std::string> weights = args->required("--weights");
  Expected<int64_t> top = args->integer("--top", 5, 1, 1 << 30);
  Expected<int> threads = threadCount(*args);
  for (const Status *s : {&weights.error(), &top.error(), &threads.error()})
    if (!s->ok())
      return inv.usageError(s->message());
  if (args->positional().empty())
    return inv.usageError("expected at least one image");

  const ModelDesc &model = inv.model;
  Expected<Geometry> g = geometryOf(model);
  if (!g.ok())
    return inv.fail(g.error());
  std::vector<std::string> labels;
  if (const std::string *path = args->get("--labels")) {
    auto loaded = loadLabels(*path, g->classes);
    if (!loaded.ok())
      return inv.fail(loaded.error());
    labels = loaded.take();
  }

  applyBlasThreads(model, *threads);
  ExecContext ctx(model, *threads);
  std::optional<NamedTensor> mean;
  if (Status s = loadWeightsInto(*weights, model, ctx.params(), &mean); !s.ok())
    return inv.fail(s);

  const int64_t batch = model.batch;
  std::vector<float> input(size_t(batch * g->sampleFloats));
  std::vector<float> output(size_t(batch * g->classes));
  ctx.setInput(0, input.data());
  ctx.setOutput(0, output.data());
  std::vector<std::vector<float>> extraOutputs; // written, never read
  for (int32_t i = 1; i < model.numOutputs; ++i) {
    extraOutputs.emplace_back(size_t(tensorElements(model.outputs[i])));
    ctx.setOutput(i, extraOutputs.back().data());
  }

  std::vector<std::string> names; // images in the current batch
  auto flush = [&] {
    if (names.empty())
      return;
    // Pad a short batch by repeating its last image.
    for (int64_t i = int64_t(names.size()); i < batch; ++i)
      std::copy_n(&input[(names.size() - 1) * g->sampleFloats], g->sampleFloats,
                  &input[i * g->sampleFloats]);
    ctx.runInference();
    int64_t k = std::min<int64_t>(*top, g->classes);
    for (size_t i = 0; i < names.size(); ++i) {
      std::vector<double> p =
          probabilities(&output[i * g->classes], g->classes);
      std::vector<int64_t> order(p.size());
      std::iota(order.begin(), order.end(), 0);
      std::partial_sort(order.begin(), order.begin() + k, order.end(),
                        [&](int64_t a, int64_t b) { return p[a] > p[b]; });
      inv.out << names[i] << "\n";
      for (int64_t j = 0; j < k; ++j) {
        char line[64];
        std::snprintf(line, sizeof(line), "  %.4f  %lld", p[order[j]],
                      (long long)order[j]);
        inv.out << line;
        if (!labels.empty())
          inv.out << "  " << labels[order[j]];
        inv.out << "\n";
      }
    }
    inv.out.flush();
    names.clear();
  };

  bool anyFailed = false;
  for (const std::string &path : args->positional()) {
    Expected<Image> image = loadImage(path);
    if (!image.ok()) {
      inv.error(image.message());
      anyFailed = true;
      continue;
    }
    Image crop = preprocessImage(*image, g->width, g->height, g->channels);
    float *sample = &input[names.size() * g->sampleFloats];
    toFloatCHW(crop, sample);
    if (mean) {
      // [C] is one value per channel, [C, H, W] one per input element.
      int64_t plane = g->sampleFloats / g->channels;
      bool perChannel = mean->shape.size() == 1;
      for (int64_t j = 0; j < g->sampleFloats; ++j)
        sample[j] -= mean->data[perChannel ? j / plane : j];
    }
    names.push_back(path);
    if (int64_t(names.size()) == batch)
      flush();
  }
  flush();
  return anyFailed ? 1 : 0;
}

} // namespace alexnet::runtime
