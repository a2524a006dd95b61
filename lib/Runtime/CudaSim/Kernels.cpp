//===- Kernels.cpp - Kernel launches and blocks of fibers -----------------===//
//
// A launch is checked as CUDA checks it (block and grid limits, the
// kernel's __launch_bounds__, dynamic shared memory, the stream's device)
// and each pointer argument must be memory the launching GPU can address;
// the grid then runs on the stream's worker, block after block. A block's
// CUDA threads run as fibers on that one host thread: a thread
// runs until it finishes or reaches __syncthreads, and the barrier opens
// when every thread of the block is there. Threads that never sync run one
// after another on a single fiber stack, so the common kernel costs one
// context switch per block, not per thread. On x86-64 a switch saves the
// callee-saved registers and swaps stacks (no system call, unlike
// swapcontext, which saves the signal mask); elsewhere it is ucontext's.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include <sys/mman.h>
#ifndef __x86_64__
#include <ucontext.h>
#endif

#include <cstdlib>

#ifdef ALEXNET_CUDASIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef ALEXNET_CUDASIM_TSAN
extern "C" {
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
}
#endif

#ifdef __x86_64__
// alexnet_cudasim_switch(&saved, next): pushes the callee-saved registers
// and the FPU control words, stores the stack pointer in `saved`, loads
// `next` and pops what was pushed there. A new stack is prepared to pop
// into its entry function (prepareStack).
extern "C" void alexnet_cudasim_switch(void **saved, void *next);
asm(R"(
  .text
  .p2align 4
  .globl alexnet_cudasim_switch
  .type alexnet_cudasim_switch, @function
alexnet_cudasim_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size alexnet_cudasim_switch, .-alexnet_cudasim_switch
  .section .note.GNU-stack,"",@progbits
  .text
)");
#endif

namespace alexnet::cudasim {

namespace {

#ifdef __x86_64__
/// A saved execution context: its stack pointer.
struct Context {
  void *sp = nullptr;
};

void switchContext(Context &save, Context &next) {
  alexnet_cudasim_switch(&save.sp, next.sp);
}

/// Lays out `stack` so that switching to `context` enters `entry` as if
/// called (a 16-byte aligned frame, this thread's FPU control words).
void prepareStack(Context &context, char *stack, size_t bytes,
                  void (*entry)()) {
  auto top = reinterpret_cast<uintptr_t>(stack + bytes) & ~uintptr_t(15);
  auto *frame = reinterpret_cast<uint64_t *>(top - 72);
  uint32_t mxcsr;
  uint16_t fpucw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  frame[0] = uint64_t(mxcsr) | (uint64_t(fpucw) << 32);
  for (int r = 1; r <= 6; ++r) // r15, r14, r13, r12, rbx, rbp
    frame[r] = 0;
  frame[7] = reinterpret_cast<uint64_t>(entry); // where `ret` goes
  frame[8] = 0;
  context.sp = frame;
}
#else
struct Context {
  ucontext_t uc;
};

void switchContext(Context &save, Context &next) {
  swapcontext(&save.uc, &next.uc);
}

void prepareStack(Context &context, char *stack, size_t bytes,
                  void (*entry)()) {
  getcontext(&context.uc);
  context.uc.uc_stack.ss_sp = stack;
  context.uc.uc_stack.ss_size = bytes;
  context.uc.uc_link = nullptr;
  makecontext(&context.uc, entry, 0);
}
#endif

constexpr int kMaxThreadsPerBlock = 1024;
constexpr unsigned kMaxBlockDim[3] = {1024, 1024, 64};
constexpr unsigned kMaxGridDim[3] = {2147483647u, 65535, 65535};
constexpr size_t kSharedPerBlock = 48 << 10;
constexpr size_t kSharedPerBlockOptin = 227 << 10;
/// A CUDA thread's stack: room for the coarse kernels' per-thread tiles.
constexpr size_t kFiberStackBytes = size_t(1) << 20;

/// A fiber's entry never returns: after a thread's body it parks in its
/// loop (`done`) and runs the next thread it is given from there. (Were
/// each thread entered on a fresh stack, the sanitizers' shadow call stack
/// of the fiber would grow by the unreturned frames of every thread it ran
/// until ThreadSanitizer's stack depot overflows.)
struct Fiber {
  Context context;
  char *stack = nullptr; ///< kFiberStackBytes above a guard page
  uint3 thread{0, 0, 0}; ///< the thread it runs, while parked
  bool done = false;     ///< parked in its entry loop, ready for a thread
  void *tsan = nullptr;
  void *fakeStack = nullptr;
};

/// Fiber stacks, kept by each worker thread for its next blocks.
class FiberPool {
public:
  ~FiberPool() {
    for (Fiber *f : all) {
#ifdef ALEXNET_CUDASIM_TSAN
      if (f->tsan)
        __tsan_destroy_fiber(f->tsan);
#endif
      munmap(f->stack - 4096, kFiberStackBytes + 4096);
      delete f;
    }
  }
  Fiber *take() {
    if (!spare.empty()) {
      Fiber *f = spare.back();
      spare.pop_back();
      return f;
    }
    auto *f = new Fiber;
    void *memory = mmap(nullptr, kFiberStackBytes + 4096,
                        PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED) {
      report("cannot map a fiber stack");
      std::abort();
    }
    mprotect(memory, 4096, PROT_NONE); // overflow faults, not corrupts
    f->stack = static_cast<char *>(memory) + 4096;
    all.push_back(f);
    return f;
  }
  void give(Fiber *f) { spare.push_back(f); }

private:
  std::vector<Fiber *> all, spare;
};

/// Runs one block's threads; a fiber parks at __syncthreads.
class BlockRunner {
public:
  BlockRunner(const BlockBody &body, uint3 block) : body(body) {
    threads.count = int(block.x * block.y * block.z);
    threads.dim = block;
  }

