// RUN: alexnet-opt %s --split-input-file --nn-partition="devices=2 min-part=2" | FileCheck %s
// RUN: alexnet-opt %s --split-input-file --nn-partition=devices=1 | FileCheck %s --check-prefix=ONE
// RUN: alexnet-opt %s --split-input-file --nn-partition="devices=2 min-part=2 parallel=hybrid" | FileCheck %s --check-prefix=HYBRID

// One device: the pass changes nothing (no placement, no transfers, no
// nn.devices) in any of the cases below.
//   ONE-NOT: nn.device
//   ONE-NOT: nn.transfer
//   ONE-NOT: row_offset

// Two towers, the paper's pattern in miniature. conv1 splits its filters:
// device d computes rows [4d, 4d+4) of the weight and bias from the image,
// which every device has (no transfer). norm1 exchanges one halo channel
// with the neighbour (size 3). conv2 (groups 2) keeps one group per device:
// no transfer. conv3 (groups 1) reads both devices' maps: gathered on each.
// The dense layer gathers its input too; the softmax gathers the logits on
// device 0, where the result is.
// CHECK: module attributes {nn.devices = 2 : i64, nn.graph_hash = "{{[0-9a-f]+}}"}
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: tensor<2x3x8x8xf32>)
//       CHECK: %[[W0:.*]] = nn.param_ref @conv1.weight {nn.device = 0 : i64, row_offset = 0 : i64} : tensor<4x3x3x3xf32>
//       CHECK: %[[B0:.*]] = nn.param_ref @conv1.bias {nn.device = 0 : i64, row_offset = 0 : i64} : tensor<4xf32>
//       CHECK: %[[C0:.*]] = nn.conv2d %[[X]], %[[W0]], %[[B0]] {{.*}} groups 1 {nn.device = 0 : i64} {{.*}} -> tensor<2x4x8x8xf32>
//       CHECK: nn.param_ref @conv1.weight {nn.device = 1 : i64, row_offset = 4 : i64} : tensor<4x3x3x3xf32>
//       CHECK: %[[C1:.*]] = nn.conv2d %[[X]], {{.*}} {nn.device = 1 : i64}
//       CHECK: %[[R0:.*]] = nn.relu %[[C0]] {nn.device = 0 : i64}
//       CHECK: %[[R1:.*]] = nn.relu %[[C1]] {nn.device = 1 : i64}
//       CHECK: %[[E1:.*]] = nn.slice %[[R1]] axis 1 offset 0 {nn.device = 1 : i64} : tensor<2x4x8x8xf32> -> tensor<2x1x8x8xf32>
//       CHECK: %[[H1:.*]] = nn.transfer %[[E1]] from 1 to 0 {nn.device = 0 : i64}
//       CHECK: %[[X0:.*]] = nn.concat %[[R0]], %[[H1]] axis 1 {nn.device = 0 : i64} {{.*}} -> tensor<2x5x8x8xf32>
//       CHECK: %[[N0:.*]] = nn.lrn_halo %[[X0]] halo [0, 1] size 3 {{.*}} {nn.device = 0 : i64} : tensor<2x5x8x8xf32> -> tensor<2x4x8x8xf32>
//       CHECK: %[[E0:.*]] = nn.slice %[[R0]] axis 1 offset 3 {nn.device = 0 : i64}
//       CHECK: %[[H0:.*]] = nn.transfer %[[E0]] from 0 to 1 {nn.device = 1 : i64}
//       CHECK: %[[X1:.*]] = nn.concat %[[H0]], %[[R1]] axis 1 {nn.device = 1 : i64}
//       CHECK: %[[N1:.*]] = nn.lrn_halo %[[X1]] halo [1, 0] {{.*}} {nn.device = 1 : i64}
//   CHECK-NOT: nn.transfer
//       CHECK: nn.param_ref @conv2.weight {nn.device = 0 : i64, row_offset = 0 : i64} : tensor<4x4x3x3xf32>
//       CHECK: %[[D0:.*]] = nn.conv2d %[[N0]], {{.*}} groups 1 {nn.device = 0 : i64} : tensor<2x4x8x8xf32>, tensor<4x4x3x3xf32> -> tensor<2x4x8x8xf32>
//       CHECK: nn.param_ref @conv2.weight {nn.device = 1 : i64, row_offset = 4 : i64}
//       CHECK: %[[D1:.*]] = nn.conv2d %[[N1]], {{.*}} groups 1 {nn.device = 1 : i64}
//       CHECK: %[[G1:.*]] = nn.transfer %[[D1]] from 1 to 0 {nn.device = 0 : i64} : tensor<2x4x8x8xf32>
//       CHECK: %[[A0:.*]] = nn.concat %[[D0]], %[[G1]] axis 1 {nn.device = 0 : i64} {{.*}} -> tensor<2x8x8x8xf32>
//       CHECK: %[[G0:.*]] = nn.transfer %[[D0]] from 0 to 1 {nn.device = 1 : i64}
//       CHECK: %[[A1:.*]] = nn.concat %[[G0]], %[[D1]] axis 1 {nn.device = 1 : i64}
//       CHECK: nn.conv2d %[[A0]], {{.*}} {nn.device = 0 : i64}
//       CHECK: nn.conv2d %[[A1]], {{.*}} {nn.device = 1 : i64}
//       CHECK: %[[F0:.*]] = nn.flatten {{.*}} {nn.device = 0 : i64} : tensor<2x4x8x8xf32> -> tensor<2x256xf32>
//       CHECK: %[[F1:.*]] = nn.flatten {{.*}} {nn.device = 1 : i64}
//       CHECK: nn.transfer %[[F1]] from 1 to 0
//       CHECK: nn.transfer %[[F0]] from 0 to 1
//       CHECK: nn.param_ref @fc.weight {nn.device = 0 : i64, row_offset = 0 : i64} : tensor<5x512xf32>
//       CHECK: %[[L0:.*]] = nn.dense {{.*}} {nn.device = 0 : i64} : tensor<2x512xf32>, tensor<5x512xf32>, tensor<5xf32> -> tensor<2x5xf32>
//       CHECK: %[[L1:.*]] = nn.dense {{.*}} {nn.device = 1 : i64}
//       CHECK: %[[T:.*]] = nn.transfer %[[L1]] from 1 to 0 {nn.device = 0 : i64} : tensor<2x5xf32>
//       CHECK: %[[L:.*]] = nn.concat %[[L0]], %[[T]] axis 1 {nn.device = 0 : i64}
//       CHECK: %[[P:.*]] = nn.softmax %[[L]] {nn.device = 0 : i64} : tensor<2x10xf32>
//       CHECK: return %[[P]]

