//===- ScheduleRollingTest.cpp - Loops over repeated schedule statements --===//
//
// rollRepeats must only ever write a loop that performs exactly the
// statements it replaces: these cases pin what varies (free numbers
// stepping by a constant) and what never does (numbers inside identifiers
// and float literals, irregular steps, too few repeats).
//
//===----------------------------------------------------------------------===//

#include "ScheduleRolling.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using alexnet::rollRepeats;

namespace {

std::vector<std::string> launches(std::vector<int> offsets) {
  std::vector<std::string> out;
  for (int offset : offsets)
    out.push_back("  run(b5 + " + std::to_string(offset) + ", b7);\n");
  return out;
}

TEST(ScheduleRolling, ConstantStepsBecomeALoop) {
  EXPECT_EQ(rollRepeats(launches({0, 72, 144, 216})),
            "  for (int64_t rep = 0; rep < 4; ++rep) {\n"
            "    run(b5 + (0 + 72 * rep), b7);\n"
            "  }\n");
}

TEST(ScheduleRolling, IrregularStepsStayAsTheyAre) {
  std::vector<std::string> s = launches({0, 72, 150, 216});
  std::string expected;
  for (const std::string &line : s)
    expected += line;
  EXPECT_EQ(rollRepeats(s), expected);
}

TEST(ScheduleRolling, TooFewRepeatsStayAsTheyAre) {
  EXPECT_EQ(rollRepeats(launches({0, 72})),
            "  run(b5 + 0, b7);\n  run(b5 + 72, b7);\n");
}

TEST(ScheduleRolling, NumbersInNamesAndFloatsNeverVary) {
  // b5/b6/b7 and 1.0f/2.0f differ: not a loop, even though the free
  // numbers step regularly.
  std::vector<std::string> s = {"  f(b5, 0, 1.0f);\n", "  f(b6, 8, 2.0f);\n",
                                "  f(b7, 16, 3.0f);\n"};
  EXPECT_EQ(rollRepeats(s), s[0] + s[1] + s[2]);
}

TEST(ScheduleRolling, APeriodOfSeveralStatementsAndAPrefix) {
  // A first statement that differs (beta 0), then three periods of two
  // statements (im2col, GEMM per image) with their own steps.
  std::vector<std::string> s = {"  gemm(dy + 0, 0.0f);\n"};
  for (int image = 1; image <= 3; ++image) {
    s.push_back("  im2col(x + " + std::to_string(72 * image) + ", col);\n");
    s.push_back("  gemm(dy + " + std::to_string(144 * image) + ", 1.0f);\n");
  }
  EXPECT_EQ(rollRepeats(s),
            "  gemm(dy + 0, 0.0f);\n"
            "  for (int64_t rep = 0; rep < 3; ++rep) {\n"
            "    im2col(x + (72 + 72 * rep), col);\n"
            "    gemm(dy + (144 + 144 * rep), 1.0f);\n"
            "  }\n");
}

TEST(ScheduleRolling, MultiLineStatementsAreIndentedAsAWhole) {
  std::vector<std::string> s;
  for (int i = 0; i < 3; ++i)
    s.push_back("  // c1: gemm\n  gemm(a + " + std::to_string(4 * i) +
                ");\n");
  EXPECT_EQ(rollRepeats(s), "  for (int64_t rep = 0; rep < 3; ++rep) {\n"
                            "    // c1: gemm\n"
                            "    gemm(a + (0 + 4 * rep));\n"
                            "  }\n");
}

TEST(ScheduleRolling, ALongerRunWinsOverAShortOne) {
  // Period 1 covers all six launches; period 2 would too, but no better.
  std::string out = rollRepeats(launches({0, 1, 2, 3, 4, 5}));
  EXPECT_NE(out.find("rep < 6"), std::string::npos) << out;
}

} // namespace
