//===- Devices.cpp - Simulated GPUs, errors and the device API ------------===//

#include "Simulator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace alexnet::cudasim {

namespace {

long long envNumber(const char *name, long long fallback) {
  const char *text = std::getenv(name);
  if (!text || !*text)
    return fallback;
  char *end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  if (*end || value < 0) {
    std::fprintf(stderr, "cuda-sim: ignoring %s=%s (expected a number >= 0)\n",
                 name, text);
    return fallback;
  }
  return value;
}

Config readConfig() {
  Config c;
  c.devices = int(envNumber("ALEXNET_CUDASIM_DEVICES", 2));
  if (c.devices > 16)
    c.devices = 16;
  c.peer = envNumber("ALEXNET_CUDASIM_PEER", 1) != 0;
  long long seed = envNumber("ALEXNET_CUDASIM_DELAY", -1);
  c.delay = seed >= 0;
  c.delaySeed = c.delay ? uint64_t(seed) : 0;
  c.serial = envNumber("ALEXNET_CUDASIM_SERIAL", 0) != 0;
  c.memoryPerDevice =
      size_t(envNumber("ALEXNET_CUDASIM_MEMORY", (long long)(16) << 30));
  return c;
}

struct DeviceState {
  std::vector<int> peers; ///< GPUs this one has enabled peer access to
  cudaError_t sticky = cudaSuccess;
};

std::vector<DeviceState> &devices() {
  static auto *all = new std::vector<DeviceState>(size_t(config().devices));
  return *all;
}

thread_local int current = 0;
thread_local cudaError_t lastError = cudaSuccess;

cudaError_t succeed() { return cudaSuccess; }

/// The sticky error of the current device, as every call returns it.
cudaError_t currentSticky() {
  std::lock_guard<std::mutex> lock(simMutex());
  return validDevice(current) ? stickyError(current) : cudaSuccess;
}

} // namespace

const Config &config() {
  static const Config c = readConfig();
  return c;
}

std::mutex &simMutex() {
  // Never destroyed: stream workers may still hold it while the process
  // exits.
  static auto *m = new std::mutex;
  return *m;
}

std::condition_variable &progress() {
  static auto *cv = new std::condition_variable;
  return *cv;
}

void report(const std::string &message) {
  std::fprintf(stderr, "cuda-sim: %s\n", message.c_str());
  std::fflush(stderr);
}

cudaError_t fail(cudaError_t error, const std::string &detail) {
  if (!detail.empty())
    report(std::string(cudaGetErrorName(error)) + ": " + detail);
  if (error != cudaSuccess)
    lastError = error;
  return error;
}

bool validDevice(int device) {
  return device >= 0 && device < config().devices;
}

int currentDevice() { return current; }

bool peerEnabled(int from, int to) {
  if (from == to)
    return true;
  for (int p : devices()[size_t(from)].peers)
    if (p == to)
      return true;
  return false;
}

cudaError_t stickyError(int device) {
  return devices()[size_t(device)].sticky;
}

void setStickyError(int device, cudaError_t error, const std::string &what) {
  DeviceState &d = devices()[size_t(device)];
  if (d.sticky == cudaSuccess) {
    d.sticky = error;
    report("GPU " + std::to_string(device) + " faulted (" +
           cudaGetErrorName(error) + "): " + what +
           "; every later call on this GPU fails with this error");
  }
}

} // namespace alexnet::cudasim

using namespace alexnet::cudasim;

