//===- CudaContext.cpp - The CUDA device backend --------------------------===//

#include "alexnet/Runtime/Cuda/CudaContext.h"
#include "Cuda/CublasLibrary.h"
#include "Core/HostMemory.h"
#include "IO/ModelWeights.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace alexnet::runtime::cuda {

namespace {

/// cuBLAS's scratch per handle, set explicitly so that graph capture never
/// sees it allocate.
constexpr size_t kBlasWorkspaceBytes = size_t(32) << 20;

[[noreturn]] void fail(const std::string &call, const char *label,
                       const std::string &message) {
  std::string where = label && *label ? std::string(" (") + label + ")" : "";
  throw std::runtime_error("CUDA: " + call + where + ": " + message);
}

void check(cudaError_t status, const char *call, const char *label = nullptr) {
  if (status != cudaSuccess)
    fail(call, label,
         std::string(cudaGetErrorName(status)) + ": " +
             cudaGetErrorString(status));
}

void checkBlas(cublasStatus_t status, const char *call,
               const char *label = nullptr) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail(call, label,
         std::string(cublas().statusString(status)) + " (cuBLAS " +
             cublas().version + " from " + cublas().path + ")");
}

CudaOptions installedOptions;

/// Whether `p` is page-locked host memory a copy engine reads directly.
bool isPinned(const void *p) {
  cudaPointerAttributes attributes;
  if (cudaPointerGetAttributes(&attributes, p) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return attributes.type == cudaMemoryTypeHost;
}

/// The data loader's batches in pinned memory (portable: every GPU's
/// context sees it pinned); plain heap memory when CUDA cannot pin (no
/// GPU), which the staging copy then handles.
void *allocatePinned(size_t bytes) {
  void *p = nullptr;
  if (cudaHostAlloc(&p, bytes ? bytes : 1, cudaHostAllocPortable) ==
      cudaSuccess)
    return p;
  cudaGetLastError();
  return std::malloc(bytes ? bytes : 1);
}

void releasePinned(void *p) {
  if (isPinned(p))
    cudaFreeHost(p);
  else
    std::free(p);
}

std::unique_ptr<DeviceBackend> createCudaContext(const ModelDesc &model,
                                                 const DeviceOptions &options) {
  return std::make_unique<CudaContext>(model, options, installedOptions);
}

} // namespace

void install(const CudaOptions &options) {
  installedOptions = options;
  installDeviceBackend(&createCudaContext);
  installHostMemory({&allocatePinned, &releasePinned});
}

