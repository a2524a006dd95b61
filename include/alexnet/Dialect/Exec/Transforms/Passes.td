//===- Passes.td - exec dialect passes ---------------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_TD
#define ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PlanMemoryPass : Pass<"exec-plan-memory", "mlir::func::FuncOp"> {
  let summary = "assign arena offsets to exec.alloc buffers from their lifetimes";
  let description = [{
    A buffer lives from the first op that touches it to the last op that
    touches it or any `exec.reshape` alias of it (program order is
    execution order). Buffers are placed largest first at the lowest
    `alignment`-aligned offset that overlaps no buffer whose lifetime
    overlaps its own, so buffers that are never live together share bytes.
    Each alloc gets `offset`; the function gets `exec.arena_bytes` (the
    peak) and `exec.naive_bytes` (the sum over all buffers), per device as
    `[device0, device1, ...]`.

    Before: `%a = exec.alloc : memref<256xf32>`
    After:  `%a = exec.alloc {offset = 1024 : i64} : memref<256xf32>`
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64",
           "byte alignment of every buffer (64: a cache line; CUDA wants 256)">
  ];
}

#endif // ALEXNET_DIALECT_EXEC_TRANSFORMS_PASSES_TD
