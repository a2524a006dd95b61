//===- DriverPredictTest.cpp - The predict subcommand ---------------------===//

#include "DriverTestUtil.h"
#include "TestUtil.h"

#include "IO/Npz.h"

#include <gtest/gtest.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

/// imageModel() weights: class 0 scores the sum of the image, class 1 its
/// negation plus 24, so white images are class 0 and black ones class 1.
NpzFile brightnessNpz() {
  NpzFile npz;
  std::vector<float> w(96, 1.0f);
  std::fill(w.begin() + 48, w.end(), -1.0f);
  npz.arrays.push_back({"fc.weight", NpyArray::floats({2, 48}, w)});
  npz.arrays.push_back({"fc.bias", NpyArray::floats({2}, {0, 24})});
  return npz;
}

class DriverPredictTest : public ::testing::Test {
protected:
  TempDir dir;
  const ModelDesc &model = imageModel();

  void SetUp() override {
    ASSERT_TRUE(saveNpz(dir.path("w.npz"), brightnessNpz()).ok());
    RunResult r = runTool(
        model, {"import", "--npz", dir.path("w.npz"), "-o", dir.path("w.axw")});
    ASSERT_EQ(r.status, 0) << r.err;
    writeBytes(dir.path("white.png"), encodePng(Image::filled(30, 20, 3, 255)));
    writeBytes(dir.path("black.jpg"), encodeJpeg(Image::filled(9, 17, 1, 0)));
    writeBytes(dir.path("grey.jpg"), encodeJpeg(Image::filled(8, 8, 3, 128)));
    writeBytes(dir.path("broken.jpg"), toBytes("\xFF\xD8\xFF nonsense"));
  }

  RunResult predict(std::vector<std::string> args) {
    args.insert(args.begin(), {"predict", "--weights", dir.path("w.axw")});
    return runTool(model, args);
  }
};

TEST_F(DriverPredictTest, ClassifiesAndPadsTheLastBatch) {
  // Three images with batch 2: the second batch is padded.
  RunResult r = predict({"--top", "1", dir.path("white.png"),
                         dir.path("black.jpg"), dir.path("grey.jpg")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(contains(r.out, dir.path("white.png") + "\n  1.0000  0\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, dir.path("black.jpg") + "\n  1.0000  1\n"))
      << r.out;
  // Grey: logits 48 * 128/255 ~ 24.1 vs 24 - 24.1: class 0.
  EXPECT_TRUE(contains(r.out, dir.path("grey.jpg") + "\n  1.0000  0\n"))
      << r.out;
}

TEST_F(DriverPredictTest, TopKAndLabels) {
  writeBytes(dir.path("labels.txt"), toBytes("bright\r\ndark\n\n"));
  RunResult r =
      predict({"--labels", dir.path("labels.txt"), dir.path("black.jpg")});
  ASSERT_EQ(r.status, 0) << r.err;
  // --top defaults to 5 and is capped at the number of classes.
  EXPECT_TRUE(contains(r.out, "\n  1.0000  1  dark\n  0.0000  0  bright\n"))
      << r.out;

  writeBytes(dir.path("short.txt"), toBytes("one\n"));
  r = predict({"--labels", dir.path("short.txt"), dir.path("black.jpg")});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "short.txt: expected 2 labels (one per line), "
                              "got 1"))
      << r.err;
}

TEST_F(DriverPredictTest, BadImagesAreReportedAndSkipped) {
  RunResult r = predict({dir.path("white.png"), dir.path("broken.jpg"),
                         dir.path("nothere.png"), dir.path("black.jpg")});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "tiny: error: " + dir.path("broken.jpg") + ": "))
      << r.err;
  EXPECT_TRUE(contains(r.err, "tiny: error: " + dir.path("nothere.png")))
      << r.err;
  EXPECT_TRUE(contains(r.out, dir.path("white.png") + "\n  1.0000  0"));
  EXPECT_TRUE(contains(r.out, dir.path("black.jpg") + "\n  1.0000  1"));
  EXPECT_FALSE(contains(r.out, "broken.jpg"));
}

TEST_F(DriverPredictTest, MeanTensorIsSubtracted) {
  // A per-channel mean of 1 turns white into zeros, black into -1s.
  NpzFile npz = brightnessNpz();
  npz.arrays.push_back({"mean", NpyArray::floats({3}, {1, 1, 1})});
  ASSERT_TRUE(saveNpz(dir.path("m.npz"), npz).ok());
  RunResult r = runTool(
      model, {"import", "--npz", dir.path("m.npz"), "-o", dir.path("m.axw")});
  ASSERT_EQ(r.status, 0) << r.err;
  r = runTool(model, {"predict", "--weights", dir.path("m.axw"), "--top", "1",
                      dir.path("white.png")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\n  1.0000  1\n")) << r.out; // 0 vs 24
  r = runTool(model, {"export", "--weights", dir.path("m.axw"), "--npz",
                      dir.path("m2.npz")});
  ASSERT_EQ(r.status, 0) << r.err;
  Expected<NpzFile> back = loadNpz(dir.path("m2.npz"));
  ASSERT_TRUE(back.ok()) << back.message();
  ASSERT_NE(back->find("mean"), nullptr);

  npz.arrays.back().array = NpyArray::floats({2}, {1, 1});
  ASSERT_TRUE(saveNpz(dir.path("bad.npz"), npz).ok());
  r = runTool(model, {"import", "--npz", dir.path("bad.npz"), "-o",
                      dir.path("bad.axw")});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "array 'mean': expected the shape of one input "
                              "sample or one value per channel, got 2"))
      << r.err;
}

TEST_F(DriverPredictTest, NeedsAnImageModel) {
  RunResult r = runTool(denseModel(), {"predict", "--weights",
                                       dir.path("w.axw"), dir.path("x.png")});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "predict needs a float32 image input")) << r.err;
}

} // namespace