CudaContext::CudaContext(const ModelDesc &model, const DeviceOptions &options,
                         const CudaOptions &cudaOptions)
    : model(model), options(options), cudaOptions(cudaOptions),
      numDevices(model.numDevices < 1 ? 1 : model.numDevices) {
  // Without a driver cudaGetDeviceCount fails (cudaErrorInsufficientDriver)
  // and leaves the count alone: any error or no device means no GPU.
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count < 1) {
    cudaGetLastError(); // clear the sticky error
    throw DeviceUnavailable(
        "no CUDA device available; rebuild with --target=cpu");
  }
  for (int d = 0; d < numDevices; ++d)
    gpuOf.push_back(count >= numDevices ? d : 0);
  for (int gpu : gpuOf) {
    if (gpus.empty() || gpus.back() != gpu)
      gpus.push_back(gpu);
    slotOf.push_back(int(gpus.size()) - 1);
  }

  // Peer access lets a GPU copy from (and, where a layer reads another
  // device's buffer, load from) another's memory directly.
  for (int a : gpus)
    for (int b : gpus) {
      int can = 0;
      if (a == b || cudaDeviceCanAccessPeer(&can, a, b) != cudaSuccess || !can)
        continue;
      selectGpu(a);
      cudaError_t status = cudaDeviceEnablePeerAccess(b, 0);
      if (status == cudaErrorPeerAccessAlreadyEnabled)
        cudaGetLastError();
      else
        check(status, "cudaDeviceEnablePeerAccess");
    }

  const EntryPoint *entryPoints[] = {model.gradients, model.trainStep};
  for (int d = 0; d < numDevices; ++d) {
    selectGpu(gpuOf[d]);
    cudaStream_t s;
    check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
          "cudaStreamCreate");
    streams.push_back(s);
    cublasHandle_t h;
    checkBlas(cublas().create(&h), "cublasCreate");
    blas.push_back(h);
    checkBlas(cublas().setStream(h, s), "cublasSetStream");
    void *workspace;
    check(cudaMalloc(&workspace, kBlasWorkspaceBytes), "cudaMalloc",
          "cuBLAS workspace");
    blasWorkspaces.push_back(workspace);
    checkBlas(cublas().setWorkspace(h, workspace, kBlasWorkspaceBytes),
              "cublasSetWorkspace");
    checkBlas(cublas().setMathMode(h, cudaOptions.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH
                                                    : CUBLAS_DEFAULT_MATH),
              "cublasSetMathMode");
    cudaEvent_t join;
    check(cudaEventCreateWithFlags(&join, cudaEventDisableTiming),
          "cudaEventCreate");
    joins.push_back(join);

    // One arena per device, as large as the largest entry point needs.
    int64_t bytes = model.inferenceMemory[d].arenaBytes;
    for (const EntryPoint *entry : entryPoints)
      if (entry && entry->memory[d].arenaBytes > bytes)
        bytes = entry->memory[d].arenaBytes;
    char *arena = nullptr;
    if (bytes > 0) {
      check(cudaMalloc(reinterpret_cast<void **>(&arena), size_t(bytes)),
            "cudaMalloc", "arena");
      check(cudaMemset(arena, 0, size_t(bytes)), "cudaMemset", "arena");
    }
    arenas.push_back(arena);
  }
  size_t blockBytes = size_t(model.paramFloats) * sizeof(float);
  for (int gpu : gpus) {
    selectGpu(gpu);
    float *p = nullptr;
    check(
        cudaMalloc(reinterpret_cast<void **>(&p), blockBytes ? blockBytes : 4),
        "cudaMalloc", "parameters");
    paramBlocks[gpu] = p;
    if (model.trainStep) {
      float *m = nullptr;
      check(cudaMalloc(reinterpret_cast<void **>(&m),
                       blockBytes ? blockBytes : 4),
            "cudaMalloc", "momentum");
      check(cudaMemset(m, 0, blockBytes), "cudaMemset", "momentum");
      momentumBlocks[gpu] = m;
    }
  }
  for (int d = 0; d < numDevices; ++d) {
    deviceParams.push_back(paramBlocks[gpuOf[d]]);
    deviceMomentum.push_back(model.trainStep ? momentumBlocks[gpuOf[d]]
                                             : nullptr);
  }
  selectGpu(gpus.front());
  check(cudaEventCreateWithFlags(&fork, cudaEventDisableTiming),
        "cudaEventCreate");
  // The memsets ran on the legacy default stream, which the non-blocking
  // streams do not wait for.
  synchronizeAll("initialising");
}

void CudaContext::synchronizeAll(const char *label) {
  for (int gpu : gpus) {
    selectGpu(gpu);
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize", label);
  }
  selectGpu(gpus.front());
}

CudaContext::~CudaContext() {
  // Errors while tearing down are not actionable; the process is ending or
  // the context is being replaced.
  for (int gpu : gpus) {
    cudaSetDevice(gpu);
    cudaDeviceSynchronize();
  }
  for (auto &[fn, entry] : entries) {
    if (entry.graph)
      cudaGraphExecDestroy(entry.graph);
    for (size_t slot = 0; slot < entry.deviceInputs.size(); ++slot) {
      cudaSetDevice(gpus[slot]);
      for (void *p : entry.deviceInputs[slot])
        cudaFree(p);
    }
    cudaSetDevice(gpus.front());
    for (void *p : entry.deviceOutputs)
      cudaFree(p);
    for (void *p : entry.pinnedInputs)
      cudaFreeHost(p);
    for (void *p : entry.pinnedOutputs)
      cudaFreeHost(p);
  }
  for (Mark &m : marks)
    cudaEventDestroy(m.event);
  for (auto &[gpu, list] : spareMarkEvents)
    for (cudaEvent_t e : list)
      cudaEventDestroy(e);
  cudaEventDestroy(fork);
  for (auto &[gpu, list] : events)
    for (cudaEvent_t e : list)
      cudaEventDestroy(e);
  for (size_t d = 0; d < streams.size(); ++d) {
    cudaSetDevice(gpuOf[d]);
    cublas().destroy(blas[d]);
    cudaFree(blasWorkspaces[d]);
    cudaEventDestroy(joins[d]);
    cudaStreamDestroy(streams[d]);
    cudaFree(arenas[d]);
  }
  for (auto &[gpu, p] : paramBlocks) {
    cudaSetDevice(gpu);
    cudaFree(p);
  }
  for (auto &[gpu, p] : momentumBlocks) {
    cudaSetDevice(gpu);
    cudaFree(p);
  }
}

