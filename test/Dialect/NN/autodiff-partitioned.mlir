// RUN: alexnet-opt %s --nn-partition="devices=2 min-part=1" --nn-autodiff | FileCheck %s

// nn-autodiff on a partitioned @loss: every gradient op on its forward op's
// device; a transfer's gradient is the reverse transfer; a gathered input's
// gradient is the devices' partial sums (slices of each device's dx, the
// other half transferred back and added: a reduce-scatter); an LRN halo's
// gradient returns to its owner and is added into its range (nn.add_slice);
// each parameter shard is updated in place on its own device.

// CHECK-LABEL: func.func @gradients
// The whole gradient of a sharded parameter is gathered on device 0.
//       CHECK: %[[T:.*]] = nn.transfer %{{.*}} from 1 to 0 {nn.device = 0 : i64} : tensor<2x1x3x3xf32>
//       CHECK: nn.concat %{{.*}}, %[[T]] axis 0 {nn.device = 0 : i64} : tensor<2x1x3x3xf32>, tensor<2x1x3x3xf32> -> tensor<4x1x3x3xf32>

// CHECK-LABEL: func.func @train_step
//       CHECK: %[[L:.*]] = nn.concat %{{.*}}, %{{.*}} axis 1 {nn.device = 0 : i64} : tensor<2x1xf32>, tensor<2x1xf32> -> tensor<2x2xf32>
//       CHECK: %[[DL:.*]] = nn.softmax_cross_entropy_backward %[[L]], %{{.*}} {nn.device = 0 : i64}
//       CHECK: %[[DL0:.*]] = nn.slice %[[DL]] axis 1 offset 0 {nn.device = 0 : i64}
//       CHECK: %[[DL1:.*]] = nn.slice %[[DL]] axis 1 offset 1 {nn.device = 0 : i64}
//       CHECK: %[[BACK:.*]] = nn.transfer %[[DL1]] from 0 to 1 {nn.device = 1 : i64} : tensor<2x1xf32>
//       CHECK: %[[DX1:.*]] = nn.dense_backward_input %[[BACK]], {{.*}} {nn.device = 1 : i64} : tensor<2x1xf32>, tensor<1x64xf32> -> tensor<2x64xf32>
//       CHECK: nn.dense_backward_weight {{.*}}, %[[BACK]] {nn.device = 1 : i64}
//       CHECK: %[[DX0:.*]] = nn.dense_backward_input %[[DL0]], {{.*}} {nn.device = 0 : i64}
//       CHECK: %[[P10:.*]] = nn.slice %[[DX1]] axis 1 offset 0 {nn.device = 1 : i64} : tensor<2x64xf32> -> tensor<2x32xf32>
//       CHECK: %[[P11:.*]] = nn.slice %[[DX1]] axis 1 offset 32 {nn.device = 1 : i64}
//       CHECK: %[[M10:.*]] = nn.transfer %[[P10]] from 1 to 0 {nn.device = 0 : i64} : tensor<2x32xf32>
//       CHECK: %[[P00:.*]] = nn.slice %[[DX0]] axis 1 offset 0 {nn.device = 0 : i64}
//       CHECK: nn.add %[[M10]], %[[P00]] {nn.device = 0 : i64} : tensor<2x32xf32>
//       CHECK: %[[P01:.*]] = nn.slice %[[DX0]] axis 1 offset 32 {nn.device = 0 : i64}
//       CHECK: %[[M01:.*]] = nn.transfer %[[P01]] from 0 to 1 {nn.device = 1 : i64}
//       CHECK: nn.add %[[P11]], %[[M01]] {nn.device = 1 : i64}
//       CHECK: %[[G1:.*]] = nn.lrn_halo_backward %{{.*}} halo [1, 0] size 3 {{.*}} {nn.device = 1 : i64} : tensor<2x2x4x4xf32>, tensor<2x3x4x4xf32> -> tensor<2x3x4x4xf32>
//       CHECK: %[[H1:.*]] = nn.slice %[[G1]] axis 1 offset 0 {nn.device = 1 : i64} : tensor<2x3x4x4xf32> -> tensor<2x1x4x4xf32>
//       CHECK: %[[OWN1:.*]] = nn.slice %[[G1]] axis 1 offset 1 {nn.device = 1 : i64} : tensor<2x3x4x4xf32> -> tensor<2x2x4x4xf32>
//       CHECK: %[[H1TO0:.*]] = nn.transfer %[[H1]] from 1 to 0 {nn.device = 0 : i64}
//       CHECK: %[[G0:.*]] = nn.lrn_halo_backward %{{.*}} halo [0, 1] {{.*}} {nn.device = 0 : i64}
//       CHECK: %[[OWN0:.*]] = nn.slice %[[G0]] axis 1 offset 0 {nn.device = 0 : i64}
//       CHECK: %[[H0:.*]] = nn.slice %[[G0]] axis 1 offset 2 {nn.device = 0 : i64}
//       CHECK: %[[H0TO1:.*]] = nn.transfer %[[H0]] from 0 to 1 {nn.device = 1 : i64}
//       CHECK: %[[S1:.*]] = nn.add_slice %[[OWN1]], %[[H0TO1]] axis 1 offset 0 {nn.device = 1 : i64} : tensor<2x2x4x4xf32>, tensor<2x1x4x4xf32>
//       CHECK: nn.relu_backward %[[S1]], %{{.*}} {nn.device = 1 : i64}
//       CHECK: %[[S0:.*]] = nn.add_slice %[[OWN0]], %[[H1TO0]] axis 1 offset 1 {nn.device = 0 : i64}
//       CHECK: nn.relu_backward %[[S0]], %{{.*}} {nn.device = 0 : i64}
//       CHECK: %[[DW1:.*]] = nn.conv2d_backward_weight {{.*}} {nn.device = 1 : i64} {{.*}} -> tensor<2x1x3x3xf32>
//       CHECK: %[[DW0:.*]] = nn.conv2d_backward_weight {{.*}} {nn.device = 0 : i64} {{.*}} -> tensor<2x1x3x3xf32>
// Each shard's update: weight and momentum rows of its own device.
//       CHECK: %[[W1:.*]] = nn.param_ref @c.weight {nn.device = 1 : i64, row_offset = 2 : i64} : tensor<2x1x3x3xf32>
//       CHECK: %[[V1:.*]] = nn.param_ref @c.weight.momentum {nn.device = 1 : i64, row_offset = 2 : i64}
//       CHECK: %[[U1:.*]]:2 = nn.sgd_update %[[W1]], %[[V1]], %[[DW1]], {{.*}} {nn.device = 1 : i64}
//       CHECK: nn.param_store %[[U1]]#0 -> @c.weight {nn.device = 1 : i64, row_offset = 2 : i64}
//       CHECK: nn.param_store %[[U1]]#1 -> @c.weight.momentum {nn.device = 1 : i64, row_offset = 2 : i64}
//       CHECK: %[[W0:.*]] = nn.param_ref @c.weight {nn.device = 0 : i64, row_offset = 0 : i64}
//       CHECK: nn.sgd_update %[[W0]], %{{.*}}, %[[DW0]], {{.*}} {nn.device = 0 : i64}
module {
  nn.parameter @c.weight : tensor<4x1x3x3xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @fc.weight : tensor<2x64xf32> {init = #nn.init<normal(0.0, 0.1)>}
  nn.parameter @fc.bias : tensor<2xf32> {init = #nn.init<constant(0.0)>}
  func.func @loss(%x: tensor<2x1x4x4xf32>, %labels: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<4x1x3x3xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [1, 1] groups 1 : tensor<2x1x4x4xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x4x4xf32>
    %r = nn.relu %c : tensor<2x4x4x4xf32>
    %n = nn.lrn %r size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x4x4x4xf32>
    %f = nn.flatten %n : tensor<2x4x4x4xf32> -> tensor<2x64xf32>
    %wf = nn.param_ref @fc.weight : tensor<2x64xf32>
    %bf = nn.param_ref @fc.bias : tensor<2xf32>
    %l = nn.dense %f, %wf, %bf : tensor<2x64xf32>, tensor<2x64xf32>, tensor<2xf32> -> tensor<2x2xf32>
    %e = nn.softmax_cross_entropy %l, %labels : tensor<2x2xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
