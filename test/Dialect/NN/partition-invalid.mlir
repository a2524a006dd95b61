// RUN: alexnet-opt %s --nn-partition=devices=2 -verify-diagnostics
// RUN: not alexnet-opt %s --nn-partition="devices=2 parallel=data" 2>&1 | FileCheck %s --check-prefix=PARALLEL
// RUN: not alexnet-opt %s --nn-partition=devices=0 2>&1 | FileCheck %s --check-prefix=DEVICES

// PARALLEL: error: expected parallel=model or parallel=hybrid, got 'data'
// DEVICES: error: expected devices >= 1, got 0

// Ops the front end never builds before autodiff have no rule.
func.func @no_rule(%dy: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'nn.relu_backward' op has no partitioning rule (run nn-partition before nn-autodiff and nn-fuse)}}
  %dx = nn.relu_backward %dy, %y : tensor<2x4xf32>
  return %dx : tensor<2x4xf32>
}