void CudaContext::selectGpu(int gpu) {
  if (gpu == currentGpu)
    return;
  check(cudaSetDevice(gpu), "cudaSetDevice");
  currentGpu = gpu;
}

cudaStream_t CudaContext::stream(int device) {
  selectGpu(gpuOf[device]);
  return streams[device];
}

void CudaContext::checkLaunch(const char *label) {
  check(cudaGetLastError(), "kernel launch", label);
}

void CudaContext::gemm(int device, bool transA, bool transB, int64_t m,
                       int64_t n, int64_t k, float alpha, const float *a,
                       int64_t lda, const float *b, int64_t ldb, float beta,
                       float *c, int64_t ldc, const char *label) {
  stream(device);
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: the
  // same buffers with the operands swapped.
  checkBlas(cublas().sgemm(blas[device], transB ? CUBLAS_OP_T : CUBLAS_OP_N,
                        transA ? CUBLAS_OP_T : CUBLAS_OP_N, int(n), int(m),
                        int(k), &alpha, b, int(ldb), a, int(lda), &beta, c,
                        int(ldc)),
            "cublasSgemm", label);
}

cudaEvent_t CudaContext::event(int gpu, int index) {
  std::vector<cudaEvent_t> &list = events[gpu];
  while (int(list.size()) <= index) {
    selectGpu(gpu);
    cudaEvent_t e;
    check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming),
          "cudaEventCreate");
    list.push_back(e);
  }
  return list[index];
}

void CudaContext::transfer(int index, int source, int target, void *dst,
                           const void *src, int64_t bytes, const char *label) {
  cudaEvent_t e = event(gpuOf[source], index);
  check(cudaEventRecord(e, stream(source)), "cudaEventRecord", label);
  cudaStream_t s = stream(target);
  check(cudaStreamWaitEvent(s, e, 0), "cudaStreamWaitEvent", label);
  if (gpuOf[source] != gpuOf[target])
    check(cudaMemcpyPeerAsync(dst, gpuOf[target], src, gpuOf[source],
                              size_t(bytes), s),
          "cudaMemcpyPeerAsync", label);
  else
    check(cudaMemcpyAsync(dst, src, size_t(bytes), cudaMemcpyDeviceToDevice, s),
          "cudaMemcpyAsync", label);
}

void CudaContext::mark(const char *label, int device) {
  cudaStream_t s = stream(device);
  // Events belong to the GPU they were created on.
  std::vector<cudaEvent_t> &spare = spareMarkEvents[gpuOf[device]];
  cudaEvent_t e;
  if (spare.empty()) {
    check(cudaEventCreate(&e), "cudaEventCreate", label);
  } else {
    e = spare.back();
    spare.pop_back();
  }
  check(cudaEventRecord(e, s), "cudaEventRecord", label);
  marks.push_back({label, device, e});
}

void CudaContext::collectProfile(ExecContext &ctx) {
  // Each device's marks in order: the time between two consecutive ones is
  // the later one's op.
  std::vector<cudaEvent_t> last(size_t(numDevices), nullptr);
  for (Mark &m : marks) {
    cudaEvent_t previous = last[m.device];
    last[m.device] = m.event;
    if (!m.label || !previous)
      continue;
    float ms = 0;
    check(cudaEventElapsedTime(&ms, previous, m.event), "cudaEventElapsedTime",
          m.label);
    ctx.addProfileTime(m.label, ms / 1e3);
  }
  for (Mark &m : marks)
    spareMarkEvents[gpuOf[m.device]].push_back(m.event);
  marks.clear();
}

