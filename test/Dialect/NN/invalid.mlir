// RUN: alexnet-opt %s -split-input-file -verify-diagnostics

// A conv2d's groups must divide its input channels.
func.func @conv_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expected groups to divide the input channels (3), got groups = 2}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 2 : tensor<1x3x8x8xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// The weight's second dimension is C / groups.
func.func @conv_weight(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{expected a weight of shape 6x2x3x3 ([filters, C/groups, kh, kw]), got 6x4x3x3}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 2 : tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32> -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// -----

// The declared result shape must be the computed one.
func.func @conv_result(%x: tensor<1x3x224x224xf32>, %w: tensor<96x3x11x11xf32>) -> tensor<1x96x54x54xf32> {
  // expected-error @+1 {{expected result shape 1x96x55x55, got 1x96x54x54}}
  %y = nn.conv2d %x, %w stride [4, 4] pad [2, 2] groups 1 : tensor<1x3x224x224xf32>, tensor<96x3x11x11xf32> -> tensor<1x96x54x54xf32>
  return %y : tensor<1x96x54x54xf32>
}

// -----

// A kernel larger than the padded input has no valid position.
func.func @conv_kernel_too_large(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x7x7xf32>) -> tensor<1x8x1x1xf32> {
  // expected-error @+1 {{expected a kernel no larger than the padded input 6x6, got 7x7}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [1, 1] groups 1 : tensor<1x3x4x4xf32>, tensor<8x3x7x7xf32> -> tensor<1x8x1x1xf32>
  return %y : tensor<1x8x1x1xf32>
}

// -----

func.func @conv_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{expected a positive stride, got 0x1}}
  %y = nn.conv2d %x, %w stride [0, 1] pad [0, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{expected a non-negative pad, got -1x0}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [-1, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_stride_count(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{'nn.conv2d' op attribute 'stride' failed to satisfy constraint: i64 dense array attribute with exactly 2 elements}}
  %y = nn.conv2d %x, %w stride [1, 1, 1] pad [0, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{expected a bias of shape 8, got 4}}
  %y = nn.conv2d %x, %w, %b stride [1, 1] pad [0, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{expected static shapes, got 'tensor<?x3x8x8xf32>'}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<?x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @conv_rank(%x: tensor<3x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+1 {{operand #0 must be 4D tensor of 32-bit float values}}
  %y = nn.conv2d %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return %y : tensor<1x8x6x6xf32>
}

// -----

func.func @lrn_even(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{expected a positive odd size, got 4}}
  %y = nn.lrn %x size 4 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

func.func @lrn_k(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{expected a finite positive k, got 0}}
  %y = nn.lrn %x size 5 alpha 1.0e-4 beta 0.75 k 0.0 : tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

func.func @lrn_alpha(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  // expected-error @+1 {{expected a finite non-negative alpha, got -1}}
  %y = nn.lrn %x size 5 alpha -1.0 beta 0.75 k 2.0 : tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

func.func @relu_type(%x: tensor<1x8xf32>) -> tensor<1x9xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "nn.relu"(%x) : (tensor<1x8xf32>) -> tensor<1x9xf32>
  return %y : tensor<1x9xf32>
}

// -----

// Overlapping max-pooling floors like PyTorch: 55 -> 27 with window 3 stride 2.
func.func @maxpool_result(%x: tensor<1x96x55x55xf32>) -> tensor<1x96x28x28xf32> {
  // expected-error @+1 {{expected result shape 1x96x27x27, got 1x96x28x28}}
  %y = nn.maxpool %x window [3, 3] stride [2, 2] pad [0, 0] : tensor<1x96x55x55xf32> -> tensor<1x96x28x28xf32>
  return %y : tensor<1x96x28x28xf32>
}

// -----

func.func @pool_pad(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{expected a pad smaller than the window 2x2, got 2x2}}
  %y = nn.avgpool %x window [2, 2] stride [2, 2] pad [2, 2] : tensor<1x4x8x8xf32> -> tensor<1x4x5x5xf32>
  return %y : tensor<1x4x5x5xf32>
}

// -----

func.func @pool_window(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32> {
  // expected-error @+1 {{expected a window no larger than the padded input 2x2, got 3x3}}
  %y = nn.maxpool %x window [3, 3] stride [1, 1] pad [0, 0] : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
  return %y : tensor<1x4x1x1xf32>
}

// -----

func.func @dense_weight(%x: tensor<2x16xf32>, %w: tensor<10x15xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{expected a weight of shape 10x16 ([units, in]), got 10x15}}
  %y = nn.dense %x, %w : tensor<2x16xf32>, tensor<10x15xf32> -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

func.func @dense_result(%x: tensor<2x16xf32>, %w: tensor<10x16xf32>) -> tensor<2x11xf32> {
  // expected-error @+1 {{expected result shape 2x10, got 2x11}}
  %y = nn.dense %x, %w : tensor<2x16xf32>, tensor<10x16xf32> -> tensor<2x11xf32>
  return %y : tensor<2x11xf32>
}

// -----

func.func @dense_bias(%x: tensor<2x16xf32>, %w: tensor<10x16xf32>, %b: tensor<16xf32>) -> tensor<2x10xf32> {
  // expected-error @+1 {{expected a bias of shape 10, got 16}}
  %y = nn.dense %x, %w, %b : tensor<2x16xf32>, tensor<10x16xf32>, tensor<16xf32> -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

func.func @dropout_rate(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{expected a rate in [0, 1), got 1}}
  %y = nn.dropout %x rate 1.0 : tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

func.func @flatten_result(%x: tensor<2x4x3x3xf32>) -> tensor<2x35xf32> {
  // expected-error @+1 {{expected result shape 2x36, got 2x35}}
  %y = nn.flatten %x : tensor<2x4x3x3xf32> -> tensor<2x35xf32>
  return %y : tensor<2x35xf32>
}

// -----

func.func @concat_mismatch(%a: tensor<1x4x8x8xf32>, %b: tensor<1x4x7x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error @+1 {{expected shapes equal except along axis 1, got 1x4x8x8 and 1x4x7x8}}
  %y = nn.concat %a, %b axis 1 : tensor<1x4x8x8xf32>, tensor<1x4x7x8xf32> -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}

// -----

func.func @concat_axis(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{expected an axis in [0, 2), got 2}}
  %y = nn.concat %a, %b axis 2 : tensor<1x4xf32>, tensor<1x4xf32> -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @concat_single(%a: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{expected at least 2 inputs, got 1}}
  %y = nn.concat %a axis 1 : tensor<1x4xf32> -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @add_shapes(%a: tensor<1x4xf32>, %b: tensor<1x5xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "nn.add"(%a, %b) : (tensor<1x4xf32>, tensor<1x5xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

func.func @softmax_rank(%a: tensor<1x4x2xf32>) -> tensor<1x4x2xf32> {
  // expected-error @+1 {{operand #0 must be 2D tensor of 32-bit float values}}
  %y = nn.softmax %a : tensor<1x4x2xf32>
  return %y : tensor<1x4x2xf32>
}

// -----

func.func @softmax_backward_types(%dy: tensor<2x4xf32>, %y: tensor<2x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %dx = "nn.softmax_backward"(%dy, %y) : (tensor<2x4xf32>, tensor<2x5xf32>) -> tensor<2x4xf32>
  return %dx : tensor<2x4xf32>
}

// -----

func.func @zeros_type() -> tensor<2xi32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float values}}
  %z = nn.zeros : tensor<2xi32>
  return %z : tensor<2xi32>
}

// -----

func.func @xent_labels(%x: tensor<4x10xf32>, %l: tensor<3xi32>) -> tensor<f32> {
  // expected-error @+1 {{expected labels of shape 4, got 3}}
  %y = nn.softmax_cross_entropy %x, %l : tensor<4x10xf32>, tensor<3xi32> -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @xent_label_type(%x: tensor<4x10xf32>, %l: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{operand #1 must be 1D tensor of 32-bit signless integer values}}
  %y = nn.softmax_cross_entropy %x, %l : tensor<4x10xf32>, tensor<4xf32> -> tensor<f32>
  return %y : tensor<f32>
}

// -----

func.func @param_missing() -> tensor<4xf32> {
  // expected-error @+1 {{expected 'fc.bias' to name an nn.parameter, got no such symbol}}
  %b = nn.param_ref @fc.bias : tensor<4xf32>
  return %b : tensor<4xf32>
}

// -----

module {
  nn.parameter @fc.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @param_type() -> tensor<5xf32> {
    // expected-error @+1 {{expected type 'tensor<4xf32>' of parameter 'fc.bias', got 'tensor<5xf32>'}}
    %b = nn.param_ref @fc.bias : tensor<5xf32>
    return %b : tensor<5xf32>
  }
}

// -----

func.func @parameter_parent() {
  // expected-error @+1 {{'nn.parameter' op expects parent op 'builtin.module'}}
  "nn.parameter"() <{init = #nn.init<constant(0.0)>, sym_name = "p", type = tensor<4xf32>}> : () -> ()
  return
}

// -----

// expected-error @+1 {{expected normal, uniform or constant, got 'gaussian'}}
nn.parameter @w : tensor<4xf32> {init = #nn.init<gaussian(0.0, 1.0)>}

// -----

// expected-error @+1 {{expected a non-negative standard deviation, got -1}}
nn.parameter @w : tensor<4xf32> {init = #nn.init<normal(0.0, -1.0)>}

// -----

// expected-error @+1 {{expected low <= high, got 1.000000e+00 and -1.000000e+00}}
nn.parameter @w : tensor<4xf32> {init = #nn.init<uniform(1.0, -1.0)>}

// -----

// expected-error @+1 {{expected a positive integer for 'nn.batch', got 0 : i64}}
module attributes {nn.batch = 0 : i64} {}

// -----

// expected-error @+1 {{unknown nn attribute 'nn.bogus'}}
module attributes {nn.bogus = 1 : i64} {}

// -----

// The gradient of a conv2d must have the forward output's shape.
func.func @conv_backward_input(%dy: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+1 {{expected an output gradient of shape 1x4x6x6, got 1x4x5x5}}
  %dx = nn.conv2d_backward_input %dy, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32> -> tensor<1x3x8x8xf32>
  return %dx : tensor<1x3x8x8xf32>
}

// -----

func.func @conv_backward_weight(%x: tensor<1x3x8x8xf32>, %dy: tensor<1x4x6x6xf32>) -> tensor<4x1x3x3xf32> {
  // expected-error @+1 {{expected a weight of shape 4x3x3x3, got 4x1x3x3}}
  %dw = nn.conv2d_backward_weight %x, %dy stride [1, 1] pad [0, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<1x4x6x6xf32> -> tensor<4x1x3x3xf32>
  return %dw : tensor<4x1x3x3xf32>
}

// -----

func.func @bias_backward(%dy: tensor<2x4x3x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{expected result shape 4, got 3}}
  %db = nn.bias_backward %dy : tensor<2x4x3x3xf32> -> tensor<3xf32>
  return %db : tensor<3xf32>
}

// -----

func.func @dense_backward_input(%dy: tensor<2x8xf32>, %w: tensor<7x6xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{expected a weight with 8 rows, got 7x6}}
  %dx = nn.dense_backward_input %dy, %w : tensor<2x8xf32>, tensor<7x6xf32> -> tensor<2x6xf32>
  return %dx : tensor<2x6xf32>
}

// -----

func.func @maxpool_backward(%dy: tensor<1x4x3x3xf32>, %x: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{expected an output gradient of shape 1x4x4x4, got 1x4x3x3}}
  %dx = nn.maxpool_backward %dy, %x window [2, 2] stride [2, 2] pad [0, 0] : tensor<1x4x3x3xf32>, tensor<1x4x8x8xf32>
  return %dx : tensor<1x4x8x8xf32>
}

// -----

func.func @dropout_mask(%s: tensor<i64>, %t: tensor<i64>, %on: tensor<i1>) -> tensor<2x8xf32> {
  // expected-error @+1 {{expected a rate in [0, 1), got 1}}
  %m = nn.dropout_mask %s, %t, %on rate 1.0 stream 0 : tensor<i64>, tensor<i64>, tensor<i1> -> tensor<2x8xf32>
  return %m : tensor<2x8xf32>
}

// -----

func.func @slice(%x: tensor<1x4x2x2xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{expected the slice [2, 5) inside [0, 4)}}
  %s = nn.slice %x axis 1 offset 2 : tensor<1x4x2x2xf32> -> tensor<1x3x2x2xf32>
  return %s : tensor<1x3x2x2xf32>
}

// -----

func.func @reshape(%x: tensor<2x8xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{expected the same number of elements, got 16 and 15}}
  %r = nn.reshape %x : tensor<2x8xf32> -> tensor<3x5xf32>
  return %r : tensor<3x5xf32>
}

// -----

func.func @param_store(%v: tensor<4xf32>) {
  // expected-error @+1 {{expected 'w' to name an nn.parameter, got no such symbol}}
  nn.param_store %v -> @w : tensor<4xf32>
  return
}

// -----

func.func @sgd_types(%w: tensor<4xf32>, %v: tensor<5xf32>, %g: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{failed to verify that all of {weight, velocity, grad, new_weight, new_velocity} have same type}}
  %u:2 = "nn.sgd_update"(%w, %v, %g, %lr) <{momentum = 0.9 : f64, weight_decay = 5.0e-4 : f64}> : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

// Fused ops are held to the rules of the ops they replace.
func.func @conv_relu_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{expected result shape 1x4x6x6, got 1x4x8x8}}
  %r = nn.conv2d_relu %x, %w stride [1, 1] pad [0, 0] groups 1 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_relu_lrn_k(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{expected a finite positive k, got 0}}
  %f:2 = nn.conv2d_relu_lrn %x, %w stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 0.0 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
  return %f#1 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_relu_lrn_results(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{expected result shape 1x4x8x8, got 1x4x8x7}}
  %f:2 = nn.conv2d_relu_lrn %x, %w stride [1, 1] pad [1, 1] groups 1 size 3 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>, tensor<1x4x8x7xf32>
  return %f#0 : tensor<1x4x8x8xf32>
}

// -----

func.func @dense_relu_bias(%x: tensor<1x8xf32>, %w: tensor<5x8xf32>, %b: tensor<4xf32>) -> tensor<1x5xf32> {
  // expected-error @+1 {{expected a bias of shape 5, got 4}}
  %y = nn.dense_relu %x, %w, %b : tensor<1x8xf32>, tensor<5x8xf32>, tensor<4xf32> -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}

// -----

func.func @transfer_same_device(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expected two different non-negative devices, got 1 and 1}}
  %t = nn.transfer %x from 1 to 1 : tensor<2x4xf32>
  return %t : tensor<2x4xf32>
}

// -----

func.func @lrn_halo_shape(%x: tensor<1x6x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{expected the middle channels to have shape 1x4x4x4, got 1x3x4x4}}
  %y = nn.lrn_halo %x halo [2, 0] size 5 alpha 1.0e-4 beta 0.75 k 2.0 : tensor<1x6x4x4xf32> -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @add_slice_range(%base: tensor<1x4x2x2xf32>, %part: tensor<1x2x2x2xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{expected the range [3, 5) inside [0, 4)}}
  %s = nn.add_slice %base, %part axis 1 offset 3 : tensor<1x4x2x2xf32>, tensor<1x2x2x2xf32>
  return %s : tensor<1x4x2x2xf32>
}

// -----

module {
  nn.parameter @q.weight : tensor<8x4xf32> {init = #nn.init<normal(0.0, 0.01)>}
  func.func @shard_range() -> tensor<4x4xf32> {
    // expected-error @+1 {{expected rows [6, 10) of parameter 'q.weight' 8x4, got 4x4}}
    %w = nn.param_ref @q.weight {row_offset = 6 : i64} : tensor<4x4xf32>
    return %w : tensor<4x4xf32>
  }
}

// -----

func.func @dropout_window(%h: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expected the window's range [6, 10) of axis 1 inside [0, 8)}}
  %d = nn.dropout %h rate 0.5 {window = array<i64: 1, 6, 8>} : tensor<2x4xf32>
  return %d : tensor<2x4xf32>
}

// -----

func.func @transfer_negative_device(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{expected two different non-negative devices, got -1 and 0}}
  %t = nn.transfer %x from -1 to 0 : tensor<2x4xf32>
  return %t : tensor<2x4xf32>
}
