// RUN: alexnet-opt %s --nn-autodiff | FileCheck %s
// RUN: alexnet-opt %s --nn-partition="devices=2 min-part=1" --nn-autodiff | FileCheck %s --check-prefix=PART

// A parameter the loss does not read (a layer whose output reaches no loss)
// is not an error: as in PyTorch, @gradients returns zeros for it, and
// @train_step leaves it and its velocity unchanged (torch.optim.SGD skips a
// parameter whose .grad is None: no weight decay, no momentum). Its velocity
// still exists, so every parameter has the same optimizer state.
//       CHECK: nn.parameter @side.weight.momentum : tensor<6x4xf32> {{.*}}optimizer_state
// CHECK-LABEL: func.func @gradients
//  CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3x4xf32> {nn.output = "fc.weight.grad"}, tensor<6x4xf32> {nn.output = "side.weight.grad"})
//       CHECK:   %[[DW:.*]] = nn.dense_backward_weight
//       CHECK:   %[[Z:.*]] = nn.zeros : tensor<6x4xf32>
//       CHECK:   return %{{.*}}, %[[DW]], %[[Z]]
// CHECK-LABEL: func.func @train_step
//       CHECK:   nn.sgd_update
//   CHECK-NOT:   @side.weight
//       CHECK:   return

// Partitioned: the zeros are on device 0, with the other whole gradients.
// PART-LABEL: func.func @gradients
//       PART:   nn.zeros {nn.device = 0 : i64} : tensor<6x4xf32>
// PART-LABEL: func.func @train_step
//   PART-NOT:   @side.weight
//       PART:   return
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