CudaContext::Entry &CudaContext::entryFor(EntryFn fn, const TensorSpec *inputs,
                                          int numInputs,
                                          const TensorSpec *outputs,
                                          int numOutputs) {
  auto [it, inserted] = entries.try_emplace(fn);
  Entry &entry = it->second;
  if (!inserted)
    return entry;
  // Inputs on every GPU in use, outputs on device 0's; pinned host buffers
  // let their copies run asynchronously.
  auto allocate = [&](const TensorSpec &spec, std::vector<void *> &device,
                      std::vector<void *> *pinned, std::vector<size_t> *sizes) {
    size_t bytes = size_t(tensorBytes(spec));
    void *d = nullptr;
    check(cudaMalloc(&d, bytes ? bytes : 1), "cudaMalloc", spec.name);
    device.push_back(d);
    if (!pinned)
      return;
    void *h = nullptr;
    check(cudaMallocHost(&h, bytes ? bytes : 1), "cudaMallocHost", spec.name);
    pinned->push_back(h);
    sizes->push_back(bytes);
  };
  entry.deviceInputs.resize(gpus.size());
  for (size_t slot = 0; slot < gpus.size(); ++slot) {
    selectGpu(gpus[slot]);
    for (int i = 0; i < numInputs; ++i)
      allocate(inputs[i], entry.deviceInputs[slot],
               slot ? nullptr : &entry.pinnedInputs,
               slot ? nullptr : &entry.inputBytes);
  }
  stream(0);
  for (int i = 0; i < numOutputs; ++i)
    allocate(outputs[i], entry.deviceOutputs, &entry.pinnedOutputs,
             &entry.outputBytes);
  return entry;
}

void CudaContext::enqueue(ExecContext &ctx, EntryFn fn) {
  // Fork: every stream starts after stream 0's input copies; join: stream 0
  // waits for all of them before the outputs are copied back.
  cudaStream_t main = stream(0);
  check(cudaEventRecord(fork, main), "cudaEventRecord", "fork");
  for (int d = 1; d < numDevices; ++d)
    check(cudaStreamWaitEvent(stream(d), fork, 0), "cudaStreamWaitEvent",
          "fork");
  fn(ctx);
  for (int d = 1; d < numDevices; ++d) {
    check(cudaEventRecord(joins[d], stream(d)), "cudaEventRecord", "join");
    check(cudaStreamWaitEvent(stream(0), joins[d], 0), "cudaStreamWaitEvent",
          "join");
  }
}

void CudaContext::run(ExecContext &ctx, EntryFn fn, const TensorSpec *inputs,
                      int numInputs, const TensorSpec *outputs,
                      int numOutputs) {
  Entry &entry = entryFor(fn, inputs, numInputs, outputs, numOutputs);
  current = &entry;
  cudaStream_t main = stream(0);
  for (int i = 0; i < numInputs; ++i) {
    const void *host = ctx.input(i);
    if (!host)
      continue;
    // The loader's batches are pinned already (HostVector); anything else
    // goes through this entry's pinned staging buffer. Both copies are done
    // when run() returns, so the caller may reuse its buffer.
    if (!isPinned(host)) {
      std::memcpy(entry.pinnedInputs[i], host, entry.inputBytes[i]);
      host = entry.pinnedInputs[i];
    }
    // Every GPU's copy on stream 0 (a copy may target another GPU's
    // memory): the fork, or a graph launched on stream 0, comes after all.
    for (size_t slot = 0; slot < gpus.size(); ++slot)
      check(cudaMemcpyAsync(entry.deviceInputs[slot][size_t(i)], host,
                            entry.inputBytes[size_t(i)],
                            cudaMemcpyHostToDevice, main),
            "cudaMemcpyAsync", inputs[i].name);
  }
  profileOn = ctx.profiling();
  // The first run is eager: it creates the events and lets cuBLAS set
  // itself up, which capture would not allow; the second is captured.
  if (options.graphs && !profileOn && entry.runs > 0) {
    if (!entry.graph) {
      check(cudaStreamBeginCapture(main, cudaStreamCaptureModeThreadLocal),
            "cudaStreamBeginCapture");
      try {
        enqueue(ctx, fn);
      } catch (...) {
        // End the capture, or stream 0 would stay capturing and the next
        // run fail on that instead of showing this error.
        cudaGraph_t partial = nullptr;
        if (cudaStreamEndCapture(stream(0), &partial) == cudaSuccess)
          cudaGraphDestroy(partial);
        cudaGetLastError();
        current = nullptr;
        throw;
      }
      cudaGraph_t graph;
      check(cudaStreamEndCapture(stream(0), &graph), "cudaStreamEndCapture");
      cudaError_t status = cudaGraphInstantiate(
          &entry.graph, graph, cudaGraphInstantiateFlagAutoFreeOnLaunch);
      cudaGraphDestroy(graph);
      check(status, "cudaGraphInstantiate");
    }
    check(cudaGraphLaunch(entry.graph, stream(0)), "cudaGraphLaunch");
  } else {
    enqueue(ctx, fn);
  }
  main = stream(0);
  for (int i = 0; i < numOutputs; ++i)
    check(cudaMemcpyAsync(entry.pinnedOutputs[i], entry.deviceOutputs[i],
                          entry.outputBytes[i], cudaMemcpyDeviceToHost, main),
          "cudaMemcpyAsync", outputs[i].name);
  // Errors of the kernels themselves surface here.
  check(cudaStreamSynchronize(main), "cudaStreamSynchronize",
        "running the entry point");
  for (int i = 0; i < numOutputs; ++i)
    if (void *host = ctx.output(i))
      std::memcpy(host, entry.pinnedOutputs[i], entry.outputBytes[i]);
  if (profileOn)
    collectProfile(ctx);
  ++entry.runs;
  current = nullptr;
}

