// RUN: alexnet-opt %s --split-input-file --nn-autodiff | FileCheck %s

// dense + bias: dx is not needed (the input is the image), dW = dy^T x,
// db = sum of dy; @gradients returns the loss, then every parameter's
// gradient in declaration order, and @loss is gone.
//       CHECK: func.func @gradients
//  CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4xf32> {nn.input = "image"}, %[[L:[^:]*]]: tensor<2xi32> {nn.input = "label"}, %{{.*}}: tensor<i64> {nn.input = "seed"}, %{{.*}}: tensor<i64> {nn.input = "step"}, %{{.*}}: tensor<i1> {nn.input = "dropout"})
//  CHECK-SAME: -> (tensor<f32> {nn.output = "loss"}, tensor<3x4xf32> {nn.output = "fc.weight.grad"}, tensor<3xf32> {nn.output = "fc.bias.grad"})
//       CHECK:   %[[Y:.*]] = nn.dense %[[X]]
//       CHECK:   %[[E:.*]] = nn.softmax_cross_entropy %[[Y]], %[[L]]
//       CHECK:   %[[DY:.*]] = nn.softmax_cross_entropy_backward %[[Y]], %[[L]]
//   CHECK-NOT:   nn.dense_backward_input
//       CHECK:   %[[DW:.*]] = nn.dense_backward_weight %[[X]], %[[DY]] : tensor<2x4xf32>, tensor<2x3xf32> -> tensor<3x4xf32>
//       CHECK:   %[[DB:.*]] = nn.bias_backward %[[DY]] : tensor<2x3xf32> -> tensor<3xf32>
//       CHECK:   return %[[E]], %[[DW]], %[[DB]]
//   CHECK-NOT: func.func @loss
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.bias : tensor<3xf32> {init = #nn.init<constant(0.0)>}
  func.func @loss(%x: tensor<2x4xf32> {nn.input = "image"}, %l: tensor<2xi32> {nn.input = "label"}) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %b = nn.param_ref @fc.bias : tensor<3xf32>
    %y = nn.dense %x, %w, %b : tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

//       CHECK: {{^// -+$}}
// @train_step takes the learning rate, adds one zero-initialised momentum
// parameter per parameter (optimizer_state) and applies the paper's update
// with the train block's momentum and weight decay, storing both back.
// CHECK: nn.parameter @fc.weight.momentum : tensor<3x4xf32> {init = #nn.init<constant(0.000000e+00)>, optimizer_state}
//       CHECK: func.func @train_step
//  CHECK-SAME: %[[LR:[^:]*]]: tensor<f32> {nn.input = "lr"}
//  CHECK-SAME: -> (tensor<f32> {nn.output = "loss"})
//       CHECK:   %[[DW:.*]] = nn.dense_backward_weight
//       CHECK:   %[[W:.*]] = nn.param_ref @fc.weight
//       CHECK:   %[[V:.*]] = nn.param_ref @fc.weight.momentum
//       CHECK:   %[[U:.*]]:2 = nn.sgd_update %[[W]], %[[V]], %[[DW]], %[[LR]] momentum 8.000000e-01 weight_decay 1.000000e-03
//       CHECK:   nn.param_store %[[U]]#0 -> @fc.weight
//       CHECK:   nn.param_store %[[U]]#1 -> @fc.weight.momentum
//       CHECK:   return
module attributes {nn.train = {momentum = 0.8 : f64, weight_decay = 1.0e-3 : f64}} {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %y = nn.dense %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

//       CHECK: {{^// -+$}}
// Two conv layers (the second grouped and strided): the second needs dx
// (through relu_backward, which reads the relu's output), the first only
// dW and db; attributes are carried over.
//       CHECK: func.func @gradients
//       CHECK:   %[[C1:.*]] = nn.conv2d %[[X:[^,]*]], %{{.*}}, %{{.*}} stride [1, 1] pad [1, 1] groups 1
//       CHECK:   %[[R:.*]] = nn.relu %[[C1]]
//       CHECK:   %[[C2:.*]] = nn.conv2d %[[R]], %[[W2:[^ ]*]] stride [2, 2] pad [0, 0] groups 2
//       CHECK:   %[[DX2:.*]] = nn.conv2d_backward_input %[[DY:[^,]*]], %[[W2]] stride [2, 2] pad [0, 0] groups 2 : tensor<1x4x3x3xf32>, tensor<4x2x2x2xf32> -> tensor<1x4x6x6xf32>
//       CHECK:   nn.conv2d_backward_weight %[[R]], %[[DY]] stride [2, 2] pad [0, 0] groups 2 : tensor<1x4x6x6xf32>, tensor<1x4x3x3xf32> -> tensor<4x2x2x2xf32>
//       CHECK:   %[[DR:.*]] = nn.relu_backward %[[DX2]], %[[R]] : tensor<1x4x6x6xf32>
//   CHECK-NOT:   nn.conv2d_backward_input
//       CHECK:   nn.conv2d_backward_weight %[[X]], %[[DR]] stride [1, 1] pad [1, 1] groups 1
//       CHECK:   nn.bias_backward %[[DR]] : tensor<1x4x6x6xf32> -> tensor<4xf32>
module {
  nn.parameter @c1.weight : tensor<4x3x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c1.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  nn.parameter @c2.weight : tensor<4x2x2x2xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<1x3x6x6xf32>, %l: tensor<1xi32>) -> tensor<f32> {
    %w1 = nn.param_ref @c1.weight : tensor<4x3x3x3xf32>
    %b1 = nn.param_ref @c1.bias : tensor<4xf32>
    %c1 = nn.conv2d %x, %w1, %b1 stride [1, 1] pad [1, 1] groups 1 : tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
    %r = nn.relu %c1 : tensor<1x4x6x6xf32>
    %w2 = nn.param_ref @c2.weight : tensor<4x2x2x2xf32>
    %c2 = nn.conv2d %r, %w2 stride [2, 2] pad [0, 0] groups 2 : tensor<1x4x6x6xf32>, tensor<4x2x2x2xf32> -> tensor<1x4x3x3xf32>
    %f = nn.flatten %c2 : tensor<1x4x3x3xf32> -> tensor<1x36xf32>
    %e = nn.softmax_cross_entropy %f, %l : tensor<1x36xf32>, tensor<1xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

//       CHECK: {{^// -+$}}
// LRN, overlapping max-pooling and average pooling: their backward ops get
// the forward attributes and the values they need (LRN: input and output;
// max-pool: input, to find each window's maximum); flatten's gradient is a
// reshape.
//       CHECK: func.func @gradients
//       CHECK:   %[[N:.*]] = nn.lrn %[[C:[^ ]*]] size 3 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00
//       CHECK:   %[[P:.*]] = nn.maxpool %[[N]] window [3, 3] stride [2, 2] pad [0, 0]
//       CHECK:   %[[A:.*]] = nn.avgpool %[[P]] window [2, 2] stride [1, 1] pad [0, 0]
//       CHECK:   %[[DF:.*]] = nn.reshape %{{.*}} : tensor<1x4xf32> -> tensor<1x4x1x1xf32>
//       CHECK:   %[[DA:.*]] = nn.avgpool_backward %[[DF]] window [2, 2] stride [1, 1] pad [0, 0] : tensor<1x4x1x1xf32> -> tensor<1x4x2x2xf32>
//       CHECK:   %[[DP:.*]] = nn.maxpool_backward %[[DA]], %[[N]] window [3, 3] stride [2, 2] pad [0, 0] : tensor<1x4x2x2xf32>, tensor<1x4x5x5xf32>
//       CHECK:   nn.lrn_backward %[[DP]], %[[C]], %[[N]] size 3 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<1x4x5x5xf32>
module {
  nn.parameter @c.weight : tensor<4x1x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<1x1x5x5xf32>, %l: tensor<1xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<4x1x1x1xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x1x5x5xf32>, tensor<4x1x1x1xf32> -> tensor<1x4x5x5xf32>
    %n = nn.lrn %c size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x4x5x5xf32>
    %p = nn.maxpool %n window [3, 3] stride [2, 2] pad [0, 0] : tensor<1x4x5x5xf32> -> tensor<1x4x2x2xf32>
    %a = nn.avgpool %p window [2, 2] stride [1, 1] pad [0, 0] : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
    %f = nn.flatten %a : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
    %e = nn.softmax_cross_entropy %f, %l : tensor<1x4xf32>, tensor<1xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

//       CHECK: {{^// -+$}}
// Dropout becomes mask x input with a mask keyed by (seed, step, stream):
// each dropout layer gets its own stream, and the backward pass multiplies
// by the same mask.
//       CHECK: func.func @gradients
//  CHECK-SAME: %[[SEED:[^:]*]]: tensor<i64> {nn.input = "seed"}, %[[STEP:[^:]*]]: tensor<i64> {nn.input = "step"}, %[[ON:[^:]*]]: tensor<i1> {nn.input = "dropout"}
//       CHECK:   %[[M0:.*]] = nn.dropout_mask %[[SEED]], %[[STEP]], %[[ON]] rate 5.000000e-01 stream 0
//       CHECK:   %[[D0:.*]] = nn.mul %{{.*}}, %[[M0]]
//       CHECK:   %[[M1:.*]] = nn.dropout_mask %[[SEED]], %[[STEP]], %[[ON]] rate 2.500000e-01 stream 1
//       CHECK:   nn.mul %{{.*}}, %[[M1]]
//       CHECK:   nn.mul %{{.*}}, %[[M1]]
//       CHECK:   nn.mul %{{.*}}, %[[M0]]
module {
  nn.parameter @fc.weight : tensor<4x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<4x4xf32>
    %y = nn.dense %x, %w : tensor<2x4xf32>, tensor<4x4xf32> -> tensor<2x4xf32>
    %d0 = nn.dropout %y rate 0.5 : tensor<2x4xf32>
    %d1 = nn.dropout %d0 rate 0.25 : tensor<2x4xf32>
    %e = nn.softmax_cross_entropy %d1, %l : tensor<2x4xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}

// -----

//       CHECK: {{^// -+$}}
// A value used twice (a skip connection) gets the sum of both gradients;
// add passes its gradient to both operands; concat's gradient is a slice
// per input at its offset.
//       CHECK: func.func @gradients
//       CHECK:   %[[C:.*]] = nn.conv2d
//       CHECK:   %[[S:.*]] = nn.add %[[C]], %[[C]]
//       CHECK:   %[[K:.*]] = nn.concat %[[S]], %[[C]] axis 1
//       CHECK:   %[[DK:.*]] = nn.reshape
//       CHECK:   %[[G0:.*]] = nn.slice %[[DK]] axis 1 offset 0 : tensor<1x4x2x2xf32> -> tensor<1x2x2x2xf32>
//       CHECK:   %[[G1:.*]] = nn.slice %[[DK]] axis 1 offset 2 : tensor<1x4x2x2xf32> -> tensor<1x2x2x2xf32>
//       CHECK:   %[[A1:.*]] = nn.add %[[G1]], %[[G0]]
//       CHECK:   %[[A2:.*]] = nn.add %[[A1]], %[[G0]]
//       CHECK:   nn.conv2d_backward_weight %{{.*}}, %[[A2]]
module {
  nn.parameter @c.weight : tensor<2x1x1x1xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @loss(%x: tensor<1x1x2x2xf32>, %l: tensor<1xi32>) -> tensor<f32> {
    %w = nn.param_ref @c.weight : tensor<2x1x1x1xf32>
    %c = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32> -> tensor<1x2x2x2xf32>
    %s = nn.add %c, %c : tensor<1x2x2x2xf32>
    %k = nn.concat %s, %c axis 1 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32> -> tensor<1x4x2x2xf32>
    %f = nn.flatten %k : tensor<1x4x2x2xf32> -> tensor<1x16xf32>
    %e = nn.softmax_cross_entropy %f, %l : tensor<1x16xf32>, tensor<1xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
