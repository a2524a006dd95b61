//===- ToolkitValues.cpp - The simulator's CUDA values against CUDA's -----===//
//
// Prints every enumerator and flag value the simulator's cuda_runtime_api.h
// and cublas_v2.h declare, and the names and messages of every error code,
// one per line. Built twice, against the CUDA toolkit (and its cudart and
// cuBLAS) and against the simulator; test/e2e/cuda-sim-toolkit-values.test
// compares the two outputs line by line.
//
//===----------------------------------------------------------------------===//

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstdio>

#define VALUE(v) std::printf("%s = %lld\n", #v, (long long)(v));
#define ERROR(e)                                                               \
  std::printf("%s = %d: %s: %s\n", #e, int(e), cudaGetErrorName(e),          \
              cudaGetErrorString(e));
#define STATUS(s)                                                              \
  std::printf("%s = %d: %s\n", #s, int(s), cublasGetStatusString(s));

int main() {
  ERROR(cudaSuccess)
  ERROR(cudaErrorInvalidValue)
  ERROR(cudaErrorMemoryAllocation)
  ERROR(cudaErrorInitializationError)
  ERROR(cudaErrorCudartUnloading)
  ERROR(cudaErrorInvalidConfiguration)
  ERROR(cudaErrorInvalidDevicePointer)
  ERROR(cudaErrorInvalidMemcpyDirection)
  ERROR(cudaErrorInsufficientDriver)
  ERROR(cudaErrorInvalidDeviceFunction)
  ERROR(cudaErrorNoDevice)
  ERROR(cudaErrorInvalidDevice)
  ERROR(cudaErrorPeerAccessUnsupported)
  ERROR(cudaErrorInvalidResourceHandle)
  ERROR(cudaErrorIllegalState)
  ERROR(cudaErrorNotReady)
  ERROR(cudaErrorIllegalAddress)
  ERROR(cudaErrorLaunchOutOfResources)
  ERROR(cudaErrorPeerAccessAlreadyEnabled)
  ERROR(cudaErrorPeerAccessNotEnabled)
  ERROR(cudaErrorContextIsDestroyed)
  ERROR(cudaErrorIllegalInstruction)
  ERROR(cudaErrorMisalignedAddress)
  ERROR(cudaErrorLaunchFailure)
  ERROR(cudaErrorNotPermitted)
  ERROR(cudaErrorNotSupported)
  ERROR(cudaErrorStreamCaptureUnsupported)
  ERROR(cudaErrorStreamCaptureInvalidated)
  ERROR(cudaErrorStreamCaptureMerge)
  ERROR(cudaErrorStreamCaptureUnmatched)
  ERROR(cudaErrorStreamCaptureUnjoined)
  ERROR(cudaErrorStreamCaptureIsolation)
  ERROR(cudaErrorStreamCaptureImplicit)
  ERROR(cudaErrorCapturedEvent)
  ERROR(cudaErrorStreamCaptureWrongThread)
  ERROR(cudaErrorUnknown)

  VALUE(cudaMemcpyHostToHost)
  VALUE(cudaMemcpyHostToDevice)
  VALUE(cudaMemcpyDeviceToHost)
  VALUE(cudaMemcpyDeviceToDevice)
  VALUE(cudaMemcpyDefault)
  VALUE(cudaMemoryTypeUnregistered)
  VALUE(cudaMemoryTypeHost)
  VALUE(cudaMemoryTypeDevice)
  VALUE(cudaMemoryTypeManaged)
  VALUE(cudaStreamCaptureStatusNone)
  VALUE(cudaStreamCaptureStatusActive)
  VALUE(cudaStreamCaptureStatusInvalidated)
  VALUE(cudaStreamCaptureModeGlobal)
  VALUE(cudaStreamCaptureModeThreadLocal)
  VALUE(cudaStreamCaptureModeRelaxed)
  VALUE(cudaGraphInstantiateFlagAutoFreeOnLaunch)
  VALUE(cudaGraphInstantiateFlagUpload)
  VALUE(cudaGraphInstantiateFlagDeviceLaunch)
  VALUE(cudaGraphInstantiateFlagUseNodePriority)
  VALUE(cudaHostAllocDefault)
  VALUE(cudaHostAllocPortable)
  VALUE(cudaHostAllocMapped)
  VALUE(cudaHostAllocWriteCombined)
  VALUE(cudaStreamDefault)
  VALUE(cudaStreamNonBlocking)
  VALUE(cudaEventDefault)
  VALUE(cudaEventBlockingSync)
  VALUE(cudaEventDisableTiming)
  VALUE((long long)cudaStreamLegacy)
  VALUE((long long)cudaStreamPerThread)

  STATUS(CUBLAS_STATUS_SUCCESS)
  STATUS(CUBLAS_STATUS_NOT_INITIALIZED)
  STATUS(CUBLAS_STATUS_ALLOC_FAILED)
  STATUS(CUBLAS_STATUS_INVALID_VALUE)
  STATUS(CUBLAS_STATUS_ARCH_MISMATCH)
  STATUS(CUBLAS_STATUS_MAPPING_ERROR)
  STATUS(CUBLAS_STATUS_EXECUTION_FAILED)
  STATUS(CUBLAS_STATUS_INTERNAL_ERROR)
  STATUS(CUBLAS_STATUS_NOT_SUPPORTED)
  STATUS(CUBLAS_STATUS_LICENSE_ERROR)
  VALUE(CUBLAS_OP_N)
  VALUE(CUBLAS_OP_T)
  VALUE(CUBLAS_OP_C)
  VALUE(CUBLAS_DEFAULT_MATH)
  VALUE(CUBLAS_TENSOR_OP_MATH)
  VALUE(CUBLAS_PEDANTIC_MATH)
  VALUE(CUBLAS_TF32_TENSOR_OP_MATH)
  VALUE(CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION)
  return 0;
}