  /// Runs the block now on this host thread; false when a barrier was
  /// divergent (`error` says how).
  bool run(std::string &error);

  /// The fiber running now calls __syncthreads.
  void arriveAtBarrier();

private:
  static void entry();
  static void switchToScheduler(Fiber *self);
  void start(Fiber *f);
  void resume(Fiber *f);

  const BlockBody &body;
  BlockThreads threads;
  std::vector<Fiber *> waiting;
  Fiber *running = nullptr;
  Context scheduler;
  void *schedulerTsan = nullptr;
  void *schedulerFakeStack = nullptr;
  const void *schedulerStackBottom = nullptr;
  size_t schedulerStackSize = 0;
};

thread_local BlockRunner *activeBlock = nullptr;

FiberPool &fiberPool() {
  // A thread_local object with a destructor: freed when the worker exits.
  thread_local FiberPool p;
  return p;
}

void BlockRunner::entry() {
  Fiber *me = activeBlock->running;
#ifdef ALEXNET_CUDASIM_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &activeBlock->schedulerStackBottom,
                                  &activeBlock->schedulerStackSize);
#endif
  for (;;) {
    BlockRunner *self = activeBlock; // the block of the thread it runs now
    self->body(self->threads);
    me->done = true;
    switchToScheduler(me);
  }
}

/// Parks `self` and returns to the scheduler of the block running now; back
/// here when the fiber is resumed, past its barrier or, once done, for a
/// thread of another block (whose runner is then the active one).
void BlockRunner::switchToScheduler(Fiber *self) {
  BlockRunner *runner = activeBlock;
#ifdef ALEXNET_CUDASIM_ASAN
  __sanitizer_start_switch_fiber(&self->fakeStack, runner->schedulerStackBottom,
                                 runner->schedulerStackSize);
#endif
#ifdef ALEXNET_CUDASIM_TSAN
  __tsan_switch_to_fiber(runner->schedulerTsan, 0);
#endif
  switchContext(self->context, runner->scheduler);
#ifdef ALEXNET_CUDASIM_ASAN
  runner = activeBlock;
  __sanitizer_finish_switch_fiber(self->fakeStack, &runner->schedulerStackBottom,
                                  &runner->schedulerStackSize);
#endif
}

void BlockRunner::resume(Fiber *f) {
  running = f;
#ifdef ALEXNET_CUDASIM_ASAN
  __sanitizer_start_switch_fiber(&schedulerFakeStack, f->stack,
                                 kFiberStackBytes);
#endif
#ifdef ALEXNET_CUDASIM_TSAN
  __tsan_switch_to_fiber(f->tsan, 0);
#endif
  switchContext(scheduler, f->context);
#ifdef ALEXNET_CUDASIM_ASAN
  __sanitizer_finish_switch_fiber(schedulerFakeStack, nullptr, nullptr);
#endif
}

void BlockRunner::start(Fiber *f) {
  if (!f->done) {
    // New, or abandoned at a divergent barrier: enter on a fresh stack.
    prepareStack(f->context, f->stack, kFiberStackBytes, &BlockRunner::entry);
#ifdef ALEXNET_CUDASIM_TSAN
    if (f->tsan)
      __tsan_destroy_fiber(f->tsan);
    f->tsan = __tsan_create_fiber(0);
#endif
  }
  f->done = false;
  resume(f);
}

bool BlockRunner::run(std::string &error) {
  FiberPool &fibers = fiberPool();
  BlockRunner *outer = activeBlock;
  activeBlock = this;
#ifdef ALEXNET_CUDASIM_TSAN
  schedulerTsan = __tsan_get_current_fiber();
#endif
  bool ok = true;
  for (;;) {
    if (threads.next < threads.count) {
      Fiber *f = fibers.take();
      start(f);
      if (f->done)
        fibers.give(f);
      continue;
    }
    if (waiting.empty())
      break; // every thread returned
    if (threads.finished > 0) {
      error = std::to_string(threads.finished) + " of the block's " +
              std::to_string(threads.count) + " threads returned while " +
              std::to_string(waiting.size()) +
              " wait at __syncthreads (a divergent barrier)";
      for (Fiber *f : waiting)
        fibers.give(f);
      waiting.clear();
      ok = false;
      break;
    }
    // Everyone is at the barrier: open it, in thread order.
    std::vector<Fiber *> released;
    released.swap(waiting);
    for (Fiber *f : released) {
      cudaThread.threadIdx = f->thread;
      resume(f);
      if (f->done)
        fibers.give(f);
    }
  }
  activeBlock = outer;
  return ok;
}

void BlockRunner::arriveAtBarrier() {
  Fiber *me = running;
  me->thread = cudaThread.threadIdx;
  waiting.push_back(me);
  switchToScheduler(me);
  cudaThread.threadIdx = me->thread;
}

struct GridLaunch {
  std::string kernel;
  int device;
  dim3 grid, block;
  std::vector<KernelPointer> pointers;
  BlockBody body;
};

/// Whether every pointer argument is memory `device` can address; if not,
/// `error` names the kernel and the argument (lock held).
bool pointersValid(const GridLaunch &launch, std::string &error) {
  for (const KernelPointer &p : launch.pointers) {
    std::string why;
    if (p.address && !deviceCanAccess(launch.device, p.address, 1, why)) {
      error = "kernel " + launch.kernel + " on GPU " +
              std::to_string(launch.device) + ": argument " +
              std::to_string(p.argument) + " is " + why;
      return false;
    }
  }
  return true;
}

cudaError_t runGrid(const GridLaunch &launch) {
  std::string error;
  bool valid;
  {
    // Checked again: a graph replay can find the memory freed since.
    std::lock_guard<std::mutex> lock(simMutex());
    valid = pointersValid(launch, error);
  }
  if (!valid) {
    report(error);
    return cudaErrorIllegalAddress;
  }
  ThreadCoordinates saved = cudaThread;
  cudaThread.gridDim = {launch.grid.x, launch.grid.y, launch.grid.z};
  cudaThread.blockDim = {launch.block.x, launch.block.y, launch.block.z};
  for (unsigned z = 0; z < launch.grid.z; ++z)
    for (unsigned y = 0; y < launch.grid.y; ++y)
      for (unsigned x = 0; x < launch.grid.x; ++x) {
        cudaThread.blockIdx = {x, y, z};
        BlockRunner block(launch.body, cudaThread.blockDim);
        if (!block.run(error)) {
          report("kernel " + launch.kernel + ", block (" + std::to_string(x) +
                 ", " + std::to_string(y) + ", " + std::to_string(z) +
                 "): " + error);
          cudaThread = saved;
          return cudaErrorLaunchFailure;
        }
      }
  cudaThread = saved;
  return cudaSuccess;
}

std::string dims(dim3 d) {
  return "(" + std::to_string(d.x) + ", " + std::to_string(d.y) + ", " +
         std::to_string(d.z) + ")";
}

} // namespace