void CudaContext::uploadParams(const float *params, const float *momentum,
                               int64_t floats) {
  size_t bytes = size_t(floats) * sizeof(float);
  for (int gpu : gpus) {
    selectGpu(gpu);
    check(cudaMemcpy(paramBlocks[gpu], params, bytes, cudaMemcpyHostToDevice),
          "cudaMemcpy", "parameters");
    if (momentum && momentumBlocks.count(gpu))
      check(cudaMemcpy(momentumBlocks[gpu], momentum, bytes,
                       cudaMemcpyHostToDevice),
            "cudaMemcpy", "momentum");
  }
  // From pageable memory cudaMemcpy may return before the DMA lands, and
  // the schedules' non-blocking streams would not wait for it.
  synchronizeAll("uploading parameters");
}

void CudaContext::downloadParams(float *params, float *momentum,
                                 int64_t floats) {
  // Floats [at, at + n) of both blocks from `gpu`'s copies.
  auto copyBack = [&](int gpu, size_t at, size_t n, const char *label) {
    check(cudaMemcpy(params + at, paramBlocks[gpu] + at, n * sizeof(float),
                     cudaMemcpyDeviceToHost),
          "cudaMemcpy", label);
    if (momentum && momentumBlocks.count(gpu))
      check(cudaMemcpy(momentum + at, momentumBlocks[gpu] + at,
                       n * sizeof(float), cudaMemcpyDeviceToHost),
            "cudaMemcpy", label);
  };
  if (gpus.size() == 1) {
    copyBack(gpus.front(), 0, size_t(floats), "parameters");
    return;
  }
  // Each shard is current on the GPU of the device that updates it.
  for (int32_t s = 0; s < model.numShards; ++s) {
    const ParamShard &shard = model.shards[s];
    copyBack(gpuOf[shard.device < 0 ? 0 : shard.device],
             size_t(model.params[shard.param].offset + shard.offset),
             size_t(shard.size), model.params[shard.param].name);
  }
}

std::vector<std::string> CudaContext::describe() const {
  std::vector<std::string> lines;
  for (int d = 0; d < numDevices; ++d) {
    cudaDeviceProp prop;
    std::string name = cudaGetDeviceProperties(&prop, gpuOf[d]) == cudaSuccess
                           ? prop.name
                           : "unknown";
    lines.push_back("device " + std::to_string(d) + ": GPU " +
                    std::to_string(gpuOf[d]) + " (" + name + "), stream " +
                    std::to_string(d));
  }
  lines.push_back("cuBLAS " + cublas().version + ": " + cublas().path);
  return lines;
}

} // namespace alexnet::runtime::cuda
