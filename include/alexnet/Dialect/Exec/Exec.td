//===- Exec.td - The exec dialect ---------------------------*- tablegen -*-===//
//
// The buffer/schedule level, mirroring the runtime API: arena buffers, views
// of the parameter block, GEMM calls and one op per generated kernel. Every
// op reads and writes memrefs of static shape; program order is execution
// order.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_DIALECT_EXEC_EXEC_TD
#define ALEXNET_DIALECT_EXEC_EXEC_TD

include "mlir/IR/OpBase.td"

def Exec_Dialect : Dialect {
  let name = "exec";
  let summary = "buffers, kernels and GEMM calls: the runtime's view";
  let description = [{
    A function at this level takes its inputs and outputs as memref
    arguments (`exec.input` / `exec.output` argument attributes) and runs
    its ops in order. Scratch tensors are `exec.alloc` buffers in a
    per-device arena; `--exec-plan-memory` gives each a byte offset. Each
    kernel op becomes one generated kernel body (a function of its output
    index) plus a launcher; `exec.gemm` becomes a BLAS call.
  }];
  let cppNamespace = "::alexnet::exec";
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    void registerAttributes();

    /// The logical device an op runs on, in a partitioned module (absent:
    /// device 0). exec.alloc names its arena with its own `device`.
    static constexpr ::llvm::StringLiteral kDeviceAttrName = "exec.device";
    /// Function argument attributes: the DSL name of an input / output.
    static constexpr ::llvm::StringLiteral kInputAttrName = "exec.input";
    static constexpr ::llvm::StringLiteral kOutputAttrName = "exec.output";
    /// Function attributes set by the memory planner.
    static constexpr ::llvm::StringLiteral kArenaBytesAttrName = "exec.arena_bytes";
    static constexpr ::llvm::StringLiteral kNaiveBytesAttrName = "exec.naive_bytes";
    /// Set on partitioned functions: bytes each device receives through
    /// exec.transfer per run.
    static constexpr ::llvm::StringLiteral kTransferBytesAttrName = "exec.transfer_bytes";
    /// Module attributes set by the conversion from nn: the model's
    /// identity (a string) and its layer table (an array of #exec.layer).
    static constexpr ::llvm::StringLiteral kGraphHashAttrName = "exec.graph_hash";
    static constexpr ::llvm::StringLiteral kLayersAttrName = "exec.layers";
  }];
}

class Exec_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exec_Dialect, mnemonic, traits>;

#endif // ALEXNET_DIALECT_EXEC_EXEC_TD
