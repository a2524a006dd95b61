// RUN: alexnet-opt %s --split-input-file --nn-autodiff --convert-nn-to-exec="entry-points=gradients batch-backward=true" | FileCheck %s

// The CUDA pipeline's convolution gradients: the whole batch at once. dy
// (2 images x 4 channels x 9 pixels) is reordered once to [4, 18] rows; per
// group, dx's columns are W_g^T [8, 2] . dy_g [2, 18] (b_offset = g*Fg*N*P
// = 36), folded back by a batch-wide col2im (no image), and dW_g [2, 8] is
// dy_g . col^T over all 18 columns of a batch-wide im2col (k = N*P = 18, no
// beta: one GEMM writes it).
// CHECK-LABEL: func.func @gradients
//       CHECK:   exec.channel_major %{{[^ ]*}} -> %[[ROWS:[^ ]*]] : memref<2x4x3x3xf32> -> memref<4x18xf32>
//  CHECK-NEXT:   %[[DC:.*]] = exec.alloc : memref<8x18xf32>
//  CHECK-NEXT:   exec.gemm %{{[^,]*}}, %[[ROWS]], %[[DC]] {k = 2 : i64, m = 8 : i64, n = 18 : i64, trans_a = true}
//  CHECK-NEXT:   exec.col2im %[[DC]] -> %{{[^ ]*}} {group = 0 : i64, groups = 2 : i64, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0>, stride = array<i64: 2, 2>}
//  CHECK-NEXT:   exec.gemm %{{[^,]*}}, %[[ROWS]], %[[DC]] {a_offset = 16 : i64, b_offset = 36 : i64, k = 2 : i64, m = 8 : i64, n = 18 : i64, trans_a = true}
//  CHECK-NEXT:   exec.col2im %[[DC]] -> %{{[^ ]*}} {group = 1 : i64, groups = 2 : i64,
//       CHECK:   %[[COL:.*]] = exec.alloc : memref<8x18xf32>
//  CHECK-NEXT:   exec.im2col %{{[^ ]*}} -> %[[COL]] {group = 0 : i64, groups = 2 : i64, kernel
//  CHECK-NEXT:   exec.gemm %[[ROWS]], %[[COL]], %{{[^ ]*}} {k = 18 : i64, m = 2 : i64, n = 8 : i64, trans_b = true}
//  CHECK-NEXT:   exec.im2col %{{[^ ]*}} -> %[[COL]] {group = 1 : i64, groups = 2 : i64, kernel
//  CHECK-NEXT:   exec.gemm %[[ROWS]], %[[COL]], %{{[^ ]*}} {a_offset = 36 : i64, c_offset = 16 : i64, k = 18 : i64, m = 2 : i64, n = 8 : i64, trans_b = true}
// conv1 (1x1, no input gradient): its own reordered dy, [4, 72].
//       CHECK:   exec.channel_major %{{[^ ]*}} -> %[[ROWS1:[^ ]*]] : memref<2x4x6x6xf32> -> memref<4x72xf32>
//       CHECK:   exec.gemm %[[ROWS1]], %{{[^,]*}}, %{{[^ ]*}} {k = 72 : i64, m = 4 : i64, n = 1 : i64, trans_b = true}
module {
  nn.parameter @c1.weight : tensor<4x1x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c2.weight : tensor<4x2x2x2xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<2x1x6x6xf32>, %l: tensor<2xi32>) -> tensor<f32> {
    %w1 = nn.param_ref @c1.weight : tensor<4x1x1x1xf32>
    %c1 = nn.conv2d %x, %w1 stride [1, 1] pad [0, 0] groups 1 : tensor<2x1x6x6xf32>, tensor<4x1x1x1xf32> -> tensor<2x4x6x6xf32>
    %r = nn.relu %c1 : tensor<2x4x6x6xf32>
    %w2 = nn.param_ref @c2.weight : tensor<4x2x2x2xf32>
    %c2 = nn.conv2d %r, %w2 stride [2, 2] pad [0, 0] groups 2 : tensor<2x4x6x6xf32>, tensor<4x2x2x2xf32> -> tensor<2x4x3x3xf32>
    %f = nn.flatten %c2 : tensor<2x4x3x3xf32> -> tensor<2x36xf32>
    %e = nn.softmax_cross_entropy %f, %l : tensor<2x36xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

// A bias gradient of a batch: dy's [C, N*P] rows (shared with the weight
// gradient) times a ones vector, one GEMV, instead of a thread per channel.
// CHECK-LABEL: func.func @gradients
//       CHECK:   exec.channel_major %{{[^ ]*}} -> %[[ROWS:[^ ]*]] : memref<2x3x4x4xf32> -> memref<3x32xf32>
//       CHECK:   %[[ONES:.*]] = exec.alloc : memref<32xf32>
//  CHECK-NEXT:   exec.fill %[[ONES]] {value = 1.000000e+00 : f32} : memref<32xf32>
//  CHECK-NEXT:   exec.gemm %[[ROWS]], %[[ONES]], %{{[^ ]*}} {k = 32 : i64, m = 3 : i64, n = 1 : i64}
//   CHECK-NOT:   exec.bias_grad
module {
  nn.parameter @c.weight : tensor<3x1x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<3xf32> {init = #nn.init<constant(0.0)>}
  func.func @loss(%x: tensor<2x1x4x4xf32>, %l: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<3x1x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<3xf32>
    %c = nn.conv2d %x, %w, %b stride [1, 1] pad [1, 1] groups 1 : tensor<2x1x4x4xf32>, tensor<3x1x3x3xf32>, tensor<3xf32> -> tensor<2x3x4x4xf32>
    %f = nn.flatten %c : tensor<2x3x4x4xf32> -> tensor<2x48xf32>
    %e = nn.softmax_cross_entropy %f, %l : tensor<2x48xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
