// RUN: alexnet-opt %s --nn-autodiff | FileCheck %s
// RUN: alexnet-opt %s --nn-partition="devices=2 min-part=1" --nn-autodiff | FileCheck %s --check-prefix=PART

// A softmax whose output feeds further layers (not the loss's own softmax,
// which nn.softmax_cross_entropy_backward covers): its input's gradient is
// nn.softmax_backward of the incoming gradient and the softmax's output,
// placed on the softmax's device in a partitioned graph.

// CHECK-LABEL: func.func @train_step
//       CHECK:   %[[P:.*]] = nn.softmax %[[H:[^ ]*]] : tensor<2x6xf32>
//       CHECK:   %[[DP:.*]] = nn.dense_backward_input
//       CHECK:   %[[DH:.*]] = nn.softmax_backward %[[DP]], %[[P]] : tensor<2x6xf32>
//       CHECK:   nn.dense_backward_weight %{{.*}}, %[[DH]] : tensor<2x4xf32>, tensor<2x6xf32> -> tensor<6x4xf32>

// PART-LABEL: func.func @train_step
//       PART:   %[[P:.*]] = nn.softmax %{{.*}} {nn.device = 0 : i64} : tensor<2x6xf32>
//       PART:   %[[DP:.*]] = nn.dense_backward_input %{{.*}} {nn.device = 0 : i64}
//       PART:   %[[DH:.*]] = nn.softmax_backward %[[DP]], %[[P]] {nn.device = 0 : i64} : tensor<2x6xf32>
//       PART:   nn.slice %[[DH]] axis 1 offset 0 {nn.device = 0 : i64}
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
