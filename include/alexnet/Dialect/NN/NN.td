//===- NN.td - The nn dialect ------------------------------*- tablegen -*-===//
//
// The graph-level dialect: value-semantics tensor ops with static shapes, one
// per DSL layer kind, and parameters as module-level symbols.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_DIALECT_NN_NN_TD
#define ALEXNET_DIALECT_NN_NN_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/OpAsmInterface.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let summary = "convolutional network graphs with static shapes";
  let description = [{
    The `nn` dialect is what the DSL front end produces: one op per layer
    kind (convolution, pooling, local response normalisation, dense, ...),
    tensors of static shape in NCHW layout, and learnable parameters declared
    once per module as `nn.parameter` symbols and read with `nn.param_ref`.
    A module holds `func.func @inference` (the model's declared output) and,
    when the model declares a loss, `func.func @loss` (inputs and labels to
    the scalar loss) from which autodiff builds the training step.
  }];
  let cppNamespace = "::alexnet::nn";
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Module attributes set by the front end.
    static constexpr ::llvm::StringLiteral kModelAttrName = "nn.model";
    static constexpr ::llvm::StringLiteral kBatchAttrName = "nn.batch";
    static constexpr ::llvm::StringLiteral kTrainAttrName = "nn.train";
    /// The graph hash of the model as the front end built it, recorded by
    /// a pass that rewrites @inference (nn-fuse) before its first change,
    /// so fused and unfused builds share weights files.
    static constexpr ::llvm::StringLiteral kGraphHashAttrName = "nn.graph_hash";
    /// The device an op runs on (an integer; absent: device 0). Fusion
    /// never crosses a change of device.
    static constexpr ::llvm::StringLiteral kDeviceAttrName = "nn.device";
    /// Module attribute set by --nn-partition: the number of devices.
    static constexpr ::llvm::StringLiteral kDevicesAttrName = "nn.devices";
    /// Argument / result attributes naming the DSL's inputs and outputs.
    static constexpr ::llvm::StringLiteral kInputAttrName = "nn.input";
    static constexpr ::llvm::StringLiteral kOutputAttrName = "nn.output";

    void registerAttributes();
  }];
}

/// Every op names its result after the DSL layer it came from (its NameLoc),
/// so printed IR reads `%conv1 = nn.conv2d ...`.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>])>;

class NN_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<NN_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // ALEXNET_DIALECT_NN_NN_TD
