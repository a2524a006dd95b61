//===- NNOps.td - nn dialect ops ---------------------------*- tablegen -*-===//
//
// Every op's verifier computes its result shape through ShapeRules.h (the
// same rules the DSL front end applies) and checks the declared result type
// against it, so hand-written IR is held to the DSL's rules.
//
//===----------------------------------------------------------------------===//

#ifndef ALEXNET_DIALECT_NN_NNOPS_TD
#define ALEXNET_DIALECT_NN_NNOPS_TD

include "alexnet/Dialect/NN/NN.td"
include "alexnet/Dialect/NN/NNAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_F32Tensor : RankedTensorOf<[F32]>;
def NN_F32Tensor4D : TensorRankOf<[F32], [4]>;
def NN_F32Tensor2D : TensorRankOf<[F32], [2]>;
def NN_PairAttr : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<2>]>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def NN_ParameterOp : NN_Op<"parameter", [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "a learnable tensor of the model";
  let description = [{
    Declares a weight or bias tensor with its initialiser. The symbol name is
    `<layer>.weight` or `<layer>.bias`, the names weights files use.
    ```mlir
    nn.parameter @conv1.weight : tensor<96x3x11x11xf32> {init = #nn.init<normal(0.0, 0.01)>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<NN_F32Tensor>:$type,
                       NN_InitAttr:$init);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def NN_ParamRefOp : NN_Op<"param_ref",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the current value of a parameter";
  let description = [{
    ```mlir
    %w = nn.param_ref @conv1.weight : tensor<96x3x11x11xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def NN_Conv2DOp : NN_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution (cross-correlation) over NCHW, with groups";
  let description = [{
    `weight` is [filters, C/groups, kh, kw] (PyTorch layout); `bias`, if
    present, is [filters]. Output spatial size is
    floor((H + 2*pad - kh) / stride) + 1. With `groups = g` the channels are
    split into g independent towers (the paper's two-GPU conv2/4/5).
    ```mlir
    %y = nn.conv2d %x, %w, %b stride [4, 4] pad [2, 2] groups 1
       : tensor<1x3x224x224xf32>, tensor<96x3x11x11xf32>, tensor<96xf32> -> tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$input, NN_F32Tensor4D:$weight,
                       Optional<TensorRankOf<[F32], [1]>>:$bias,
                       NN_PairAttr:$stride, NN_PairAttr:$pad,
                       ConfinedAttr<I64Attr, [IntPositive]>:$groups);
  let results = (outs NN_F32Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `pad` $pad `groups` $groups
    attr-dict `:` type($input) `,` type($weight) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def NN_ReluOp : NN_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0)";
  let description = [{
    ```mlir
    %y = nn.relu %x : tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_LrnOp : NN_Op<"lrn", [Pure, SameOperandsAndResultType]> {
  let summary = "local response normalization across channels";
  let description = [{
    Normalizes over `size` neighbouring channels (Krizhevsky 2012, 3.3):
    b = a / (k + alpha * sum a^2)^beta, alpha NOT divided by size
    (PyTorch and Caffe divide it; an oracle test passes alpha*size to them).
    ```mlir
    %y = nn.lrn %x size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00
       : tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$input, I64Attr:$size, F64Attr:$alpha,
                       F64Attr:$beta, F64Attr:$k);
  let results = (outs NN_F32Tensor4D:$output);
  let assemblyFormat = [{
    $input `size` $size `alpha` $alpha `beta` $beta `k` $k attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

class NN_Pool2DOp<string mnemonic, string what> : NN_Op<mnemonic, [Pure]> {
  let summary = what # " pooling over NCHW (floor mode, like PyTorch)";
  let arguments = (ins NN_F32Tensor4D:$input, NN_PairAttr:$window,
                       NN_PairAttr:$stride, NN_PairAttr:$pad);
  let results = (outs NN_F32Tensor4D:$output);
  let assemblyFormat = [{
    $input `window` $window `stride` $stride `pad` $pad attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def NN_MaxPoolOp : NN_Pool2DOp<"maxpool", "max"> {
  let description = [{
    Padding never wins the max. The paper's overlapping pooling is window 3,
    stride 2.
    ```mlir
    %y = nn.maxpool %x window [3, 3] stride [2, 2] pad [0, 0]
       : tensor<1x96x55x55xf32> -> tensor<1x96x27x27xf32>
    ```
  }];
}

def NN_AvgPoolOp : NN_Pool2DOp<"avgpool", "average"> {
  let description = [{
    Padding counts as zeros in the divisor (PyTorch's count_include_pad).
    ```mlir
    %y = nn.avgpool %x window [2, 2] stride [2, 2] pad [0, 0]
       : tensor<1x6x28x28xf32> -> tensor<1x6x14x14xf32>
    ```
  }];
}

def NN_DenseOp : NN_Op<"dense", [Pure]> {
  let summary = "fully connected layer, y = x W^T + b";
  let description = [{
    `weight` is [units, in] (PyTorch layout); `bias`, if present, is [units].
    ```mlir
    %y = nn.dense %x, %w, %b : tensor<1x9216xf32>, tensor<4096x9216xf32>, tensor<4096xf32>
       -> tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$input, NN_F32Tensor2D:$weight,
                       Optional<TensorRankOf<[F32], [1]>>:$bias);
  let results = (outs NN_F32Tensor2D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,` type($weight)
    (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def NN_DropoutOp : NN_Op<"dropout", [Pure, SameOperandsAndResultType]> {
  let summary = "inverted dropout: zero with probability rate, scale the rest";
  let description = [{
    The identity in `@inference`. In training graphs (`@loss`,
    `@train_step`) each element is kept with probability 1 - rate and scaled
    by 1 / (1 - rate).
    ```mlir
    %y = nn.dropout %x rate 5.000000e-01 : tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, F64Attr:$rate);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = "$input `rate` $rate attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_FlattenOp : NN_Op<"flatten", [Pure]> {
  let summary = "[N, d1, d2, ...] to [N, d1*d2*...]";
  let description = [{
    ```mlir
    %y = nn.flatten %x : tensor<1x256x6x6xf32> -> tensor<1x9216xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor2D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def NN_ConcatOp : NN_Op<"concat", [Pure]> {
  let summary = "concatenation along an axis";
  let description = [{
    ```mlir
    %y = nn.concat %a, %b axis 1 : tensor<1x48x27x27xf32>, tensor<1x48x27x27xf32>
       -> tensor<1x96x27x27xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_F32Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` type($inputs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def NN_AddOp : NN_Op<"add", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "element-wise sum of two tensors of the same shape";
  let description = [{
    ```mlir
    %y = nn.add %a, %b : tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$lhs, NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

def NN_SoftmaxOp : NN_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax over the classes of [N, classes]";
  let description = [{
    ```mlir
    %p = nn.softmax %x : tensor<1x1000xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$input);
  let results = (outs NN_F32Tensor2D:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def NN_SoftmaxCrossEntropyOp : NN_Op<"softmax_cross_entropy", [Pure]> {
  let summary = "mean cross-entropy of logits against integer class labels";
  let description = [{
    loss = mean_n(logsumexp(x[n]) - x[n, label[n]]), as PyTorch's
    `cross_entropy`. Labels outside [0, classes) are a runtime error.
    ```mlir
    %l = nn.softmax_cross_entropy %x, %labels : tensor<128x1000xf32>, tensor<128xi32> -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$logits, TensorRankOf<[I32], [1]>:$labels);
  let results = (outs 0DTensorOf<[F32]>:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->` type($loss)
  }];
  let hasVerifier = 1;
}

#endif // ALEXNET_DIALECT_NN_NNOPS_TD
