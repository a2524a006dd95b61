// RUN: alexnet-opt %s --split-input-file --convert-nn-to-exec="entry-points=inference,train" | FileCheck %s

// conv2d_relu_lrn per image (batch 2, a 2.6 MB im2col matrix per image):
// each image's GEMM writes a one-image scratch, and that image's
// conv_epilogue (bias, ReLU, LRN) writes its slice of the output while the
// scratch is in cache. Inference stores no ReLU output (no relu_into).
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: %[[Y:[^:]*]]: memref<2x4x96x96xf32> {exec.output = "y"}
//       CHECK:   %[[B:.*]] = exec.param @c.bias : memref<4xf32>
//       CHECK:   %[[COL:.*]] = exec.alloc : memref<72x9216xf32>
//       CHECK:   %[[ACC:.*]] = exec.alloc : memref<1x4x96x96xf32>
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {group = 0 : i64, groups = 1 : i64, image = 0 : i64
//       CHECK:   exec.gemm %{{.*}}, %[[COL]], %[[ACC]] {k = 72 : i64, m = 4 : i64, n = 9216 : i64}
//       CHECK:   exec.conv_epilogue %[[ACC]] bias %[[B]] -> %[[Y]] {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, image = 0 : i64, k = 2.000000e+00 : f64, lrn_size = 3 : i64}
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {{{.*}}image = 1 : i64
//       CHECK:   exec.gemm %{{.*}}, %[[COL]], %[[ACC]] {k = 72 : i64, m = 4 : i64, n = 9216 : i64}
//       CHECK:   exec.conv_epilogue %[[ACC]] bias %[[B]] -> %[[Y]] {{{.*}}image = 1 : i64
//   CHECK-NOT:   exec.bias_add
//   CHECK-NOT:   exec.relu
//   CHECK-NOT:   exec.lrn
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x8x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x8x96x96xf32> {nn.input = "x"}) -> (tensor<2x4x96x96xf32> {nn.output = "y"}) {
    %w = nn.param_ref @c.weight : tensor<4x8x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %f:2 = nn.conv2d_relu_lrn %x, %w, %b stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x8x96x96xf32>, tensor<4x8x3x3xf32>, tensor<4xf32> -> tensor<2x4x96x96xf32>, tensor<2x4x96x96xf32>
    return %f#1 : tensor<2x4x96x96xf32>
  }
}

// -----

// The same op on the batch-wide path (small maps) in a training function:
// one conv_epilogue reads the [F, N*P] GEMM result; the backward pass reads
// the ReLU's output, so the epilogue also stores it (relu_into), and the
// LRN gradient applies the ReLU's mask (through_relu).
// CHECK-LABEL: func.func @train
//       CHECK:   %[[Y:.*]] = exec.alloc : memref<2x4x6x6xf32>
//       CHECK:   %[[R:.*]] = exec.alloc : memref<2x4x6x6xf32>
//       CHECK:   %[[G:.*]] = exec.alloc : memref<4x72xf32>
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[G]] {k = 18 : i64, m = 4 : i64, n = 72 : i64}
//       CHECK:   exec.conv_epilogue %[[G]] bias %{{.*}} relu_into %[[R]] -> %[[Y]] {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, k = 2.000000e+00 : f64, lrn_size = 3 : i64} : memref<4x72xf32>, memref<4xf32>, memref<2x4x6x6xf32>, memref<2x4x6x6xf32>
//       CHECK:   exec.lrn_grad %{{.*}}, %[[R]], %[[Y]] -> %{{.*}} {{{.*}}through_relu}
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @train(%x: tensor<2x2x6x6xf32>, %dy: tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32> {
    %w = nn.param_ref @c.weight : tensor<4x2x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %f:2 = nn.conv2d_relu_lrn %x, %w, %b stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32> -> tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>
    %g = nn.lrn_backward %dy, %f#0, %f#1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 through_relu : tensor<2x4x6x6xf32>
    return %g : tensor<2x4x6x6xf32>
  }
}

// -----

// conv2d_relu on the batch-wide path (small maps, batch 2, groups 2): one
// GEMM per group into [F, N*P], then one conv_epilogue reorders it to NCHW
// with bias and ReLU, in place of conv_output + relu.
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[G:.*]] = exec.alloc : memref<4x32xf32>
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[G]] {k = 9 : i64, m = 2 : i64, n = 32 : i64}
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[G]] {a_offset = 18 : i64, c_offset = 64 : i64, k = 9 : i64, m = 2 : i64, n = 32 : i64}
//       CHECK:   exec.conv_epilogue %[[G]] bias %{{.*}} -> %{{.*}} : memref<4x32xf32>, memref<4xf32>, memref<2x4x4x4xf32>
//   CHECK-NOT:   exec.conv_output
//   CHECK-NOT:   exec.relu
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x1x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x2x4x4xf32>) -> tensor<2x4x4x4xf32> {
    %w = nn.param_ref @c.weight : tensor<4x1x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %r = nn.conv2d_relu %x, %w, %b stride [1, 1] pad [1, 1] groups 2 : tensor<2x2x4x4xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<2x4x4x4xf32>
    return %r : tensor<2x4x4x4xf32>
  }
}

