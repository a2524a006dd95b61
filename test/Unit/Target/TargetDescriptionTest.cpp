//===- TargetDescriptionTest.cpp - The targets' table ---------------------===//

#include "alexnet/Target/TargetDescription.h"

#include <gtest/gtest.h>

#include <set>

using namespace alexnet;

namespace {

TEST(TargetDescription, EveryKindHasOneEntryFoundByItsName) {
  std::set<TargetKind> kinds;
  for (const TargetDescription &target : allTargets()) {
    EXPECT_TRUE(kinds.insert(target.kind).second) << target.name.str();
    EXPECT_EQ(lookupTarget(target.name), &target);
    EXPECT_EQ(&getTarget(target.kind), &target);
  }
  EXPECT_EQ(kinds.size(), 3u);
  EXPECT_EQ(lookupTarget("gpu"), nullptr);
  EXPECT_EQ(lookupTarget("CUDA"), nullptr);
  EXPECT_EQ(lookupTarget(""), nullptr);
}

TEST(TargetDescription, TheSimulatorLowersAndEmitsExactlyAsCuda) {
  // cuda-sim must run the program --target=cuda compiles: only the build
  // differs.
  const TargetDescription &cuda = getTarget(TargetKind::Cuda);
  const TargetDescription &sim = getTarget(TargetKind::CudaSim);
  EXPECT_EQ(sim.emitsCuda, cuda.emitsCuda);
  EXPECT_EQ(sim.bufferAlignment, cuda.bufferAlignment);
  EXPECT_EQ(sim.im2colBudget, cuda.im2colBudget);
  EXPECT_EQ(sim.batchBackward, cuda.batchBackward);
  EXPECT_EQ(sim.fineKernels, cuda.fineKernels);
  EXPECT_TRUE(cuda.buildsWithNvcc);
  EXPECT_FALSE(sim.buildsWithNvcc);
}

TEST(TargetDescription, CpuAndCudaDefaults) {
  const TargetDescription &cpu = getTarget(TargetKind::Cpu);
  EXPECT_EQ(cpu.bufferAlignment, 64);
  EXPECT_FALSE(cpu.im2colBudget.has_value()); // the pass's 2 MiB
  EXPECT_FALSE(cpu.batchBackward);
  EXPECT_FALSE(cpu.fineKernels);
  EXPECT_FALSE(cpu.emitsCuda);
  const TargetDescription &cuda = getTarget(TargetKind::Cuda);
  EXPECT_EQ(cuda.bufferAlignment, 256);
  EXPECT_EQ(cuda.im2colBudget, int64_t(1) << 40);
  EXPECT_TRUE(cuda.batchBackward);
  EXPECT_TRUE(cuda.fineKernels);
}

TEST(TargetDescription, ListsTheFlagsForDiagnostics) {
  EXPECT_EQ(listTargetFlags(),
            "--target=cpu, --target=cuda or --target=cuda-sim");
}

} // namespace
