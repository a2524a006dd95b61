//===- ShapeRulesTest.cpp - Unit tests for the nn shape rules -------------===//

#include "alexnet/Dialect/NN/ShapeRules.h"

#include <gtest/gtest.h>

using namespace alexnet::shape;

namespace {

TEST(ShapeRules, AlexNetLayersHaveThePapersShapes) {
  ShapeResult conv1 = conv2d({1, 3, 224, 224}, 96, {11, 11}, {4, 4}, {2, 2}, 1);
  ASSERT_TRUE(conv1.ok()) << conv1.error;
  EXPECT_EQ(conv1.shape, (Shape{1, 96, 55, 55}));
  ShapeResult pool1 = pool2d(conv1.shape, {3, 3}, {2, 2}, {0, 0});
  EXPECT_EQ(pool1.shape, (Shape{1, 96, 27, 27}));
  ShapeResult conv2 = conv2d(pool1.shape, 256, {5, 5}, {1, 1}, {2, 2}, 2);
  EXPECT_EQ(conv2.shape, (Shape{1, 256, 27, 27}));
  EXPECT_EQ(conv2dWeight(96, 256, {5, 5}, 2), (Shape{256, 48, 5, 5}));
  ShapeResult pool5 = pool2d({1, 256, 13, 13}, {3, 3}, {2, 2}, {0, 0});
  EXPECT_EQ(flatten(pool5.shape).shape, (Shape{1, 9216}));
  EXPECT_EQ(dense({1, 9216}, 4096).shape, (Shape{1, 4096}));
}

TEST(ShapeRules, NonSquareWindowsFloorLikePyTorch) {
  // floor((10 + 2*1 - 3) / 2) + 1 = 5 and floor((7 + 0 - 2) / 3) + 1 = 2.
  ShapeResult r = conv2d({2, 4, 10, 7}, 6, {3, 2}, {2, 3}, {1, 0}, 1);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.shape, (Shape{2, 6, 5, 2}));
  EXPECT_EQ(slidingExtent(55, 3, 2, 0), 27);
}

TEST(ShapeRules, GroupsMustDivideChannelsAndFilters) {
  EXPECT_EQ(conv2d({1, 3, 8, 8}, 4, {3, 3}, {1, 1}, {0, 0}, 2).error,
            "expected groups to divide the input channels (3), got groups = 2");
  EXPECT_EQ(conv2d({1, 4, 8, 8}, 3, {3, 3}, {1, 1}, {0, 0}, 2).error,
            "expected groups to divide the filters (3), got groups = 2");
  EXPECT_EQ(conv2d({1, 4, 8, 8}, 4, {3, 3}, {1, 1}, {0, 0}, 0).error,
            "expected a positive number of groups, got 0");
}

TEST(ShapeRules, WindowsMustFitThePaddedInput) {
  EXPECT_EQ(conv2d({1, 3, 4, 4}, 8, {7, 7}, {1, 1}, {1, 1}, 1).error,
            "expected a kernel no larger than the padded input 6x6, got 7x7");
  EXPECT_EQ(pool2d({1, 3, 4, 4}, {2, 2}, {1, 1}, {2, 0}).error,
            "expected a pad smaller than the window 2x2, got 2x0");
  EXPECT_EQ(pool2d({1, 3, 4, 4}, {0, 2}, {1, 1}, {0, 0}).error,
            "expected a positive window, got 0x2");
}

TEST(ShapeRules, HugeSizesAreRejectedWithoutOverflow) {
  EXPECT_FALSE(checkShape({kMaxDim + 1}, "x").empty());
  EXPECT_FALSE(checkShape({kMaxDim, kMaxDim, kMaxDim}, "x").empty());
  EXPECT_TRUE(checkShape({128, 3, 224, 224}, "x").empty());
  EXPECT_FALSE(dense({1, kMaxDim}, kMaxDim).ok());
  EXPECT_FALSE(conv2d({1, 3, 8, 8}, int64_t(1) << 62, {3, 3}, {1, 1}, {0, 0}, 1)
                   .ok());
}

TEST(ShapeRules, RankAndOperandMismatchesQuoteShapes) {
  EXPECT_EQ(conv2d({3, 28, 28}, 4, {3, 3}, {1, 1}, {0, 0}, 1).error,
            "expected a rank-4 NCHW input, got rank 3 (3x28x28)");
  EXPECT_EQ(add({1, 96, 55, 55}, {1, 256, 27, 27}).error,
            "expected operands of the same shape, got 1x96x55x55 and "
            "1x256x27x27");
  EXPECT_EQ(concat({{1, 4, 8, 8}, {1, 4, 7, 8}}, 1).error,
            "expected shapes equal except along axis 1, got 1x4x8x8 and "
            "1x4x7x8");
  EXPECT_EQ(concat({{1, 4, 8, 8}, {1, 6, 8, 8}}, 1).shape,
            (Shape{1, 10, 8, 8}));
  EXPECT_EQ(softmaxCrossEntropy({4, 10}, {3}).error,
            "expected labels of shape 4, got 3");
  EXPECT_TRUE(softmaxCrossEntropy({4, 10}, {4}).shape.empty());
}

TEST(ShapeRules, LrnNeedsAnOddSize) {
  EXPECT_TRUE(lrn({1, 8, 4, 4}, 5).ok());
  EXPECT_EQ(lrn({1, 8, 4, 4}, 4).error, "expected a positive odd size, got 4");
  EXPECT_EQ(lrn({1, 8, 4, 4}, -1).error,
            "expected a positive odd size, got -1");
}

TEST(ShapeRules, FlopsCountMultiplyAddsTwice) {
  // AlexNet conv1: 55*55*96 outputs, each 3*11*11 multiply-adds.
  EXPECT_EQ(conv2dFlops({1, 96, 55, 55}, 3, {11, 11}, 1), 210830400);
  // conv2 with groups=2 reads only 48 of the 96 input channels.
  EXPECT_EQ(conv2dFlops({1, 256, 27, 27}, 96, {5, 5}, 2),
            2 * 256 * 27 * 27 * 48 * 25);
  EXPECT_EQ(denseFlops({1, 4096}, 9216), 2 * 4096 * 9216);
}

} // namespace