extern "C" {

const char *cudaGetErrorName(cudaError_t error) {
  switch (error) {
#define NAME(e)                                                                \
  case e:                                                                      \
    return #e;
    NAME(cudaSuccess)
    NAME(cudaErrorInvalidValue)
    NAME(cudaErrorMemoryAllocation)
    NAME(cudaErrorInitializationError)
    NAME(cudaErrorCudartUnloading)
    NAME(cudaErrorInvalidConfiguration)
    NAME(cudaErrorInvalidDevicePointer)
    NAME(cudaErrorInvalidMemcpyDirection)
    NAME(cudaErrorInsufficientDriver)
    NAME(cudaErrorInvalidDeviceFunction)
    NAME(cudaErrorNoDevice)
    NAME(cudaErrorInvalidDevice)
    NAME(cudaErrorPeerAccessUnsupported)
    NAME(cudaErrorInvalidResourceHandle)
    NAME(cudaErrorIllegalState)
    NAME(cudaErrorNotReady)
    NAME(cudaErrorIllegalAddress)
    NAME(cudaErrorLaunchOutOfResources)
    NAME(cudaErrorPeerAccessAlreadyEnabled)
    NAME(cudaErrorPeerAccessNotEnabled)
    NAME(cudaErrorContextIsDestroyed)
    NAME(cudaErrorIllegalInstruction)
    NAME(cudaErrorMisalignedAddress)
    NAME(cudaErrorLaunchFailure)
    NAME(cudaErrorNotPermitted)
    NAME(cudaErrorNotSupported)
    NAME(cudaErrorStreamCaptureUnsupported)
    NAME(cudaErrorStreamCaptureInvalidated)
    NAME(cudaErrorStreamCaptureMerge)
    NAME(cudaErrorStreamCaptureUnmatched)
    NAME(cudaErrorStreamCaptureUnjoined)
    NAME(cudaErrorStreamCaptureIsolation)
    NAME(cudaErrorStreamCaptureImplicit)
    NAME(cudaErrorCapturedEvent)
    NAME(cudaErrorStreamCaptureWrongThread)
    NAME(cudaErrorUnknown)
#undef NAME
  }
  return "cudaErrorUnknown";
}

const char *cudaGetErrorString(cudaError_t error) {
  switch (error) {
  case cudaSuccess: return "no error";
  case cudaErrorInvalidValue: return "invalid argument";
  case cudaErrorMemoryAllocation: return "out of memory";
  case cudaErrorInitializationError: return "initialization error";
  case cudaErrorCudartUnloading: return "driver shutting down";
  case cudaErrorInvalidConfiguration: return "invalid configuration argument";
  case cudaErrorInvalidDevicePointer: return "invalid device pointer";
  case cudaErrorInvalidMemcpyDirection:
    return "invalid copy direction for memcpy";
  case cudaErrorInsufficientDriver:
    return "CUDA driver version is insufficient for CUDA runtime version";
  case cudaErrorInvalidDeviceFunction: return "invalid device function";
  case cudaErrorNoDevice: return "no CUDA-capable device is detected";
  case cudaErrorInvalidDevice: return "invalid device ordinal";
  case cudaErrorPeerAccessUnsupported:
    return "peer access is not supported between these two devices";
  case cudaErrorInvalidResourceHandle: return "invalid resource handle";
  case cudaErrorIllegalState:
    return "the operation cannot be performed in the present state";
  case cudaErrorNotReady: return "device not ready";
  case cudaErrorIllegalAddress:
    return "an illegal memory access was encountered";
  case cudaErrorLaunchOutOfResources:
    return "too many resources requested for launch";
  case cudaErrorPeerAccessAlreadyEnabled:
    return "peer access is already enabled";
  case cudaErrorPeerAccessNotEnabled: return "peer access has not been enabled";
  case cudaErrorContextIsDestroyed: return "context is destroyed";
  case cudaErrorIllegalInstruction:
    return "an illegal instruction was encountered";
  case cudaErrorMisalignedAddress: return "misaligned address";
  case cudaErrorLaunchFailure: return "unspecified launch failure";
  case cudaErrorNotPermitted: return "operation not permitted";
  case cudaErrorNotSupported: return "operation not supported";
  case cudaErrorStreamCaptureUnsupported:
    return "operation not permitted when stream is capturing";
  case cudaErrorStreamCaptureInvalidated:
    return "operation failed due to a previous error during capture";
  case cudaErrorStreamCaptureMerge:
    return "operation would result in a merge of separate capture sequences";
  case cudaErrorStreamCaptureUnmatched:
    return "capture was not ended in the same stream as it began";
  case cudaErrorStreamCaptureUnjoined:
    return "capturing stream has unjoined work";
  case cudaErrorStreamCaptureIsolation:
    return "dependency created on uncaptured work in another stream";
  case cudaErrorStreamCaptureImplicit:
    return "operation would make the legacy stream depend on a capturing "
           "blocking stream";
  case cudaErrorCapturedEvent:
    return "operation not permitted on an event last recorded in a capturing "
           "stream";
  case cudaErrorStreamCaptureWrongThread:
    return "attempt to terminate a thread-local capture sequence from another "
           "thread";
  case cudaErrorUnknown: return "unknown error";
  }
  return "unknown error";
}

cudaError_t cudaGetLastError(void) {
  cudaError_t e = lastError;
  lastError = cudaSuccess;
  return e != cudaSuccess ? e : currentSticky();
}

cudaError_t cudaPeekAtLastError(void) {
  return lastError != cudaSuccess ? lastError : currentSticky();
}

cudaError_t cudaDriverGetVersion(int *version) {
  if (!version)
    return fail(cudaErrorInvalidValue);
  *version = CUDART_VERSION;
  return succeed();
}

cudaError_t cudaRuntimeGetVersion(int *version) {
  return cudaDriverGetVersion(version);
}

cudaError_t cudaGetDeviceCount(int *count) {
  if (!count)
    return fail(cudaErrorInvalidValue);
  *count = config().devices;
  return config().devices ? succeed() : fail(cudaErrorNoDevice);
}

cudaError_t cudaSetDevice(int device) {
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (!validDevice(device))
    return fail(cudaErrorInvalidDevice,
                "cudaSetDevice(" + std::to_string(device) + ") with " +
                    std::to_string(config().devices) + " GPUs");
  current = device;
  return currentSticky() != cudaSuccess ? fail(currentSticky()) : succeed();
}

cudaError_t cudaGetDevice(int *device) {
  if (!device)
    return fail(cudaErrorInvalidValue);
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  *device = current;
  return succeed();
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device) {
  if (!prop)
    return fail(cudaErrorInvalidValue);
  if (!validDevice(device))
    return fail(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof(*prop));
  std::snprintf(prop->name, sizeof(prop->name),
                "alexnet CUDA simulator, GPU %d", device);
  prop->totalGlobalMem = config().memoryPerDevice;
  prop->sharedMemPerBlock = 48 << 10;
  prop->sharedMemPerBlockOptin = 227 << 10;
  prop->regsPerBlock = 65536;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  prop->maxThreadsDim[0] = 1024;
  prop->maxThreadsDim[1] = 1024;
  prop->maxThreadsDim[2] = 64;
  prop->maxGridSize[0] = 2147483647;
  prop->maxGridSize[1] = 65535;
  prop->maxGridSize[2] = 65535;
  prop->multiProcessorCount = 1;
  prop->major = 9;
  prop->minor = 0;
  prop->unifiedAddressing = 1;
  prop->canMapHostMemory = 1;
  prop->asyncEngineCount = 2;
  prop->concurrentKernels = 1;
  return succeed();
}

cudaError_t cudaDeviceCanAccessPeer(int *canAccess, int device,
                                    int peerDevice) {
  if (!canAccess)
    return fail(cudaErrorInvalidValue);
  if (!validDevice(device) || !validDevice(peerDevice))
    return fail(cudaErrorInvalidDevice);
  *canAccess = device != peerDevice && config().peer;
  return succeed();
}

cudaError_t cudaDeviceEnablePeerAccess(int peerDevice, unsigned int flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (flags != 0)
    return fail(cudaErrorInvalidValue);
  if (!validDevice(peerDevice))
    return fail(cudaErrorInvalidDevice);
  if (peerDevice == current)
    return fail(cudaErrorInvalidDevice,
                "GPU " + std::to_string(current) +
                    " cannot enable peer access to itself");
  if (!config().peer)
    return fail(cudaErrorPeerAccessUnsupported,
                "GPU " + std::to_string(current) +
                    " cannot enable peer access to GPU " +
                    std::to_string(peerDevice) + " (ALEXNET_CUDASIM_PEER=0)");
  std::vector<int> &peers = devices()[size_t(current)].peers;
  for (int p : peers)
    if (p == peerDevice)
      return fail(cudaErrorPeerAccessAlreadyEnabled);
  peers.push_back(peerDevice);
  return succeed();
}

cudaError_t cudaDeviceDisablePeerAccess(int peerDevice) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!validDevice(peerDevice))
    return fail(cudaErrorInvalidDevice);
  std::vector<int> &peers = devices()[size_t(current)].peers;
  for (auto it = peers.begin(); it != peers.end(); ++it)
    if (*it == peerDevice) {
      peers.erase(it);
      return succeed();
    }
  return fail(cudaErrorPeerAccessNotEnabled);
}

cudaError_t cudaDeviceSynchronize(void) {
  std::unique_lock<std::mutex> lock(simMutex());
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (cudaError_t e = checkCaptureSafe("cudaDeviceSynchronize"))
    return e;
  drainDevice(lock, current);
  cudaError_t sticky = stickyError(current);
  return sticky != cudaSuccess ? fail(sticky) : succeed();
}

cudaError_t cudaDeviceReset(void) {
  std::unique_lock<std::mutex> lock(simMutex());
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  int device = current;
  drainDevice(lock, device);
  // Everything the device had goes: streams, events, memory, peer access
  // (its own and others' to it), and its sticky error.
  resetStreams(lock, device);
  resetMemory(device);
  for (DeviceState &d : devices())
    d.peers.erase(std::remove(d.peers.begin(), d.peers.end(), device),
                  d.peers.end());
  devices()[size_t(device)].peers.clear();
  devices()[size_t(device)].sticky = cudaSuccess;
  return cudaSuccess;
}

} // extern "C"
