//===- HostMemory.cpp - Host buffers a device can copy from directly ------===//

#include "Core/HostMemory.h"

#include <cstdlib>

namespace alexnet::runtime {

namespace {
HostMemoryHooks hooks = {
    [](size_t bytes) { return std::malloc(bytes ? bytes : 1); },
    [](void *p) { std::free(p); }};
} // namespace

HostMemoryHooks installHostMemory(HostMemoryHooks installed) {
  HostMemoryHooks previous = hooks;
  hooks = installed;
  return previous;
}
void *allocateHostMemory(size_t bytes) { return hooks.allocate(bytes); }
void releaseHostMemory(void *p) {
  if (p)
    hooks.release(p);
}

} // namespace alexnet::runtime