// Hybrid: the convolutions split the batch instead. Each device slices its
// images from the input (which it has: no transfer) and reads the whole
// weights, copied from device 0; the LRN needs no halo. The dense layer
// gathers the batch and splits its units, as in model parallelism.
// HYBRID-LABEL: func.func @inference
//       HYBRID: %[[S0:.*]] = nn.slice %{{.*}} axis 0 offset 0 {nn.device = 0 : i64} : tensor<2x3x8x8xf32> -> tensor<1x3x8x8xf32>
//       HYBRID: %[[S1:.*]] = nn.slice %{{.*}} axis 0 offset 1 {nn.device = 1 : i64} : tensor<2x3x8x8xf32> -> tensor<1x3x8x8xf32>
//       HYBRID: %[[W:.*]] = nn.param_ref @conv1.weight {nn.device = 0 : i64} : tensor<8x3x3x3xf32>
//       HYBRID: nn.conv2d %[[S0]], %[[W]], {{.*}} {nn.device = 0 : i64} {{.*}} -> tensor<1x8x8x8xf32>
//       HYBRID: %[[W1:.*]] = nn.transfer %[[W]] from 0 to 1 {nn.device = 1 : i64} : tensor<8x3x3x3xf32>
//       HYBRID: nn.conv2d %[[S1]], %[[W1]], {{.*}} {nn.device = 1 : i64}
//       HYBRID: nn.lrn %{{.*}} size 3 {{.*}} {nn.device = 0 : i64} : tensor<1x8x8x8xf32>
//   HYBRID-NOT: nn.lrn_halo
//       HYBRID: nn.concat {{.*}} axis 0 {nn.device = 0 : i64} : tensor<1x512xf32>, tensor<1x512xf32> -> tensor<2x512xf32>
//       HYBRID: nn.dense {{.*}} {nn.device = 0 : i64} : tensor<2x512xf32>, tensor<5x512xf32>, tensor<5xf32> -> tensor<2x5xf32>
module {
  nn.parameter @conv1.weight : tensor<8x3x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @conv1.bias : tensor<8xf32> {init = #nn.init<constant(0.0)>}
  nn.parameter @conv2.weight : tensor<8x4x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @conv3.weight : tensor<8x8x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.weight : tensor<10x512xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.bias : tensor<10xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x3x8x8xf32>) -> tensor<2x10xf32> {
    %w1 = nn.param_ref @conv1.weight : tensor<8x3x3x3xf32>
    %b1 = nn.param_ref @conv1.bias : tensor<8xf32>
    %c1 = nn.conv2d %x, %w1, %b1 stride [1, 1] pad [1, 1] groups 1 : tensor<2x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<2x8x8x8xf32>
    %r1 = nn.relu %c1 : tensor<2x8x8x8xf32>
    %n1 = nn.lrn %r1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x8x8x8xf32>
    %w2 = nn.param_ref @conv2.weight : tensor<8x4x3x3xf32>
    %c2 = nn.conv2d %n1, %w2 stride [1, 1] pad [1, 1] groups 2 : tensor<2x8x8x8xf32>, tensor<8x4x3x3xf32> -> tensor<2x8x8x8xf32>
    %w3 = nn.param_ref @conv3.weight : tensor<8x8x3x3xf32>
    %c3 = nn.conv2d %c2, %w3 stride [1, 1] pad [1, 1] groups 1 : tensor<2x8x8x8xf32>, tensor<8x8x3x3xf32> -> tensor<2x8x8x8xf32>
    %f = nn.flatten %c3 : tensor<2x8x8x8xf32> -> tensor<2x512xf32>
    %wf = nn.param_ref @fc.weight : tensor<10x512xf32>
    %bf = nn.param_ref @fc.bias : tensor<10xf32>
    %l = nn.dense %f, %wf, %bf : tensor<2x512xf32>, tensor<10x512xf32>, tensor<10xf32> -> tensor<2x10xf32>
    %p = nn.softmax %l : tensor<2x10xf32>
    return %p : tensor<2x10xf32>
  }
}

