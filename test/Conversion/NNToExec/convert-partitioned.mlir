// RUN: alexnet-opt %s --convert-nn-to-exec="entry-points=inference,pieces" | FileCheck %s

// A partitioned graph lowers op by op as before; each exec op carries its
// nn op's device (exec.device; an exec.alloc goes to that device's arena),
// parameter shards become views at their row offset, nn.transfer becomes
// exec.transfer into a buffer of the target device, and the result is
// written on device 0.
// CHECK-LABEL: func.func @inference
//  CHECK-SAME: (%[[X:.*]]: memref<2x4xf32> {exec.input = "x"}, %[[OUT:.*]]: memref<2x4xf32> {exec.output = "y"})
//       CHECK: %[[W0:.*]] = exec.param @p.weight {exec.device = 0 : i64, row_offset = 0 : i64} : memref<2x4xf32>
//       CHECK: %[[Y0:.*]] = exec.alloc : memref<2x2xf32>
//       CHECK: exec.gemm %[[X]], %[[W0]], %[[Y0]] {exec.device = 0 : i64
//       CHECK: %[[W1:.*]] = exec.param @p.weight {exec.device = 1 : i64, row_offset = 2 : i64} : memref<2x4xf32>
//       CHECK: %[[Y1:.*]] = exec.alloc {device = 1 : i64} : memref<2x2xf32>
//       CHECK: exec.gemm %[[X]], %[[W1]], %[[Y1]] {exec.device = 1 : i64
//       CHECK: %[[T:.*]] = exec.alloc : memref<2x2xf32>
//       CHECK: exec.transfer %[[Y1]] -> %[[T]] from 1 to 0 {exec.device = 0 : i64} : memref<2x2xf32> -> memref<2x2xf32>
//       CHECK: exec.concat %[[Y0]], %[[T]] -> %[[OUT]] {axis = 1 : i64, exec.device = 0 : i64}
func.func @inference(%x: tensor<2x4xf32> {nn.input = "x"}) -> (tensor<2x4xf32> {nn.output = "y"}) {
  %w0 = nn.param_ref @p.weight {nn.device = 0 : i64, row_offset = 0 : i64} : tensor<2x4xf32>
  %y0 = nn.dense %x, %w0 {nn.device = 0 : i64} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x2xf32>
  %w1 = nn.param_ref @p.weight {nn.device = 1 : i64, row_offset = 2 : i64} : tensor<2x4xf32>
  %y1 = nn.dense %x, %w1 {nn.device = 1 : i64} : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x2xf32>
  %t = nn.transfer %y1 from 1 to 0 {nn.device = 0 : i64} : tensor<2x2xf32>
  %c = nn.concat %y0, %t axis 1 {nn.device = 0 : i64} : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x4xf32>
  return %c : tensor<2x4xf32>
}
nn.parameter @p.weight : tensor<4x4xf32> {init = #nn.init<normal(0.0, 0.01)>}

// A halo's gradient added into its owner's gradient: in place on the
// base's buffer when nothing else reads it. The LRN with a halo and its
// gradient keep the halo.
// CHECK-LABEL: func.func @pieces
//       CHECK: %[[E:.*]] = exec.alloc {device = 1 : i64} : memref<1x6x2x2xf32>
//       CHECK: exec.lrn %{{.*}} -> %[[Y:.*]] {{{.*}}exec.device = 1 : i64, halo = array<i64: 2, 0>{{.*}}} : memref<1x6x2x2xf32> -> memref<1x4x2x2xf32>
//       CHECK: exec.lrn_grad %{{.*}}, %{{.*}}, %[[Y]] -> %[[DX:.*]] {{{.*}}halo = array<i64: 2, 0>{{.*}}} : memref<1x4x2x2xf32>, memref<1x6x2x2xf32>, memref<1x4x2x2xf32> -> memref<1x6x2x2xf32>
//       CHECK: %[[B:.*]] = exec.alloc {device = 1 : i64} : memref<1x6x2x2xf32>
//       CHECK: exec.relu %[[DX]] -> %[[B]]
//   CHECK-NOT: exec.copy
//       CHECK: exec.add_slice %{{.*}} -> %[[B]] {axis = 1 : i64, exec.device = 1 : i64, offset = 4 : i64} : memref<1x2x2x2xf32> -> memref<1x6x2x2xf32>
//       CHECK: exec.relu %[[B]] -> %{{.*}} {exec.device = 1 : i64}
func.func @pieces(%x: tensor<1x6x2x2xf32>, %dy: tensor<1x4x2x2xf32>, %part: tensor<1x2x2x2xf32>) -> tensor<1x6x2x2xf32> {
  %e = nn.relu %x {nn.device = 1 : i64} : tensor<1x6x2x2xf32>
  %y = nn.lrn_halo %e halo [2, 0] size 5 alpha 1.0e-4 beta 0.75 k 2.0 {nn.device = 1 : i64} : tensor<1x6x2x2xf32> -> tensor<1x4x2x2xf32>
  %dx = nn.lrn_halo_backward %dy, %e, %y halo [2, 0] size 5 alpha 1.0e-4 beta 0.75 k 2.0 {nn.device = 1 : i64} : tensor<1x4x2x2xf32>, tensor<1x6x2x2xf32> -> tensor<1x6x2x2xf32>
  %b = nn.relu %dx {nn.device = 1 : i64} : tensor<1x6x2x2xf32>
  %s = nn.add_slice %b, %part axis 1 offset 4 {nn.device = 1 : i64} : tensor<1x6x2x2xf32>, tensor<1x2x2x2xf32>
  %r = nn.relu %s {nn.device = 1 : i64} : tensor<1x6x2x2xf32>
  return %r : tensor<1x6x2x2xf32>
}
