//===- CudaContextSimTest.cpp - The CUDA backend on the simulator ---------===//
//
// CudaContext (the CUDA target's backend, the very source a GPU build
// uses) running hand-written schedules on the simulator: eager runs, the
// captured graph's replays, and an error thrown while a run is captured,
// which must not leave stream 0 capturing (the next run failed on that and
// hid the real error).
//
//===----------------------------------------------------------------------===//

#include "SimTestUtil.h"

#include "alexnet/Runtime/DeviceBackend.h"
#include "alexnet/Runtime/ExecContext.h"

#include <stdexcept>
#include <string>

using namespace alexnet::runtime;

namespace {

ALEXNET_KERNEL(addParams, 256)(int64_t n, const float *x, const float *w,
                               float *y) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += int64_t(gridDim.x) * blockDim.x)
    y[i] = x[i] + w[i];
}

bool plantLaunchError = false;

/// y = x + w; with plantLaunchError, first a launch CUDA refuses.
void inference(ExecContext &ctx) {
  cuda::CudaContext &cu = cuda::context(ctx);
  const float *x = static_cast<const float *>(cu.input(0));
  float *y = static_cast<float *>(cu.output(0));
  if (plantLaunchError) {
    plantLaunchError = false;
    ALEXNET_LAUNCH(addParams, 1, 2048, 0, cu.stream(0))(4, x, cu.params(0), y);
    cu.checkLaunch("planted");
  }
  ALEXNET_LAUNCH(addParams, 1, 256, 0, cu.stream(0))(4, x, cu.params(0), y);
  cu.checkLaunch("add");
}

const TensorSpec kX[] = {{"x", ElementType::F32, 1, {4}}};
const TensorSpec kY[] = {{"y", ElementType::F32, 1, {4}}};
const ParamSpec kParams[] = {
    {"w", 1, {4}, 0, 4, InitKind::Constant, 0.0, 0.0, 0}};
const ParamShard kShards[] = {{0, 0, 4, 0}};
const LayerSpec kLayers[] = {{"", "", 0, {0}, 0, 0, 0, 0, "", -1}};
const DeviceMemory kMemory[] = {{0, 0, 0}};
const ModelDesc kModel = {
    "adder", "0", "cuda", 1, 1, kX, 1, kY, 1, kParams, 1, 16, kShards,
    1, kLayers, 0, &inference, kMemory, nullptr, nullptr,
    {0.01, 0.9, 0.0, 1, ScheduleKind::Constant, 0.1, 1, 1, 0, false}};

class CudaContextOnSim : public Sim {
protected:
  void SetUp() override {
    Sim::SetUp();
    deviceOptions().graphs = true;
    cuda::install({/*tf32=*/false});
  }
  void TearDown() override {
    installDeviceBackend(nullptr);
    deviceOptions().graphs = false;
    Sim::TearDown();
  }
};

TEST_F(CudaContextOnSim, ErrorWhileCapturingLeavesTheStreamUsable) {
  {
    ExecContext ctx(kModel, 1);
    for (int j = 0; j < 4; ++j)
      ctx.params()[j] = float(j);
    float x[4] = {10, 20, 30, 40}, y[4] = {};
    ctx.setInput(0, x);
    ctx.setOutput(0, y);
    ctx.runInference(); // eager
    EXPECT_EQ(y[3], 43.0f);

    // The second run is captured; a launch error inside it surfaces as
    // itself.
    plantLaunchError = true;
    try {
      ctx.runInference();
      ADD_FAILURE() << "the planted launch error was not reported";
    } catch (const std::runtime_error &e) {
      EXPECT_NE(std::string(e.what()).find(
                    "kernel launch (planted): cudaErrorInvalidConfiguration"),
                std::string::npos)
          << e.what();
    }
    // The next runs capture again and replay.
    x[0] = 100;
    ctx.runInference();
    EXPECT_EQ(y[0], 100.0f);
    x[0] = 200;
    ctx.runInference();
    EXPECT_EQ(y[0], 200.0f);
    EXPECT_EQ(y[2], 32.0f);
  }
}

} // namespace
