//===- PlanMemory.cpp - Arena offsets from buffer lifetimes ---------------===//
//
// Static memory planning: every exec.alloc of a function gets a byte offset
// in its device's arena. Lifetimes are intervals of op indices (program
// order is execution order); buffers whose intervals overlap never share a
// byte, the others reuse each other's space. Placement is greedy, largest
// buffer first, lowest fitting offset, which is near-optimal for the chain-
// shaped graphs of CNNs.
//
// Devices run concurrently, so program order holds only within a device.
// The one thing another device does to a device's arena is read it, in an
// exec.transfer that starts at an unknown time after the source reached
// that point: a transfer's source buffer therefore lives to the end of the
// function and nothing later reuses its bytes.
//
//===----------------------------------------------------------------------===//

#include "alexnet/Dialect/Exec/ExecOps.h"
#include "alexnet/Dialect/Exec/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace alexnet::exec {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "alexnet/Dialect/Exec/Transforms/Passes.h.inc"

namespace {

struct Interval {
  AllocOp alloc;
  int64_t size;
  int64_t first, last; ///< op indices, inclusive
  int64_t offset = -1;

  bool overlapsInTime(const Interval &other) const {
    return first <= other.last && other.first <= last;
  }
};

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// First and last op index touching `value` or any reshape of it; `end`
/// when another device reads it (see the file comment).
void extendLifetime(Value value, const DenseMap<Operation *, int64_t> &index,
                    int64_t end, Interval &interval) {
  for (Operation *user : value.getUsers()) {
    int64_t at = index.lookup(user);
    if (auto transfer = dyn_cast<TransferOp>(user);
        transfer && transfer.getInput() == value)
      at = end;
    interval.first = std::min(interval.first, at);
    interval.last = std::max(interval.last, at);
    if (auto reshape = dyn_cast<ReshapeOp>(user))
      extendLifetime(reshape.getResult(), index, end, interval);
  }
}

/// Lowest aligned offset where `size` bytes fit between the already placed
/// buffers that are live at the same time.
int64_t lowestFit(const Interval &buffer, ArrayRef<Interval *> placed,
                  int64_t alignment) {
  SmallVector<const Interval *> conflicts;
  for (const Interval *other : placed)
    if (other->overlapsInTime(buffer))
      conflicts.push_back(other);
  llvm::sort(conflicts, [](const Interval *a, const Interval *b) {
    return a->offset < b->offset;
  });
  int64_t candidate = 0;
  for (const Interval *other : conflicts) {
    if (candidate + buffer.size <= other->offset)
      break;
    candidate = std::max(candidate,
                         alignTo(other->offset + other->size, alignment));
  }
  return candidate;
}

struct PlanMemoryPass : impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (alignment < 1 || (alignment & (alignment - 1))) {
      func.emitError("expected a power-of-two alignment, got ") << alignment;
      return signalPassFailure();
    }
    DenseMap<Operation *, int64_t> index;
    func.walk([&](Operation *op) { index[op] = int64_t(index.size()); });

    std::map<int64_t, SmallVector<Interval>> byDevice;
    func.walk([&](AllocOp alloc) {
      Interval interval{alloc, alloc.getSizeInBytes(), index[alloc],
                        index[alloc]};
      extendLifetime(alloc.getResult(), index, int64_t(index.size()), interval);
      byDevice[alloc.getDevice()].push_back(interval);
    });

    // Bytes each device receives per run.
    std::map<int64_t, int64_t> received;
    func.walk([&](TransferOp transfer) {
      received[transfer.getTarget()] += transfer.getSizeInBytes();
    });

    int64_t numDevices = byDevice.empty() ? 1 : byDevice.rbegin()->first + 1;
    if (!received.empty())
      numDevices = std::max(numDevices, received.rbegin()->first + 1);
    SmallVector<int64_t> arena(numDevices, 0), naive(numDevices, 0);
    OpBuilder builder(func.getContext());
    for (auto &[device, intervals] : byDevice) {
      SmallVector<Interval *> order;
      for (Interval &interval : intervals)
        order.push_back(&interval);
      llvm::stable_sort(order, [](const Interval *a, const Interval *b) {
        return a->size > b->size;
      });
      SmallVector<Interval *> placed;
      for (Interval *buffer : order) {
        buffer->offset = lowestFit(*buffer, placed, alignment);
        placed.push_back(buffer);
        arena[device] = std::max(arena[device], buffer->offset + buffer->size);
        naive[device] += alignTo(buffer->size, alignment);
        buffer->alloc.setOffsetAttr(builder.getI64IntegerAttr(buffer->offset));
      }
    }
    func->setAttr(ExecDialect::kArenaBytesAttrName,
                  builder.getDenseI64ArrayAttr(arena));
    func->setAttr(ExecDialect::kNaiveBytesAttrName,
                  builder.getDenseI64ArrayAttr(naive));
    if (!received.empty()) {
      SmallVector<int64_t> bytes(numDevices, 0);
      for (auto [device, count] : received)
        bytes[device] = count;
      func->setAttr(ExecDialect::kTransferBytesAttrName,
                    builder.getDenseI64ArrayAttr(bytes));
    }
  }
};

} // namespace
} // namespace alexnet::exec