// -----

// groups=3 does not map onto two devices, and 3 filters per group cannot be
// split along groups: the convolution runs whole on device 0, its input
// gathered there (and only there).
// CHECK-LABEL: func.func @groups_mismatch
//       CHECK: nn.conv2d {{.*}} {nn.device = 0 : i64} {{.*}} -> tensor<1x3x4x4xf32>
//       CHECK: nn.conv2d {{.*}} {nn.device = 1 : i64} {{.*}} -> tensor<1x3x4x4xf32>
//       CHECK: nn.transfer %{{.*}} from 1 to 0 {nn.device = 0 : i64} : tensor<1x3x4x4xf32>
//       CHECK: %[[G:.*]] = nn.concat {{.*}} {nn.device = 0 : i64} {{.*}} -> tensor<1x6x4x4xf32>
//   CHECK-NOT: nn.transfer
//       CHECK: nn.param_ref @g.weight {nn.device = 0 : i64} : tensor<6x2x1x1xf32>
//       CHECK: nn.conv2d %[[G]], {{.*}} groups 3 {nn.device = 0 : i64}
module {
  nn.parameter @a.weight : tensor<6x3x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @g.weight : tensor<6x2x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @groups_mismatch(%x: tensor<1x3x4x4xf32>) -> tensor<1x6x4x4xf32> {
    %wa = nn.param_ref @a.weight : tensor<6x3x1x1xf32>
    %a = nn.conv2d %x, %wa stride [1, 1] pad [0, 0] groups 1 : tensor<1x3x4x4xf32>, tensor<6x3x1x1xf32> -> tensor<1x6x4x4xf32>
    %wg = nn.param_ref @g.weight : tensor<6x2x1x1xf32>
    %g = nn.conv2d %a, %wg stride [1, 1] pad [0, 0] groups 3 : tensor<1x6x4x4xf32>, tensor<6x2x1x1xf32> -> tensor<1x6x4x4xf32>
    return %g : tensor<1x6x4x4xf32>
  }
}

// -----

// Too small to split: 2 filters would leave 1 per device (< min-part 2);
// 3 units do not divide by 2. Both run whole on device 0: no transfer.
// CHECK-LABEL: func.func @too_small
//   CHECK-NOT: row_offset
//   CHECK-NOT: nn.transfer
//       CHECK: nn.conv2d {{.*}} {nn.device = 0 : i64}
//       CHECK: nn.dense {{.*}} {nn.device = 0 : i64}
module {
  nn.parameter @s.weight : tensor<2x1x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @d.weight : tensor<3x32xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @too_small(%x: tensor<1x1x4x4xf32>) -> tensor<1x3xf32> {
    %ws = nn.param_ref @s.weight : tensor<2x1x3x3xf32>
    %s = nn.conv2d %x, %ws stride [1, 1] pad [1, 1] groups 1 : tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32> -> tensor<1x2x4x4xf32>
    %f = nn.flatten %s : tensor<1x2x4x4xf32> -> tensor<1x32xf32>
    %wd = nn.param_ref @d.weight : tensor<3x32xf32>
    %d = nn.dense %f, %wd : tensor<1x32xf32>, tensor<3x32xf32> -> tensor<1x3xf32>
    return %d : tensor<1x3xf32>
  }
}

// -----

// A split dropout: both pieces draw the layer's mask (stream 0) at their
// place in it (window [axis, offset, whole extent]).
// CHECK-LABEL: func.func @dropout
//       CHECK: nn.dropout %{{.*}} rate 5.000000e-01 {nn.device = 0 : i64, stream = 0 : i64, window = array<i64: 1, 0, 8>} : tensor<2x4xf32>
//       CHECK: nn.dropout %{{.*}} rate 5.000000e-01 {nn.device = 1 : i64, stream = 0 : i64, window = array<i64: 1, 4, 8>} : tensor<2x4xf32>
module {
  nn.parameter @h.weight : tensor<8x6xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @dropout(%x: tensor<2x6xf32>) -> tensor<2x8xf32> {
    %w = nn.param_ref @h.weight : tensor<8x6xf32>
    %h = nn.dense %x, %w : tensor<2x6xf32>, tensor<8x6xf32> -> tensor<2x8xf32>
    %d = nn.dropout %h rate 0.5 : tensor<2x8xf32>
    return %d : tensor<2x8xf32>
  }
}
