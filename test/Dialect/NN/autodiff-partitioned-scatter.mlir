// RUN: alexnet-opt %s --split-input-file --nn-partition="devices=2" --nn-autodiff | FileCheck %s

// A value nn-partition scatters (slices of a whole value, one per device,
// for a grouped convolution whose input is not split already) has
// gradients only for its slices: nn-autodiff concatenates them, in offset
// order along the sliced axis, into the whole value's gradient. Here conv
// c is too small to split (4 filters, min-part 8), so relu, the padded
// max-pool and their gradients run whole on device 0, and the grouped
// conv g scatters the pool's channels over both devices.

// CHECK-LABEL: func.func @train_step
//       CHECK: %[[P:.*]] = nn.maxpool %{{.*}} {nn.device = 0 : i64}
//       CHECK: %[[S0:.*]] = nn.slice %[[P]] axis 1 offset 0 {nn.device = 0 : i64}
//       CHECK: %[[S1:.*]] = nn.slice %[[P]] axis 1 offset 2 {nn.device = 0 : i64}
//       CHECK: nn.transfer %[[S1]] from 0 to 1
//       CHECK: %[[DX1:.*]] = nn.conv2d_backward_input {{.*}} {nn.device = 1 : i64} : tensor<2x1x2x2xf32>, tensor<1x2x1x1xf32> -> tensor<2x2x2x2xf32>
//       CHECK: %[[DX0:.*]] = nn.conv2d_backward_input {{.*}} {nn.device = 0 : i64} : tensor<2x1x2x2xf32>, tensor<1x2x1x1xf32> -> tensor<2x2x2x2xf32>
//       CHECK: %[[BACK:.*]] = nn.transfer %[[DX1]] from 1 to 0 {nn.device = 0 : i64}
//       CHECK: %[[DP:.*]] = nn.concat %[[DX0]], %[[BACK]] axis 1 {nn.device = 0 : i64} : tensor<2x2x2x2xf32>, tensor<2x2x2x2xf32> -> tensor<2x4x2x2xf32>
//   CHECK-NOT: nn.add_slice
//       CHECK: %[[DR:.*]] = nn.maxpool_backward %[[DP]], {{.*}} {nn.device = 0 : i64}
//       CHECK: nn.relu_backward %[[DR]], {{.*}} {nn.device = 0 : i64}
module {
  nn.parameter @c.weight : tensor<4x1x3x3xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @g.weight : tensor<2x2x1x1xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @d.weight : tensor<2x8xf32> {init = #nn.init<normal(0.0, 0.1)>}
  func.func @loss(%x: tensor<2x1x4x4xf32>, %labels: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<4x1x3x3xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [1, 1] groups 1 : tensor<2x1x4x4xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x4x4xf32>
    %r = nn.relu %c : tensor<2x4x4x4xf32>
    %p = nn.maxpool %r window [3, 3] stride [2, 2] pad [1, 1] : tensor<2x4x4x4xf32> -> tensor<2x4x2x2xf32>
    %wg = nn.param_ref @g.weight : tensor<2x2x1x1xf32>
    %g = nn.conv2d %p, %wg stride [1, 1] pad [0, 0] groups 2 : tensor<2x4x2x2xf32>, tensor<2x2x1x1xf32> -> tensor<2x2x2x2xf32>
    %f = nn.flatten %g : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
    %wd = nn.param_ref @d.weight : tensor<2x8xf32>
    %d = nn.dense %f, %wd : tensor<2x8xf32>, tensor<2x8xf32> -> tensor<2x2xf32>
    %e = nn.softmax_cross_entropy %d, %labels : tensor<2x2xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

// Two grouped convs scatter the same pool output: one set of slices tiles
// it (their gradients concatenated), the other's gradients are added into
// their ranges.
// CHECK-LABEL: func.func @train_step
//       CHECK: %[[DP:.*]] = nn.concat %{{.*}}, %{{.*}} axis 1 {nn.device = 0 : i64} : tensor<2x2x2x2xf32>, tensor<2x2x2x2xf32> -> tensor<2x4x2x2xf32>
//       CHECK: %[[A1:.*]] = nn.add_slice %[[DP]], %{{.*}} axis 1 offset 2 {nn.device = 0 : i64}
//       CHECK: %[[A0:.*]] = nn.add_slice %[[A1]], %{{.*}} axis 1 offset 0 {nn.device = 0 : i64}
//       CHECK: nn.maxpool_backward %[[A0]], {{.*}} {nn.device = 0 : i64}
module {
  nn.parameter @c.weight : tensor<4x1x3x3xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @g.weight : tensor<2x2x1x1xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @h.weight : tensor<2x2x1x1xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @d.weight : tensor<2x8xf32> {init = #nn.init<normal(0.0, 0.1)>}
  func.func @loss(%x: tensor<2x1x4x4xf32>, %labels: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<4x1x3x3xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [1, 1] groups 1 : tensor<2x1x4x4xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x4x4xf32>
    %p = nn.maxpool %c window [2, 2] stride [2, 2] pad [0, 0] : tensor<2x4x4x4xf32> -> tensor<2x4x2x2xf32>
    %wg = nn.param_ref @g.weight : tensor<2x2x1x1xf32>
    %g = nn.conv2d %p, %wg stride [1, 1] pad [0, 0] groups 2 : tensor<2x4x2x2xf32>, tensor<2x2x1x1xf32> -> tensor<2x2x2x2xf32>
    %wh = nn.param_ref @h.weight : tensor<2x2x1x1xf32>
    %h = nn.conv2d %p, %wh stride [1, 1] pad [0, 0] groups 2 : tensor<2x4x2x2xf32>, tensor<2x2x1x1xf32> -> tensor<2x2x2x2xf32>
    %s = nn.add %g, %h : tensor<2x2x2x2xf32>
    %f = nn.flatten %s : tensor<2x2x2x2xf32> -> tensor<2x8xf32>
    %wd = nn.param_ref @d.weight : tensor<2x8xf32>
    %d = nn.dense %f, %wd : tensor<2x8xf32>, tensor<2x8xf32> -> tensor<2x2xf32>
    %e = nn.softmax_cross_entropy %d, %labels : tensor<2x2xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
