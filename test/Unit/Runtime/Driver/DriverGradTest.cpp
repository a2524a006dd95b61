//===- DriverGradTest.cpp - The grad subcommand ---------------------------===//
//
// A hand-written model with a loss: logits = x W^T + b over 3 classes, mean
// softmax cross-entropy, and a hand-written gradients entry point (what the
// compiler emits) computing the loss, dW and db. The tests run `grad` end to
// end and check the .npz against a direct double-precision computation, the
// scalars the entry point receives, and every refusal.
//
//===----------------------------------------------------------------------===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "Driver/Driver.h"
#include "alexnet/Runtime/ExecContext.h"
#include "IO/Npy.h"
#include "IO/Npz.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>
#include <stdexcept>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

constexpr int kBatch = 2, kIn = 4, kClasses = 3;

/// What the gradients entry point last saw, for the tests to inspect.
struct SeenScalars {
  int64_t seed = -1, step = -1;
  int dropout = -1;
  int calls = 0;
};
SeenScalars seen;

/// Logits of the dense layer in double: W x[b] + bias.
void denseLogits(const float *x, const float *w, const float *bias,
                 double logits[kBatch][kClasses]) {
  for (int b = 0; b < kBatch; ++b)
    for (int o = 0; o < kClasses; ++o) {
      double acc = bias[o];
      for (int i = 0; i < kIn; ++i)
        acc += double(w[o * kIn + i]) * x[b * kIn + i];
      logits[b][o] = acc;
    }
}

void softmaxRows(double rows[kBatch][kClasses]) {
  for (int b = 0; b < kBatch; ++b) {
    double max = *std::max_element(rows[b], rows[b] + kClasses), sum = 0;
    for (double &v : rows[b])
      sum += (v = std::exp(v - max));
    for (double &v : rows[b])
      v /= sum;
  }
}

void inferenceEntry(ExecContext &ctx) {
  const ModelDesc &m = ctx.model();
  double p[kBatch][kClasses];
  denseLogits(static_cast<const float *>(ctx.input(0)),
              ctx.params() + m.params[0].offset,
              ctx.params() + m.params[1].offset, p);
  softmaxRows(p);
  float *y = static_cast<float *>(ctx.output(0));
  for (int b = 0; b < kBatch; ++b)
    for (int o = 0; o < kClasses; ++o)
      y[b * kClasses + o] = float(p[b][o]);
}

/// Inputs x, label, seed, step, dropout; outputs (after the five inputs)
/// loss, fc.weight.grad, fc.bias.grad.
void gradientsEntry(ExecContext &ctx) {
  const ModelDesc &m = ctx.model();
  // The whole planned arena is scratch: an undersized one shows under ASan.
  std::memset(ctx.arena(0), 0xab, size_t(m.gradients->memory[0].arenaBytes));
  const float *x = static_cast<const float *>(ctx.input(0));
  const int32_t *label = static_cast<const int32_t *>(ctx.input(1));
  seen.seed = *static_cast<const int64_t *>(ctx.input(2));
  seen.step = *static_cast<const int64_t *>(ctx.input(3));
  seen.dropout = *static_cast<const uint8_t *>(ctx.input(4));
  ++seen.calls;

  double p[kBatch][kClasses];
  denseLogits(x, ctx.params() + m.params[0].offset,
              ctx.params() + m.params[1].offset, p);
  softmaxRows(p);
  float *loss = static_cast<float *>(ctx.output(0));
  float *dw = static_cast<float *>(ctx.output(1));
  float *db = static_cast<float *>(ctx.output(2));
  double total = 0;
  for (int b = 0; b < kBatch; ++b)
    total -= std::log(p[b][label[b]]);
  *loss = float(total / kBatch);
  for (int o = 0; o < kClasses; ++o) {
    double dbo = 0;
    for (int i = 0; i < kIn; ++i) {
      double acc = 0;
      for (int b = 0; b < kBatch; ++b)
        acc += (p[b][o] - (label[b] == o)) * x[b * kIn + i];
      dw[o * kIn + i] = float(acc / kBatch);
    }
    for (int b = 0; b < kBatch; ++b)
      dbo += p[b][o] - (label[b] == o);
    db[o] = float(dbo / kBatch);
  }
}

const DeviceMemory kInferenceMemory[] = {{256, 1024}};
const DeviceMemory kGradientsMemory[] = {{4096, 8192}};

const TensorSpec kInputs[] = {{"x", ElementType::F32, 2, {kBatch, kIn}}};
const TensorSpec kOutputs[] = {
    {"probs", ElementType::F32, 2, {kBatch, kClasses}}};
