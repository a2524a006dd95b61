// RUN: alexnet-opt %s --split-input-file --convert-nn-to-exec | FileCheck %s

// Inputs and outputs become memref arguments; the op producing the result
// writes straight into the output argument; @loss is not lowered.
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: memref<1x4xf32> {exec.input = "image"}, %[[Y:.*]]: memref<1x4xf32> {exec.output = "probs"})
//       CHECK:   %[[R:.*]] = exec.alloc : memref<1x4xf32>
//       CHECK:   exec.relu %[[X]] -> %[[R]]
//       CHECK:   exec.softmax %[[R]] -> %[[Y]]
//       CHECK:   return
//   CHECK-NOT: func.func @loss
module attributes {nn.model = "tiny", nn.batch = 1 : i64} {
  func.func @inference(%x: tensor<1x4xf32> {nn.input = "image"}) -> (tensor<1x4xf32> {nn.output = "probs"}) {
    %r = nn.relu %x : tensor<1x4xf32>
    %s = nn.softmax %r : tensor<1x4xf32>
    return %s : tensor<1x4xf32>
  }
  func.func @loss(%x: tensor<1x4xf32>, %l: tensor<1xi32>) -> tensor<f32> {
    %e = nn.softmax_cross_entropy %x, %l : tensor<1x4xf32>, tensor<1xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

// Batch 1 convolution: one GEMM per group writing NCHW directly into the
// result (group 1 at a_offset = Fg*Kg, c_offset = Fg*P), bias in place.
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[W:.*]] = exec.param @c.weight : memref<4x1x3x3xf32>
//       CHECK:   %[[B:.*]] = exec.param @c.bias : memref<4xf32>
//       CHECK:   %[[COL:.*]] = exec.alloc : memref<9x36xf32>
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {group = 0 : i64, groups = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>}
//       CHECK:   exec.gemm %[[W]], %[[COL]], %[[OUT:.*]] {k = 9 : i64, m = 2 : i64, n = 36 : i64}
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {group = 1 : i64
//       CHECK:   exec.gemm %[[W]], %[[COL]], %[[OUT]] {a_offset = 18 : i64, c_offset = 72 : i64, k = 9 : i64, m = 2 : i64, n = 36 : i64}
//       CHECK:   exec.bias_add %[[B]] -> %[[OUT]] {inner = 36 : i64}
//   CHECK-NOT:   exec.conv_output
module attributes {nn.model = "conv", nn.batch = 1 : i64} {
  nn.parameter @c.weight : tensor<4x1x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x6x6xf32> {
    %w = nn.param_ref @c.weight : tensor<4x1x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %y = nn.conv2d %x, %w, %b stride [1, 1] pad [1, 1] groups 2 : tensor<1x2x6x6xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
    return %y : tensor<1x4x6x6xf32>
  }
}

// -----

// Batch 2: the batch-wide GEMM writes [F, N*P]; conv_output reorders it to
// NCHW and adds the bias.
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[COL:.*]] = exec.alloc : memref<18x72xf32>
//       CHECK:   %[[G:.*]] = exec.alloc : memref<4x72xf32>
//       CHECK:   exec.im2col
//       CHECK:   exec.gemm %{{.*}}, %[[COL]], %[[G]] {k = 18 : i64, m = 4 : i64, n = 72 : i64}
//       CHECK:   exec.conv_output %[[G]], %{{.*}} -> %{{.*}} : memref<4x72xf32>, memref<4xf32> -> memref<2x4x6x6xf32>
module attributes {nn.model = "conv", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x2x6x6xf32>) -> tensor<2x4x6x6xf32> {
    %w = nn.param_ref @c.weight : tensor<4x2x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %y = nn.conv2d %x, %w, %b stride [1, 1] pad [1, 1] groups 1 : tensor<2x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32> -> tensor<2x4x6x6xf32>
    return %y : tensor<2x4x6x6xf32>
  }
}

// -----

// A 1x1 stride-1 unpadded convolution at batch 1 is a plain GEMM on the
// input: no im2col; group 1 reads the input at b_offset = Cg*P.
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: memref<1x4x5x5xf32>
//   CHECK-NOT:   exec.im2col
//       CHECK:   exec.gemm %{{.*}}, %[[X]], %{{.*}} {k = 2 : i64, m = 3 : i64, n = 25 : i64}
//       CHECK:   exec.gemm %{{.*}}, %[[X]], %{{.*}} {a_offset = 6 : i64, b_offset = 50 : i64, c_offset = 75 : i64, k = 2 : i64, m = 3 : i64, n = 25 : i64}
module attributes {nn.model = "pointwise", nn.batch = 1 : i64} {
  nn.parameter @c.weight : tensor<6x2x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @inference(%x: tensor<1x4x5x5xf32>) -> tensor<1x6x5x5xf32> {
    %w = nn.param_ref @c.weight : tensor<6x2x1x1xf32>
    %y = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 2 : tensor<1x4x5x5xf32>, tensor<6x2x1x1xf32> -> tensor<1x6x5x5xf32>
    return %y : tensor<1x6x5x5xf32>
  }
}

