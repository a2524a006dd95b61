//===- Memory.cpp - Simulated device and pinned memory, copies ------------===//
//
// Every cudaMalloc and cudaHostAlloc is its own host allocation (so an
// AddressSanitizer build sees a kernel's out-of-bounds access), registered
// with its owner. Fresh memory is filled with 0xff bytes (NaN as floats),
// as a GPU gives memory with whatever was there: a kernel that reads what
// nothing wrote shows NaN instead of a lucky zero. Copies check their
// pointers against their kind, as CUDA does under unified addressing.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace alexnet::cudasim {

namespace {

constexpr size_t kDeviceAlignment = 256;

std::map<uintptr_t, Allocation> &allocations() {
  static auto *all = new std::map<uintptr_t, Allocation>;
  return *all;
}

std::vector<size_t> &deviceBytesInUse() {
  static auto *used = new std::vector<size_t>(size_t(config().devices), 0);
  return *used;
}

std::string hexAddress(const void *p) {
  std::ostringstream os;
  os << p;
  return os.str();
}

char *allocate(size_t bytes) {
  void *p = nullptr;
  if (posix_memalign(&p, kDeviceAlignment, bytes) != 0)
    return nullptr;
  std::memset(p, 0xff, bytes);
  return static_cast<char *>(p);
}

/// Where a copy's side lives.
enum class Side { Pageable, Pinned, Device };

Side sideOf(const void *p, int *device) {
  const Allocation *a = findAllocation(p);
  if (!a)
    return Side::Pageable;
  if (device)
    *device = a->device;
  return a->kind == MemoryKind::Device ? Side::Device : Side::Pinned;
}

bool isHost(Side s) { return s != Side::Device; }

/// Checks that a registered `p` holds `bytes` bytes.
bool fits(const void *p, size_t bytes) {
  const Allocation *a = findAllocation(p);
  return !a || static_cast<const char *>(p) + bytes <= a->base + a->bytes;
}

/// The checks cudaMemcpy* share: the kind matches the pointers and each
/// registered side holds `count` bytes.
cudaError_t checkCopy(const char *call, void *dst, const void *src,
                      size_t count, cudaMemcpyKind kind, Side &dstSide,
                      Side &srcSide) {
  int dstDevice = -1, srcDevice = -1;
  dstSide = sideOf(dst, &dstDevice);
  srcSide = sideOf(src, &srcDevice);
  if (count == 0)
    return cudaSuccess;
  if (!dst || !src)
    return fail(cudaErrorInvalidValue,
                std::string(call) + " with a null pointer");
  bool ok = true;
  switch (kind) {
  case cudaMemcpyHostToHost:
    ok = isHost(dstSide) && isHost(srcSide);
    break;
  case cudaMemcpyHostToDevice:
    ok = dstSide == Side::Device && isHost(srcSide);
    break;
  case cudaMemcpyDeviceToHost:
    ok = isHost(dstSide) && srcSide == Side::Device;
    break;
  case cudaMemcpyDeviceToDevice:
    ok = dstSide == Side::Device && srcSide == Side::Device;
    break;
  case cudaMemcpyDefault:
    break;
  default:
    return fail(cudaErrorInvalidMemcpyDirection,
                std::string(call) + " with kind " + std::to_string(int(kind)));
  }
  if (!ok)
    return fail(cudaErrorInvalidValue,
                std::string(call) + ": the pointers do not match kind " +
                    std::to_string(int(kind)) + " (dst " +
                    describePointer(dst) + ", src " + describePointer(src) +
                    ")");
  if (!fits(dst, count) || !fits(src, count))
    return fail(cudaErrorInvalidValue,
                std::string(call) + " of " + std::to_string(count) +
                    " bytes runs past the end of an allocation (dst " +
                    describePointer(dst) + ", src " + describePointer(src) +
                    ")");
  return cudaSuccess;
}

/// An operation copying `count` bytes from `src` (or from `staging`, a
/// pageable source copied when the call was made) to `dst`. It checks again
/// when it runs that the registered sides are still live: a graph replay
/// can find them freed.
Operation copyOperation(const std::string &what, int device, void *dst,
                        const void *src, size_t count, Side dstSide,
                        Side srcSide,
                        std::shared_ptr<std::vector<char>> staging) {
  Operation op;
  op.what = what;
  op.device = device;
  op.body = [=]() -> cudaError_t {
    {
      std::lock_guard<std::mutex> lock(simMutex());
      bool dstLive = dstSide == Side::Pageable ||
                     (findAllocation(dst) && fits(dst, count));
      bool srcLive = staging || srcSide == Side::Pageable ||
                     (findAllocation(src) && fits(src, count));
      if (!dstLive || !srcLive) {
        report(what + ": a pointer no longer points at live memory (dst " +
               describePointer(dst) + ", src " + describePointer(src) + ")");
        return cudaErrorIllegalAddress;
      }
    }
    std::memmove(dst, staging ? staging->data() : src, count);
    return cudaSuccess;
  };
  return op;
}

/// A synchronous copy's wait: until `stream` has run everything so far.
cudaError_t finishSynchronously(std::unique_lock<std::mutex> &lock,
                                CUstream_st *stream, int device) {
  waitFor(lock, {stream, stream->submitted});
  cudaError_t sticky = stickyError(device);
  return sticky != cudaSuccess ? fail(sticky) : cudaSuccess;
}

/// The stream a copy or memset goes on; a synchronous call is not allowed
/// during a capture (lock held).
cudaError_t streamFor(const char *call, cudaStream_t handle, bool synchronous,
                      CUstream_st *&stream) {
  if (synchronous)
    if (cudaError_t e = checkCaptureSafe(call))
      return e;
  stream = resolveStream(handle);
  if (!stream)
    return fail(cudaErrorInvalidResourceHandle,
                std::string(call) + " on a stream that does not exist");
  if (cudaError_t sticky = stickyError(stream->device))
    return fail(sticky);
  return cudaSuccess;
}

/// cudaMemcpy and cudaMemcpyAsync on `stream` (legacy when synchronous).
cudaError_t copy(const char *call, void *dst, const void *src, size_t count,
                 cudaMemcpyKind kind, cudaStream_t handle, bool synchronous) {
  std::unique_lock<std::mutex> lock(simMutex());
  CUstream_st *stream = nullptr;
  if (cudaError_t e = streamFor(call, handle, synchronous, stream))
    return e;
  Side dstSide, srcSide;
  if (cudaError_t e = checkCopy(call, dst, src, count, kind, dstSide, srcSide))
    return e;
  if (count == 0)
    return cudaSuccess;
  if (stream->capture && (dstSide == Side::Pageable || srcSide == Side::Pageable))
    return fail(cudaErrorStreamCaptureUnsupported,
                std::string(call) +
                    " of pageable host memory while the stream is capturing");
  // From pageable memory CUDA copies into a staging buffer before returning
  // and lets the DMA finish later; to pageable memory it returns when done.
  std::shared_ptr<std::vector<char>> staging;
  if (srcSide == Side::Pageable && dstSide == Side::Device) {
    if (synchronous)
      waitFor(lock, {stream, stream->submitted});
    staging = std::make_shared<std::vector<char>>(
        static_cast<const char *>(src), static_cast<const char *>(src) + count);
  }
  Operation op = copyOperation(call, stream->device, dst, src, count, dstSide,
                               srcSide, staging);
  if (cudaError_t e = submit(stream, std::move(op)))
    return e;
  bool waits = dstSide == Side::Pageable ||
               (synchronous && !(srcSide == Side::Pageable) &&
                !(dstSide == Side::Device && srcSide == Side::Device));
  if (waits)
    return finishSynchronously(lock, stream, stream->device);
  return cudaSuccess;
}

cudaError_t memset(const char *call, void *p, int value, size_t count,
                   cudaStream_t handle, bool synchronous) {
  std::unique_lock<std::mutex> lock(simMutex());
  CUstream_st *stream = nullptr;
  if (cudaError_t e = streamFor(call, handle, synchronous, stream))
    return e;
  if (count == 0)
    return cudaSuccess;
  const Allocation *a = findAllocation(p);
  if (!a || !fits(p, count))
    return fail(cudaErrorInvalidValue,
                std::string(call) + " of " + std::to_string(count) +
                    " bytes at " + describePointer(p));
  bool pinned = a->kind == MemoryKind::PinnedHost;
  Operation op;
  op.what = call;
  op.device = stream->device;
  op.body = [p, value, count]() -> cudaError_t {
    std::memset(p, value, count);
    return cudaSuccess;
  };
  if (cudaError_t e = submit(stream, std::move(op)))
    return e;
  if (synchronous && pinned)
    return finishSynchronously(lock, stream, stream->device);
  return cudaSuccess;
}

/// cudaFree and cudaFreeHost: like them, waits for the work that may still
/// use the memory (its GPU's, or every GPU's for pinned memory) first.
cudaError_t release(void *p, MemoryKind kind, const char *call,
                    const char *allocator) {
  std::unique_lock<std::mutex> lock(simMutex());
  if (!p)
    return cudaSuccess;
  if (cudaError_t e = checkCaptureSafe(call))
    return e;
  const Allocation *a = findAllocation(p);
  if (!a || a->base != p || a->kind != kind)
    return fail(cudaErrorInvalidValue, std::string(call) + " of " +
                                           describePointer(p) + ", which " +
                                           allocator + " did not return");
  int device = a->device;
  for (int d = 0; d < config().devices; ++d)
    if (kind == MemoryKind::PinnedHost || d == device)
      drainDevice(lock, d);
  a = findAllocation(p);
  if (!a || a->base != p) // freed by another thread meanwhile
    return fail(cudaErrorInvalidValue);
  if (kind == MemoryKind::Device)
    deviceBytesInUse()[size_t(device)] -= a->bytes;
  allocations().erase(reinterpret_cast<uintptr_t>(p));
  std::free(p);
  return cudaSuccess;
}

} // namespace

