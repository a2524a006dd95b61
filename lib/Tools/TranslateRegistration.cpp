//===- TranslateRegistration.cpp - alexnet-translate's translations -------===//

#include "alexnet/Tools/TranslateRegistration.h"
#include "alexnet/Target/Cpu.h"
#include "alexnet/Target/Cuda.h"
#include "alexnet/Target/Dot.h"
#include "alexnet/Target/TargetDescription.h"
#include "alexnet/Tools/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace alexnet;

namespace {

enum class Granularity { TargetDefault, Coarse, Fine };

/// The module `op` is, or an error at `op`.
FailureOr<ModuleOp> asModule(Operation *op) {
  if (auto module = dyn_cast<ModuleOp>(op))
    return module;
  return op->emitError("expected a builtin.module");
}

bool fineKernels(Granularity granularity, TargetKind target) {
  if (granularity == Granularity::TargetDefault)
    return getTarget(target).fineKernels;
  return granularity == Granularity::Fine;
}

} // namespace

void alexnet::registerTranslations() {
  // alexnet-compile's emitter options, under the same names.
  static llvm::cl::opt<Granularity> granularity(
      "kernel-granularity",
      llvm::cl::desc("Work per kernel index (default: the target's; coarse "
                     "on the CPU, fine on CUDA)"),
      llvm::cl::init(Granularity::TargetDefault),
      llvm::cl::values(
          clEnumValN(Granularity::Coarse, "coarse", "a CPU thread's share"),
          clEnumValN(Granularity::Fine, "fine", "an element or a pixel")));
  static llvm::cl::opt<bool> tf32(
      "tf32", llvm::cl::desc("--exec-to-cuda: let cuBLAS use TF32"),
      llvm::cl::init(false));
  static llvm::cl::opt<bool> simulator(
      "cuda-sim",
      llvm::cl::desc("--exec-to-cuda: include the CUDA simulator's target "
                     "header (alexnet-compile --target=cuda-sim)"),
      llvm::cl::init(false));

  auto dialects = [](DialectRegistry &registry) {
    registerDialects(registry);
  };
  static TranslateFromMLIRRegistration toCpp(
      "exec-to-cpp", "planned exec module to the CPU target's C++",
      [](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
        FailureOr<ModuleOp> module = asModule(op);
        if (failed(module))
          return failure();
        return translateToCpp(*module, os,
                              fineKernels(granularity, TargetKind::Cpu));
      },
      dialects);
  static TranslateFromMLIRRegistration toCuda(
      "exec-to-cuda", "planned exec module to the CUDA target's CUDA C++",
      [](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
        FailureOr<ModuleOp> module = asModule(op);
        if (failed(module))
          return failure();
        CudaTargetOptions options;
        options.tf32 = tf32;
        options.simulator = simulator;
        options.fineKernels = fineKernels(
            granularity, simulator ? TargetKind::CudaSim : TargetKind::Cuda);
        return translateToCuda(*module, options, os);
      },
      dialects);
  static TranslateFromMLIRRegistration toDot(
      "nn-to-dot", "nn module's @inference to Graphviz",
      [](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
        FailureOr<ModuleOp> module = asModule(op);
        if (failed(module))
          return failure();
        return translateToDot(*module, os);
      },
      dialects);
}
