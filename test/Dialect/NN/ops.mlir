// RUN: alexnet-opt %s | FileCheck %s
// RUN: alexnet-opt %s | alexnet-opt | FileCheck %s
// RUN: alexnet-opt %s -mlir-print-op-generic | alexnet-opt | FileCheck %s

// Every nn op round-trips through its custom assembly.

// CHECK: module attributes {nn.batch = 2 : i64, nn.model = "tiny", nn.train = {epochs = 3 : i64, lr = 1.000000e-02 : f64}}
module attributes {nn.batch = 2 : i64, nn.model = "tiny", nn.train = {epochs = 3 : i64, lr = 0.01 : f64}} {
  // CHECK: nn.parameter @conv1.weight : tensor<8x2x3x3xf32> {init = #nn.init<normal(0.000000e+00, 1.000000e-02)>}
  nn.parameter @conv1.weight : tensor<8x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  // CHECK: nn.parameter @conv1.bias : tensor<8xf32> {init = #nn.init<constant(1.000000e+00)>}
  nn.parameter @conv1.bias : tensor<8xf32> {init = #nn.init<constant(1.0)>}
  // CHECK: nn.parameter @fc.weight : tensor<10x32xf32> {init = #nn.init<uniform(-1.000000e-01, 1.000000e-01)>}
  nn.parameter @fc.weight : tensor<10x32xf32> {init = #nn.init<uniform(-0.1, 0.1)>}

  // CHECK-LABEL: func.func @inference
  // CHECK-SAME: (%[[X:.*]]: tensor<2x4x9x9xf32> {nn.input = "image"}, %[[Z:.*]]: tensor<2x8x4x4xf32> {nn.input = "skip"}) -> (tensor<2x10xf32> {nn.output = "probs"})
  func.func @inference(%x: tensor<2x4x9x9xf32> {nn.input = "image"},
                       %z: tensor<2x8x4x4xf32> {nn.input = "skip"})
      -> (tensor<2x10xf32> {nn.output = "probs"}) {
    // CHECK: %[[W:.*]] = nn.param_ref @conv1.weight : tensor<8x2x3x3xf32>
    %w = nn.param_ref @conv1.weight : tensor<8x2x3x3xf32>
    %b = nn.param_ref @conv1.bias : tensor<8xf32>
    // CHECK: %[[C:.*]] = nn.conv2d %[[X]], %[[W]], %{{.*}} stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32> -> tensor<2x8x5x5xf32>
    %c = nn.conv2d %x, %w, %b stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32>, tensor<8xf32> -> tensor<2x8x5x5xf32>
    // CHECK: nn.conv2d %[[X]], %[[W]] stride [1, 1] pad [0, 0] groups 2 : tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32> -> tensor<2x8x7x7xf32>
    %nobias = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 2 : tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32> -> tensor<2x8x7x7xf32>
    // CHECK: nn.relu %[[C]] : tensor<2x8x5x5xf32>
    %r = nn.relu %c : tensor<2x8x5x5xf32>
    // CHECK: nn.lrn %{{.*}} size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<2x8x5x5xf32>
    %n = nn.lrn %r size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x8x5x5xf32>
    // CHECK: nn.maxpool %{{.*}} window [3, 3] stride [2, 2] pad [1, 1] : tensor<2x8x5x5xf32> -> tensor<2x8x3x3xf32>
    %p = nn.maxpool %n window [3, 3] stride [2, 2] pad [1, 1] : tensor<2x8x5x5xf32> -> tensor<2x8x3x3xf32>
    // CHECK: nn.avgpool %{{.*}} window [2, 2] stride [1, 1] pad [0, 0] : tensor<2x8x3x3xf32> -> tensor<2x8x2x2xf32>
    %a = nn.avgpool %p window [2, 2] stride [1, 1] pad [0, 0] : tensor<2x8x3x3xf32> -> tensor<2x8x2x2xf32>
    // CHECK: nn.concat %{{.*}}, %{{.*}} axis 1 : tensor<2x8x2x2xf32>, tensor<2x8x2x2xf32> -> tensor<2x16x2x2xf32>
    %cat = nn.concat %a, %a axis 1 : tensor<2x8x2x2xf32>, tensor<2x8x2x2xf32> -> tensor<2x16x2x2xf32>
    // CHECK: nn.add %[[Z]], %[[Z]] : tensor<2x8x4x4xf32>
    %sum = nn.add %z, %z : tensor<2x8x4x4xf32>
    // CHECK: nn.flatten %{{.*}} : tensor<2x8x4x4xf32> -> tensor<2x128xf32>
    %flat0 = nn.flatten %sum : tensor<2x8x4x4xf32> -> tensor<2x128xf32>
    // CHECK: nn.flatten %{{.*}} : tensor<2x16x2x2xf32> -> tensor<2x64xf32>
    %flat = nn.flatten %cat : tensor<2x16x2x2xf32> -> tensor<2x64xf32>
    // CHECK: nn.dropout %{{.*}} rate 5.000000e-01 : tensor<2x64xf32>
    %d = nn.dropout %flat rate 0.5 : tensor<2x64xf32>
    %h = nn.avgpool %nobias window [7, 7] stride [7, 7] pad [0, 0] : tensor<2x8x7x7xf32> -> tensor<2x8x1x1xf32>
    %hh = nn.concat %h, %h, %h, %h axis 1 : tensor<2x8x1x1xf32>, tensor<2x8x1x1xf32>, tensor<2x8x1x1xf32>, tensor<2x8x1x1xf32> -> tensor<2x32x1x1xf32>
    %f = nn.flatten %hh : tensor<2x32x1x1xf32> -> tensor<2x32xf32>
    %fw = nn.param_ref @fc.weight : tensor<10x32xf32>
    // CHECK: nn.dense %{{.*}}, %{{.*}} : tensor<2x32xf32>, tensor<10x32xf32> -> tensor<2x10xf32>
    %y = nn.dense %f, %fw : tensor<2x32xf32>, tensor<10x32xf32> -> tensor<2x10xf32>
    // CHECK: nn.softmax %{{.*}} : tensor<2x10xf32>
    %s = nn.softmax %y : tensor<2x10xf32>
    // CHECK: nn.softmax_backward %{{.*}}, %{{.*}} : tensor<2x10xf32>
    %ds = nn.softmax_backward %y, %s : tensor<2x10xf32>
    // CHECK: nn.zeros : tensor<2x10xf32>
    %zeros = nn.zeros : tensor<2x10xf32>
    return %s : tensor<2x10xf32>
  }

  // CHECK-LABEL: func.func @loss
  func.func @loss(%x: tensor<2x10xf32>, %labels: tensor<2xi32>) -> tensor<f32> {
    // CHECK: nn.softmax_cross_entropy %{{.*}}, %{{.*}} : tensor<2x10xf32>, tensor<2xi32> -> tensor<f32>
    %l = nn.softmax_cross_entropy %x, %labels : tensor<2x10xf32>, tensor<2xi32> -> tensor<f32>
    return %l : tensor<f32>
  }
}


// The fused ops nn-fuse builds, and the gradients' through_relu.
// CHECK-LABEL: func.func @fused
func.func @fused(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
                 %v: tensor<1x48xf32>, %fw: tensor<5x48xf32>, %fb: tensor<5xf32>,
                 %dy: tensor<1x4x8x8xf32>, %dp: tensor<1x4x4x4xf32>) -> tensor<1x5xf32> {
  // CHECK: nn.conv2d_relu %{{.*}}, %{{.*}}, %{{.*}} stride [1, 1] pad [1, 1] groups 1 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x8x8xf32>
  %r = nn.conv2d_relu %x, %w, %b stride [1, 1] pad [1, 1] groups 1 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x8x8xf32>
  // CHECK: nn.conv2d_relu_lrn %{{.*}}, %{{.*}} stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  %f:2 = nn.conv2d_relu_lrn %x, %w stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  // CHECK: nn.lrn_backward %{{.*}}, %{{.*}}, %{{.*}} size 3 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 through_relu : tensor<1x4x8x8xf32>
  %g = nn.lrn_backward %dy, %f#0, %f#1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 through_relu : tensor<1x4x8x8xf32>
  // CHECK: nn.maxpool_backward %{{.*}}, %{{.*}} window [2, 2] stride [2, 2] pad [0, 0] through_relu : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>
  %h = nn.maxpool_backward %dp, %r window [2, 2] stride [2, 2] pad [0, 0] through_relu : tensor<1x4x4x4xf32>, tensor<1x4x8x8xf32>
  // CHECK: nn.dense_relu %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x48xf32>, tensor<5x48xf32>, tensor<5xf32> -> tensor<1x5xf32>
  %y = nn.dense_relu %v, %fw, %fb : tensor<1x48xf32>, tensor<5x48xf32>, tensor<5xf32> -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}

// What nn-partition builds: transfers, an LRN with halo channels and its
// gradient, a slice gradient added into its range, parameter shards and a
// dropout piece.
// CHECK-LABEL: module @partitioned
module @partitioned {
  nn.parameter @p.weight : tensor<8x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  // CHECK: func.func @pieces
  func.func @pieces(%x: tensor<1x6x4x4xf32>, %dy: tensor<1x4x4x4xf32>, %part: tensor<1x2x4x4xf32>, %h: tensor<2x4xf32>) -> tensor<2x4xf32> {
    // CHECK: nn.transfer %{{.*}} from 1 to 0 {nn.device = 0 : i64} : tensor<1x6x4x4xf32>
    %t = nn.transfer %x from 1 to 0 {nn.device = 0 : i64} : tensor<1x6x4x4xf32>
    // CHECK: nn.lrn_halo %{{.*}} halo [2, 0] size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<1x6x4x4xf32> -> tensor<1x4x4x4xf32>
    %y = nn.lrn_halo %t halo [2, 0] size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x6x4x4xf32> -> tensor<1x4x4x4xf32>
    // CHECK: nn.lrn_halo_backward %{{.*}}, %{{.*}}, %{{.*}} halo [2, 0] size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32> -> tensor<1x6x4x4xf32>
    %dx = nn.lrn_halo_backward %dy, %t, %y halo [2, 0] size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x4x4xf32>, tensor<1x6x4x4xf32> -> tensor<1x6x4x4xf32>
    // CHECK: nn.add_slice %{{.*}}, %{{.*}} axis 1 offset 4 : tensor<1x6x4x4xf32>, tensor<1x2x4x4xf32>
    %s = nn.add_slice %dx, %part axis 1 offset 4 : tensor<1x6x4x4xf32>, tensor<1x2x4x4xf32>
    // CHECK: nn.param_ref @p.weight {row_offset = 4 : i64} : tensor<4x4xf32>
    %w = nn.param_ref @p.weight {row_offset = 4 : i64} : tensor<4x4xf32>
    // CHECK: nn.dropout %{{.*}} rate 5.000000e-01 {stream = 1 : i64, window = array<i64: 1, 4, 8>} : tensor<2x4xf32>
    %d = nn.dropout %h rate 0.5 {stream = 1 : i64, window = array<i64: 1, 4, 8>} : tensor<2x4xf32>
    // CHECK: nn.param_store %{{.*}} -> @p.weight {row_offset = 4 : i64} : tensor<4x4xf32>
    nn.param_store %w -> @p.weight {row_offset = 4 : i64} : tensor<4x4xf32>
    return %d : tensor<2x4xf32>
  }
}
