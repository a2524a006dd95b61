// RUN: alexnet-opt %s --split-input-file --convert-nn-to-exec="entry-points=train_step" --verify-diagnostics | FileCheck %s

// The paper's update lowers in place: exec.sgd_update reads the gradient
// and the lr argument and writes the velocity and the weight through their
// exec.param views (the momentum block and the parameter block), so the
// nn.param_store ops that follow need no copy.
// CHECK-LABEL: func.func @train_step
//  CHECK-SAME: %[[LR:[^:]*]]: memref<f32> {exec.input = "lr"}
//       CHECK:   exec.gemm {{.*}}trans_a = true
//       CHECK:   %[[W:.*]] = exec.param @fc.weight : memref<3x4xf32>
//       CHECK:   %[[V:.*]] = exec.param @fc.weight.momentum : memref<3x4xf32>
//       CHECK:   exec.sgd_update %[[G:[^,]*]], %[[LR]], %[[V]] -> %[[W]] {momentum = 9.000000e-01 : f64, weight_decay = 5.000000e-04 : f64}
//   CHECK-NOT:   exec.copy
//       CHECK:   return
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.weight.momentum : tensor<3x4xf32> {init = #nn.init<constant(0.0)>, optimizer_state}
  func.func @train_step(%x: tensor<2x4xf32> {nn.input = "image"}, %l: tensor<2xi32> {nn.input = "label"}, %lr: tensor<f32> {nn.input = "lr"}) -> (tensor<f32> {nn.output = "loss"}) {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %y = nn.dense %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    %dy = nn.softmax_cross_entropy_backward %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<2x3xf32>
    %g = nn.dense_backward_weight %x, %dy : tensor<2x4xf32>, tensor<2x3xf32> -> tensor<3x4xf32>
    %w0 = nn.param_ref @fc.weight : tensor<3x4xf32>
    %v0 = nn.param_ref @fc.weight.momentum : tensor<3x4xf32>
    %w1, %v1 = nn.sgd_update %w0, %v0, %g, %lr momentum 9.0e-01 weight_decay 5.0e-04 : tensor<3x4xf32>, tensor<f32>
    nn.param_store %w1 -> @fc.weight : tensor<3x4xf32>
    nn.param_store %v1 -> @fc.weight.momentum : tensor<3x4xf32>
    return %e : tensor<f32>
  }
}

// -----

// Storing a value that is not the parameter's own buffer copies it in.
// CHECK-LABEL: func.func @train_step
//       CHECK:   %[[P:.*]] = exec.param @fc.weight : memref<3x4xf32>
//       CHECK:   exec.copy %{{[^ ]*}} -> %[[P]]
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @train_step(%x: tensor<3x4xf32> {nn.input = "image"}) -> (tensor<3x4xf32> {nn.output = "out"}) {
    %r = nn.relu %x : tensor<3x4xf32>
    nn.param_store %r -> @fc.weight : tensor<3x4xf32>
    return %x : tensor<3x4xf32>
  }
}

// -----

// Refused: an op after the in-place update still reads the old weight.
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.weight.momentum : tensor<3x4xf32> {init = #nn.init<constant(0.0)>, optimizer_state}
  func.func @train_step(%g: tensor<3x4xf32> {nn.input = "g"}, %lr: tensor<f32> {nn.input = "lr"}) -> (tensor<3x4xf32> {nn.output = "out"}) {
    %w0 = nn.param_ref @fc.weight : tensor<3x4xf32>
    %v0 = nn.param_ref @fc.weight.momentum : tensor<3x4xf32>
    // expected-error @+1 {{updates parameter 'fc.weight' in place but a later op still reads it: nn.relu}}
    %w1, %v1 = nn.sgd_update %w0, %v0, %g, %lr momentum 9.0e-01 weight_decay 5.0e-04 : tensor<3x4xf32>, tensor<f32>
    %r = nn.relu %w0 : tensor<3x4xf32>
    return %r : tensor<3x4xf32>
  }
}

// -----

// Refused: the weight is not a parameter, so there is nothing to update in
// place.
module {
  nn.parameter @fc.weight.momentum : tensor<3x4xf32> {init = #nn.init<constant(0.0)>, optimizer_state}
  func.func @train_step(%w: tensor<3x4xf32> {nn.input = "w"}, %g: tensor<3x4xf32> {nn.input = "g"}, %lr: tensor<f32> {nn.input = "lr"}) -> (tensor<3x4xf32> {nn.output = "out"}) {
    %v0 = nn.param_ref @fc.weight.momentum : tensor<3x4xf32>
    // expected-error @+1 {{expected the weight and the velocity to be nn.param_ref values (updated in place)}}
    %w1, %v1 = nn.sgd_update %w, %v0, %g, %lr momentum 9.0e-01 weight_decay 5.0e-04 : tensor<3x4xf32>, tensor<f32>
    return %w1 : tensor<3x4xf32>
  }
}
