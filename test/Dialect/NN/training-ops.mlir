// RUN: alexnet-opt %s | FileCheck %s
// RUN: alexnet-opt %s | alexnet-opt | FileCheck %s
// RUN: alexnet-opt %s -mlir-print-op-generic | alexnet-opt | FileCheck %s

// The ops --nn-autodiff builds round-trip through their custom assembly.

// CHECK: nn.parameter @w.momentum : tensor<4x2x3x3xf32> {init = #nn.init<constant(0.000000e+00)>, optimizer_state}
module {
  nn.parameter @w : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @w.momentum : tensor<4x2x3x3xf32> {init = #nn.init<constant(0.0)>, optimizer_state}
  func.func @ops(%x: tensor<2x4x8x8xf32>, %dy: tensor<2x4x4x4xf32>, %w: tensor<4x2x3x3xf32>,
                 %y: tensor<2x4x8x8xf32>, %d: tensor<2x8xf32>, %fw: tensor<8x6xf32>,
                 %f: tensor<2x6xf32>, %l: tensor<2xi32>, %seed: tensor<i64>,
                 %step: tensor<i64>, %on: tensor<i1>, %lr: tensor<f32>) {
    // CHECK: nn.conv2d_backward_input %{{.*}}, %{{.*}} stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x4x4xf32>, tensor<4x2x3x3xf32> -> tensor<2x4x8x8xf32>
    %0 = nn.conv2d_backward_input %dy, %w stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x4x4xf32>, tensor<4x2x3x3xf32> -> tensor<2x4x8x8xf32>
    // CHECK: nn.conv2d_backward_weight %{{.*}}, %{{.*}} stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x8x8xf32>, tensor<2x4x4x4xf32> -> tensor<4x2x3x3xf32>
    %1 = nn.conv2d_backward_weight %x, %dy stride [2, 2] pad [1, 1] groups 2 : tensor<2x4x8x8xf32>, tensor<2x4x4x4xf32> -> tensor<4x2x3x3xf32>
    // CHECK: nn.bias_backward %{{.*}} : tensor<2x4x4x4xf32> -> tensor<4xf32>
    %2 = nn.bias_backward %dy : tensor<2x4x4x4xf32> -> tensor<4xf32>
    // CHECK: nn.dense_backward_input %{{.*}}, %{{.*}} : tensor<2x8xf32>, tensor<8x6xf32> -> tensor<2x6xf32>
    %3 = nn.dense_backward_input %d, %fw : tensor<2x8xf32>, tensor<8x6xf32> -> tensor<2x6xf32>
    // CHECK: nn.dense_backward_weight %{{.*}}, %{{.*}} : tensor<2x6xf32>, tensor<2x8xf32> -> tensor<8x6xf32>
    %4 = nn.dense_backward_weight %f, %d : tensor<2x6xf32>, tensor<2x8xf32> -> tensor<8x6xf32>
    // CHECK: nn.relu_backward %{{.*}}, %{{.*}} : tensor<2x4x8x8xf32>
    %5 = nn.relu_backward %x, %y : tensor<2x4x8x8xf32>
    // CHECK: nn.lrn_backward %{{.*}}, %{{.*}}, %{{.*}} size 5 alpha 1.000000e-04 beta 7.500000e-01 k 2.000000e+00 : tensor<2x4x8x8xf32>
    %6 = nn.lrn_backward %x, %y, %y size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<2x4x8x8xf32>
    // CHECK: nn.maxpool_backward %{{.*}}, %{{.*}} window [3, 3] stride [2, 2] pad [1, 1] : tensor<2x4x4x4xf32>, tensor<2x4x8x8xf32>
    %7 = nn.maxpool_backward %dy, %x window [3, 3] stride [2, 2] pad [1, 1] : tensor<2x4x4x4xf32>, tensor<2x4x8x8xf32>
    // CHECK: nn.avgpool_backward %{{.*}} window [2, 2] stride [2, 2] pad [0, 0] : tensor<2x4x4x4xf32> -> tensor<2x4x8x8xf32>
    %8 = nn.avgpool_backward %dy window [2, 2] stride [2, 2] pad [0, 0] : tensor<2x4x4x4xf32> -> tensor<2x4x8x8xf32>
    // CHECK: nn.dropout_mask %{{.*}}, %{{.*}}, %{{.*}} rate 5.000000e-01 stream 3 : tensor<i64>, tensor<i64>, tensor<i1> -> tensor<2x8xf32>
    %9 = nn.dropout_mask %seed, %step, %on rate 0.5 stream 3 : tensor<i64>, tensor<i64>, tensor<i1> -> tensor<2x8xf32>
    // CHECK: nn.mul %{{.*}}, %{{.*}} : tensor<2x8xf32>
    %10 = nn.mul %d, %9 : tensor<2x8xf32>
    // CHECK: nn.reshape %{{.*}} : tensor<2x8xf32> -> tensor<2x2x4xf32>
    %11 = nn.reshape %10 : tensor<2x8xf32> -> tensor<2x2x4xf32>
    // CHECK: nn.slice %{{.*}} axis 1 offset 2 : tensor<2x4x8x8xf32> -> tensor<2x2x8x8xf32>
    %12 = nn.slice %x axis 1 offset 2 : tensor<2x4x8x8xf32> -> tensor<2x2x8x8xf32>
    // CHECK: nn.softmax_cross_entropy_backward %{{.*}}, %{{.*}} : tensor<2x8xf32>, tensor<2xi32> -> tensor<2x8xf32>
    %13 = nn.softmax_cross_entropy_backward %d, %l : tensor<2x8xf32>, tensor<2xi32> -> tensor<2x8xf32>
    %p = nn.param_ref @w : tensor<4x2x3x3xf32>
    %v = nn.param_ref @w.momentum : tensor<4x2x3x3xf32>
    // CHECK: %[[U:.*]]:2 = nn.sgd_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} momentum 9.000000e-01 weight_decay 5.000000e-04 : tensor<4x2x3x3xf32>, tensor<f32>
    %u:2 = nn.sgd_update %p, %v, %1, %lr momentum 0.9 weight_decay 5.0e-4 : tensor<4x2x3x3xf32>, tensor<f32>
    // CHECK: nn.param_store %[[U]]#0 -> @w : tensor<4x2x3x3xf32>
    nn.param_store %u#0 -> @w : tensor<4x2x3x3xf32>
    nn.param_store %u#1 -> @w.momentum : tensor<4x2x3x3xf32>
    return
  }
}