const ParamSpec kParams[] = {
    {"fc.weight", 2, {kClasses, kIn}, 0, 12, InitKind::Normal, 0.0, 0.01, 0},
    {"fc.bias", 1, {kClasses}, 12, 3, InitKind::Constant, 0.0, 0.0, 0},
};
const LayerSpec kLayers[] = {
    {"fc", "dense", 2, {kBatch, kClasses}, 15, 2 * kBatch *kClasses *kIn},
    {"probs", "softmax", 2, {kBatch, kClasses}, 0, 0},
};
const TensorSpec kGradInputs[] = {
    {"x", ElementType::F32, 2, {kBatch, kIn}},
    {"label", ElementType::I32, 1, {kBatch}},
    {"seed", ElementType::I64, 0, {}},
    {"step", ElementType::I64, 0, {}},
    {"dropout", ElementType::Bool, 0, {}},
};
const TensorSpec kGradOutputs[] = {
    {"loss", ElementType::F32, 0, {}},
    {"fc.weight.grad", ElementType::F32, 2, {kClasses, kIn}},
    {"fc.bias.grad", ElementType::F32, 1, {kClasses}},
};
const EntryPoint kGradients = {
    "gradients", gradientsEntry,  kGradInputs, 5, kGradOutputs,
    3,           kGradientsMemory};

const ModelDesc kModel = {"tinyloss",
                          "sha256:tiny-loss",
                          "cpu",
                          kBatch,
                          1,
                          kInputs,
                          1,
                          kOutputs,
                          1,
                          kParams,
                          2,
                          15,
                          nullptr,
                          0,
                          kLayers,
                          2,
                          inferenceEntry,
                          kInferenceMemory,
                          &kGradients};

const std::vector<float> kX = {0.1f, 0.2f, -0.3f, 0.4f, //
                               -1,   0.5f, 0,     0.2f};

