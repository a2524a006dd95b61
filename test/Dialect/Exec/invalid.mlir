// RUN: alexnet-opt %s -split-input-file -verify-diagnostics

// A GEMM's matrices must lie inside their buffers.
func.func @gemm_bounds(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  // expected-error @+1 {{expected matrix c (64 elements at offset 16) inside its buffer of 64 elements}}
  exec.gemm %a, %b, %c {m = 4 : i64, n = 16 : i64, k = 8 : i64, c_offset = 16 : i64} : memref<4x8xf32>, memref<8x16xf32>, memref<4x16xf32>
  return
}

// -----

func.func @im2col_shape(%x: memref<1x3x8x8xf32>, %col: memref<27x63xf32>) {
  // expected-error @+1 {{expected an output of shape 27x64, got 27x63}}
  exec.im2col %x -> %col {group = 0 : i64, groups = 1 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<1x3x8x8xf32> -> memref<27x63xf32>
  return
}

// -----

func.func @im2col_image(%x: memref<2x3x8x8xf32>, %col: memref<27x64xf32>) {
  // expected-error @+1 {{expected an image in [0, 2), got 2}}
  exec.im2col %x -> %col {group = 0 : i64, groups = 1 : i64, image = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<2x3x8x8xf32> -> memref<27x64xf32>
  return
}

// -----

func.func @col2im_group(%col: memref<27x64xf32>, %x: memref<2x3x8x8xf32>) {
  // expected-error @+1 {{expected group in [0, groups), groups dividing 3 channels and image in [0, 2)}}
  exec.col2im %col -> %x {group = 0 : i64, groups = 2 : i64, image = 0 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<27x64xf32> -> memref<2x3x8x8xf32>
  return
}

// -----

func.func @col2im_batch_columns(%col: memref<27x64xf32>, %x: memref<2x3x8x8xf32>) {
  // expected-error @+1 {{expected an output of shape 27x128, got 27x64}}
  exec.col2im %col -> %x {group = 0 : i64, groups = 1 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<27x64xf32> -> memref<2x3x8x8xf32>
  return
}

// -----

func.func @channel_major_shape(%x: memref<2x3x4x4xf32>, %rows: memref<3x16xf32>) {
  // expected-error @+1 {{expected an output of shape 3x32, got 3x16}}
  exec.channel_major %x -> %rows : memref<2x3x4x4xf32> -> memref<3x16xf32>
  return
}

// -----

func.func @relu_sizes(%x: memref<4xf32>, %y: memref<5xf32>) {
  // expected-error @+1 {{expected operands with the same number of elements, got 4 and 5}}
  exec.relu %x -> %y : memref<4xf32> -> memref<5xf32>
  return
}

// -----

func.func @reshape_sizes(%x: memref<4x4xf32>) {
  // expected-error @+1 {{expected operands with the same number of elements, got 16 and 15}}
  %r = exec.reshape %x : memref<4x4xf32> to memref<15xf32>
  return
}

// -----

func.func @slice_range(%x: memref<2x4xf32>, %y: memref<2x3xf32>) {
  // expected-error @+1 {{expected a slice of axis 1 at offset 2 inside 2x4, got 2x3}}
  exec.slice %x -> %y {axis = 1 : i64, offset = 2 : i64} : memref<2x4xf32> -> memref<2x3xf32>
  return
}

// -----

func.func @maxpool_shape(%x: memref<1x1x4x4xf32>, %y: memref<1x1x3x3xf32>) {
  // expected-error @+1 {{expected an output of shape 1x1x2x2, got 1x1x3x3}}
  exec.maxpool %x -> %y {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : memref<1x1x4x4xf32> -> memref<1x1x3x3xf32>
  return
}

// -----

func.func @param_missing() {
  // expected-error @+1 {{expected 'nope' to name an nn.parameter, got no such symbol}}
  %p = exec.param @nope : memref<4xf32>
  return
}

// -----

// A one-image epilogue reads one image's [1, F, OH, OW] accumulator.
func.func @epilogue_image(%acc: memref<2x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected an output of shape 1x4x8x8, got 2x4x8x8}}
  exec.conv_epilogue %acc -> %y {image = 0 : i64} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @epilogue_image_range(%acc: memref<1x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected an image in [0, 2), got 2}}
  exec.conv_epilogue %acc -> %y {image = 2 : i64} : memref<1x4x8x8xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @epilogue_lrn_attrs(%acc: memref<4x128xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected lrn_size, alpha, beta and k together}}
  exec.conv_epilogue %acc -> %y {lrn_size = 5 : i64} : memref<4x128xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @epilogue_relu_without_lrn(%acc: memref<4x128xf32>, %r: memref<2x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected relu_into only with an LRN (without one the output is the ReLU's)}}
  exec.conv_epilogue %acc relu_into %r -> %y : memref<4x128xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @bias_relu_shape(%b: memref<5xf32>, %y: memref<2x4xf32>) {
  // expected-error @+1 {{expected an [N, units] output and a bias of units elements, got 'memref<2x4xf32>' and 'memref<5xf32>'}}
  exec.bias_relu %b -> %y : memref<5xf32> -> memref<2x4xf32>
  return
}

// -----

func.func @epilogue_batch_lrn_staging(%acc: memref<4x128xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected relu_into with an LRN on a batch-wide GEMM result (it stages the ReLU's output)}}
  exec.conv_epilogue %acc -> %y {lrn_size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64} : memref<4x128xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @epilogue_image_relu_elsewhere(%acc: memref<1x4x8x8xf32>, %r: memref<2x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected relu_into with an image only in place (a one-image scratch epilogue stores only its output)}}
  exec.conv_epilogue %acc relu_into %r -> %y {image = 0 : i64, lrn_size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64} : memref<1x4x8x8xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @epilogue_in_place_without_lrn(%r: memref<2x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
  // expected-error @+1 {{expected an LRN when working in place (without one the output is the ReLU's)}}
  exec.conv_epilogue %r relu_into %r -> %y : memref<2x4x8x8xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
  return
}

// -----

func.func @transfer_elements(%a: memref<8xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{expected operands with the same number of elements, got 8 and 4}}
  exec.transfer %a -> %b from 0 to 1 : memref<8xf32> -> memref<4xf32>
  return
}

// -----

func.func @add_slice_range(%part: memref<1x2x4xf32>, %base: memref<1x3x4xf32>) {
  // expected-error @+1 {{expected a part of axis 1 at offset 2 inside 1x3x4, got 1x2x4}}
  exec.add_slice %part -> %base {axis = 1 : i64, offset = 2 : i64} : memref<1x2x4xf32> -> memref<1x3x4xf32>
  return
}

// -----

func.func @lrn_halo(%x: memref<1x6x2x2xf32>, %y: memref<1x5x2x2xf32>) {
  // expected-error @+1 {{expected an output of shape 1x4x2x2, got 1x5x2x2}}
  exec.lrn %x -> %y {size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64, halo = array<i64: 1, 1>} : memref<1x6x2x2xf32> -> memref<1x5x2x2xf32>
  return
}

// -----

func.func @device_attr(%a: memref<4xf32>, %b: memref<4xf32>) {
  // expected-error @+1 {{expected a non-negative integer for 'exec.device', got -1}}
  exec.copy %a -> %b {exec.device = -1 : i64} : memref<4xf32> -> memref<4xf32>
  return
}

// -----

// expected-error @+1 {{expected 'exec.layers' to be an array of #exec.layer on a module}}
module attributes {exec.layers = [{name = "fc", op = "dense"}]} {
}

// -----

// expected-error @+1 {{layer 'fc': expected non-negative counts}}
module attributes {exec.layers = [#exec.layer<name = "fc", op = "dense", shape = [2, 3], params = -1, flops = 0, traffic = 0, fused_traffic = 0>]} {
}

// -----

// expected-error @+1 {{layer 'fc': expected a device >= 0 (or -1: not partitioned)}}
module attributes {exec.layers = [#exec.layer<name = "fc", op = "dense", shape = [2, 3], params = 0, flops = 0, traffic = 0, fused_traffic = 0, device = -2>]} {
}

// -----

// expected-error @+1 {{expected 'exec.graph_hash' to be a string on a module}}
module attributes {exec.graph_hash = 7 : i64} {
}