const Allocation *findAllocation(const void *p) {
  auto &all = allocations();
  auto it = all.upper_bound(reinterpret_cast<uintptr_t>(p));
  if (it == all.begin())
    return nullptr;
  --it;
  const Allocation &a = it->second;
  return static_cast<const char *>(p) < a.base + a.bytes ? &a : nullptr;
}

void resetMemory(int device) {
  auto &all = allocations();
  for (auto it = all.begin(); it != all.end();) {
    if (it->second.kind == MemoryKind::Device && it->second.device == device) {
      std::free(it->second.base);
      it = all.erase(it);
    } else {
      ++it;
    }
  }
  deviceBytesInUse()[size_t(device)] = 0;
}

std::string describePointer(const void *p) {
  if (!p)
    return "a null pointer";
  const Allocation *a = findAllocation(p);
  if (!a)
    return hexAddress(p) +
           ", host memory CUDA does not know (pageable, or freed)";
  std::string where =
      hexAddress(p) + ", byte " +
      std::to_string(static_cast<const char *>(p) - a->base) + " of " +
      std::to_string(a->bytes) + " ";
  return where + (a->kind == MemoryKind::Device
                      ? "on GPU " + std::to_string(a->device)
                      : "of pinned host memory");
}

bool deviceCanAccess(int device, const void *p, size_t bytes,
                     std::string &why) {
  const Allocation *a = findAllocation(p);
  if (!a) {
    why = describePointer(p);
    return false;
  }
  if (static_cast<const char *>(p) + bytes > a->base + a->bytes) {
    why = describePointer(p) + ", and " + std::to_string(bytes) +
          " bytes from there run past its end";
    return false;
  }
  if (a->kind == MemoryKind::PinnedHost || a->device == device)
    return true;
  if (peerEnabled(device, a->device))
    return true;
  why = describePointer(p) + ", and GPU " + std::to_string(device) +
        " has no peer access to GPU " + std::to_string(a->device) +
        " (cudaDeviceEnablePeerAccess)";
  return false;
}

} // namespace alexnet::cudasim

