//===- TargetDescription.cpp - The targets' table -------------------------===//

#include "alexnet/Target/TargetDescription.h"

#include "llvm/Support/ErrorHandling.h"

#include <iterator>

using namespace alexnet;

namespace {

const TargetDescription kTargets[] = {
    {TargetKind::Cpu, "cpu", "C++ kernels, GEMMs through OpenBLAS",
     /*emitsCuda=*/false, /*buildsWithNvcc=*/false, /*bufferAlignment=*/64,
     /*im2colBudget=*/std::nullopt, /*batchBackward=*/false,
     /*fineKernels=*/false},
    {TargetKind::Cuda, "cuda", "CUDA kernels, cuBLAS, built by nvcc",
     /*emitsCuda=*/true, /*buildsWithNvcc=*/true, /*bufferAlignment=*/256,
     /*im2colBudget=*/int64_t(1) << 40, /*batchBackward=*/true,
     /*fineKernels=*/true},
    // The simulator must run exactly what the CUDA target compiles, so every
    // lowering and emitting default is CUDA's.
    {TargetKind::CudaSim, "cuda-sim",
     "the CUDA target's source, built by the C++ compiler against the CUDA "
     "simulator: runs without a GPU",
     /*emitsCuda=*/true, /*buildsWithNvcc=*/false, /*bufferAlignment=*/256,
     /*im2colBudget=*/int64_t(1) << 40, /*batchBackward=*/true,
     /*fineKernels=*/true},
};

} // namespace

llvm::ArrayRef<TargetDescription> alexnet::allTargets() { return kTargets; }

const TargetDescription *alexnet::lookupTarget(llvm::StringRef name) {
  for (const TargetDescription &target : kTargets)
    if (target.name == name)
      return &target;
  return nullptr;
}

const TargetDescription &alexnet::getTarget(TargetKind kind) {
  for (const TargetDescription &target : kTargets)
    if (target.kind == kind)
      return target;
  llvm_unreachable("every TargetKind has a description");
}

std::string alexnet::listTargetFlags() {
  std::string list;
  size_t count = std::size(kTargets);
  for (size_t i = 0; i < count; ++i) {
    if (i)
      list += i + 1 == count ? " or " : ", ";
    list += "--target=" + kTargets[i].name.str();
  }
  return list;
}
