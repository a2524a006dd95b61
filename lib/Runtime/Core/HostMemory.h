//===- HostMemory.h - Host buffers devices copy from directly ---*- C++ -*-===//
//
// The data loader fills its batches in HostVector storage. On the CPU that
// is plain heap memory; a target whose device copies inputs from the host
// (CUDA) installs an allocator that pins it (cudaMallocHost), so a batch
// goes to the GPU by DMA, asynchronously, without a staging copy.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_RUNTIME_CORE_HOSTMEMORY_H
#define ALEXNET_LIB_RUNTIME_CORE_HOSTMEMORY_H

#include <cstddef>
#include <new>
#include <vector>

namespace alexnet::runtime {

/// Returns null when it cannot allocate; `release` gets only its pointers.
struct HostMemoryHooks {
  void *(*allocate)(size_t bytes);
  void (*release)(void *p);
};

/// Replaces malloc/free for HostVector storage and returns the hooks it
/// replaces. Install once, before any HostVector allocates (the generated
/// main does it first).
HostMemoryHooks installHostMemory(HostMemoryHooks hooks);
void *allocateHostMemory(size_t bytes);
void releaseHostMemory(void *p);

template <typename T> struct HostAllocator {
  using value_type = T;
  HostAllocator() = default;
  template <typename U> HostAllocator(const HostAllocator<U> &) {}
  T *allocate(size_t n) {
    void *p = allocateHostMemory(n * sizeof(T));
    if (!p)
      throw std::bad_alloc();
    return static_cast<T *>(p);
  }
  void deallocate(T *p, size_t) { releaseHostMemory(p); }
  template <typename U> bool operator==(const HostAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const HostAllocator<U> &) const {
    return false;
  }
};

/// A vector in host memory the installed device backend copies from
/// directly (pinned under CUDA).
template <typename T> using HostVector = std::vector<T, HostAllocator<T>>;

} // namespace alexnet::runtime

#endif // ALEXNET_LIB_RUNTIME_CORE_HOSTMEMORY_H
