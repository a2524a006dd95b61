//===- HostMemoryTest.cpp - The loader's batches in installable memory ----===//

#include "Core/HostMemory.h"
#include "Data/DataLoader.h"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace alexnet::runtime;

namespace {

int allocations = 0, releases = 0;

void *countingAllocate(size_t bytes) {
  ++allocations;
  return std::malloc(bytes);
}
void countingRelease(void *p) {
  ++releases;
  std::free(p);
}

/// A batch's storage comes from the installed hooks (pinned memory under
/// CUDA) and goes back to them.
TEST(HostMemory, BatchesUseTheInstalledHooks) {
  HostMemoryHooks previous =
      installHostMemory({&countingAllocate, &countingRelease});
  allocations = releases = 0;
  {
    Batch batch;
    batch.images.resize(3 * 8 * 8);
    batch.labels.assign(3, 7);
    EXPECT_EQ(allocations, 2);
    batch.images[5] = 1.5f;
    EXPECT_EQ(batch.images[5], 1.5f);
    // Growing reallocates through the hooks too.
    batch.images.resize(64 * 8 * 8);
    EXPECT_EQ(allocations, 3);
    EXPECT_EQ(releases, 1);
  }
  EXPECT_EQ(releases, 3);
  // Back to the previous hooks (the heap) for the other tests.
  installHostMemory(previous);
  HostVector<float> plain(4, 2.0f);
  EXPECT_EQ(plain[3], 2.0f);
  EXPECT_EQ(allocations, 3);
}

} // namespace
