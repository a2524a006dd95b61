//===- OutputCheckTest.cpp - Outputs checked before any work --------------===//

#include "TestUtil.h"

#include "IO/OutputCheck.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace alexnet::runtime;
using namespace alexnet::runtime::test;

namespace {

TEST(OutputCheck, OutputThatIsAnInputIsRefused) {
  TempDir tmp;
  std::string weights = tmp.path("w.axw");
  writeBytes(weights, toBytes("weights"));
  ASSERT_EQ(::symlink("w.axw", tmp.path("soft.axw").c_str()), 0);
  ASSERT_EQ(::link(weights.c_str(), tmp.path("hard.axw").c_str()), 0);
  for (const std::string &output :
       {weights, tmp.path("soft.axw"), tmp.path("hard.axw"),
        tmp.dir() + "/./w.axw"}) {
    Status s = checkOutputs({{"--npz", output}}, {{"--weights", weights}});
    ASSERT_FALSE(s.ok()) << output;
    EXPECT_EQ(s.message(), "--npz '" + output +
                               "' is the same file as the input --weights '" +
                               weights +
                               "': writing it would destroy the input; "
                               "choose another output");
  }
  EXPECT_TRUE(
      checkOutputs({{"--npz", tmp.path("w.npz")}}, {{"--weights", weights}})
          .ok());
  EXPECT_EQ(readBytes(weights), toBytes("weights"));
}

TEST(OutputCheck, FileInsideAnInputDirectoryIsRefused) {
  TempDir tmp;
  ASSERT_EQ(::mkdir(tmp.path("data").c_str(), 0755), 0);
  writeBytes(tmp.path("data/train-labels"), toBytes("labels"));
  Status s = checkOutputs({{"-o", tmp.path("data/train-labels")}},
                          {{"--data", tmp.path("data")}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "-o '" + tmp.path("data/train-labels") +
                             "' is a file inside the input --data '" +
                             tmp.path("data") +
                             "': writing it could destroy the input; choose "
                             "another output");
  // A new file there destroys nothing.
  EXPECT_TRUE(checkOutputs({{"-o", tmp.path("data/w.axw")}},
                           {{"--data", tmp.path("data")}})
                  .ok());
}

TEST(OutputCheck, TwoOutputsOnOneFile) {
  TempDir tmp;
  Status s = checkOutputs({{"-o", tmp.path("x")}, {"--metrics", "x"}}, {});
  EXPECT_TRUE(s.ok()) << s.message(); // relative to the working directory
  s = checkOutputs(
      {{"-o", tmp.path("x")},
       {"--metrics", tmp.dir() + "/../" +
                         tmp.dir().substr(tmp.dir().rfind('/') + 1) + "/x"}},
      {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("one would overwrite the other"),
            std::string::npos)
      << s.message();
  // Devices are written into: both may discard their output.
  EXPECT_TRUE(
      checkOutputs({{"-o", "/dev/null"}, {"--metrics", "/dev/null"}}, {}).ok());
}

TEST(OutputCheck, UnwritableLocationIsNamed) {
  TempDir tmp;
  Status s = checkOutputs({{"-o", tmp.path("none/w.axw")}, {"--metrics", ""}},
                          {{"--init", ""}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "cannot write -o: " + tmp.path("none/w.axw") +
                             ": cannot use directory '" + tmp.path("none") +
                             "': No such file or directory");
}

} // namespace
