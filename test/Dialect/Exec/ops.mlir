// RUN: alexnet-opt %s | FileCheck %s
// RUN: alexnet-opt %s | alexnet-opt | FileCheck %s
// RUN: alexnet-opt %s -mlir-print-op-generic | alexnet-opt | FileCheck %s

// Every exec op round-trips through its custom assembly, and so does the
// module's layer table (a partitioned layer carries its device; the default
// fusion "" and device -1 are not printed).

// CHECK: module attributes {exec.graph_hash = "0123456789abcdef", exec.layers = [
// CHECK-SAME: #exec.layer<name = "conv1", op = "conv2d", shape = [2, 4, 8, 8], params = 76, flops = 36864, traffic = 4096, fused_traffic = 2048, fusion = "-> conv2d_relu", device = 1>,
// CHECK-SAME: #exec.layer<name = "flat", op = "flatten", shape = [2, 256], params = 0, flops = 0, traffic = 0, fused_traffic = 0>]}
module attributes {exec.graph_hash = "0123456789abcdef", exec.layers = [
    #exec.layer<name = "conv1", op = "conv2d", shape = [2, 4, 8, 8], params = 76, flops = 36864, traffic = 4096, fused_traffic = 2048, fusion = "-> conv2d_relu", device = 1>,
    #exec.layer<name = "flat", op = "flatten", shape = [2, 256], params = 0, flops = 0, traffic = 0, fused_traffic = 0, fusion = "", device = -1>]} {
  nn.parameter @w : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  // CHECK-LABEL: func.func @inference_ops
  func.func @inference_ops(%x: memref<2x4x8x8xf32>, %y: memref<2x4x8x8xf32>) {
    // CHECK: exec.param @w : memref<4x2x3x3xf32>
    %w = exec.param @w : memref<4x2x3x3xf32>
    // CHECK: exec.alloc {device = 1 : i64, offset = 128 : i64} : memref<18x128xf32>
    %col = exec.alloc {device = 1 : i64, offset = 128 : i64} : memref<18x128xf32>
    // CHECK: exec.alloc : memref<4x128xf32>
    %g = exec.alloc : memref<4x128xf32>
    // CHECK: exec.im2col %{{.*}} -> %{{.*}} {group = 1 : i64, groups = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<2x4x8x8xf32> -> memref<18x128xf32>
    exec.im2col %x -> %col {group = 1 : i64, groups = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<2x4x8x8xf32> -> memref<18x128xf32>
    // CHECK: exec.gemm %{{.*}}, %{{.*}}, %{{.*}} {a_offset = 36 : i64, k = 18 : i64, m = 2 : i64, n = 128 : i64} : memref<4x2x3x3xf32>, memref<18x128xf32>, memref<4x128xf32>
    exec.gemm %w, %col, %g {a_offset = 36 : i64, k = 18 : i64, m = 2 : i64, n = 128 : i64} : memref<4x2x3x3xf32>, memref<18x128xf32>, memref<4x128xf32>
    // CHECK: exec.conv_output %{{.*}} -> %{{.*}} : memref<4x128xf32> -> memref<2x4x8x8xf32>
    exec.conv_output %g -> %y : memref<4x128xf32> -> memref<2x4x8x8xf32>
    %b = exec.alloc : memref<4xf32>
    // CHECK: exec.bias_add %{{.*}} -> %{{.*}} {inner = 64 : i64} : memref<4xf32> -> memref<2x4x8x8xf32>
    exec.bias_add %b -> %y {inner = 64 : i64} : memref<4xf32> -> memref<2x4x8x8xf32>
    // CHECK: exec.relu %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    exec.relu %x -> %y : memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    // CHECK: exec.lrn %{{.*}} -> %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, k = 2.000000e+00 : f64, size = 3 : i64}
    exec.lrn %x -> %y {alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64, size = 3 : i64} : memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    %p = exec.alloc : memref<2x4x4x4xf32>
    // CHECK: exec.maxpool %{{.*}} -> %{{.*}} {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>}
    exec.maxpool %x -> %p {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : memref<2x4x8x8xf32> -> memref<2x4x4x4xf32>
    // CHECK: exec.avgpool %{{.*}} -> %{{.*}} {pad = array<i64: 1, 1>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>}
    %q = exec.alloc : memref<2x4x5x5xf32>
    exec.avgpool %x -> %q {pad = array<i64: 1, 1>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : memref<2x4x8x8xf32> -> memref<2x4x5x5xf32>
    // CHECK: exec.reshape %{{.*}} : memref<2x4x4x4xf32> to memref<2x64xf32>
    %f = exec.reshape %p : memref<2x4x4x4xf32> to memref<2x64xf32>
    %s = exec.alloc : memref<2x64xf32>
    // CHECK: exec.softmax %{{.*}} -> %{{.*}} : memref<2x64xf32> -> memref<2x64xf32>
    exec.softmax %f -> %s : memref<2x64xf32> -> memref<2x64xf32>
    // CHECK: exec.add %{{.*}}, %{{.*}} -> %{{.*}} : memref<2x64xf32>, memref<2x64xf32> -> memref<2x64xf32>
    exec.add %f, %s -> %s : memref<2x64xf32>, memref<2x64xf32> -> memref<2x64xf32>
    %c = exec.alloc : memref<2x8x8x8xf32>
    // CHECK: exec.concat %{{.*}}, %{{.*}} -> %{{.*}} {axis = 1 : i64} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x8x8x8xf32>
    exec.concat %x, %y -> %c {axis = 1 : i64} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x8x8x8xf32>
    // CHECK: exec.copy %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    exec.copy %x -> %y : memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    return
  }

  // CHECK-LABEL: func.func @training_ops
  func.func @training_ops(%x: memref<2x4x8x8xf32>, %dy: memref<2x4x8x8xf32>, %dx: memref<2x4x8x8xf32>,
                          %seed: memref<i64>, %step: memref<i64>, %on: memref<i1>,
                          %logits: memref<2x10xf32>, %labels: memref<2xi32>, %loss: memref<f32>) {
    %col = exec.alloc : memref<18x64xf32>
    // CHECK: exec.col2im %{{.*}} -> %{{.*}} {group = 1 : i64, groups = 2 : i64, image = 1 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<18x64xf32> -> memref<2x4x8x8xf32>
    exec.col2im %col -> %dx {group = 1 : i64, groups = 2 : i64, image = 1 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<18x64xf32> -> memref<2x4x8x8xf32>
    // The whole batch: [Cg*kh*kw, N*P] columns, no image.
    %cols = exec.alloc : memref<18x128xf32>
    // CHECK: exec.col2im %{{.*}} -> %{{.*}} {group = 0 : i64, groups = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<18x128xf32> -> memref<2x4x8x8xf32>
    exec.col2im %cols -> %dx {group = 0 : i64, groups = 2 : i64, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1>, stride = array<i64: 1, 1>} : memref<18x128xf32> -> memref<2x4x8x8xf32>
    %chrows = exec.alloc : memref<4x128xf32>
    // CHECK: exec.channel_major %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32> -> memref<4x128xf32>
    exec.channel_major %dy -> %chrows : memref<2x4x8x8xf32> -> memref<4x128xf32>
    %ones = exec.alloc : memref<128xf32>
    // CHECK: exec.fill %{{.*}} {value = 1.000000e+00 : f32} : memref<128xf32>
    exec.fill %ones {value = 1.0 : f32} : memref<128xf32>
    %db = exec.alloc : memref<4xf32>
    // CHECK: exec.bias_grad %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32> -> memref<4xf32>
    exec.bias_grad %dy -> %db : memref<2x4x8x8xf32> -> memref<4xf32>
    // CHECK: exec.relu_grad %{{.*}}, %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    exec.relu_grad %dy, %x -> %dx : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    // CHECK: exec.lrn_grad %{{.*}}, %{{.*}}, %{{.*}} -> %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, k = 2.000000e+00 : f64, size = 5 : i64}
    exec.lrn_grad %dy, %x, %x -> %dx {alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64, size = 5 : i64} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    %dp = exec.alloc : memref<2x4x4x4xf32>
    // CHECK: exec.maxpool_grad %{{.*}}, %{{.*}} -> %{{.*}} {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>}
    exec.maxpool_grad %dp, %x -> %dx {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : memref<2x4x4x4xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    // CHECK: exec.avgpool_grad %{{.*}} -> %{{.*}} {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>}
    exec.avgpool_grad %dp -> %dx {pad = array<i64: 0, 0>, stride = array<i64: 2, 2>, window = array<i64: 2, 2>} : memref<2x4x4x4xf32> -> memref<2x4x8x8xf32>
    %m = exec.alloc : memref<2x4x8x8xf32>
    // CHECK: exec.dropout_mask %{{.*}}, %{{.*}}, %{{.*}} -> %{{.*}} {rate = 5.000000e-01 : f64, stream = 1 : i64} : memref<i64>, memref<i64>, memref<i1> -> memref<2x4x8x8xf32>
    exec.dropout_mask %seed, %step, %on -> %m {rate = 0.5 : f64, stream = 1 : i64} : memref<i64>, memref<i64>, memref<i1> -> memref<2x4x8x8xf32>
    // CHECK: exec.mul %{{.*}}, %{{.*}} -> %{{.*}} : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    exec.mul %dy, %m -> %dx : memref<2x4x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x4x8x8xf32>
    %half = exec.alloc : memref<2x2x8x8xf32>
    // CHECK: exec.slice %{{.*}} -> %{{.*}} {axis = 1 : i64, offset = 2 : i64} : memref<2x4x8x8xf32> -> memref<2x2x8x8xf32>
    exec.slice %x -> %half {axis = 1 : i64, offset = 2 : i64} : memref<2x4x8x8xf32> -> memref<2x2x8x8xf32>
    // CHECK: exec.cross_entropy %{{.*}}, %{{.*}} -> %{{.*}} : memref<2x10xf32>, memref<2xi32> -> memref<f32>
    exec.cross_entropy %logits, %labels -> %loss : memref<2x10xf32>, memref<2xi32> -> memref<f32>
    %dl = exec.alloc : memref<2x10xf32>
    // CHECK: exec.cross_entropy_grad %{{.*}}, %{{.*}} -> %{{.*}} : memref<2x10xf32>, memref<2xi32> -> memref<2x10xf32>
    exec.cross_entropy_grad %logits, %labels -> %dl : memref<2x10xf32>, memref<2xi32> -> memref<2x10xf32>
    %acc = exec.alloc : memref<1x4x8x8xf32>
    %bias4 = exec.alloc : memref<4xf32>
    %relu = exec.alloc : memref<2x4x8x8xf32>
    %norm = exec.alloc : memref<2x4x8x8xf32>
    // CHECK: exec.conv_epilogue %{{.*}} bias %{{.*}} -> %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, image = 1 : i64, k = 2.000000e+00 : f64, lrn_size = 5 : i64} : memref<1x4x8x8xf32>, memref<4xf32>, memref<2x4x8x8xf32>
    exec.conv_epilogue %acc bias %bias4 -> %norm {image = 1 : i64, lrn_size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64} : memref<1x4x8x8xf32>, memref<4xf32>, memref<2x4x8x8xf32>
    // CHECK: exec.conv_epilogue %[[R:.*]] bias %{{.*}} relu_into %[[R]] -> %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, image = 0 : i64, k = 2.000000e+00 : f64, lrn_size = 5 : i64} : memref<2x4x8x8xf32>, memref<4xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
    exec.conv_epilogue %relu bias %bias4 relu_into %relu -> %norm {image = 0 : i64, lrn_size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64} : memref<2x4x8x8xf32>, memref<4xf32>, memref<2x4x8x8xf32>, memref<2x4x8x8xf32>
    %wide = exec.alloc : memref<4x128xf32>
    // CHECK: exec.conv_epilogue %{{.*}} -> %{{.*}} : memref<4x128xf32>, memref<2x4x8x8xf32>
    exec.conv_epilogue %wide -> %relu : memref<4x128xf32>, memref<2x4x8x8xf32>
    %rows = exec.alloc : memref<2x4xf32>
    // CHECK: exec.bias_relu %{{.*}} -> %{{.*}} : memref<4xf32> -> memref<2x4xf32>
    exec.bias_relu %bias4 -> %rows : memref<4xf32> -> memref<2x4xf32>
    // What a partitioned module lowers to: a transfer, an in-place slice
    // gradient, an LRN and its gradient with a halo.
    %here = exec.alloc {device = 1 : i64} : memref<2x4xf32>
    // CHECK: exec.transfer %{{.*}} -> %{{.*}} from 0 to 1 {exec.device = 1 : i64} : memref<2x4xf32> -> memref<2x4xf32>
    exec.transfer %rows -> %here from 0 to 1 {exec.device = 1 : i64} : memref<2x4xf32> -> memref<2x4xf32>
    %ext = exec.alloc : memref<2x6x8x8xf32>
    // CHECK: exec.add_slice %{{.*}} -> %{{.*}} {axis = 1 : i64, offset = 2 : i64} : memref<2x4x8x8xf32> -> memref<2x6x8x8xf32>
    exec.add_slice %relu -> %ext {axis = 1 : i64, offset = 2 : i64} : memref<2x4x8x8xf32> -> memref<2x6x8x8xf32>
    // CHECK: exec.lrn %{{.*}} -> %{{.*}} {alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, halo = array<i64: 2, 0>, k = 2.000000e+00 : f64, size = 5 : i64} : memref<2x6x8x8xf32> -> memref<2x4x8x8xf32>
    exec.lrn %ext -> %norm {size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64, halo = array<i64: 2, 0>} : memref<2x6x8x8xf32> -> memref<2x4x8x8xf32>
    %dext = exec.alloc : memref<2x6x8x8xf32>
    // CHECK: exec.lrn_grad {{.*}} halo = array<i64: 2, 0>{{.*}} : memref<2x4x8x8xf32>, memref<2x6x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x6x8x8xf32>
    exec.lrn_grad %norm, %ext, %relu -> %dext {size = 5 : i64, alpha = 1.0e-4 : f64, beta = 0.75 : f64, k = 2.0 : f64, halo = array<i64: 2, 0>} : memref<2x4x8x8xf32>, memref<2x6x8x8xf32>, memref<2x4x8x8xf32> -> memref<2x6x8x8xf32>
    return
  }
}
