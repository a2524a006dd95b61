// RUN: alexnet-opt %s --nn-autodiff --convert-nn-to-exec="entry-points=gradients" | FileCheck %s

// The zero gradient of a parameter the loss does not read is one exec.fill
// of 0 straight into its output buffer.
// CHECK-LABEL: func.func @gradients
//  CHECK-SAME: %[[G:[^:]*]]: memref<6x4xf32> {exec.output = "side.weight.grad"})
//       CHECK:   exec.fill %[[G]] {value = 0.000000e+00 : f32} : memref<6x4xf32>
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @side.weight : tensor<6x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<2x4xf32> {nn.input = "image"}, %l: tensor<2xi32> {nn.input = "label"}) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %y = nn.dense %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