using namespace alexnet::cudasim;

extern "C" {

cudaError_t cudaMalloc(void **devPtr, size_t size) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!devPtr)
    return fail(cudaErrorInvalidValue);
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (cudaError_t e = checkCaptureSafe("cudaMalloc"))
    return e;
  int device = currentDevice();
  if (cudaError_t sticky = stickyError(device))
    return fail(sticky);
  *devPtr = nullptr;
  if (size == 0)
    return cudaSuccess;
  size_t &used = deviceBytesInUse()[size_t(device)];
  if (size > config().memoryPerDevice - used)
    return fail(cudaErrorMemoryAllocation,
                "cudaMalloc of " + std::to_string(size) + " bytes on GPU " +
                    std::to_string(device) + ", which has " +
                    std::to_string(config().memoryPerDevice - used) +
                    " bytes free (ALEXNET_CUDASIM_MEMORY)");
  char *p = allocate(size);
  if (!p)
    return fail(cudaErrorMemoryAllocation);
  allocations()[reinterpret_cast<uintptr_t>(p)] = {p, size, MemoryKind::Device,
                                                   device};
  used += size;
  *devPtr = p;
  return cudaSuccess;
}

cudaError_t cudaFree(void *devPtr) {
  return release(devPtr, MemoryKind::Device, "cudaFree", "cudaMalloc");
}

