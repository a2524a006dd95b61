// RUN: alexnet-opt %s --split-input-file --nn-fuse | FileCheck %s
// RUN: alexnet-opt %s --split-input-file --nn-fuse=remarks=true -verify-diagnostics -o /dev/null

// The paper's conv1: conv2d -> relu -> lrn becomes one op. In inference
// nothing else reads the ReLU's output, so its result #0 is unused.
// The module remembers the unfused graph's hash (weights stay portable).
//       CHECK: module attributes {nn.graph_hash = "{{[0-9a-f]+}}"}
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
//       CHECK:   %[[W:.*]] = nn.param_ref @c.weight
//       CHECK:   %[[B:.*]] = nn.param_ref @c.bias
//       CHECK:   %[[F:.*]]:2 = nn.conv2d_relu_lrn %[[X]], %[[W]], %[[B]] stride [1, 1] pad [1, 1] groups 1 size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
//   CHECK-NOT:   nn.relu
//   CHECK-NOT:   nn.lrn
//       CHECK:   return %[[F]]#1
module {
  nn.parameter @c.weight : tensor<4x3x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x8x8xf32> {
    %w = nn.param_ref @c.weight : tensor<4x3x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    // expected-remark @+1 {{fused conv2d + relu + lrn into nn.conv2d_relu_lrn in @inference}}
    %c = nn.conv2d %x, %w, %b stride [1, 1] pad [1, 1] groups 1 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x8x8xf32>
    %r = nn.relu %c : tensor<1x4x8x8xf32>
    %y = nn.lrn %r size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x8x8xf32>
    return %y : tensor<1x4x8x8xf32>
  }
}

// -----

