//===- ExecOps.td - exec dialect ops -----------------------*- tablegen -*-===//

#ifndef ALEXNET_DIALECT_EXEC_EXECOPS_TD
#define ALEXNET_DIALECT_EXEC_EXECOPS_TD

include "alexnet/Dialect/Exec/Exec.td"
include "alexnet/Dialect/Exec/ExecAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Exec_F32Buffer : MemRefOf<[F32]>;
def Exec_Pair : ConfinedAttr<DenseI64ArrayAttr, [DenseArrayCount<2>]>;

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

def Exec_AllocOp : Exec_Op<"alloc"> {
  let summary = "a scratch buffer in a device arena";
  let description = [{
    Before memory planning the buffer has no `offset`; the planner assigns
    one (bytes from the arena start, aligned) from the buffers' lifetimes.
    ```mlir
    %b = exec.alloc {device = 0 : i64, offset = 4096 : i64} : memref<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<I64Attr, "0">:$device,
                       OptionalAttr<I64Attr>:$offset);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::MemRefType":$type), [{ $_state.addTypes(type); }]>
  ];
  let extraClassDeclaration = [{
    /// Bytes the buffer occupies.
    int64_t getSizeInBytes();
  }];
}

def Exec_ParamOp : Exec_Op<"param",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a view of one parameter in the parameter block";
  let description = [{
    ```mlir
    %w = exec.param @conv1.weight : memref<96x3x11x11xf32>
    ```
    With `row_offset`, the rows [row_offset, row_offset + dim 0) of the
    parameter (a shard owned by one device; see nn.param_ref).
  }];
  let arguments = (ins FlatSymbolRefAttr:$name, OptionalAttr<I64Attr>:$row_offset);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

def Exec_ReshapeOp : Exec_Op<"reshape", [Pure]> {
  let summary = "the same bytes seen with another shape (no copy)";
  let description = [{
    ```mlir
    %f = exec.reshape %p : memref<1x256x6x6xf32> to memref<1x9216xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$source);
  let results = (outs Exec_F32Buffer:$result);
  let assemblyFormat = "$source attr-dict `:` type($source) `to` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

def Exec_GemmOp : Exec_Op<"gemm"> {
  let summary = "C = alpha * op(A) * op(B) + beta * C, row-major (BLAS)";
  let description = [{
    The operands are whole buffers; `*_offset` (elements) selects the
    matrix inside each, which is how a grouped convolution addresses one
    group's filters and output rows. Leading dimensions are those of
    contiguous row-major matrices: lda = trans_a ? m : k, ldb = trans_b ? k
    : n, ldc = n.
    ```mlir
    exec.gemm %w, %col, %out {m = 96, n = 3025, k = 363}
      : memref<96x3x11x11xf32>, memref<363x3025xf32>, memref<1x96x55x55xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$a, Exec_F32Buffer:$b, Exec_F32Buffer:$c,
                       I64Attr:$m, I64Attr:$n, I64Attr:$k,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                       DefaultValuedAttr<I64Attr, "0">:$a_offset,
                       DefaultValuedAttr<I64Attr, "0">:$b_offset,
                       DefaultValuedAttr<I64Attr, "0">:$c_offset,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.0f">:$beta);
  let assemblyFormat = [{
    $a `,` $b `,` $c attr-dict `:` type($a) `,` type($b) `,` type($c)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$a, "::mlir::Value":$b, "::mlir::Value":$c,
                   "int64_t":$m, "int64_t":$n, "int64_t":$k), [{
      $_state.addOperands({a, b, c});
      $_state.getOrAddProperties<Properties>().m = $_builder.getI64IntegerAttr(m);
      $_state.getOrAddProperties<Properties>().n = $_builder.getI64IntegerAttr(n);
      $_state.getOrAddProperties<Properties>().k = $_builder.getI64IntegerAttr(k);
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernels: each becomes one generated body, a function of its output index
//===----------------------------------------------------------------------===//

class Exec_KernelOp<string mnemonic, list<Trait> traits = []>
    : Exec_Op<mnemonic, traits> {
  let hasVerifier = 1;
}

def Exec_Im2ColOp : Exec_KernelOp<"im2col"> {
  let summary = "unfold one group's input patches into a [Cg*kh*kw, N*OH*OW] matrix";
  let description = [{
    col[(c*kh + i)*kw + j, n*OH*OW + oh*OW + ow] =
      x[n, group*Cg + c, oh*stride - pad + i, ow*stride - pad + j] (0 outside).
    With `image = n` only that image is unfolded, into [Cg*kh*kw, OH*OW].
    ```mlir
    exec.im2col %x -> %col {kernel = array<i64: 11, 11>, stride = array<i64: 4, 4>,
                            pad = array<i64: 2, 2>, group = 0, groups = 1}
      : memref<1x3x224x224xf32> -> memref<363x3025xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       Exec_Pair:$kernel, Exec_Pair:$stride, Exec_Pair:$pad,
                       I64Attr:$group, I64Attr:$groups,
                       OptionalAttr<I64Attr>:$image);
  let assemblyFormat = [{
    $input `->` $output attr-dict `:` type($input) `->` type($output)
  }];
}

def Exec_ConvOutputOp : Exec_KernelOp<"conv_output"> {
  let summary = "reorder a batch-wide convolution GEMM result to NCHW, adding the bias";
  let description = [{
    y[n, f, p] = gemm[f, n*P + p] + bias[f], P = OH*OW.
    ```mlir
    exec.conv_output %g, %b -> %y : memref<96x6050xf32>, memref<96xf32> -> memref<2x96x55x55xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Optional<Exec_F32Buffer>:$bias,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $input (`,` $bias^)? `->` $output attr-dict `:` type($input) (`,` type($bias)^)?
    `->` type($output)
  }];
}

def Exec_ChannelMajorOp : Exec_KernelOp<"channel_major"> {
  let summary = "reorder NCHW to [C, N*H*W], the layout of a batch-wide GEMM";
  let description = [{
    out[c, n*P + p] = x[n, c, p], P = H*W: row c holds channel c of every
    image side by side. The inverse of `exec.conv_output` without a bias;
    a batch-wide convolution gradient multiplies dy in this layout.
    ```mlir
    exec.channel_major %dy -> %t : memref<2x96x27x27xf32> -> memref<96x1458xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $input `->` $output attr-dict `:` type($input) `->` type($output)
  }];
}

def Exec_BiasAddOp : Exec_KernelOp<"bias_add"> {
  let summary = "in place: y[i] += bias[(i / inner) % channels]";
  let description = [{
    `inner` is the number of consecutive elements sharing one bias value: 1
    for a dense layer's [N, units], OH*OW for an NCHW feature map.
    ```mlir
    exec.bias_add %b -> %y {inner = 1} : memref<4096xf32> -> memref<1x4096xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$bias, Exec_F32Buffer:$output,
                       I64Attr:$inner);
  let assemblyFormat = [{
    $bias `->` $output attr-dict `:` type($bias) `->` type($output)
  }];
}

def Exec_ReluOp : Exec_KernelOp<"relu"> {
  let summary = "y = max(x, 0)";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_LrnOp : Exec_KernelOp<"lrn"> {
  let summary = "local response normalisation across channels (paper's alpha)";
  let description = [{
    With `halo = [lo, hi]` the input carries lo + hi neighbour channels
    around the output's (nn.lrn_halo).
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       I64Attr:$size, F64Attr:$alpha, F64Attr:$beta, F64Attr:$k,
                       OptionalAttr<Exec_Pair>:$halo);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_MaxPoolOp : Exec_KernelOp<"maxpool"> {
  let summary = "max pooling over NCHW";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       Exec_Pair:$window, Exec_Pair:$stride, Exec_Pair:$pad);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_AvgPoolOp : Exec_KernelOp<"avgpool"> {
  let summary = "average pooling over NCHW, padding counted in the divisor";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       Exec_Pair:$window, Exec_Pair:$stride, Exec_Pair:$pad);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_SoftmaxOp : Exec_KernelOp<"softmax"> {
  let summary = "row-wise softmax of [N, classes]; the body's index is the row";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_AddOp : Exec_KernelOp<"add"> {
  let summary = "y = a + b";
  let arguments = (ins Exec_F32Buffer:$lhs, Exec_F32Buffer:$rhs,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `->` $output attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
}

def Exec_ConcatOp : Exec_KernelOp<"concat"> {
  let summary = "concatenation along an axis; the body picks the input per output index";
  let arguments = (ins Variadic<Exec_F32Buffer>:$inputs, Exec_F32Buffer:$output,
                       I64Attr:$axis);
  let assemblyFormat = [{
    $inputs `->` $output attr-dict `:` type($inputs) `->` type($output)
  }];
}

def Exec_FillOp : Exec_KernelOp<"fill"> {
  let summary = "y[i] = value";
  let description = [{
    The ones vector a batch-wide bias gradient multiplies dy's rows with.
    ```mlir
    exec.fill %ones {value = 1.0 : f32} : memref<1458xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$output, F32Attr:$value);
  let assemblyFormat = "$output attr-dict `:` type($output)";
}

def Exec_CopyOp : Exec_KernelOp<"copy"> {
  let summary = "y = x, element for element";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Training kernels (lowered from the ops --nn-autodiff builds)
//===----------------------------------------------------------------------===//

def Exec_AnyBuffer : MemRefOf<[F32, I32, I64, I1]>;

def Exec_Col2ImOp : Exec_KernelOp<"col2im"> {
  let summary = "fold [Cg*kh*kw, N*OH*OW] patch gradients back into NCHW";
  let description = [{
    The adjoint of `exec.im2col`: for every element of channels
    `group*Cg .. (group+1)*Cg` of the output, out[n, c, ih, iw] = sum of
    col[(c*kh + ki)*kw + kj, n*OH*OW + oh*OW + ow] over the taps (ki, kj,
    oh, ow) that read it (a gather: no atomics, one body per output
    element). With `image = n` only that image is folded, from
    [Cg*kh*kw, OH*OW]. Other images and groups are left untouched.
    ```mlir
    exec.col2im %col -> %dx {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>,
                             pad = array<i64: 1, 1>, group = 0, groups = 1, image = 0}
      : memref<27x64xf32> -> memref<2x3x8x8xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       Exec_Pair:$kernel, Exec_Pair:$stride, Exec_Pair:$pad,
                       I64Attr:$group, I64Attr:$groups,
                       OptionalAttr<I64Attr>:$image);
  let assemblyFormat = [{
    $input `->` $output attr-dict `:` type($input) `->` type($output)
  }];
}

def Exec_BiasGradOp : Exec_KernelOp<"bias_grad"> {
  let summary = "out[c] = sum of dy over every axis but axis 1";
  let description = [{
    `dy` is [N, C, inner...]; one body per channel.
    ```mlir
    exec.bias_grad %dy -> %db : memref<2x96x55x55xf32> -> memref<96xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_ReluGradOp : Exec_KernelOp<"relu_grad"> {
  let summary = "dx = y > 0 ? dy : 0";
  let arguments = (ins Exec_F32Buffer:$grad, Exec_F32Buffer:$forward_output,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $grad `,` $forward_output `->` $output attr-dict `:` type($grad) `,`
    type($forward_output) `->` type($output)
  }];
}

def Exec_SoftmaxGradOp : Exec_KernelOp<"softmax_grad"> {
  let summary = "dx = y * (dy - sum_j dy_j y_j) of [N, classes]; the body's index is the row";
  let arguments = (ins Exec_F32Buffer:$grad, Exec_F32Buffer:$forward_output,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $grad `,` $forward_output `->` $output attr-dict `:` type($grad) `,`
    type($forward_output) `->` type($output)
  }];
}

def Exec_LrnGradOp : Exec_KernelOp<"lrn_grad"> {
  let summary = "gradient of LRN from dy, the forward input x and output y";
  let description = [{
    dx_c = dy_c s_c^-beta - 2 alpha beta x_c sum_{j: c in window(j)} dy_j y_j / s_j,
    s_c = k + alpha sum_{window(c)} x^2. With `through_relu`, dx_c = 0 where
    x_c <= 0: the gradient through the ReLU that produced x, in the same pass.
    With `halo = [lo, hi]`, x and dx carry lo + hi neighbour channels around
    the channels of dy and y (nn.lrn_halo_backward).
  }];
  let arguments = (ins Exec_F32Buffer:$grad, Exec_F32Buffer:$forward_input,
                       Exec_F32Buffer:$forward_output, Exec_F32Buffer:$output,
                       I64Attr:$size, F64Attr:$alpha, F64Attr:$beta, F64Attr:$k,
                       UnitAttr:$through_relu, OptionalAttr<Exec_Pair>:$halo);
  let assemblyFormat = [{
    $grad `,` $forward_input `,` $forward_output `->` $output attr-dict `:`
    type($grad) `,` type($forward_input) `,` type($forward_output) `->` type($output)
  }];
}

def Exec_MaxPoolGradOp : Exec_KernelOp<"maxpool_grad"> {
  let summary = "each input element collects dy of the windows whose first maximum it is";
  let description = [{
    With `through_relu`, dx = 0 where the forward input is <= 0: the gradient
    through the ReLU that produced it, applied while the plane is in cache.
  }];
  let arguments = (ins Exec_F32Buffer:$grad, Exec_F32Buffer:$forward_input,
                       Exec_F32Buffer:$output, Exec_Pair:$window,
                       Exec_Pair:$stride, Exec_Pair:$pad, UnitAttr:$through_relu);
  let assemblyFormat = [{
    $grad `,` $forward_input `->` $output attr-dict `:` type($grad) `,`
    type($forward_input) `->` type($output)
  }];
}

def Exec_AvgPoolGradOp : Exec_KernelOp<"avgpool_grad"> {
  let summary = "each input element collects dy / (kh*kw) of the windows covering it";
  let arguments = (ins Exec_F32Buffer:$grad, Exec_F32Buffer:$output,
                       Exec_Pair:$window, Exec_Pair:$stride, Exec_Pair:$pad);
  let assemblyFormat = [{
    $grad `->` $output attr-dict `:` type($grad) `->` type($output)
  }];
}

def Exec_MulOp : Exec_KernelOp<"mul"> {
  let summary = "y = a * b";
  let arguments = (ins Exec_F32Buffer:$lhs, Exec_F32Buffer:$rhs,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `->` $output attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
}

def Exec_DropoutMaskOp : Exec_KernelOp<"dropout_mask"> {
  let summary = "mask[i] = philox(seed, step, stream, i) >= rate ? 1/(1-rate) : 0";
  let description = [{
    `seed` and `step` are i64 scalars, `enabled` an i1 scalar (all ones when
    false). The draw is the runtime's philoxUniform with key philoxKey(seed)
    and counter (stream, step, i), shared by both targets. With `window =
    [axis, offset, extent]` the output is that slice of a larger mask and i
    is the element's index in the larger mask (nn.dropout_mask).
  }];
  let arguments = (ins MemRefRankOf<[I64], [0]>:$seed,
                       MemRefRankOf<[I64], [0]>:$step,
                       MemRefRankOf<[I1], [0]>:$enabled, Exec_F32Buffer:$output,
                       F64Attr:$rate, I64Attr:$stream,
                       OptionalAttr<DenseI64ArrayAttr>:$window);
  let assemblyFormat = [{
    $seed `,` $step `,` $enabled `->` $output attr-dict `:` type($seed) `,`
    type($step) `,` type($enabled) `->` type($output)
  }];
}

def Exec_TransferOp : Exec_KernelOp<"transfer"> {
  let summary = "copy a buffer of one device into a buffer of another";
  let description = [{
    Runs on the target device after the source device has reached this
    point of the program: the emitter records an event in the source
    device's schedule here and makes the target wait for it, then copy.
    ```mlir
    exec.transfer %a -> %b from 1 to 0 : memref<2x48x13x13xf32> -> memref<2x48x13x13xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       I64Attr:$source, I64Attr:$target);
  let assemblyFormat = [{
    $input `->` $output `from` $source `to` $target attr-dict `:` type($input)
    `->` type($output)
  }];
  let extraClassDeclaration = [{
    /// Bytes the transfer copies.
    int64_t getSizeInBytes();
  }];
}

def Exec_AddSliceOp : Exec_KernelOp<"add_slice"> {
  let summary = "in place: base[range [offset, offset + size) of axis] += part";
  let arguments = (ins Exec_F32Buffer:$part, Exec_F32Buffer:$base,
                       I64Attr:$axis, I64Attr:$offset);
  let assemblyFormat = "$part `->` $base attr-dict `:` type($part) `->` type($base)";
}

def Exec_SliceOp : Exec_KernelOp<"slice"> {
  let summary = "copy the range [offset, offset + extent) of one axis";
  let arguments = (ins Exec_F32Buffer:$input, Exec_F32Buffer:$output,
                       I64Attr:$axis, I64Attr:$offset);
  let assemblyFormat = "$input `->` $output attr-dict `:` type($input) `->` type($output)";
}

def Exec_CrossEntropyOp : Exec_KernelOp<"cross_entropy"> {
  let summary = "mean over rows of logsumexp(x[n]) - x[n, label[n]] (a scalar)";
  let arguments = (ins Exec_F32Buffer:$logits, MemRefRankOf<[I32], [1]>:$labels,
                       MemRefRankOf<[F32], [0]>:$output);
  let assemblyFormat = [{
    $logits `,` $labels `->` $output attr-dict `:` type($logits) `,` type($labels)
    `->` type($output)
  }];
}

def Exec_CrossEntropyGradOp : Exec_KernelOp<"cross_entropy_grad"> {
  let summary = "(softmax(x) - onehot(label)) / N, one body per row";
  let arguments = (ins Exec_F32Buffer:$logits, MemRefRankOf<[I32], [1]>:$labels,
                       Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $logits `,` $labels `->` $output attr-dict `:` type($logits) `,` type($labels)
    `->` type($output)
  }];
}

def Exec_SgdUpdateOp : Exec_KernelOp<"sgd_update"> {
  let summary = "in place: v = momentum*v - weight_decay*lr*w - lr*g; w += v";
  let description = [{
    The paper's update of one parameter `w` and its velocity `v`, both
    updated in place (the kernel writes `momentum` and `output`); `lr` is a
    scalar buffer, so the schedule can change it between steps.
    ```mlir
    exec.sgd_update %g, %lr, %v -> %w {momentum = 9.000000e-01 : f64, weight_decay = 5.000000e-04 : f64}
        : memref<96x3x11x11xf32>, memref<f32>, memref<96x3x11x11xf32> -> memref<96x3x11x11xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$grad, MemRefRankOf<[F32], [0]>:$lr,
                       Exec_F32Buffer:$velocity, Exec_F32Buffer:$output,
                       F64Attr:$momentum, F64Attr:$weight_decay);
  let assemblyFormat = [{
    $grad `,` $lr `,` $velocity `->` $output attr-dict `:` type($grad) `,`
    type($lr) `,` type($velocity) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fused epilogues (lowered from the ops --nn-fuse builds)
//===----------------------------------------------------------------------===//

def Exec_ConvEpilogueOp : Exec_KernelOp<"conv_epilogue",
    [AttrSizedOperandSegments]> {
  let summary = "bias + ReLU [+ LRN] of a convolution's GEMM result, in one pass";
  let description = [{
    `input` is the GEMM's result, in one of three forms:

    - one image [1, F, OH, OW], a scratch still in cache, when `image` = n
      says which image of the output it is;
    - the whole batch side by side, [F, N*OH*OW] (the batch-wide GEMM);
    - the ReLU output's own [N, F, OH, OW] buffer, given again as
      `relu_into`: the epilogue works in place (on image n only when
      `image` is set).

    With r = relu(input + bias[f]):

    - without `lrn_size`, output = r (one body per output plane);
    - with `lrn_size` (and `alpha`, `beta`, `k`), output = lrn(r). On NCHW
      input one body per block of 16 pixels builds r for every channel in a
      tile and normalises across channels from the tile; in place it also
      writes r back over the input (the backward pass reads it). The
      batch-wide result's channel rows lie N*P floats apart, too far for a
      tile: one body per image writes r to `relu_into` (required) row by row
      and normalises from there while the image is in cache.

    Per element the arithmetic is that of bias_add/conv_output, relu and lrn
    in the same order, so the fused result equals the unfused one.
    ```mlir
    exec.conv_epilogue %acc bias %b -> %y {image = 1 : i64, lrn_size = 5 : i64,
        alpha = 1.0e-4 : f64, beta = 7.5e-01 : f64, k = 2.0 : f64}
      : memref<1x96x55x55xf32>, memref<96xf32>, memref<2x96x55x55xf32>
    exec.conv_epilogue %r bias %b relu_into %r -> %y {image = 1 : i64, lrn_size = 5 : i64, ...}
      : memref<2x96x55x55xf32>, memref<96xf32>, memref<2x96x55x55xf32>, memref<2x96x55x55xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$input, Optional<Exec_F32Buffer>:$bias,
                       Optional<Exec_F32Buffer>:$relu_output,
                       Exec_F32Buffer:$output, OptionalAttr<I64Attr>:$image,
                       OptionalAttr<I64Attr>:$lrn_size,
                       OptionalAttr<F64Attr>:$alpha, OptionalAttr<F64Attr>:$beta,
                       OptionalAttr<F64Attr>:$k);
  let assemblyFormat = [{
    $input (`bias` $bias^)? (`relu_into` $relu_output^)? `->` $output attr-dict
    `:` type(operands)
  }];
  let extraClassDeclaration = [{
    /// Whether the epilogue ends with local response normalisation.
    bool hasLrn() { return getLrnSize().has_value(); }
  }];
}

def Exec_BiasReluOp : Exec_KernelOp<"bias_relu"> {
  let summary = "in place: y[n, u] = max(y[n, u] + bias[u], 0)";
  let description = [{
    A dense layer's bias and ReLU in one pass over the GEMM's [N, units]
    result.
    ```mlir
    exec.bias_relu %b -> %y : memref<4096xf32> -> memref<128x4096xf32>
    ```
  }];
  let arguments = (ins Exec_F32Buffer:$bias, Exec_F32Buffer:$output);
  let assemblyFormat = [{
    $bias `->` $output attr-dict `:` type($bias) `->` type($output)
  }];
}

#endif // ALEXNET_DIALECT_EXEC_EXECOPS_TD
