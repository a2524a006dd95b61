//===- NNAttrs.td - nn dialect attributes ------------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_NN_NNATTRS_TD
#define ALEXNET_DIALECT_NN_NNATTRS_TD

include "alexnet/Dialect/NN/NN.td"

def NN_InitAttr : NN_Attr<"Init", "init"> {
  let summary = "how a parameter is initialised";
  let description = [{
    One of `normal(mean, std)`, `uniform(low, high)` or `constant(value)`:
    ```mlir
    #nn.init<normal(0.0, 0.01)>   #nn.init<uniform(-0.1, 0.1)>   #nn.init<constant(1.0)>
    ```
  }];
  let parameters = (ins StringRefParameter<"normal, uniform or constant">:$kind,
                        APFloatParameter<"mean, low or value">:$a,
                        APFloatParameter<"std or high; 0 for constant">:$b);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::StringRef":$kind, "double":$a, "double":$b), [{
      return $_get($_ctxt, kind, ::llvm::APFloat(a), ::llvm::APFloat(b));
    }]>
  ];
  let extraClassDeclaration = [{
    double getFirst() const { return getA().convertToDouble(); }
    double getSecond() const { return getB().convertToDouble(); }
  }];
}

#endif // ALEXNET_DIALECT_NN_NNATTRS_TD