// conv2d -> relu without an LRN (conv3-5), and without a bias.
// CHECK-LABEL: func.func @conv_relu
//       CHECK:   %[[R:.*]] = nn.conv2d_relu %{{.*}}, %{{.*}} stride [2, 2] pad [0, 0] groups 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x4x4xf32>
//  CHECK-NEXT:   return %[[R]]
func.func @conv_relu(%x: tensor<2x4x9x9xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x4x4xf32> {
  // expected-remark @+1 {{fused conv2d + relu into nn.conv2d_relu in @conv_relu}}
  %c = nn.conv2d %x, %w stride [2, 2] pad [0, 0] groups 2 : tensor<2x4x9x9xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x4x4xf32>
  %r = nn.relu %c : tensor<2x6x4x4xf32>
  return %r : tensor<2x6x4x4xf32>
}

// -----

// dense -> relu with a bias (fc6, fc7).
// CHECK-LABEL: func.func @dense_relu
//       CHECK:   %[[R:.*]] = nn.dense_relu %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x8xf32>, tensor<5x8xf32>, tensor<5xf32> -> tensor<2x5xf32>
//  CHECK-NEXT:   return %[[R]]
func.func @dense_relu(%x: tensor<2x8xf32>, %w: tensor<5x8xf32>, %b: tensor<5xf32>) -> tensor<2x5xf32> {
  // expected-remark @+1 {{fused dense + relu into nn.dense_relu in @dense_relu}}
  %y = nn.dense %x, %w, %b : tensor<2x8xf32>, tensor<5x8xf32>, tensor<5xf32> -> tensor<2x5xf32>
  %r = nn.relu %y : tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

// Refused: a dense without a bias leaves no epilogue pass for the ReLU.
// CHECK-LABEL: func.func @dense_no_bias
//       CHECK:   nn.dense
//       CHECK:   nn.relu
func.func @dense_no_bias(%x: tensor<2x8xf32>, %w: tensor<5x8xf32>) -> tensor<2x5xf32> {
  %y = nn.dense %x, %w : tensor<2x8xf32>, tensor<5x8xf32> -> tensor<2x5xf32>
  // expected-remark @+1 {{not fused: nn.dense has no bias, so its GEMM leaves no epilogue pass to fold the ReLU into}}
  %r = nn.relu %y : tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

// Refused: the dense's result is returned too, so it cannot be hidden.
// CHECK-LABEL: func.func @dense_two_users
//       CHECK:   nn.dense
//       CHECK:   nn.relu
func.func @dense_two_users(%x: tensor<2x8xf32>, %w: tensor<5x8xf32>, %b: tensor<5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %y = nn.dense %x, %w, %b : tensor<2x8xf32>, tensor<5x8xf32>, tensor<5xf32> -> tensor<2x5xf32>
  // expected-remark @+1 {{not fused: the dense result of nn.dense is also read by func.return; fusing would recompute the GEMM}}
  %r = nn.relu %y : tensor<2x5xf32>
  return %y, %r : tensor<2x5xf32>, tensor<2x5xf32>
}

// -----

// Refused: a second reader of the convolution (here another ReLU) would
// need it recomputed; neither ReLU absorbs it.
// CHECK-LABEL: func.func @conv_two_users
//       CHECK:   nn.conv2d
//       CHECK:   nn.relu
//       CHECK:   nn.add
func.func @conv_two_users(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32> -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{not fused: the conv2d result of nn.conv2d is also read by nn.add; fusing would recompute the convolution}}
  %r = nn.relu %c : tensor<1x2x4x4xf32>
  %s = nn.add %r, %c : tensor<1x2x4x4xf32>
  return %s : tensor<1x2x4x4xf32>
}

// -----

// Refused: a fusion never crosses a device boundary.
// CHECK-LABEL: func.func @two_devices
//       CHECK:   nn.conv2d {{.*}}nn.device = 0
//       CHECK:   nn.relu {{.*}}nn.device = 1
func.func @two_devices(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 {nn.device = 0 : i64} : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32> -> tensor<1x2x4x4xf32>
  // expected-remark @+1 {{not fused: nn.conv2d is on device 0 and nn.relu on device 1 (a fusion never crosses devices)}}
  %r = nn.relu %c {nn.device = 1 : i64} : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Ops on one device fuse, and the fused op keeps the device.
// CHECK-LABEL: func.func @one_device
//       CHECK:   nn.conv2d_relu {{.*}}{nn.device = 1 : i64}
func.func @one_device(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-remark @+1 {{fused conv2d + relu into nn.conv2d_relu in @one_device}}
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 {nn.device = 1 : i64} : tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32> -> tensor<1x2x4x4xf32>
  %r = nn.relu %c {nn.device = 1 : i64} : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// Refused: an LRN across more channels than the fused epilogue's tile;
// conv2d + relu still fuse.
// CHECK-LABEL: func.func @wide_lrn
//       CHECK:   %[[R:.*]] = nn.conv2d_relu
//       CHECK:   nn.lrn %[[R]]
func.func @wide_lrn(%x: tensor<1x1x1x1xf32>, %w: tensor<1040x1x1x1xf32>) -> tensor<1x1040x1x1xf32> {
  // expected-remark @+1 {{fused conv2d + relu into nn.conv2d_relu in @wide_lrn}}
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x1x1x1xf32>, tensor<1040x1x1x1xf32> -> tensor<1x1040x1x1xf32>
  %r = nn.relu %c : tensor<1x1040x1x1xf32>
  // expected-remark @+1 {{not fused: nn.lrn normalises across 1040 channels, more than the fused epilogue's tile of 1024}}
  %y = nn.lrn %r size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x1040x1x1xf32>
  return %y : tensor<1x1040x1x1xf32>
}

// -----

// Another op reads the ReLU's output before the LRN (issue 14, found by
// fuzz_models.py, seed 1942122611): the fused op takes conv2d_relu's place,
// so its ReLU output is defined before that reader.
// CHECK-LABEL: func.func @relu_read_before_lrn
//       CHECK:   %[[F:.*]]:2 = nn.conv2d_relu_lrn
//  CHECK-NEXT:   %[[R2:.*]] = nn.relu %[[F]]#0
//  CHECK-NEXT:   return %[[F]]#1, %[[R2]]
func.func @relu_read_before_lrn(%x: tensor<1x2x4x4xf32>, %w: tensor<4x2x1x1xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  // expected-remark @+1 {{fused conv2d + relu + lrn into nn.conv2d_relu_lrn in @relu_read_before_lrn}}
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32> -> tensor<1x4x4x4xf32>
  %r = nn.relu %c : tensor<1x4x4x4xf32>
  %r2 = nn.relu %r : tensor<1x4x4x4xf32>
  %y = nn.lrn %r size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x4x4xf32>
  return %y, %r2 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// The training graph: the backward pass reads the ReLU's output, so the
// fused op exposes it (result #0) and the LRN gradient takes the ReLU's
// mask (through_relu): relu_backward is gone.
// CHECK-LABEL: func.func @train
//       CHECK:   %[[F:.*]]:2 = nn.conv2d_relu_lrn
//       CHECK:   %[[G:.*]] = nn.lrn_backward %{{.*}}, %[[F]]#0, %[[F]]#1 size 3 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 through_relu : tensor<1x4x4x4xf32>
//   CHECK-NOT:   nn.relu_backward
//       CHECK:   return %[[F]]#1, %[[G]]
func.func @train(%x: tensor<1x2x4x4xf32>, %w: tensor<4x2x1x1xf32>, %dy: tensor<1x4x4x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  // expected-remark @+1 {{fused conv2d + relu + lrn into nn.conv2d_relu_lrn in @train}}
  %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x2x4x4xf32>, tensor<4x2x1x1xf32> -> tensor<1x4x4x4xf32>
  %r = nn.relu %c : tensor<1x4x4x4xf32>
  %y = nn.lrn %r size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x4x4xf32>
  // expected-remark @+1 {{fused the gradients of lrn + relu into nn.lrn_backward through_relu in @train}}
  %g = nn.lrn_backward %dy, %r, %y size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x4x4xf32>
  %dz = nn.relu_backward %g, %r : tensor<1x4x4x4xf32>
  return %y, %dz : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// conv5 -> relu5 -> pool5 backward: the pool gradient applies the mask.
// CHECK-LABEL: func.func @pool_grad
//       CHECK:   %[[G:.*]] = nn.maxpool_backward %{{.*}}, %{{.*}} window [2, 2] stride [2, 2] pad [0, 0] through_relu : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
//  CHECK-NEXT:   return %[[G]]
func.func @pool_grad(%r: tensor<1x1x4x4xf32>, %dp: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-remark @+1 {{fused the gradients of maxpool + relu into nn.maxpool_backward through_relu in @pool_grad}}
  %g = nn.maxpool_backward %dp, %r window [2, 2] stride [2, 2] pad [0, 0] : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  %dz = nn.relu_backward %g, %r : tensor<1x1x4x4xf32>
  return %dz : tensor<1x1x4x4xf32>
}

// -----

// Refused: the ReLU's mask is not the pool's forward input.
// CHECK-LABEL: func.func @other_mask
//       CHECK:   nn.maxpool_backward %{{.*}}, %{{.*}} window [2, 2] stride [2, 2] pad [0, 0] :
//       CHECK:   nn.relu_backward
func.func @other_mask(%a: tensor<1x1x4x4xf32>, %m: tensor<1x1x4x4xf32>, %dp: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %g = nn.maxpool_backward %dp, %a window [2, 2] stride [2, 2] pad [0, 0] : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  // expected-remark @+1 {{not fused: the ReLU's output is not the forward input of nn.maxpool_backward, so its mask cannot be taken from it}}
  %dz = nn.relu_backward %g, %m : tensor<1x1x4x4xf32>
  return %dz : tensor<1x1x4x4xf32>
}

// -----

// Refused: the LRN gradient is read by another op too.
// CHECK-LABEL: func.func @grad_two_users
//       CHECK:   nn.lrn_backward %{{.*}} k 2.000000e+00 :
//       CHECK:   nn.relu_backward
func.func @grad_two_users(%r: tensor<1x4x2x2xf32>, %y: tensor<1x4x2x2xf32>, %dy: tensor<1x4x2x2xf32>) -> (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) {
  %g = nn.lrn_backward %dy, %r, %y size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x2x2xf32>
  // expected-remark @+1 {{not fused: the lrn_backward result of nn.lrn_backward is also read by func.return; fusing would compute the gradient twice}}
  %dz = nn.relu_backward %g, %r : tensor<1x4x2x2xf32>
  return %g, %dz : tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>
}