// -----

// dense: GEMM against the transposed [units, in] weight, then the bias;
// flatten is a reshape and dropout the identity, so neither copies.
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: memref<2x3x2x2xf32>
//       CHECK:   %[[F:.*]] = exec.reshape %[[X]] : memref<2x3x2x2xf32> to memref<2x12xf32>
//   CHECK-NOT:   exec.copy
//       CHECK:   exec.gemm %[[F]], %{{.*}}, %[[Y:.*]] {k = 12 : i64, m = 2 : i64, n = 5 : i64, trans_b = true}
//       CHECK:   exec.bias_add %{{.*}} -> %[[Y]] {inner = 1 : i64}
module attributes {nn.model = "fc", nn.batch = 2 : i64} {
  nn.parameter @fc.weight : tensor<5x12xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.bias : tensor<5xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x3x2x2xf32>) -> tensor<2x5xf32> {
    %f = nn.flatten %x : tensor<2x3x2x2xf32> -> tensor<2x12xf32>
    %d = nn.dropout %f rate 0.5 : tensor<2x12xf32>
    %w = nn.param_ref @fc.weight : tensor<5x12xf32>
    %b = nn.param_ref @fc.bias : tensor<5xf32>
    %y = nn.dense %d, %w, %b : tensor<2x12xf32>, tensor<5x12xf32>, tensor<5xf32> -> tensor<2x5xf32>
    return %y : tensor<2x5xf32>
  }
}

// -----

// A result that no kernel produces (here the input itself, through
// dropout) is copied into the output argument.
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: memref<1x4xf32>, %[[Y:.*]]: memref<1x4xf32>)
//       CHECK:   exec.copy %[[X]] -> %[[Y]]
module attributes {nn.model = "id", nn.batch = 1 : i64} {
  func.func @inference(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %d = nn.dropout %x rate 0.5 : tensor<1x4xf32>
    return %d : tensor<1x4xf32>
  }
}

// -----

// The module records the graph hash and the layer table `info` prints.
// CHECK: module attributes {exec.graph_hash = "{{[0-9a-f]+}}", exec.layers = [#exec.layer<name = "relu1", op = "relu", shape = [3, 4], params = 0, flops = 12, traffic = 96, fused_traffic = 96>]
module attributes {nn.model = "t", nn.batch = 3 : i64} {
  func.func @inference(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
    %r = nn.relu %x : tensor<3x4xf32> loc("relu1"("t.nn":4:3))
    return %r : tensor<3x4xf32>
  }
}

// -----

// A large im2col matrix (363 x 3025 floats = 4.4 MB per image, above the
// 2 MB budget) is built one image at a time; each image's GEMM writes its
// NCHW rows of the result directly (c_offset = n*F*P) and the bias follows
// in place: no conv_output.
// CHECK-LABEL: func.func @inference
//       CHECK:   %[[COL:.*]] = exec.alloc : memref<363x3025xf32>
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {group = 0 : i64, groups = 1 : i64, image = 0 : i64
//       CHECK:   exec.gemm %{{.*}}, %[[COL]], %[[Y:.*]] {k = 363 : i64, m = 8 : i64, n = 3025 : i64}
//       CHECK:   exec.im2col %{{.*}} -> %[[COL]] {group = 0 : i64, groups = 1 : i64, image = 1 : i64
//       CHECK:   exec.gemm %{{.*}}, %[[COL]], %[[Y]] {c_offset = 24200 : i64, k = 363 : i64, m = 8 : i64, n = 3025 : i64}
//       CHECK:   exec.bias_add %{{.*}} -> %[[Y]] {inner = 3025 : i64}
//   CHECK-NOT:   exec.conv_output
module attributes {nn.model = "big", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<8x3x11x11xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<8xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x3x224x224xf32>) -> tensor<2x8x55x55xf32> {
    %w = nn.param_ref @c.weight : tensor<8x3x11x11xf32>
    %b = nn.param_ref @c.bias : tensor<8xf32>
    %y = nn.conv2d %x, %w, %b stride [4, 4] pad [2, 2] groups 1 : tensor<2x3x224x224xf32>, tensor<8x3x11x11xf32>, tensor<8xf32> -> tensor<2x8x55x55xf32>
    return %y : tensor<2x8x55x55xf32>
  }
}
