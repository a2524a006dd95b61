//===- TranslateToCpp.cpp - The CPU target --------------------------------===//
//
// The CPU launcher of the shared kernel bodies: a parallel loop over the
// runtime's thread pool; GEMMs go to OpenBLAS.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Target/Cpu.h"
#include "alexnet/Target/CEmitter.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace alexnet;

namespace {

class CpuTraits : public TargetTraits {
public:
  explicit CpuTraits(bool fine) : fine(fine) {}

  llvm::StringRef name() const override { return "cpu"; }
  bool fineKernels() const override { return fine; }

  void emitPrologue(llvm::raw_ostream &os) const override {
    os << "#include \"alexnet/Runtime/Cpu/CpuTarget.h\"\n";
  }

  void emitMainPrologue(llvm::raw_ostream &os) const override {
    os << "  alexnet::runtime::cpu::selectBlasKernels(argv);\n"
          "  alexnet::runtime::installBlasThreads(\n"
          "      &alexnet::runtime::cpu::setBlasThreads);\n";
  }

  void emitKernelWrapper(llvm::raw_ostream &, const KernelBody &) const override {}

  void emitLaunch(llvm::raw_ostream &os, const KernelBody &body,
                  llvm::StringRef args) const override {
    // Chunks of at least ~4096 elements amortise the wake-up of a worker.
    int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, body.work));
    std::string pool =
        body.device ? "pool(" + std::to_string(body.device) + ")" : "pool()";
    os << llvm::formatv(
        "ctx.{4}.forEach({0}, [&](int64_t i) {{ {1}(i, {2}); }, {3});\n",
        body.count, body.name, args, grain, pool);
  }

  void emitGemm(llvm::raw_ostream &os, int64_t, llvm::StringRef, bool transA,
                bool transB, int64_t m,
                int64_t n, int64_t k, float alpha, llvm::StringRef a,
                int64_t lda, llvm::StringRef b, int64_t ldb, float beta,
                llvm::StringRef c, int64_t ldc) const override {
    if (m == 1 && transB && !transA) {
      // y[n] = alpha * B[n, k] . a[k] + beta * y: one pass over the weights
      // (OpenBLAS's GEMM with m = 1 is ~3x slower here).
      os << llvm::formatv("cpu::sgemv(false, {0}, {1}, {2:e9}f, {3}, {4}, {5}, "
                          "{6:e9}f, {7});\n",
                          n, k, alpha, b, ldb, a, beta, c);
      return;
    }
    os << llvm::formatv("cpu::sgemm({0}, {1}, {2}, {3}, {4}, {5:e9}f, {6}, "
                        "{7}, {8}, {9}, {10:e9}f, {11}, {12});\n",
                        transA, transB, m, n, k, alpha, a, lda, b, ldb, beta,
                        c, ldc);
  }

private:
  bool fine;
};

} // namespace

LogicalResult alexnet::translateToCpp(ModuleOp module, llvm::raw_ostream &os,
                                      bool fineKernels) {
  return emitModule(module, CpuTraits(fineKernels), os);
}
