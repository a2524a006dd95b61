//===- ScheduleRolling.h - Loops over repeated schedule statements -*- C++ -*-===//
//
// The lowering unrolls per-image work (im2col + GEMM per image and group,
// col2im per image, ...), so a batch-128 schedule holds thousands of
// statements that differ only in buffer offsets. rollRepeats finds runs of
// a period of statements repeated with every differing number changing by
// a constant step, and writes them as one `for` loop: the C++ compiler then
// sees a few hundred lines instead of tens of thousands, and the executable
// does the same work in the same order.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_LIB_TARGET_SCHEDULEROLLING_H
#define ALEXNET_LIB_TARGET_SCHEDULEROLLING_H

#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace alexnet {

/// The statements (each the complete text one exec op emitted, newline
/// terminated) with repeated runs rolled into loops over `rep`. Only
/// decimal numbers that stand alone (not inside an identifier or a float
/// literal) may vary; a run needs at least `minRepeats` periods.
std::string rollRepeats(llvm::ArrayRef<std::string> statements,
                        int minRepeats = 3, int maxPeriod = 16);

} // namespace alexnet

#endif // ALEXNET_LIB_TARGET_SCHEDULEROLLING_H