cudaError_t cudaHostAlloc(void **pHost, size_t size, unsigned int flags) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!pHost || (flags & ~unsigned(cudaHostAllocPortable | cudaHostAllocMapped |
                                   cudaHostAllocWriteCombined)))
    return fail(cudaErrorInvalidValue);
  if (!config().devices)
    return fail(cudaErrorNoDevice);
  if (cudaError_t e = checkCaptureSafe("cudaHostAlloc"))
    return e;
  *pHost = nullptr;
  if (size == 0)
    return cudaSuccess;
  char *p = allocate(size);
  if (!p)
    return fail(cudaErrorMemoryAllocation);
  allocations()[reinterpret_cast<uintptr_t>(p)] = {
      p, size, MemoryKind::PinnedHost, -1};
  *pHost = p;
  return cudaSuccess;
}

cudaError_t cudaMallocHost(void **ptr, size_t size) {
  return cudaHostAlloc(ptr, size, cudaHostAllocDefault);
}

cudaError_t cudaFreeHost(void *ptr) {
  return release(ptr, MemoryKind::PinnedHost, "cudaFreeHost", "cudaHostAlloc");
}

cudaError_t cudaPointerGetAttributes(cudaPointerAttributes *attributes,
                                     const void *ptr) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!attributes)
    return fail(cudaErrorInvalidValue);
  const Allocation *a = findAllocation(ptr);
  attributes->type = !a ? cudaMemoryTypeUnregistered
                     : a->kind == MemoryKind::Device ? cudaMemoryTypeDevice
                                                     : cudaMemoryTypeHost;
  attributes->device = !a ? -2 : a->kind == MemoryKind::Device ? a->device : 0;
  attributes->devicePointer = a ? const_cast<void *>(ptr) : nullptr;
  attributes->hostPointer =
      !a || a->kind == MemoryKind::PinnedHost ? const_cast<void *>(ptr)
                                              : nullptr;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free, size_t *total) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!free || !total)
    return fail(cudaErrorInvalidValue);
  *total = config().memoryPerDevice;
  *free = *total - deviceBytesInUse()[size_t(currentDevice())];
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t count,
                       cudaMemcpyKind kind) {
  return copy("cudaMemcpy", dst, src, count, kind, nullptr, true);
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count,
                            cudaMemcpyKind kind, cudaStream_t stream) {
  return copy("cudaMemcpyAsync", dst, src, count, kind, stream, false);
}

cudaError_t cudaMemcpyPeerAsync(void *dst, int dstDevice, const void *src,
                                int srcDevice, size_t count,
                                cudaStream_t handle) {
  {
    std::lock_guard<std::mutex> lock(simMutex());
    if (!validDevice(dstDevice) || !validDevice(srcDevice))
      return fail(cudaErrorInvalidDevice);
    int d = -1, s = -1;
    if (count && (sideOf(dst, &d) != Side::Device || d != dstDevice ||
                  sideOf(src, &s) != Side::Device || s != srcDevice))
      return fail(cudaErrorInvalidValue,
                  "cudaMemcpyPeerAsync to GPU " + std::to_string(dstDevice) +
                      " from GPU " + std::to_string(srcDevice) + ": dst " +
                      describePointer(dst) + ", src " + describePointer(src));
  }
  // Peer copies need no peer access: the driver stages them if it must.
  return copy("cudaMemcpyPeerAsync", dst, src, count,
              cudaMemcpyDeviceToDevice, handle, false);
}

cudaError_t cudaMemcpyPeer(void *dst, int dstDevice, const void *src,
                           int srcDevice, size_t count) {
  cudaError_t e =
      cudaMemcpyPeerAsync(dst, dstDevice, src, srcDevice, count, nullptr);
  if (e != cudaSuccess)
    return e;
  return cudaDeviceSynchronize();
}

cudaError_t cudaMemset(void *devPtr, int value, size_t count) {
  return memset("cudaMemset", devPtr, value, count, nullptr, true);
}

cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count,
                            cudaStream_t stream) {
  return memset("cudaMemsetAsync", devPtr, value, count, stream, false);
}

} // extern "C"
