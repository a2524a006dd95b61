//===- CudaContext.h - The CUDA device backend ------------------*- C++ -*-===//
//
// What generated CUDA schedules run against: per logical device a stream, a
// cuBLAS handle on that stream and one arena from a single cudaMalloc; the
// parameter (and momentum) block on every GPU in use; device copies of the
// entry point's inputs and outputs, filled from pinned host buffers. Logical
// devices map to GPUs 0..N-1 when there are that many, else all to GPU 0 as
// separate streams. Transfer k is event k: recorded on the source's stream,
// waited for by the target's, which then copies (peer to peer across GPUs).
// Every CUDA and cuBLAS call is checked; a failure throws with the call's
// name, the layer and CUDA's message.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_RUNTIME_CUDA_CUDACONTEXT_H
#define ALEXNET_RUNTIME_CUDA_CUDACONTEXT_H

#include "alexnet/Runtime/DeviceBackend.h"
#include "alexnet/Runtime/ExecContext.h"
#include "alexnet/Runtime/Model.h"

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace alexnet::runtime::cuda {

/// What the generated main installs (alexnet-compile's --tf32).
struct CudaOptions {
  /// cuBLAS may use TF32 tensor cores for the GEMMs (10-bit mantissas).
  bool tf32 = false;
};

/// Makes every ExecContext of this process run on CUDA devices.
void install(const CudaOptions &options);

class CudaContext final : public DeviceBackend {
public:
  /// Throws DeviceUnavailable when no GPU can be used.
  CudaContext(const ModelDesc &model, const DeviceOptions &options,
              const CudaOptions &cudaOptions);
  ~CudaContext() override;
  CudaContext(const CudaContext &) = delete;
  CudaContext &operator=(const CudaContext &) = delete;

  //===--- Called by generated schedules ---------------------------------===//

  /// Device `device`'s copy of the parameter / momentum block.
  float *params(int device) const { return deviceParams[device]; }
  float *momentum(int device) const { return deviceMomentum[device]; }
  char *arena(int device) const { return arenas[device]; }
  /// The running entry point's arguments on the GPU of logical device
  /// `device`: every GPU in use gets its own copy of each input, since
  /// without peer access it cannot address another's memory. Outputs live
  /// on device 0's GPU.
  void *input(int index, int device = 0) const {
    return current->deviceInputs[size_t(slotOf[size_t(device)])][size_t(index)];
  }
  void *output(int index) const { return current->deviceOutputs[index]; }
  /// Device `device`'s stream, with its GPU made current.
  cudaStream_t stream(int device);
  /// Checks the launch just made (`label`: the layer and op).
  void checkLaunch(const char *label);
  /// Row-major C = alpha op(A) op(B) + beta C on device `device`.
  void gemm(int device, bool transA, bool transB, int64_t m, int64_t n,
            int64_t k, float alpha, const float *a, int64_t lda, const float *b,
            int64_t ldb, float beta, float *c, int64_t ldc, const char *label);
  /// Transfer `event`: `bytes` from `src` on device `source` to `dst` on
  /// device `target`, after everything `source` was given before it.
  void transfer(int event, int source, int target, void *dst, const void *src,
                int64_t bytes, const char *label);
  bool profiling() const { return profileOn; }
  /// Charges the GPU time since device's previous mark to `label` (nullptr
  /// starts its clock); read back when the run finishes.
  void mark(const char *label, int device);

  //===--- DeviceBackend --------------------------------------------------===//

  void uploadParams(const float *params, const float *momentum,
                    int64_t floats) override;
  void downloadParams(float *params, float *momentum, int64_t floats) override;
  void run(ExecContext &ctx, EntryFn fn, const TensorSpec *inputs,
           int numInputs, const TensorSpec *outputs, int numOutputs) override;
  std::vector<std::string> describe() const override;

private:
  /// An entry point's device arguments, pinned staging and captured graph.
  struct Entry {
    /// deviceInputs[slot][i]: input i on gpus[slot].
    std::vector<std::vector<void *>> deviceInputs;
    std::vector<void *> deviceOutputs;
    std::vector<void *> pinnedInputs, pinnedOutputs;
    std::vector<size_t> inputBytes, outputBytes;
    cudaGraphExec_t graph = nullptr;
    int64_t runs = 0;
  };
  struct Mark {
    const char *label;
    int device;
    cudaEvent_t event;
  };

  Entry &entryFor(EntryFn fn, const TensorSpec *inputs, int numInputs,
                  const TensorSpec *outputs, int numOutputs);
  /// Everything the schedule enqueues, between the fork from stream 0 and
  /// the join back into it.
  void enqueue(ExecContext &ctx, EntryFn fn);
  /// Makes `gpu` current (cudaSetDevice) unless it already is.
  void selectGpu(int gpu);
  cudaEvent_t event(int gpu, int index);
  /// Waits for everything on every GPU in use (after legacy-stream copies).
  void synchronizeAll(const char *label);
  void collectProfile(ExecContext &ctx);

  const ModelDesc &model;
  DeviceOptions options;
  CudaOptions cudaOptions;
  int numDevices;
  std::vector<int> gpuOf; ///< logical device -> CUDA device
  std::vector<int> gpus;  ///< the CUDA devices in use
  std::vector<int> slotOf; ///< logical device -> its GPU's index in gpus
  int currentGpu = -1;
  std::vector<cudaStream_t> streams;
  std::vector<cublasHandle_t> blas;
  std::vector<void *> blasWorkspaces;
  std::vector<char *> arenas;
  std::map<int, float *> paramBlocks, momentumBlocks; ///< per CUDA device
  std::vector<float *> deviceParams, deviceMomentum;  ///< per logical device
  std::map<int, std::vector<cudaEvent_t>> events;     ///< per CUDA device
  cudaEvent_t fork = nullptr;                         ///< on device 0's GPU
  std::vector<cudaEvent_t> joins;                     ///< per logical device
  std::map<EntryFn, Entry> entries;
  Entry *current = nullptr;
  bool profileOn = false;
  std::vector<Mark> marks;
  std::map<int, std::vector<cudaEvent_t>> spareMarkEvents; ///< per CUDA device
};

/// The CUDA backend of `ctx` (generated schedules' first statement).
inline CudaContext &context(ExecContext &ctx) {
  return *static_cast<CudaContext *>(ctx.deviceBackend());
}

} // namespace alexnet::runtime::cuda

#endif // ALEXNET_RUNTIME_CUDA_CUDACONTEXT_H
