// RUN: alexnet-opt %s --nn-autodiff --convert-nn-to-exec="entry-points=gradients" | FileCheck %s

// A softmax in the middle of the graph: its gradient is one exec.softmax_grad
// reading the incoming gradient (dx of the next dense layer's GEMM) and the
// softmax's output buffer, writing the buffer dW's GEMM reads.
// CHECK-LABEL: func.func @gradients
//       CHECK:   exec.softmax %{{.*}} -> %[[P:[^ ]*]] : memref<2x6xf32> -> memref<2x6xf32>
//       CHECK:   exec.gemm %{{.*}}, %{{.*}}, %[[DP:[^ ]*]] {k = 3 : i64, m = 2 : i64, n = 6 : i64}
//       CHECK:   exec.softmax_grad %[[DP]], %[[P]] -> %[[DH:[^ ]*]] : memref<2x6xf32>, memref<2x6xf32> -> memref<2x6xf32>
//       CHECK:   exec.gemm %[[DH]], %{{.*}}, %{{.*}} {k = 2 : i64, m = 6 : i64, n = 4 : i64, trans_a = true}
module {
  nn.parameter @fc1.weight : tensor<6x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc2.weight : tensor<3x6xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<2x4xf32> {nn.input = "image"}, %l: tensor<2xi32> {nn.input = "label"}) -> tensor<f32> {
    %w1 = nn.param_ref @fc1.weight : tensor<6x4xf32>
    %h = nn.dense %x, %w1 : tensor<2x4xf32>, tensor<6x4xf32> -> tensor<2x6xf32>
    %p = nn.softmax %h : tensor<2x6xf32>
    %w2 = nn.param_ref @fc2.weight : tensor<3x6xf32>
    %y = nn.dense %p, %w2 : tensor<2x6xf32>, tensor<3x6xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