/// A version 1.0 .npy of int64 values, which NpyArray cannot hold.
std::vector<uint8_t> int64Npy(const std::vector<int64_t> &values) {
  std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (" +
                       std::to_string(values.size()) + ",), }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 bytes.
  size_t total = (10 + header.size() + 1 + 63) / 64 * 64;
  header += std::string(total - 10 - header.size() - 1, ' ') + "\n";
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char *>(values.data()),
               values.size() * sizeof(int64_t));
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

class DriverGradTest : public ::testing::Test {
protected:
  TempDir dir;

  std::string path(const std::string &name) { return dir.path(name); }

  void SetUp() override {
    seen = SeenScalars();
    NpzFile npz;
    npz.arrays.push_back({"fc.weight", NpyArray::floats({3, 4}, kWeight)});
    npz.arrays.push_back({"fc.bias", NpyArray::floats({3}, kBias)});
    ASSERT_TRUE(saveNpz(path("w.npz"), npz).ok());
    RunResult r = runTool(
        kModel, {"import", "--npz", path("w.npz"), "-o", path("w.axw")});
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_TRUE(saveNpy(path("x.npy"), NpyArray::floats({2, 4}, kX)).ok());
    ASSERT_TRUE(saveNpy(path("y.npy"), NpyArray::ints({2}, {2, 0})).ok());
  }

  RunResult grad(const std::string &labels, std::vector<std::string> extra = {},
                 const std::string &input = "x.npy") {
    std::vector<std::string> args = {"grad",       "--weights", path("w.axw"),
                                     "--input",    path(input), "--labels",
                                     path(labels), "--npz",     path("g.npz"),
                                     "--threads",  "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return runTool(kModel, args);
  }
};

TEST_F(DriverGradTest, WritesLossAndGradientsMatchingDirectComputation) {
  RunResult r = grad("y.npy", {"--no-dropout"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "2 gradients (dropout off, seed 1, step 0), "
                              "wrote " +
                                  path("g.npz")))
      << r.out;

  // The reference, straight from the definitions.
  const int labels[2] = {2, 0};
  double ref = 0, dw[3][4] = {}, db[3] = {};
  for (int b = 0; b < 2; ++b) {
    double logits[3], sum = 0;
    for (int o = 0; o < 3; ++o) {
      logits[o] = kBias[o];
      for (int i = 0; i < 4; ++i)
        logits[o] += double(kWeight[o * 4 + i]) * kX[b * 4 + i];
      sum += std::exp(logits[o]);
    }
    ref += (std::log(sum) - logits[labels[b]]) / 2;
    for (int o = 0; o < 3; ++o) {
      double delta = std::exp(logits[o]) / sum - (o == labels[b]);
      db[o] += delta / 2;
      for (int i = 0; i < 4; ++i)
        dw[o][i] += delta * kX[b * 4 + i] / 2;
    }
  }

  Expected<NpzFile> g = loadNpz(path("g.npz"));
  ASSERT_TRUE(g.ok()) << g.message();
  ASSERT_EQ(g->arrays.size(), 3u);
  EXPECT_EQ(g->arrays[0].name, "loss");
  EXPECT_EQ(g->arrays[1].name, "fc.weight.grad");
  EXPECT_EQ(g->arrays[2].name, "fc.bias.grad");
  const NpyArray *loss = g->find("loss");
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->dtype, NpyDType::Float32);
  EXPECT_TRUE(loss->shape.empty());
  ASSERT_EQ(loss->f32.size(), 1u);
  EXPECT_NEAR(loss->f32[0], ref, 1e-6);
  char summary[64];
  std::snprintf(summary, sizeof(summary), "loss %.9g, 2 gradients",
                double(loss->f32[0]));
  EXPECT_TRUE(contains(r.out, summary)) << r.out;

  const NpyArray *gw = g->find("fc.weight.grad");
  ASSERT_TRUE(gw);
  EXPECT_EQ(gw->shape, (std::vector<int64_t>{3, 4}));
  for (int o = 0; o < 3; ++o)
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(gw->f32[o * 4 + i], dw[o][i], 1e-6) << o << "," << i;
  const NpyArray *gb = g->find("fc.bias.grad");
  ASSERT_TRUE(gb);
  EXPECT_EQ(gb->shape, (std::vector<int64_t>{3}));
  for (int o = 0; o < 3; ++o)
    EXPECT_NEAR(gb->f32[o], db[o], 1e-6) << o;
}

TEST_F(DriverGradTest, PassesSeedStepAndDropout) {
  ASSERT_EQ(grad("y.npy").status, 0);
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.seed, 1);
  EXPECT_EQ(seen.step, 0);
  EXPECT_EQ(seen.dropout, 1);

  RunResult r = grad("y.npy", {"--seed", "42", "--step", "7", "--no-dropout"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(seen.seed, 42);
  EXPECT_EQ(seen.step, 7);
  EXPECT_EQ(seen.dropout, 0);

  // Any 64-bit seed, as for init; it reaches the entry point as its bits.
  ASSERT_EQ(grad("y.npy", {"--seed", "0xffffffffffffffff"}).status, 0);
  EXPECT_EQ(seen.seed, -1);
  EXPECT_ERROR(grad("y.npy", {"--step", "-1"}), 2, "option --step");
  EXPECT_ERROR(grad("y.npy", {"--seed", "-3"}), 2, "option --seed");
}

TEST_F(DriverGradTest, AcceptsInt64Labels) {
  // NumPy's default integer type: the same labels give the same result.
  ASSERT_EQ(grad("y.npy", {"--no-dropout"}).status, 0);
  std::vector<uint8_t> from32 = readBytes(path("g.npz"));
  writeBytes(path("y64.npy"), int64Npy({2, 0}));
  RunResult r = grad("y64.npy", {"--no-dropout"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(readBytes(path("g.npz")), from32);
}

TEST_F(DriverGradTest, RejectsLabelsOutsideTheClasses) {
  ASSERT_TRUE(saveNpy(path("big.npy"), NpyArray::ints({2}, {1, 3})).ok());
  EXPECT_ERROR(grad("big.npy"), 1,
               "big.npy: label 3 at index 1 is not a class of the model, "
               "expected [0, 3)");
  ASSERT_TRUE(saveNpy(path("neg.npy"), NpyArray::ints({2}, {-1, 7})).ok());
  EXPECT_ERROR(grad("neg.npy"), 1, "neg.npy: label -1 at index 0");
  writeBytes(path("big64.npy"), int64Npy({0, 5000000000}));
  EXPECT_ERROR(grad("big64.npy"), 1, "outside the int32 range");
  EXPECT_EQ(seen.calls, 0);
  std::vector<std::string> names = dir.list();
  EXPECT_EQ(std::count(names.begin(), names.end(), "g.npz"), 0)
      << "a refused grad wrote its output";
}

TEST_F(DriverGradTest, RejectsLabelsOfTheWrongDtypeOrShape) {
  ASSERT_TRUE(saveNpy(path("f.npy"), NpyArray::floats({2}, {0, 1})).ok());
  EXPECT_ERROR(grad("f.npy"), 1, "f.npy: expected int32 or int64, got float32");
  ASSERT_TRUE(saveNpy(path("col.npy"), NpyArray::ints({2, 1}, {0, 1})).ok());
  EXPECT_ERROR(grad("col.npy"), 1,
               "col.npy: expected shape 2 (input 'label', batch 2), got 2x1");
  ASSERT_TRUE(saveNpy(path("three.npy"), NpyArray::ints({3}, {0, 1, 2})).ok());
  EXPECT_ERROR(grad("three.npy"), 1, "expected shape 2 (input 'label'");
  EXPECT_ERROR(grad("none.npy"), 1, "none.npy");
  EXPECT_EQ(seen.calls, 0);
}

TEST_F(DriverGradTest, RejectsAnInputOfTheWrongShape) {
  ASSERT_TRUE(
      saveNpy(path("x1.npy"), NpyArray::floats({1, 4}, {1, 2, 3, 4})).ok());
  EXPECT_ERROR(grad("y.npy", {}, "x1.npy"), 1,
               "x1.npy: expected shape 2x4 (input 'x', batch 2), got 1x4");
  EXPECT_ERROR(grad("y.npy", {}, "y.npy"), 1,
               "y.npy: expected float32, got int32");
}

TEST_F(DriverGradTest, UsageErrors) {
  EXPECT_ERROR(runTool(kModel, {"grad", "--weights", path("w.axw"), "--input",
                                path("x.npy"), "--npz", path("g.npz")}),
               2, "missing required option --labels");
  RunResult r = runTool(kModel, {"grad", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "usage: tiny grad --weights W.axw --input X.npy "
                              "--labels L.npy --npz G.npz [--no-dropout]"))
      << r.out;
  r = runTool(kModel, {"--help"});
  EXPECT_TRUE(contains(r.out, "  grad")) << r.out;
}

TEST_F(DriverGradTest, ModelWithoutLossIsAClearError) {
  // denseModel() declares no loss: its gradients entry point is null.
  EXPECT_ERROR(
      runTool(denseModel(),
              {"grad", "--weights", path("w.axw"), "--input", path("x.npy"),
               "--labels", path("y.npy"), "--npz", path("g.npz")}),
      1,
      "tiny: error: model 'tiny' has no gradients: grad needs a `loss` "
      "statement (and no alexnet-compile --training=false)");
}

TEST_F(DriverGradTest, RefusesAGradientsEntryOffTheContract) {
  // A mismatched emitter is an error before anything runs, not a wild write.
  const TensorSpec noDropout[] = {kGradInputs[0], kGradInputs[1],
                                  kGradInputs[2], kGradInputs[3]};
  EntryPoint entry = kGradients;
  entry.inputs = noDropout;
  entry.numInputs = 4;
  ModelDesc model = kModel;
  model.gradients = &entry;
  std::vector<std::string> args = {"grad",        "--weights",   path("w.axw"),
                                   "--input",     path("x.npy"), "--labels",
                                   path("y.npy"), "--npz",       path("g.npz")};
  EXPECT_ERROR(runTool(model, args), 1,
               "gradients entry point of 'tinyloss': expected inputs image, "
               "label, seed, step and dropout");

  const TensorSpec badOutputs[] = {kGradOutputs[0],
                                   kGradOutputs[1],
                                   {"fc.bias.grad", ElementType::F32, 1, {4}}};
  entry = kGradients;
  entry.outputs = badOutputs;
  EXPECT_ERROR(runTool(model, args), 1,
               "gradients entry point of 'tinyloss': unexpected output "
               "'fc.bias.grad' (4)");
  EXPECT_EQ(seen.calls, 0);
}

TEST(ExecContextTest, SizesArenasAndSlotsForEveryEntryPoint) {
  ExecContext ctx(kModel, 1);
  // Five inputs and three outputs for gradients, one of each for inference.
  for (int i = 0; i < 5; ++i)
    ctx.setInput(i, nullptr);
  for (int i = 0; i < 3; ++i)
    ctx.setOutput(i, nullptr);
  EXPECT_THROW(ctx.setInput(5, nullptr), std::out_of_range);
  EXPECT_THROW(ctx.setOutput(3, nullptr), std::out_of_range);
  // The gradients arena (4096 bytes) outgrows the inference one (256).
  std::memset(ctx.arena(0), 0, 4096);

  ExecContext plain(denseModel(), 1);
  plain.setInput(0, nullptr);
  EXPECT_THROW(plain.setInput(1, nullptr), std::out_of_range);
}

} // namespace
