//===- CEmitter.h - One emitter for the C++ and CUDA targets ----*- C++ -*-===//
//
// Translates a planned exec module into one C++ translation unit: a kernel
// body per exec kernel op, written once as a function of its output index
// with every size a literal (ALEXNET_HD makes it __host__ __device__ under
// nvcc), the schedule of each entry point, and the ModelDesc the runtime's
// driver needs. What differs between targets (how a body is launched, how a
// GEMM is called, what to include) lives in TargetTraits.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_TARGET_CEMITTER_H
#define ALEXNET_TARGET_CEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace alexnet {

/// A kernel body the emitter has written: `name(int64_t i, params...)`.
struct KernelBody {
  std::string name;
  std::string params; ///< the C++ parameter list after the index
  std::string args;   ///< the parameters' names, comma separated
  std::string label;  ///< "<layer> <op>", for error messages and profiles
  int64_t count;      ///< how many indices to run
  int64_t work = 1;   ///< elements one index produces
  int64_t device = 0; ///< the logical device whose workers run it
};

/// The target-specific pieces of the emitted source.
class TargetTraits {
public:
  virtual ~TargetTraits() = default;
  /// "cpu" or "cuda"; recorded in the ModelDesc.
  virtual llvm::StringRef name() const = 0;
  /// #includes and macros at the top of the file.
  virtual void emitPrologue(llvm::raw_ostream &os) const = 0;
  /// Statements at the top of main(), before the runtime's driver runs.
  virtual void emitMainPrologue(llvm::raw_ostream &os) const {}
  /// Fine kernel bodies (an element or a pixel per index) instead of a CPU
  /// thread's share per index (KernelBodies.h).
  virtual bool fineKernels() const = 0;
  /// Whether one schedule enqueues every device's work in program order
  /// (streams: the host only orders launches), rather than a schedule per
  /// device run by its own thread.
  virtual bool interleavesDevices() const { return false; }
  /// The object schedules read their buffers from (`<context>.params()`,
  /// `.arena(d)`, `.input(i)`, `.output(i)`, `.profiling()`, `.mark(...)`),
  /// and the statements at the top of every schedule that declare it.
  virtual llvm::StringRef contextName() const { return "ctx"; }
  virtual void emitScheduleHead(llvm::raw_ostream &os) const {}
  /// A statement copying transfer `event` (interleaving targets only).
  virtual void emitTransfer(llvm::raw_ostream &os, int64_t event,
                            int64_t source, int64_t target,
                            llvm::StringRef dst, llvm::StringRef src,
                            int64_t bytes, llvm::StringRef label) const {}
  /// Anything a body needs besides itself (e.g. a __global__ wrapper).
  virtual void emitKernelWrapper(llvm::raw_ostream &os,
                                 const KernelBody &body) const = 0;
  /// A statement running body(i, args) for every i in [0, count).
  virtual void emitLaunch(llvm::raw_ostream &os, const KernelBody &body,
                          llvm::StringRef args) const = 0;
  /// A statement computing a row-major GEMM, operands as C++ expressions.
  /// m = 1 with a transposed B (a dense layer at batch 1) is a GEMV, which
  /// targets may call instead: it streams the weights once.
  virtual void emitGemm(llvm::raw_ostream &os, int64_t device,
                        llvm::StringRef label, bool transA, bool transB,
                        int64_t m, int64_t n, int64_t k, float alpha,
                        llvm::StringRef a, int64_t lda, llvm::StringRef b,
                        int64_t ldb, float beta, llvm::StringRef c,
                        int64_t ldc) const = 0;
};

/// Writes the whole translation unit, `main` included. Fails with a
/// diagnostic on IR the emitter does not handle (e.g. an unplanned alloc).
mlir::LogicalResult emitModule(mlir::ModuleOp module,
                               const TargetTraits &traits,
                               llvm::raw_ostream &os);

} // namespace alexnet

#endif // ALEXNET_TARGET_CEMITTER_H
