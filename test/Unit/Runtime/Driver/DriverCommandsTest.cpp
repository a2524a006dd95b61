//===- DriverCommandsTest.cpp - import, export, infer, bench, info --------===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "Driver/Driver.h"
#include "IO/Npy.h"
#include "IO/Npz.h"
#include "IO/WeightsFile.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <sstream>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {


NpzFile denseNpz() {
  NpzFile npz;
  npz.arrays.push_back({"fc.weight", NpyArray::floats({3, 4}, kWeight)});
  npz.arrays.push_back({"fc.bias", NpyArray::floats({3}, kBias)});
  return npz;
}

class DriverCommandsTest : public ::testing::Test {
protected:
  TempDir dir;
  const ModelDesc &model = denseModel();

  std::string path(const std::string &name) { return dir.path(name); }

  /// Imports denseNpz() as w.axw.
  void importWeights() {
    ASSERT_TRUE(saveNpz(path("w.npz"), denseNpz()).ok());
    RunResult r =
        runTool(model, {"import", "--npz", path("w.npz"), "-o", path("w.axw")});
    ASSERT_EQ(r.status, 0) << r.err;
  }

  RunResult importNpz(const NpzFile &npz) {
    EXPECT_TRUE(saveNpz(path("bad.npz"), npz).ok());
    return runTool(model,
                   {"import", "--npz", path("bad.npz"), "-o", path("x.axw")});
  }

  RunResult infer(const std::string &weights, const std::string &input) {
    return runTool(model, {"infer", "--weights", weights, "--input", input,
                           "--output", path("y.npy"), "--threads", "1"});
  }
};

TEST_F(DriverCommandsTest, HelpListsCommands) {
  RunResult r = runTool(model, {"--help"});
  EXPECT_EQ(r.status, 0);
  for (const char *c :
       {"init", "import", "export", "infer", "predict", "bench", "info"})
    EXPECT_TRUE(contains(r.out, std::string("  ") + c)) << c;
  EXPECT_TRUE(contains(r.out, "usage: tiny <command>"));
  r = runTool(model, {"infer", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "usage: tiny infer --weights W.axw")) << r.out;
}

TEST_F(DriverCommandsTest, UsageErrorsExitTwo) {
  EXPECT_ERROR(runTool(model, {}), 2, "tiny: error: expected a command");
  EXPECT_ERROR(runTool(model, {"fit"}), 2, "unknown command 'fit'");
  EXPECT_ERROR(runTool(model, {"train"}), 2, "missing required option --data");
  EXPECT_ERROR(runTool(model, {"infer", "--input", "x.npy"}), 2,
               "missing required option --weights");
  EXPECT_ERROR(runTool(model, {"infer", "--weights"}), 2,
               "option --weights expects a value");
  EXPECT_ERROR(runTool(model, {"info", "--bogus"}), 2,
               "unknown option '--bogus'");
  EXPECT_ERROR(runTool(model, {"info", "extra"}), 2,
               "unexpected argument 'extra'");
  EXPECT_ERROR(runTool(model, {"bench", "--iters", "0"}), 2,
               "expected a value in [1, 1000000], got 0");
  EXPECT_ERROR(runTool(model, {"bench", "--threads", "two"}), 2,
               "expected an integer, got 'two'");
  EXPECT_ERROR(runTool(model, {"bench", "--iters", "1", "--iters", "2"}), 2,
               "given more than once");
  EXPECT_ERROR(runTool(model, {"predict", "--weights", "w.axw"}), 2,
               "expected at least one image");
  RunResult r = runTool(model, {"export", "--weights", "w.axw"});
  EXPECT_TRUE(contains(r.err, "usage: tiny export --weights W.axw --npz W.npz"))
      << r.err;
}

