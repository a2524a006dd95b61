//===- DeviceBackendTest.cpp - ExecContext with memory off the host -------===//
//
// ExecContext's side of a device backend (the CUDA target's CudaContext),
// checked with a backend that keeps its "device" memory in host vectors and
// counts the copies: parameters go up only when the host changed them, come
// back only when a training step changed them, and inputs and outputs pass
// through the backend. Also: the driver's exit status 2 when the backend
// finds no device.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Runtime/DeviceBackend.h"
#include "alexnet/Runtime/ExecContext.h"
#include "IO/ModelWeights.h"

#include "DriverTestUtil.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace alexnet::runtime;

namespace {

constexpr int64_t kFloats = 16; // one 4-float parameter, padded to 64 bytes

/// "Device" memory in host vectors; counts what crosses.
class HostMemoryBackend final : public DeviceBackend {
public:
  std::vector<float> params = std::vector<float>(kFloats, -1.0f);
  std::vector<float> momentum = std::vector<float>(kFloats, -1.0f);
  std::vector<std::vector<char>> inputs, outputs;
  int uploads = 0, downloads = 0, runs = 0;

  void uploadParams(const float *p, const float *m, int64_t floats) override {
    ++uploads;
    std::memcpy(params.data(), p, size_t(floats) * sizeof(float));
    if (m)
      std::memcpy(momentum.data(), m, size_t(floats) * sizeof(float));
  }
  void downloadParams(float *p, float *m, int64_t floats) override {
    ++downloads;
    std::memcpy(p, params.data(), size_t(floats) * sizeof(float));
    if (m)
      std::memcpy(m, momentum.data(), size_t(floats) * sizeof(float));
  }
  void run(ExecContext &ctx, EntryFn fn, const TensorSpec *in, int numIn,
           const TensorSpec *out, int numOut) override {
    ++runs;
    inputs.assign(size_t(numIn), {});
    for (int i = 0; i < numIn; ++i) {
      inputs[i].resize(size_t(tensorBytes(in[i])));
      std::memcpy(inputs[i].data(), ctx.input(i), inputs[i].size());
    }
    outputs.assign(size_t(numOut), {});
    for (int i = 0; i < numOut; ++i)
      outputs[i].resize(size_t(tensorBytes(out[i])));
    fn(ctx);
    for (int i = 0; i < numOut; ++i)
      std::memcpy(ctx.output(i), outputs[i].data(), outputs[i].size());
  }
  std::vector<std::string> describe() const override { return {"host"}; }
};

HostMemoryBackend &backendOf(ExecContext &ctx) {
  return *static_cast<HostMemoryBackend *>(ctx.deviceBackend());
}
float *deviceInput(ExecContext &ctx, int i) {
  return reinterpret_cast<float *>(backendOf(ctx).inputs[size_t(i)].data());
}
float *deviceOutput(ExecContext &ctx, int i) {
  return reinterpret_cast<float *>(backendOf(ctx).outputs[size_t(i)].data());
}

/// y = x + w, on the "device".
void inference(ExecContext &ctx) {
  for (int j = 0; j < 4; ++j)
    deviceOutput(ctx, 0)[j] = deviceInput(ctx, 0)[j] + backendOf(ctx).params[j];
}
/// w += x, velocity += 1, loss = w[0], on the "device".
void trainStep(ExecContext &ctx) {
  HostMemoryBackend &b = backendOf(ctx);
  for (int j = 0; j < 4; ++j) {
    b.params[j] += deviceInput(ctx, 0)[j];
    b.momentum[j] += 1.0f;
  }
  deviceOutput(ctx, 0)[0] = b.params[0];
}

const TensorSpec kX[] = {{"x", ElementType::F32, 1, {4}}};
const TensorSpec kY[] = {{"y", ElementType::F32, 1, {4}}};
const TensorSpec kLoss[] = {{"loss", ElementType::F32, 0, {0}}};
const ParamSpec kParams[] = {
    {"w", 1, {4}, 0, 4, InitKind::Constant, 0.0, 0.0, 0}};
const ParamShard kShards[] = {{0, 0, 4, 0}};
const LayerSpec kLayers[] = {{"", "", 0, {0}, 0, 0, 0, 0, "", -1}};
const DeviceMemory kMemory[] = {{0, 0, 0}};
const EntryPoint kTrainStep = {"train_step", &trainStep, kX, 1,
                               kLoss,        1,          kMemory};
const ModelDesc kModel = {
    "mirror", "0", "test", 1, 1, kX, 1, kY, 1, kParams, 1, kFloats, kShards,
    1, kLayers, 0, &inference, kMemory, nullptr, &kTrainStep,
    {0.01, 0.9, 0.0, 1, ScheduleKind::Constant, 0.1, 1, 1, 0, false}};

std::unique_ptr<DeviceBackend> createHostBackend(const ModelDesc &,
                                                 const DeviceOptions &) {
  return std::make_unique<HostMemoryBackend>();
}

std::unique_ptr<DeviceBackend> createNoDevice(const ModelDesc &,
                                              const DeviceOptions &) {
  throw DeviceUnavailable("no CUDA device available; rebuild with "
                          "--target=cpu");
}

/// Installs a factory for one test.
class WithBackend {
public:
  explicit WithBackend(DeviceBackendFactory factory) {
    installDeviceBackend(factory);
  }
  ~WithBackend() { installDeviceBackend(nullptr); }
};

TEST(DeviceBackend, NoneWithoutAFactory) {
  ExecContext ctx(kModel, 1);
  EXPECT_EQ(ctx.deviceBackend(), nullptr);
  // The host's entry points run in place: the CPU target's path.
  EXPECT_NE(ctx.arena(0), nullptr);
}

TEST(DeviceBackend, UploadsOnlyWhatTheHostChanged) {
  WithBackend installed(&createHostBackend);
  ExecContext ctx(kModel, 1);
  HostMemoryBackend &b = backendOf(ctx);
  float x[4] = {1, 2, 3, 4}, y[4] = {};
  ctx.setInput(0, x);
  ctx.setOutput(0, y);

  // The device starts as the host: zero, uploaded once.
  ctx.runInference();
  ctx.runInference();
  EXPECT_EQ(b.uploads, 1);
  EXPECT_EQ(b.runs, 2);
  EXPECT_EQ(y[3], 4.0f);

  // Writing through params() sends the new values with the next run.
  ctx.params()[3] = 10.0f;
  EXPECT_EQ(b.uploads, 1);
  ctx.runInference();
  EXPECT_EQ(b.uploads, 2);
  EXPECT_EQ(y[3], 14.0f);
  EXPECT_EQ(b.downloads, 0);
}

TEST(DeviceBackend, DownloadsAfterATrainingStepOnly) {
  WithBackend installed(&createHostBackend);
  ExecContext ctx(kModel, 1);
  HostMemoryBackend &b = backendOf(ctx);
  float x[4] = {0.5f, 1, 1, 1}, loss = 0;
  ctx.setInput(0, x);
  ctx.setOutput(0, &loss);
  ctx.run(kTrainStep);
  ctx.run(kTrainStep);
  EXPECT_EQ(loss, 1.0f);
  EXPECT_EQ(b.uploads, 1);
  EXPECT_EQ(b.downloads, 0);

  // Reading fetches the device's parameters and momentum once.
  EXPECT_EQ(ctx.readParams()[0], 1.0f);
  EXPECT_EQ(ctx.readMomentum()[2], 2.0f);
  EXPECT_EQ(ctx.readParams()[1], 2.0f);
  EXPECT_EQ(b.downloads, 1);
  // Reading changed nothing on the host: no upload before the next step.
  ctx.run(kTrainStep);
  EXPECT_EQ(b.uploads, 1);

  // A checkpoint restored through momentum() goes back up, parameters
  // included (one block pair), after the device's values came down first.
  ctx.momentum()[0] = 7.0f;
  EXPECT_EQ(b.downloads, 2);
  ctx.run(kTrainStep);
  EXPECT_EQ(b.uploads, 2);
  EXPECT_EQ(b.momentum[0], 8.0f);
  EXPECT_EQ(b.params[0], 2.0f);
}

/// The backend runs the logical devices itself: no host threads per device,
/// one pool with every thread for the host's work.
TEST(DeviceBackend, NoHostThreadsPerDevice) {
  static const DeviceMemory twoDevices[] = {{0, 0, 0}, {0, 0, 0}};
  ModelDesc split = kModel;
  split.numDevices = 2;
  split.inferenceMemory = twoDevices;
  split.trainStep = nullptr;
  {
    ExecContext host(split, 4);
    EXPECT_EQ(host.pool(0).size(), 2);
  }
  WithBackend installed(&createHostBackend);
  ExecContext ctx(split, 4);
  EXPECT_EQ(ctx.pool(0).size(), 4);
  EXPECT_EQ(&ctx.hostPool(), &ctx.pool(0));
}

TEST(DeviceBackend, MissingDeviceExitsTwo) {
  WithBackend installed(&createNoDevice);
  EXPECT_ERROR(test::runTool(test::denseModel(), {"bench", "--iters", "1"}), 2,
               "no CUDA device available; rebuild with --target=cpu");
  // Commands that only handle files need no device.
  test::RunResult help = test::runTool(test::denseModel(), {"info"});
  EXPECT_EQ(help.status, 0) << help.err;
}

TEST(DeviceBackend, GraphOptionNeedsTheCudaTarget) {
  EXPECT_ERROR(test::runTool(test::denseModel(), {"bench", "--cuda-graph=on"}),
               2, "--cuda-graph needs an executable compiled with "
                  "--target=cuda");
}

} // namespace
