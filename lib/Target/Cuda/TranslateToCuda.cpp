//===- TranslateToCuda.cpp - The CUDA target ------------------------------===//
//
// The CUDA launcher of the shared kernel bodies: each becomes a grid-stride
// __global__ kernel over its output indices, launched on the stream of its
// logical device with a grid sized from the constant index count; GEMMs go
// to cuBLAS and transfers to event-ordered copies (CudaContext).
//
// Kernels are declared with ALEXNET_KERNEL and launched with ALEXNET_LAUNCH
// (CudaTarget.h: __global__ and <<<...>>>), so that the CUDA simulator
// (--target=cuda-sim) compiles this very source with the host compiler:
// its build differs in the include line alone.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Target/CEmitter.h"
#include "alexnet/Target/Cuda.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace mlir;
using namespace alexnet;

namespace {

/// Threads per block and the most blocks a launch gets (the emitted
/// literals): a grid-stride loop covers the rest.
constexpr int64_t kBlockThreads = 256;
constexpr int64_t kMaxBlocks = 65536;

class CudaTraits : public TargetTraits {
public:
  explicit CudaTraits(const CudaTargetOptions &options) : options(options) {}

  llvm::StringRef name() const override { return "cuda"; }

  void emitPrologue(llvm::raw_ostream &os) const override {
    os << (options.simulator
               ? "#include \"alexnet/Runtime/CudaSim/CudaSimTarget.h\"\n"
               : "#include \"alexnet/Runtime/Cuda/CudaTarget.h\"\n");
  }

  void emitMainPrologue(llvm::raw_ostream &os) const override {
    os << "  alexnet::runtime::cuda::install({/*tf32=*/"
       << (options.tf32 ? "true" : "false") << "});\n";
  }

  bool fineKernels() const override { return options.fineKernels; }
  bool interleavesDevices() const override { return true; }
  llvm::StringRef contextName() const override { return "cu"; }
  void emitScheduleHead(llvm::raw_ostream &os) const override {
    os << "  cuda::CudaContext &cu = cuda::context(ctx);\n";
  }

  void emitKernelWrapper(llvm::raw_ostream &os,
                         const KernelBody &body) const override {
    os << llvm::formatv(
        "ALEXNET_KERNEL({1}_grid, {0})(int64_t n, {2}) {{\n"
        "  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; "
        "i < n;\n"
        "       i += int64_t(gridDim.x) * blockDim.x)\n"
        "    {1}(i, {3});\n"
        "}\n",
        kBlockThreads, body.name, body.params, body.args);
  }

  void emitLaunch(llvm::raw_ostream &os, const KernelBody &body,
                  llvm::StringRef args) const override {
    int64_t blocks = std::clamp<int64_t>(
        (body.count + kBlockThreads - 1) / kBlockThreads, 1, kMaxBlocks);
    os << llvm::formatv("ALEXNET_LAUNCH({0}_grid, {1}, {2}, 0, cu.stream({3}))"
                        "({4}, {5});\n"
                        "  cu.checkLaunch(\"{6}\");\n",
                        body.name, blocks, kBlockThreads, body.device,
                        body.count, args, body.label);
  }

  void emitGemm(llvm::raw_ostream &os, int64_t device, llvm::StringRef label,
                bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                float alpha, llvm::StringRef a, int64_t lda, llvm::StringRef b,
                int64_t ldb, float beta, llvm::StringRef c,
                int64_t ldc) const override {
    os << llvm::formatv("cu.gemm({0}, {1}, {2}, {3}, {4}, {5}, {6:e9}f, {7}, "
                        "{8}, {9}, {10}, {11:e9}f, {12}, {13}, \"{14}\");\n",
                        device, transA, transB, m, n, k, alpha, a, lda, b, ldb,
                        beta, c, ldc, label);
  }

  void emitTransfer(llvm::raw_ostream &os, int64_t event, int64_t source,
                    int64_t target, llvm::StringRef dst, llvm::StringRef src,
                    int64_t bytes, llvm::StringRef label) const override {
    os << llvm::formatv("cu.transfer({0}, {1}, {2}, {3}, {4}, {5}, \"{6}\");\n",
                        event, source, target, dst, src, bytes, label);
  }

private:
  CudaTargetOptions options;
};

} // namespace

LogicalResult alexnet::translateToCuda(ModuleOp module,
                                       const CudaTargetOptions &options,
                                       llvm::raw_ostream &os) {
  return emitModule(module, CudaTraits(options), os);
}
