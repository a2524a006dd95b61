// RUN: alexnet-opt %s --convert-nn-to-exec | FileCheck %s --check-prefix=WIDE
// RUN: alexnet-opt %s --convert-nn-to-exec="im2col-budget=256" | FileCheck %s --check-prefix=PER-IMAGE

// One image's im2col matrix is 18 x 36 floats (2592 bytes). Within the
// budget (2 MiB by default; the CUDA pipeline lifts it) the whole batch is
// unfolded side by side for one GEMM, reordered to NCHW by conv_output.
//   WIDE-LABEL: func.func @inference
//         WIDE:   exec.alloc : memref<18x72xf32>
//     WIDE-NOT:   image =
//         WIDE:   exec.gemm {{.*}} {k = 18 : i64, m = 4 : i64, n = 72 : i64}
//         WIDE:   exec.conv_output

// Above it each image is unfolded on its own and its GEMM writes that
// image's NCHW rows; the bias is added in place afterwards.
//   PER-IMAGE-LABEL: func.func @inference
//         PER-IMAGE:   exec.alloc : memref<18x36xf32>
//         PER-IMAGE:   exec.im2col {{.*}}image = 0
//         PER-IMAGE:   exec.gemm {{.*}} {k = 18 : i64, m = 4 : i64, n = 36 : i64}
//         PER-IMAGE:   exec.im2col {{.*}}image = 1
//         PER-IMAGE:   exec.gemm {{.*}} {c_offset = 144 : i64, k = 18 : i64, m = 4 : i64, n = 36 : i64}
//     PER-IMAGE-NOT:   exec.conv_output
//         PER-IMAGE:   exec.bias_add
module attributes {nn.model = "conv", nn.batch = 2 : i64} {
  nn.parameter @c.weight : tensor<4x2x3x3xf32> {init = #nn.init<normal(0.0, 0.01)>}
  nn.parameter @c.bias : tensor<4xf32> {init = #nn.init<constant(0.0)>}
  func.func @inference(%x: tensor<2x2x6x6xf32>) -> tensor<2x4x6x6xf32> {
    %w = nn.param_ref @c.weight : tensor<4x2x3x3xf32>
    %b = nn.param_ref @c.bias : tensor<4xf32>
    %y = nn.conv2d %x, %w, %b stride [1, 1] pad [1, 1] groups 1 : tensor<2x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32> -> tensor<2x4x6x6xf32>
    return %y : tensor<2x4x6x6xf32>
  }
}