__thread ThreadCoordinates cudaThread;

void syncThreads() {
  if (!activeBlock) {
    report("__syncthreads called outside a kernel");
    std::abort();
  }
  activeBlock->arriveAtBarrier();
}

void launchKernel(const LaunchRequest &request,
                  std::vector<KernelPointer> pointers, BlockBody body) {
  std::lock_guard<std::mutex> lock(simMutex());
  std::string kernel = request.kernel;
  if (!config().devices) {
    fail(cudaErrorNoDevice);
    return;
  }
  int device = currentDevice();
  if (cudaError_t sticky = stickyError(device)) {
    fail(sticky);
    return;
  }
  CUstream_st *stream = resolveStream(request.stream);
  if (!stream) {
    fail(cudaErrorInvalidResourceHandle,
         "kernel " + kernel + " launched on a stream that does not exist");
    return;
  }
  if (stream->device != device) {
    fail(cudaErrorInvalidResourceHandle,
         "kernel " + kernel + " launched on a stream of GPU " +
             std::to_string(stream->device) + " while GPU " +
             std::to_string(device) + " is current");
    return;
  }
  const dim3 &b = request.block, &g = request.grid;
  uint64_t threads = uint64_t(b.x) * b.y * b.z;
  if (!b.x || !b.y || !b.z || b.x > kMaxBlockDim[0] || b.y > kMaxBlockDim[1] ||
      b.z > kMaxBlockDim[2] || threads > kMaxThreadsPerBlock) {
    fail(cudaErrorInvalidConfiguration,
         "kernel " + kernel + " launched with blocks of " + dims(b) +
             " threads (at most 1024 in all, (1024, 1024, 64) per "
             "dimension)");
    return;
  }
  if (!g.x || !g.y || !g.z || g.x > kMaxGridDim[0] || g.y > kMaxGridDim[1] ||
      g.z > kMaxGridDim[2]) {
    fail(cudaErrorInvalidConfiguration,
         "kernel " + kernel + " launched with a grid of " + dims(g) +
             " blocks (each in 1..(2^31 - 1, 65535, 65535))");
    return;
  }
  if (threads > uint64_t(request.maxThreadsPerBlock)) {
    fail(cudaErrorLaunchOutOfResources,
         "kernel " + kernel + " launched with " + std::to_string(threads) +
             " threads per block; its __launch_bounds__ allows " +
             std::to_string(request.maxThreadsPerBlock));
    return;
  }
  if (request.sharedBytes > kSharedPerBlock) {
    fail(request.sharedBytes > kSharedPerBlockOptin
             ? cudaErrorInvalidConfiguration
             : cudaErrorInvalidValue,
         "kernel " + kernel + " launched with " +
             std::to_string(request.sharedBytes) +
             " bytes of dynamic shared memory (48 KiB without "
             "cudaFuncSetAttribute)");
    return;
  }
  GridLaunch launch{kernel, device, g, b, std::move(pointers),
                    std::move(body)};
  std::string error;
  if (!pointersValid(launch, error)) {
    setStickyError(device, cudaErrorIllegalAddress, error);
    fail(cudaErrorIllegalAddress);
    return;
  }
  Operation op;
  op.what = "kernel " + kernel;
  op.device = device;
  auto shared = std::make_shared<GridLaunch>(std::move(launch));
  op.body = [shared]() { return runGrid(*shared); };
  submit(stream, std::move(op));
}

} // namespace alexnet::cudasim
