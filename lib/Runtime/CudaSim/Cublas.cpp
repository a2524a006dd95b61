//===- Cublas.cpp - cuBLAS's SGEMM, simulated -----------------------------===//
//
// A handle belongs to the GPU current when it was made and queues its GEMMs
// on its stream. Arguments are checked as cuBLAS checks them (sizes,
// operations, leading dimensions against the operands' rows); the operands
// must be memory the GPU can address, whole. The product itself is
// OpenBLAS's, one host thread per stream; in TF32 math mode A and B are
// first rounded to TF32 (10-bit mantissa, to nearest, ties away from zero,
// as cvt.rna.tf32.f32), so --tf32 builds meet the error they will meet on
// tensor cores.
//
//===----------------------------------------------------------------------===//

#include "Simulator.h"

#include "alexnet/Runtime/Cpu/Blas.h"

#include <cublas_v2.h>

#include <cblas.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

extern "C" void openblas_set_num_threads(int);

struct cublasContext {
  int device = 0;
  cudaStream_t stream = nullptr;
  void *workspace = nullptr;
  size_t workspaceBytes = 0;
  cublasMath_t mode = CUBLAS_DEFAULT_MATH;
};

namespace alexnet::cudasim {

namespace {

std::set<cublasContext *> &liveHandles() {
  static auto *all = new std::set<cublasContext *>;
  return *all;
}

cublasStatus_t blasFail(cublasStatus_t status, const std::string &detail) {
  report(std::string(cublasGetStatusName(status)) + ": " + detail);
  return status;
}

float roundToTf32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  if ((bits & 0x7f800000u) == 0x7f800000u)
    return v; // Inf and NaN stay
  bits = (bits + 0x1000u) & ~0x1fffu;
  std::memcpy(&v, &bits, 4);
  return v;
}

/// A column-major rows x cols operand with leading dimension ld, rounded to
/// TF32, packed with the same leading dimension.
std::vector<float> tf32Copy(const float *p, int rows, int cols, int ld) {
  std::vector<float> out(size_t(ld) * size_t(cols - 1) + size_t(rows));
  for (int j = 0; j < cols; ++j)
    for (int i = 0; i < rows; ++i)
      out[size_t(j) * size_t(ld) + size_t(i)] =
          roundToTf32(p[size_t(j) * size_t(ld) + size_t(i)]);
  return out;
}

/// Bytes a column-major rows x cols operand with leading dimension ld spans.
size_t spanBytes(int rows, int cols, int ld) {
  if (rows == 0 || cols == 0)
    return 0;
  return (size_t(ld) * size_t(cols - 1) + size_t(rows)) * sizeof(float);
}

/// The GEMMs are OpenBLAS's, as the CPU target's: with the same kernels
/// (selectBlasKernels, which the CPU target's main calls first thing), the
/// same products come out bit for bit. The generated main is the CUDA
/// target's, so this runs before it, from the command line /proc keeps.
__attribute__((constructor)) void selectHostBlasKernels() {
  std::ifstream file("/proc/self/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(file)),
                   std::istreambuf_iterator<char>());
  std::vector<char *> argv;
  for (size_t at = 0; at < text.size(); at += std::strlen(&text[at]) + 1)
    argv.push_back(&text[at]);
  if (argv.empty())
    return;
  argv.push_back(nullptr);
  alexnet::runtime::cpu::selectBlasKernels(argv.data());
}

} // namespace

void hostSgemm(bool transA, bool transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta,
               float *c, int ldc) {
  cblas_sgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}

} // namespace alexnet::cudasim

using namespace alexnet::cudasim;

