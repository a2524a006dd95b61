// RUN: alexnet-opt %s --split-input-file --nn-autodiff --convert-nn-to-exec="entry-points=gradients" | FileCheck %s

// The loss and the dense layer's gradients: cross_entropy writes the scalar
// loss output, cross_entropy_grad dlogits; dW = dy^T x is one GEMM with
// trans_a writing the gradient output directly; db is a bias_grad.
// CHECK-LABEL: func.func @gradients
//  CHECK-SAME: (%[[X:[^:]*]]: memref<2x4xf32> {exec.input = "image"}, %[[L:[^:]*]]: memref<2xi32> {exec.input = "label"}, %{{[^:]*}}: memref<i64> {exec.input = "seed"}, %{{[^:]*}}: memref<i64> {exec.input = "step"}, %{{[^:]*}}: memref<i1> {exec.input = "dropout"}, %[[LOSS:[^:]*]]: memref<f32> {exec.output = "loss"}, %[[DW:[^:]*]]: memref<3x4xf32> {exec.output = "fc.weight.grad"}, %[[DB:[^:]*]]: memref<3xf32> {exec.output = "fc.bias.grad"})
//       CHECK:   exec.cross_entropy %[[Y:[^,]*]], %[[L]] -> %[[LOSS]]
//       CHECK:   exec.cross_entropy_grad %[[Y]], %[[L]] -> %[[DY:[^ ]*]]
//       CHECK:   exec.gemm %[[DY]], %[[X]], %[[DW]] {k = 2 : i64, m = 3 : i64, n = 4 : i64, trans_a = true}
//       CHECK:   exec.bias_grad %[[DY]] -> %[[DB]]
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.bias : tensor<3xf32> {init = #nn.init<constant(0.0)>}
  func.func @loss(%x: tensor<2x4xf32> {nn.input = "image"}, %l: tensor<2xi32> {nn.input = "label"}) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %b = nn.param_ref @fc.bias : tensor<3xf32>
    %y = nn.dense %x, %w, %b : tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

// A grouped convolution at batch 2 after another one: per image and group,
// dW accumulates dy_g[n] . col^T (beta = 1 from the second image on, the
// group's rows at c_offset; dy_g[n] starts at (n*F + g*Fg)*P = 54), and dx is W_g^T . dy_g[n] folded back by
// col2im into that image's group channels.
// CHECK-LABEL: func.func @gradients
//       CHECK:   exec.gemm %{{[^,]*}}, %[[DY:[^,]*]], %[[DC:[^ ]*]] {a_offset = 16 : i64, b_offset = 54 : i64, k = 2 : i64, m = 8 : i64, n = 9 : i64, trans_a = true}
//  CHECK-NEXT:   exec.col2im %[[DC]] -> %{{[^ ]*}} {group = 1 : i64, groups = 2 : i64, image = 1 : i64, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0>, stride = array<i64: 2, 2>}
//       CHECK:   exec.im2col %{{[^ ]*}} -> %[[COL:[^ ]*]] {group = 1 : i64, groups = 2 : i64, image = 1 : i64
//  CHECK-NEXT:   exec.gemm %[[DY]], %[[COL]], %{{[^ ]*}} {a_offset = 54 : i64, beta = 1.000000e+00 : f32, c_offset = 16 : i64, k = 9 : i64, m = 2 : i64, n = 8 : i64, trans_b = true}
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

// Dropout's mask is drawn once and multiplies both passes; relu, LRN and
// pooling gradients become their exec kernels; flatten's gradient is a
// reshape view (no copy).
// CHECK-LABEL: func.func @gradients
//       CHECK:   exec.dropout_mask %{{.*}}, %{{.*}}, %{{.*}} -> %[[M:[^ ]*]] {rate = 5.000000e-01 : f64, stream = 0 : i64}
//       CHECK:   exec.mul %{{[^,]*}}, %[[M]] -> %{{.*}}
//       CHECK:   exec.cross_entropy_grad
//       CHECK:   exec.mul %{{[^,]*}}, %[[M]] -> %{{.*}}
//   CHECK-NOT:   exec.copy
//       CHECK:   exec.reshape %{{.*}} : memref<1x4xf32> to memref<1x4x1x1xf32>
//       CHECK:   exec.avgpool_grad
//       CHECK:   exec.maxpool_grad
//       CHECK:   exec.lrn_grad {{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, k = 2.000000e+00 : f64, size = 3 : i64}
//       CHECK:   exec.relu_grad
module {
  nn.parameter @c.weight : tensor<4x1x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<1x1x5x5xf32>, %l: tensor<1xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<4x1x1x1xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x1x5x5xf32>, tensor<4x1x1x1xf32> -> tensor<1x4x5x5xf32>
    %r = nn.relu %c : tensor<1x4x5x5xf32>
    %n = nn.lrn %r size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x5x5xf32>
    %p = nn.maxpool %n window [3, 3] stride [2, 2] pad [0, 0] : tensor<1x4x5x5xf32> -> tensor<1x4x2x2xf32>
    %a = nn.avgpool %p window [2, 2] stride [1, 1] pad [0, 0] : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
    %f = nn.flatten %a : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
    %d = nn.dropout %f rate 0.5 : tensor<1x4xf32>
    %e = nn.softmax_cross_entropy %d, %l : tensor<1x4xf32>, tensor<1xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
