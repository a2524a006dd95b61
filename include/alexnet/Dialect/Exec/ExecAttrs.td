//===- ExecAttrs.td - exec dialect attributes --------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_EXEC_EXECATTRS_TD
#define ALEXNET_DIALECT_EXEC_EXECATTRS_TD

include "alexnet/Dialect/Exec/Exec.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributes.td"

class Exec_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Exec_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Exec_LayerAttr : Exec_Attr<"Layer", "layer"> {
  let summary = "one row of the model's layer table";
  let description = [{
    A layer of the nn graph as compiled, for the executable's `info` and
    `bench --profile`: its DSL name, its nn op, its output shape, its
    parameter count, FLOPs per batch, bytes moved unfused and fused, what
    nn-fuse did with it (`-> conv2d_relu_lrn` for a fusion's head,
    `(in conv1)` for a layer absorbed into one) and, in a partitioned
    module, its device. The module attribute `exec.layers` is an array of
    these, set by convert-nn-to-exec:
    ```mlir
    #exec.layer<name = "conv1", op = "conv2d", shape = [128, 96, 55, 55],
                params = 34944, flops = 26986291200, traffic = 600195072,
                fused_traffic = 600195072, fusion = "-> conv2d_relu">
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the layer's DSL name">:$name,
    StringRefParameter<"the nn op it is">:$op,
    "::mlir::DenseI64ArrayAttr":$shape,
    "int64_t":$params,
    "int64_t":$flops,
    "int64_t":$traffic,
    "int64_t":$fused_traffic,
    StringRefParameter<"what nn-fuse did with it", [{""}]>:$fusion,
    DefaultValuedParameter<"int64_t", "-1",
                           "its device; -1 when not partitioned">:$device);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // ALEXNET_DIALECT_EXEC_EXECATTRS_TD