// -----

// conv2d_relu without a bias, per image (batch 1, pointwise: no im2col).
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[ACC:.*]] = exec.alloc : memref<1x6x5x5xf32>
//   CHECK-NOT:   exec.im2col
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[ACC]] {k = 2 : i64, m = 6 : i64, n = 25 : i64}
//       CHECK:   exec.conv_epilogue %[[ACC]] -> %{{.*}} {image = 0 : i64} : memref<1x6x5x5xf32>, memref<1x6x5x5xf32>
module attributes {nn.model = "f", nn.batch = 1 : i64} {
  func.func @inference(%x: tensor<1x2x5x5xf32>, %w: tensor<6x2x1x1xf32>) -> tensor<1x6x5x5xf32> {
    %r = nn.conv2d_relu %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x2x5x5xf32>, tensor<6x2x1x1xf32> -> tensor<1x6x5x5xf32>
    return %r : tensor<1x6x5x5xf32>
  }
}

// -----

// dense_relu: the GEMM, then bias and ReLU in one in-place pass; the pool
// gradient with through_relu keeps its flag.
// CHECK-LABEL: func.func @train
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[Y:.*]] {k = 8 : i64, m = 2 : i64, n = 5 : i64, trans_b = true}
//  CHECK-NEXT:   exec.bias_relu %{{.*}} -> %[[Y]] : memref<5xf32> -> memref<2x5xf32>
//       CHECK:   exec.maxpool_grad %{{.*}}, %{{.*}} -> %{{.*}} {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, through_relu, window = array<i64: 2, 2>}
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  func.func @train(%x: tensor<2x8xf32>, %w: tensor<5x8xf32>, %b: tensor<5xf32>, %r: tensor<1x1x4x4xf32>, %dp: tensor<1x1x2x2xf32>) -> (tensor<2x5xf32>, tensor<1x1x4x4xf32>) {
    %y = nn.dense_relu %x, %w, %b : tensor<2x8xf32>, tensor<5x8xf32>, tensor<5xf32> -> tensor<2x5xf32>
    %g = nn.maxpool_backward %dp, %r window [2, 2] stride [2, 2] pad [0, 0] through_relu : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
    return %y, %g : tensor<2x5xf32>, tensor<1x1x4x4xf32>
  }
}

// -----

// conv2d_relu_lrn on the batch-wide path in inference: nothing reads the
// ReLU's output, but the epilogue stages it (its channel rows lie N*P
// apart in the GEMM result), so the lowering gives it a buffer.
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[S:.*]] = exec.alloc : memref<2x4x6x6xf32>
//       CHECK:   exec.conv_epilogue %{{.*}} bias %{{.*}} relu_into %[[S]] -> %{{.*}} {alpha
//  CHECK-SAME:     : memref<4x72xf32>, memref<4xf32>, memref<2x4x6x6xf32>, memref<2x4x6x6xf32>
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x2x6x6xf32>) -> tensor<2x4x6x6xf32> {
    %w = nn.param_ref @c.weight : tensor<4x2x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %f:2 = nn.conv2d_relu_lrn %x, %w, %b stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32> -> tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>
    return %f#1 : tensor<2x4x6x6xf32>
  }
}

// -----

// Per image in a training function: each image's GEMM writes that image of
// the ReLU output's buffer (the backward pass reads it) and the epilogue
// rewrites it in place right away (relu_into is its input).
// CHECK-LABEL: func.func @train
//       CHECK:   %[[Y:.*]] = exec.alloc : memref<2x4x96x96xf32>
//       CHECK:   %[[R:.*]] = exec.alloc : memref<2x4x96x96xf32>
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[R]] {k = 72 : i64, m = 4 : i64, n = 9216 : i64}
//       CHECK:   exec.conv_epilogue %[[R]] bias %{{.*}} relu_into %[[R]] -> %[[Y]] {{{.*}}image = 0 : i64
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[R]] {c_offset = 36864 : i64, k = 72 : i64, m = 4 : i64, n = 9216 : i64}
//       CHECK:   exec.conv_epilogue %[[R]] bias %{{.*}} relu_into %[[R]] -> %[[Y]] {{{.*}}image = 1 : i64
//       CHECK:   exec.lrn_grad %{{.*}}, %[[R]], %[[Y]] -> %{{.*}} {{{.*}}through_relu}
module attributes {nn.model = "f", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x8x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @train(%x: tensor<2x8x96x96xf32>, %dy: tensor<2x4x96x96xf32>) -> tensor<2x4x96x96xf32> {
    %w = nn.param_ref @c.weight : tensor<4x8x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %f:2 = nn.conv2d_relu_lrn %x, %w, %b stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x8x96x96xf32>, tensor<4x8x3x3xf32>, tensor<4xf32> -> tensor<2x4x96x96xf32>, tensor<2x4x96x96xf32>
    %g = nn.lrn_backward %dy, %f#0, %f#1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 through_relu : tensor<2x4x96x96xf32>
    return %g : tensor<2x4x96x96xf32>
  }
}