extern "C" {

const char *cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
  case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
  case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
  case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
  case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
  case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
  case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
  case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
  case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
  case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

const char *cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
  case CUBLAS_STATUS_SUCCESS: return "success";
  case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
  case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
  case CUBLAS_STATUS_INVALID_VALUE:
    return "an unsupported value or parameter was passed to the function";
  case CUBLAS_STATUS_ARCH_MISMATCH:
    return "the function requires an architectural feature absent from the "
           "device";
  case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
  case CUBLAS_STATUS_EXECUTION_FAILED:
    return "the function failed to launch on the GPU";
  case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
  case CUBLAS_STATUS_NOT_SUPPORTED:
    return "the requested functionality is not supported";
  case CUBLAS_STATUS_LICENSE_ERROR: return "the license check failed";
  }
  return "unknown error";
}

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!config().devices || stickyError(currentDevice()) != cudaSuccess)
    return blasFail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate without a "
                                                   "usable GPU");
  // One host thread per GEMM, as one per simulated stream.
  static bool single = (openblas_set_num_threads(1), true);
  (void)single;
  auto *h = new cublasContext;
  h->device = currentDevice();
  liveHandles().insert(h);
  *handle = h;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().erase(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t *stream) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!stream)
    return CUBLAS_STATUS_INVALID_VALUE;
  *stream = handle->stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace_v2(cublasHandle_t handle, void *workspace,
                                     size_t bytes) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  std::string why;
  if (bytes && (reinterpret_cast<uintptr_t>(workspace) % 256 != 0 ||
                !deviceCanAccess(handle->device, workspace, bytes, why)))
    return blasFail(CUBLAS_STATUS_INVALID_VALUE,
                    "cublasSetWorkspace: the workspace must be 256-byte "
                    "aligned memory of the handle's GPU (" +
                        describePointer(workspace) + ")");
  handle->workspace = workspace;
  handle->workspaceBytes = bytes;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  unsigned base = unsigned(mode) & 0xf, flags = unsigned(mode) & ~0xfu;
  if (base > CUBLAS_TF32_TENSOR_OP_MATH ||
      (flags & ~unsigned(CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION)))
    return blasFail(CUBLAS_STATUS_INVALID_VALUE,
                    "cublasSetMathMode(" + std::to_string(int(mode)) + ")");
  handle->mode = mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  if (!mode)
    return CUBLAS_STATUS_INVALID_VALUE;
  *mode = handle->mode;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa,
                              cublasOperation_t transb, int m, int n, int k,
                              const float *alpha, const float *A, int lda,
                              const float *B, int ldb, const float *beta,
                              float *C, int ldc) {
  std::lock_guard<std::mutex> lock(simMutex());
  if (!liveHandles().count(handle))
    return CUBLAS_STATUS_NOT_INITIALIZED;
  auto validOp = [](cublasOperation_t op) {
    return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
  };
  bool ta = transa != CUBLAS_OP_N, tb = transb != CUBLAS_OP_N;
  int rowsA = ta ? k : m, colsA = ta ? m : k;
  int rowsB = tb ? n : k, colsB = tb ? k : n;
  std::string args = "cublasSgemm(" + std::string(ta ? "T" : "N") + ", " +
                     (tb ? "T" : "N") + ", m=" + std::to_string(m) +
                     ", n=" + std::to_string(n) + ", k=" + std::to_string(k) +
                     ", lda=" + std::to_string(lda) +
                     ", ldb=" + std::to_string(ldb) +
                     ", ldc=" + std::to_string(ldc) + ")";
  if (!validOp(transa) || !validOp(transb) || m < 0 || n < 0 || k < 0 ||
      lda < std::max(1, rowsA) || ldb < std::max(1, rowsB) ||
      ldc < std::max(1, m) || !alpha || !beta)
    return blasFail(CUBLAS_STATUS_INVALID_VALUE,
                    args + ": a size is negative or a leading dimension is "
                           "smaller than its operand's rows");
  float a = *alpha, b = *beta; // host pointer mode: read now
  if (m == 0 || n == 0 || ((a == 0.0f || k == 0) && b == 1.0f))
    return CUBLAS_STATUS_SUCCESS;
  int device = currentDevice();
  if (device != handle->device)
    return blasFail(CUBLAS_STATUS_EXECUTION_FAILED,
                    args + " with GPU " + std::to_string(device) +
                        " current, on a handle of GPU " +
                        std::to_string(handle->device));
  CUstream_st *stream = resolveStream(handle->stream);
  if (!stream || stream->device != handle->device)
    return blasFail(CUBLAS_STATUS_EXECUTION_FAILED,
                    args + " on a stream that is not the handle's GPU's");
  if (stickyError(device) != cudaSuccess)
    return CUBLAS_STATUS_EXECUTION_FAILED;
  bool readsAB = a != 0.0f && k > 0;
  struct Operand {
    const void *p;
    size_t bytes;
    const char *name;
  } operands[] = {{A, readsAB ? spanBytes(rowsA, colsA, lda) : 0, "A"},
                  {B, readsAB ? spanBytes(rowsB, colsB, ldb) : 0, "B"},
                  {C, spanBytes(m, n, ldc), "C"}};
  for (const Operand &o : operands) {
    std::string why;
    if (o.bytes && !deviceCanAccess(device, o.p, o.bytes, why)) {
      setStickyError(device, cudaErrorIllegalAddress,
                     args + ": operand " + o.name + " is " + why);
      return CUBLAS_STATUS_EXECUTION_FAILED;
    }
  }
  bool tf32 = (handle->mode & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH;
  Operation op;
  op.what = args;
  op.device = device;
  op.body = [=]() -> cudaError_t {
    {
      std::lock_guard<std::mutex> check(simMutex());
      for (const Operand &o : operands) {
        std::string why;
        if (o.bytes && !deviceCanAccess(device, o.p, o.bytes, why)) {
          report(args + ": operand " + o.name + " is " + why);
          return cudaErrorIllegalAddress;
        }
      }
    }
    if (b == 0.0f) // cuBLAS does not read C when beta is 0
      for (int j = 0; j < n; ++j)
        std::memset(C + size_t(j) * size_t(ldc), 0, size_t(m) * sizeof(float));
    if (!readsAB) {
      if (b != 0.0f)
        for (int j = 0; j < n; ++j)
          for (int i = 0; i < m; ++i)
            C[size_t(j) * size_t(ldc) + size_t(i)] *= b;
      return cudaSuccess;
    }
    if (tf32) {
      std::vector<float> a32 = tf32Copy(A, rowsA, colsA, lda);
      std::vector<float> b32 = tf32Copy(B, rowsB, colsB, ldb);
      hostSgemm(ta, tb, m, n, k, a, a32.data(), lda, b32.data(), ldb, b, C,
                ldc);
    } else {
      hostSgemm(ta, tb, m, n, k, a, A, lda, B, ldb, b, C, ldc);
    }
    return cudaSuccess;
  };
  cudaError_t e = submit(stream, std::move(op));
  return e == cudaSuccess ? CUBLAS_STATUS_SUCCESS
                          : CUBLAS_STATUS_EXECUTION_FAILED;
}

} // extern "C"
