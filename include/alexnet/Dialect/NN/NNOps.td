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
    `optimizer_state` marks state the optimizer keeps per parameter (SGD's
    momentum, `<param>.momentum`): checkpoints hold it, weights files do not.
    ```mlir
    nn.parameter @conv1.weight : tensor<96x3x11x11xf32> {init = #nn.init<normal(0.0, 0.01)>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<NN_F32Tensor>:$type,
                       NN_InitAttr:$init,
                       UnitAttr:$optimizer_state);
  let assemblyFormat = "$sym_name `:` $type attr-dict";
  let extraClassDeclaration = [{
    ::mlir::RankedTensorType getTensorType() {
      return ::llvm::cast<::mlir::RankedTensorType>(getType());
    }
  }];
}

def NN_ParamRefOp : NN_Op<"param_ref",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "the current value of a parameter, or a shard of its rows";
  let description = [{
    With `row_offset` (set by --nn-partition) the result is the shard of
    rows [row_offset, row_offset + result dim 0) along the first axis: a
    filter range of a convolution weight, a unit range of a dense weight or
    a bias. Such a shard is contiguous in the parameter, so weights files
    and the parameter block keep the whole tensor.
    ```mlir
    %w = nn.param_ref @conv1.weight : tensor<96x3x11x11xf32>
    %w1 = nn.param_ref @conv1.weight {row_offset = 48 : i64} : tensor<48x3x11x11xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, OptionalAttr<I64Attr>:$row_offset);
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
    When --nn-partition splits one dropout layer over devices, each piece
    carries the layer's `stream` (its mask's Philox stream) and its `window`
    in the whole tensor (see nn.dropout_mask), so the pieces draw exactly
    the whole layer's mask.
    ```mlir
    %y = nn.dropout %x rate 5.000000e-01 : tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, F64Attr:$rate,
                       OptionalAttr<I64Attr>:$stream,
                       OptionalAttr<DenseI64ArrayAttr>:$window);
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

//===----------------------------------------------------------------------===//
// Training: gradients, dropout masks, the optimizer (built by --nn-autodiff)
//===----------------------------------------------------------------------===//

def NN_F32Scalar : 0DTensorOf<[F32]>;
def NN_I64Scalar : 0DTensorOf<[I64]>;

def NN_Conv2DBackwardInputOp : NN_Op<"conv2d_backward_input", [Pure]> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    dx = conv2d_transpose(dy, w): the result type is the forward input's.
    ```mlir
    %dx = nn.conv2d_backward_input %dy, %w stride [4, 4] pad [2, 2] groups 1
        : tensor<1x96x55x55xf32>, tensor<96x3x11x11xf32> -> tensor<1x3x224x224xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$grad, NN_F32Tensor4D:$weight,
                       NN_PairAttr:$stride, NN_PairAttr:$pad,
                       ConfinedAttr<I64Attr, [IntPositive]>:$groups);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $grad `,` $weight `stride` $stride `pad` $pad `groups` $groups attr-dict
    `:` type($grad) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_Conv2DBackwardWeightOp : NN_Op<"conv2d_backward_weight", [Pure]> {
  let summary = "gradient of conv2d with respect to its weight";
  let description = [{
    dw[f, c, i, j] = sum_{n, oh, ow} dy[n, f, oh, ow] * x[n, g*Cg + c, ...];
    the result type is the weight's.
    ```mlir
    %dw = nn.conv2d_backward_weight %x, %dy stride [1, 1] pad [2, 2] groups 2
        : tensor<1x96x27x27xf32>, tensor<1x256x27x27xf32> -> tensor<256x48x5x5xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$input, NN_F32Tensor4D:$grad,
                       NN_PairAttr:$stride, NN_PairAttr:$pad,
                       ConfinedAttr<I64Attr, [IntPositive]>:$groups);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $input `,` $grad `stride` $stride `pad` $pad `groups` $groups attr-dict
    `:` type($input) `,` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_BiasBackwardOp : NN_Op<"bias_backward", [Pure]> {
  let summary = "gradient of a bias: dy summed over every axis but axis 1";
  let description = [{
    ```mlir
    %db = nn.bias_backward %dy : tensor<2x96x55x55xf32> -> tensor<96xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$grad);
  let results = (outs TensorRankOf<[F32], [1]>:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
  let hasVerifier = 1;
}

def NN_DenseBackwardInputOp : NN_Op<"dense_backward_input", [Pure]> {
  let summary = "gradient of dense with respect to its input: dx = dy W";
  let description = [{
    ```mlir
    %dx = nn.dense_backward_input %dy, %w : tensor<2x10xf32>, tensor<10x64xf32> -> tensor<2x64xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$grad, NN_F32Tensor2D:$weight);
  let results = (outs NN_F32Tensor2D:$result);
  let assemblyFormat = [{
    $grad `,` $weight attr-dict `:` type($grad) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_DenseBackwardWeightOp : NN_Op<"dense_backward_weight", [Pure]> {
  let summary = "gradient of dense with respect to its weight: dW = dy^T x";
  let description = [{
    ```mlir
    %dw = nn.dense_backward_weight %x, %dy : tensor<2x64xf32>, tensor<2x10xf32> -> tensor<10x64xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$input, NN_F32Tensor2D:$grad);
  let results = (outs NN_F32Tensor2D:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` type($input) `,` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_ReluBackwardOp : NN_Op<"relu_backward", [Pure, SameOperandsAndResultType]> {
  let summary = "dx = dy where the relu's output is positive, else 0";
  let description = [{
    Reads the forward output y (y > 0 exactly where x > 0), so the forward
    input need not stay alive.
    ```mlir
    %dx = nn.relu_backward %dy, %y : tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$grad, NN_F32Tensor:$output);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$grad `,` $output attr-dict `:` type($result)";
}

def NN_SoftmaxBackwardOp
    : NN_Op<"softmax_backward", [Pure, SameOperandsAndResultType]> {
  let summary = "dx = y * (dy - sum_j dy_j y_j) per row, y the softmax's output";
  let description = [{
    The gradient through a softmax whose output feeds further layers (the
    loss's own softmax is folded into nn.softmax_cross_entropy_backward).
    Reads only the forward output, as PyTorch's softmax backward does; a row
    with a NaN gives a row of NaN.
    ```mlir
    %dx = nn.softmax_backward %dy, %y : tensor<128x1000xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$grad, NN_F32Tensor2D:$output);
  let results = (outs NN_F32Tensor2D:$result);
  let assemblyFormat = "$grad `,` $output attr-dict `:` type($result)";
}

def NN_LrnBackwardOp : NN_Op<"lrn_backward", [Pure, SameOperandsAndResultType]> {
  let summary = "gradient of local response normalisation";
  let description = [{
    With s_c = k + alpha * sum_{window(c)} x^2 and y_c = x_c s_c^-beta:
    dx_c = dy_c s_c^-beta - 2 alpha beta x_c sum_{j: c in window(j)} dy_j y_j / s_j.
    With `through_relu` (set by --nn-fuse) the result is also the gradient
    through the ReLU whose output `x` is: dx_c where x_c > 0, else 0, in the
    same pass (nn.relu_backward folded in).
    ```mlir
    %dx = nn.lrn_backward %dy, %x, %y size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$grad, NN_F32Tensor4D:$input,
                       NN_F32Tensor4D:$output, I64Attr:$size, F64Attr:$alpha,
                       F64Attr:$beta, F64Attr:$k, UnitAttr:$through_relu);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $grad `,` $input `,` $output `size` $size `alpha` $alpha `beta` $beta `k` $k
    (`through_relu` $through_relu^)? attr-dict `:` type($result)
  }];
}

def NN_MaxPoolBackwardOp : NN_Op<"maxpool_backward",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "routes each output gradient to the first maximum of its window";
  let description = [{
    Overlapping windows accumulate. Ties go to the first position in row-major
    window order, as PyTorch does. With `through_relu` (set by --nn-fuse) the
    result is also the gradient through the ReLU whose output `x` is (zero
    where x <= 0), in the same pass.
    ```mlir
    %dx = nn.maxpool_backward %dy, %x window [3, 3] stride [2, 2] pad [0, 0]
        : tensor<1x96x27x27xf32>, tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$grad, NN_F32Tensor4D:$input,
                       NN_PairAttr:$window, NN_PairAttr:$stride,
                       NN_PairAttr:$pad, UnitAttr:$through_relu);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $grad `,` $input `window` $window `stride` $stride `pad` $pad
    (`through_relu` $through_relu^)? attr-dict `:` type($grad) `,` type($input)
  }];
  let hasVerifier = 1;
}

def NN_AvgPoolBackwardOp : NN_Op<"avgpool_backward", [Pure]> {
  let summary = "spreads each output gradient evenly over its window";
  let description = [{
    The result type is the forward input's.
    ```mlir
    %dx = nn.avgpool_backward %dy window [2, 2] stride [2, 2] pad [0, 0]
        : tensor<1x6x14x14xf32> -> tensor<1x6x28x28xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$grad, NN_PairAttr:$window,
                       NN_PairAttr:$stride, NN_PairAttr:$pad);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $grad `window` $window `stride` $stride `pad` $pad attr-dict
    `:` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_DropoutMaskOp : NN_Op<"dropout_mask", [Pure]> {
  let summary = "the dropout mask of one training step: 0 or 1 / (1 - rate)";
  let description = [{
    Element i is kept when philox(seed, step, stream, i) draws a uniform
    number >= rate. `stream` tells the dropout layers of a graph apart; the
    same (seed, step) always gives the same mask, so a step is reproducible
    and the backward pass reuses the forward mask. With `enabled` false the
    mask is all ones (the `--no-dropout` of grad and step).
    `window = [axis, offset, extent]` says the result is the slice
    [offset, offset + its size) along `axis` of a mask whose size along
    `axis` is `extent` (a piece of a layer split over devices): element i
    draws with the whole mask's index, so the pieces make that mask.
    ```mlir
    %m = nn.dropout_mask %seed, %step, %on rate 5.0e-01 stream 0
       : tensor<i64>, tensor<i64>, tensor<i1> -> tensor<2x4096xf32>
    ```
  }];
  let arguments = (ins NN_I64Scalar:$seed, NN_I64Scalar:$step,
                       0DTensorOf<[I1]>:$enabled, F64Attr:$rate, I64Attr:$stream,
                       OptionalAttr<DenseI64ArrayAttr>:$window);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $seed `,` $step `,` $enabled `rate` $rate `stream` $stream attr-dict
    `:` type($seed) `,` type($step) `,` type($enabled) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_MulOp : NN_Op<"mul", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "element-wise product of two tensors of the same shape";
  let arguments = (ins NN_F32Tensor:$lhs, NN_F32Tensor:$rhs);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure]> {
  let summary = "the same elements with another shape (flatten's gradient)";
  let arguments = (ins NN_F32Tensor:$input);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_SliceOp : NN_Op<"slice", [Pure]> {
  let summary = "a contiguous range along one axis (concat's gradient)";
  let description = [{
    ```mlir
    %a = nn.slice %x axis 1 offset 48 : tensor<1x96x27x27xf32> -> tensor<1x48x27x27xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `offset` $offset attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_SoftmaxCrossEntropyBackwardOp
    : NN_Op<"softmax_cross_entropy_backward", [Pure]> {
  let summary = "gradient of the mean cross-entropy: (softmax(x) - onehot) / N";
  let arguments = (ins NN_F32Tensor2D:$logits, TensorRankOf<[I32], [1]>:$labels);
  let results = (outs NN_F32Tensor2D:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_ZerosOp : NN_Op<"zeros", [Pure]> {
  let summary = "a tensor of zeros";
  let description = [{
    The gradient of a parameter the loss does not read (a layer whose
    output reaches no loss), as torch.zeros_like.
    ```mlir
    %g = nn.zeros : tensor<3x4xf32>
    ```
  }];
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def NN_SgdUpdateOp : NN_Op<"sgd_update", [Pure, AllTypesMatch<["weight", "velocity", "grad", "new_weight", "new_velocity"]>]> {
  let summary = "the paper's SGD step with momentum and weight decay";
  let description = [{
    v' = momentum * v - weight_decay * lr * w - lr * g;  w' = w + v'
    (Krizhevsky et al. 2012, section 5).
    ```mlir
    %w2, %v2 = nn.sgd_update %w, %v, %g, %lr momentum 9.0e-01 weight_decay 5.0e-04
        : tensor<96x3x11x11xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$weight, NN_F32Tensor:$velocity,
                       NN_F32Tensor:$grad, NN_F32Scalar:$lr, F64Attr:$momentum,
                       F64Attr:$weight_decay);
  let results = (outs NN_F32Tensor:$new_weight, NN_F32Tensor:$new_velocity);
  let assemblyFormat = [{
    $weight `,` $velocity `,` $grad `,` $lr `momentum` $momentum `weight_decay`
    $weight_decay attr-dict `:` type($weight) `,` type($lr)
  }];
}

def NN_ParamStoreOp : NN_Op<"param_store",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "replace the value of a parameter (the end of a training step)";
  let description = [{
    ```mlir
    nn.param_store %w2 -> @conv1.weight : tensor<96x3x11x11xf32>
    ```
    `row_offset` stores a shard of rows, as in nn.param_ref.
  }];
  let arguments = (ins NN_F32Tensor:$value, FlatSymbolRefAttr:$name,
                       OptionalAttr<I64Attr>:$row_offset);
  let assemblyFormat = "$value `->` $name attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Partitioning (built by --nn-partition and the gradients of what it builds)
//===----------------------------------------------------------------------===//

def NN_TransferOp : NN_Op<"transfer", [Pure, SameOperandsAndResultType]> {
  let summary = "copy a tensor from one device to another";
  let description = [{
    The only way a value crosses devices in a partitioned graph. The copy
    runs on the target device once the source device has produced the value
    (an event on the source, a wait and a copy on the target).
    ```mlir
    %p = nn.transfer %pool2_1 from 1 to 0 : tensor<128x128x13x13xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$input, I64Attr:$source, I64Attr:$target);
  let results = (outs NN_F32Tensor:$output);
  let assemblyFormat = "$input `from` $source `to` $target attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_LrnHaloOp : NN_Op<"lrn_halo", [Pure]> {
  let summary = "LRN of the middle channels of a tensor carrying neighbour channels";
  let description = [{
    One device's piece of an LRN whose channels are split over devices: the
    input holds the device's C channels with `halo = [lo, hi]` channels of
    its neighbours before and after them, and the result is the LRN of the
    C middle channels, each window reading the halo as the whole tensor's
    LRN would. `[0, 0]` is nn.lrn.
    ```mlir
    %y = nn.lrn_halo %x halo [2, 2] size 5 alpha 1.0e-4 beta 0.75 k 2.0
       : tensor<1x52x55x55xf32> -> tensor<1x48x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$input, NN_PairAttr:$halo, I64Attr:$size,
                       F64Attr:$alpha, F64Attr:$beta, F64Attr:$k);
  let results = (outs NN_F32Tensor4D:$output);
  let assemblyFormat = [{
    $input `halo` $halo `size` $size `alpha` $alpha `beta` $beta `k` $k attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

def NN_LrnHaloBackwardOp : NN_Op<"lrn_halo_backward",
    [Pure, AllTypesMatch<["grad", "output"]>, AllTypesMatch<["input", "result"]>]> {
  let summary = "gradient of nn.lrn_halo with respect to its whole input";
  let description = [{
    `grad` and `output` have the middle channels, `input` and the result the
    halo too: the halo rows of the result are the gradient this device's
    outputs send to its neighbours' channels.
    ```mlir
    %dx = nn.lrn_halo_backward %dy, %x, %y halo [2, 2] size 5 alpha 1.0e-4 beta 0.75 k 2.0
       : tensor<1x48x55x55xf32>, tensor<1x52x55x55xf32> -> tensor<1x52x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$grad, NN_F32Tensor4D:$input,
                       NN_F32Tensor4D:$output, NN_PairAttr:$halo, I64Attr:$size,
                       F64Attr:$alpha, F64Attr:$beta, F64Attr:$k);
  let results = (outs NN_F32Tensor4D:$result);
  let assemblyFormat = [{
    $grad `,` $input `,` $output `halo` $halo `size` $size `alpha` $alpha `beta`
    $beta `k` $k attr-dict `:` type($grad) `,` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_AddSliceOp : NN_Op<"add_slice", [Pure, AllTypesMatch<["base", "result"]>]> {
  let summary = "base with `part` added to the range [offset, offset + size) of one axis";
  let description = [{
    The gradient of nn.slice accumulated into the gradient of the sliced
    tensor (an LRN halo's gradient returning to its owner).
    ```mlir
    %g = nn.add_slice %base, %part axis 1 offset 46
       : tensor<1x48x55x55xf32>, tensor<1x2x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor:$base, NN_F32Tensor:$part, I64Attr:$axis,
                       I64Attr:$offset);
  let results = (outs NN_F32Tensor:$result);
  let assemblyFormat = [{
    $base `,` $part `axis` $axis `offset` $offset attr-dict `:` type($base) `,`
    type($part)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused ops (built by --nn-fuse; nn-autodiff runs before it and never sees
// them)
//===----------------------------------------------------------------------===//

def NN_Conv2DReluOp : NN_Op<"conv2d_relu", [Pure]> {
  let summary = "conv2d then relu in one op: the ReLU is the GEMM's epilogue";
  let description = [{
    relu(conv2d(x, w, b)) with conv2d's operands and attributes. The lowering
    applies bias and ReLU in the pass that reads the GEMM's result, so the
    pre-activation never makes a second round trip through memory.
    ```mlir
    %relu3 = nn.conv2d_relu %x, %w, %b stride [1, 1] pad [1, 1] groups 1
       : tensor<1x256x13x13xf32>, tensor<384x256x3x3xf32>, tensor<384xf32> -> tensor<1x384x13x13xf32>
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

def NN_Conv2DReluLrnOp : NN_Op<"conv2d_relu_lrn", [Pure]> {
  let summary = "conv2d, relu and lrn in one op (the paper's conv1 and conv2)";
  let description = [{
    `relu_output` = relu(conv2d(x, w, b)) and `output` = lrn(relu_output),
    with conv2d's and lrn's attributes. One epilogue pass over each block of
    pixels adds the bias, applies the ReLU into a tile of every channel and
    normalises across channels from that tile. `relu_output` is stored only
    when something reads it (the backward pass does; inference does not).
    ```mlir
    %relu1, %norm1 = nn.conv2d_relu_lrn %x, %w, %b stride [4, 4] pad [2, 2] groups 1
        size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00
       : tensor<1x3x224x224xf32>, tensor<96x3x11x11xf32>, tensor<96xf32>
      -> tensor<1x96x55x55xf32>, tensor<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor4D:$input, NN_F32Tensor4D:$weight,
                       Optional<TensorRankOf<[F32], [1]>>:$bias,
                       NN_PairAttr:$stride, NN_PairAttr:$pad,
                       ConfinedAttr<I64Attr, [IntPositive]>:$groups,
                       I64Attr:$size, F64Attr:$alpha, F64Attr:$beta, F64Attr:$k);
  let results = (outs NN_F32Tensor4D:$relu_output, NN_F32Tensor4D:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` $stride `pad` $pad `groups` $groups
    `size` $size `alpha` $alpha `beta` $beta `k` $k attr-dict
    `:` type($input) `,` type($weight) (`,` type($bias)^)? `->` type($relu_output)
    `,` type($output)
  }];
  let hasVerifier = 1;
}

def NN_DenseReluOp : NN_Op<"dense_relu", [Pure]> {
  let summary = "dense then relu in one op: the ReLU is the bias pass's epilogue";
  let description = [{
    relu(dense(x, W, b)); the bias is required (without one the GEMM leaves
    no epilogue pass to fold the ReLU into).
    ```mlir
    %relu6 = nn.dense_relu %x, %w, %b : tensor<1x9216xf32>, tensor<4096x9216xf32>, tensor<4096xf32>
       -> tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins NN_F32Tensor2D:$input, NN_F32Tensor2D:$weight,
                       TensorRankOf<[F32], [1]>:$bias);
  let results = (outs NN_F32Tensor2D:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` type($input) `,` type($weight)
    `,` type($bias) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // ALEXNET_DIALECT_NN_NNOPS_TD
