// RUN: alexnet-opt %s --nn-autodiff -verify-diagnostics

// nn-autodiff has gradient rules for the DSL's ops only: the pipeline runs
// nn-fuse after it, and a fused op in @loss is an error, not a silently
// missing gradient.
module {
  nn.parameter @fc.weight : tensor<3x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @fc.bias : tensor<3xf32> {init = #nn.init<constant(0.0)>}
  func.func @loss(%x: tensor<2x4xf32>, %l: tensor<2xi32>) -> tensor<f32> {
    %w = nn.param_ref @fc.weight : tensor<3x4xf32>
    %b = nn.param_ref @fc.bias : tensor<3xf32>
    // expected-error @+1 {{'nn.dense_relu' op is a fused op and has no gradient rule: run nn-fuse after nn-autodiff}}
    %y = nn.dense_relu %x, %w, %b : tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32> -> tensor<2x3xf32>
    %e = nn.softmax_cross_entropy %y, %l : tensor<2x3xf32>, tensor<2xi32> -> tensor<f32>
    return %e : tensor<f32>
  }
}