TEST_F(DriverCommandsTest, ImportExportRoundTrip) {
  importWeights();
  Expected<WeightsFile> w = loadWeights(path("w.axw"));
  ASSERT_TRUE(w.ok()) << w.message();
  EXPECT_EQ(w->model, "tiny");
  EXPECT_EQ(w->graphHash, "sha256:tiny-dense");
  ASSERT_EQ(w->tensors.size(), 2u);
  EXPECT_EQ(w->tensors[0].data, kWeight);

  RunResult r = runTool(
      model, {"export", "--weights", path("w.axw"), "--npz", path("out.npz")});
  ASSERT_EQ(r.status, 0) << r.err;
  Expected<NpzFile> npz = loadNpz(path("out.npz"));
  ASSERT_TRUE(npz.ok()) << npz.message();
  ASSERT_EQ(npz->arrays.size(), 2u);
  EXPECT_EQ(npz->find("fc.weight")->shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(npz->find("fc.weight")->f32, kWeight);
  EXPECT_EQ(npz->find("fc.bias")->f32, kBias);
}

TEST_F(DriverCommandsTest, ImportRejectsMismatches) {
  NpzFile npz = denseNpz();
  npz.arrays[0].array = NpyArray::floats({4, 3}, kWeight);
  EXPECT_ERROR(importNpz(npz), 1,
               "array 'fc.weight': expected shape 3x4, got 4x3");

  npz = denseNpz();
  npz.arrays.pop_back();
  EXPECT_ERROR(importNpz(npz), 1, "missing array 'fc.bias' (expected 3)");

  npz = denseNpz();
  npz.arrays.push_back({"fc2.weight", NpyArray::floats({1}, {1})});
  EXPECT_ERROR(importNpz(npz), 1, "unexpected array 'fc2.weight'");

  npz = denseNpz();
  npz.arrays[1].name = "fc.Bias";
  EXPECT_ERROR(importNpz(npz), 1, "unexpected array 'fc.Bias'");

  npz = denseNpz();
  npz.arrays[1].array = NpyArray::ints({3}, {1, 2, 3});
  EXPECT_ERROR(importNpz(npz), 1,
               "array 'fc.bias': expected float32, got int32");

  writeBytes(path("junk.npz"), toBytes("not a zip"));
  EXPECT_ERROR(runTool(model, {"import", "--npz", path("junk.npz"), "-o",
                               path("x.axw")}),
               1, "junk.npz");
  EXPECT_ERROR(runTool(model, {"import", "--npz", path("none.npz"), "-o",
                               path("x.axw")}),
               1, "none.npz");
  std::vector<std::string> names = dir.list();
  EXPECT_EQ(std::count(names.begin(), names.end(), "x.axw"), 0)
      << "a failed import wrote its output";
}

TEST_F(DriverCommandsTest, MeanTensorTravelsThroughImportAndExport) {
  NpzFile npz = denseNpz();
  // The dense model's input is not an image: no mean shape fits it.
  npz.arrays.push_back({"mean", NpyArray::floats({4}, {0, 0, 0, 0})});
  EXPECT_ERROR(importNpz(npz), 1, "array 'mean': expected the shape of one");
}

TEST_F(DriverCommandsTest, InferMatchesHandComputedResult) {
  importWeights();
  std::vector<float> x = {1, 2, 3, 4, -1, 0.5f, 0, 2};
  ASSERT_TRUE(saveNpy(path("x.npy"), NpyArray::floats({2, 4}, x)).ok());
  RunResult r = infer(path("w.axw"), path("x.npy"));
  ASSERT_EQ(r.status, 0) << r.err;
  Expected<NpyArray> y = loadNpy(path("y.npy"));
  ASSERT_TRUE(y.ok()) << y.message();
  ASSERT_EQ(y->shape, (std::vector<int64_t>{2, 3}));
  // Logits by hand: W x + b.
  const double logits[2][3] = {{0.5 - 2 + 8 + 0.1, 10 - 0.2, -9 + 1 + 0.3},
                               {-0.5 - 0.5 + 4 + 0.1, 1.5 - 0.2, 0.5 + 0.3}};
  for (int b = 0; b < 2; ++b) {
    double sum = 0;
    for (double l : logits[b])
      sum += std::exp(l);
    for (int o = 0; o < 3; ++o)
      EXPECT_NEAR(y->f32[b * 3 + o], std::exp(logits[b][o]) / sum, 1e-6)
          << b << "," << o;
  }
}

TEST_F(DriverCommandsTest, InferRejectsBadInputs) {
  importWeights();
  ASSERT_TRUE(
      saveNpy(path("shape.npy"), NpyArray::floats({1, 4}, {1, 2, 3, 4})).ok());
  EXPECT_ERROR(infer(path("w.axw"), path("shape.npy")), 1,
               "shape.npy: expected shape 2x4 (input 'x', batch 2), got 1x4");
  ASSERT_TRUE(
      saveNpy(path("int.npy"), NpyArray::ints({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
          .ok());
  EXPECT_ERROR(infer(path("w.axw"), path("int.npy")), 1,
               "int.npy: expected float32, got int32");

  ASSERT_TRUE(
      saveNpy(path("x.npy"), NpyArray::floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
          .ok());
  std::vector<uint8_t> bytes = readBytes(path("x.npy"));
  bytes.resize(bytes.size() - 5);
  writeBytes(path("trunc.npy"), bytes);
  EXPECT_ERROR(infer(path("w.axw"), path("trunc.npy")), 1,
               "trunc.npy: truncated data");
  EXPECT_ERROR(infer(path("w.axw"), path("missing.npy")), 1, "missing.npy");
}

TEST_F(DriverCommandsTest, InferRejectsWrongWeights) {
  importWeights();
  ASSERT_TRUE(
      saveNpy(path("x.npy"), NpyArray::floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))
          .ok());
  // Weights of another model with the same tensors.
  Expected<WeightsFile> w = loadWeights(path("w.axw"));
  ASSERT_TRUE(w.ok());
  WeightsFile other = *w;
  other.model = "lenet";
  ASSERT_TRUE(saveWeights(path("other.axw"), other).ok());
  EXPECT_ERROR(infer(path("other.axw"), path("x.npy")), 1,
               "weights are for model 'lenet', expected 'tiny'");
  other = *w;
  other.graphHash = "sha256:changed";
  ASSERT_TRUE(saveWeights(path("hash.axw"), other).ok());
  EXPECT_ERROR(infer(path("hash.axw"), path("x.npy")), 1, "graph hash");
  other = *w;
  other.tensors[0].shape = {4, 3};
  ASSERT_TRUE(saveWeights(path("shape.axw"), other).ok());
  EXPECT_ERROR(infer(path("shape.axw"), path("x.npy")), 1,
               "tensor 'fc.weight': expected 3x4, got 4x3");

  // A flipped bit in the float payload: only the CRC can see it.
  std::vector<uint8_t> bytes = readBytes(path("w.axw"));
  const float needle = 0.25f; // kWeight's last element
  auto *raw = reinterpret_cast<const uint8_t *>(&needle);
  auto it = std::search(bytes.begin(), bytes.end(), raw, raw + 4);
  ASSERT_NE(it, bytes.end());
  *it ^= 1;
  writeBytes(path("flip.axw"), bytes);
  EXPECT_ERROR(infer(path("flip.axw"), path("x.npy")), 1, "checksum mismatch");
  bytes.resize(bytes.size() / 2);
  writeBytes(path("cut.axw"), bytes);
  EXPECT_ERROR(infer(path("cut.axw"), path("x.npy")), 1, "cut.axw");
  EXPECT_ERROR(runTool(model, {"export", "--weights", path("cut.axw"), "--npz",
                               path("o.npz")}),
               1, "cut.axw");
}

TEST_F(DriverCommandsTest, BenchPrintsMachineReadableLine) {
  RunResult r = runTool(
      model, {"bench", "--iters", "5", "--warmup", "1", "--threads", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  // The machine-readable line: fixed keys, numeric values.
  size_t at = r.out.find("bench: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  std::istringstream line(r.out.substr(at + 7));
  std::vector<std::string> keys;
  std::string field;
  while (line >> field) {
    size_t eq = field.find('=');
    ASSERT_NE(eq, std::string::npos) << field;
    keys.push_back(field.substr(0, eq));
    std::string value = field.substr(eq + 1);
    if (keys.back() == "model") {
      EXPECT_EQ(value, "tiny");
    } else if (keys.back() == "threads") {
      EXPECT_EQ(value, "2");
    } else if (keys.back() == "entry") {
      EXPECT_EQ(value, "inference");
    } else if (keys.back() != "target") {
      EXPECT_GE(std::stod(value), 0.0) << field;
    }
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"model", "entry", "target", "batch",
                                            "threads", "iters", "median_ms",
                                            "min_ms", "max_ms", "img_per_s"}));
  EXPECT_TRUE(contains(r.out, "ms/batch")) << r.out;
}

TEST_F(DriverCommandsTest, InfoDescribesTheModel) {
  RunResult r = runTool(imageModel(), {"info"});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char *part :
       {"model:   tinyimg", "target:  cpu", "batch:   2", "sha256:tiny-image",
        "input   image  f32   2x3x4x4", "fc     dense    2x2", "384 FLOP",
        "total parameters: 98 in 2 tensors", "75.0%"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
}

TEST(DriverFormatTest, ThousandsSeparators) {
  EXPECT_EQ(withThousands(0), "0");
  EXPECT_EQ(withThousands(999), "999");
  EXPECT_EQ(withThousands(1000), "1,000");
  EXPECT_EQ(withThousands(60965224), "60,965,224");
  EXPECT_EQ(withThousands(-1234567), "-1,234,567");
}

} // namespace
