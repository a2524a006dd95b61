// RUN: alexnet-opt %s | FileCheck %s

// The DSL layer name in an op's location becomes its result's name, and a
// parameter reference is named after the parameter.
// CHECK-LABEL: func.func @named
//       CHECK:   %fc.weight = nn.param_ref @fc.weight
//       CHECK:   %relu1 = nn.relu
//       CHECK:   %{{[0-9]+}} = nn.relu
module {
  nn.parameter @fc.weight : tensor<4x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @named(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %w = nn.param_ref @fc.weight : tensor<4x4xf32>
    %r = nn.relu %x : tensor<1x4xf32> loc("relu1"("model.nn":3:3))
    %s = nn.relu %r : tensor<1x4xf32>
    return %s : tensor<1x4xf32>
  }
}
