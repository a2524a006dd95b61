//===- KernelBodies.h - C++ text of each exec kernel ------------*- C++ -*-===//
//
// Private to lib/Target. Each exec kernel op becomes one function of its
// output index whose sizes are all literals, so the C++ compiler (or nvcc)
// turns every index division into a multiply and can unroll the small
// window loops.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_TARGET_KERNELBODIES_H
#define ALEXNET_LIB_TARGET_KERNELBODIES_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace alexnet {

/// The statements of the body of `op` (a kernel op of the exec dialect) for
/// index `i`; the operands are named in0, in1, ... and `out` (the op's last
/// buffer operand), in operand order. Sets `count` to the number of
/// indices and `work` to the elements one index produces (1 for
/// element-wise bodies, a row for im2col and softmax), which launchers use
/// to size their chunks. Fails on an op that is not a kernel.
///
/// Coarse bodies (`fine` false, the CPU's) give each index a CPU thread's
/// share with a contiguous inner loop: a plane, a row, a block of 16
/// pixels. Fine bodies (CUDA's) give each index one element or one pixel,
/// so a GPU has enough threads and neighbouring threads touch neighbouring
/// addresses. Both compute every element with the same float operations in
/// the same order, so their results are bit-identical.
/// Element offsets the launcher adds to each operand's pointer. Per-image
/// im2col and col2im address their image this way, so the bodies of all
/// images of a layer are the same text and the emitter keeps one copy.
llvm::SmallVector<int64_t> kernelOperandOffsets(mlir::Operation *op);

mlir::LogicalResult emitKernelStatements(mlir::Operation *op,
                                         llvm::raw_ostream &os,
                                         int64_t &count, int64_t &work,
                                         bool fine);

} // namespace alexnet

#endif // ALEXNET_LIB_TARGET_KERNELBODIES_H
