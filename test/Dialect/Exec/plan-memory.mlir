// RUN: alexnet-opt %s --split-input-file --exec-plan-memory | FileCheck %s
// RUN: alexnet-opt %s --split-input-file --exec-plan-memory="alignment=256" | FileCheck %s --check-prefix=ALIGN

// A chain: %a dies when %c is written, so %c reuses %a's bytes, while %b
// (live together with both) never overlaps either.
// CHECK-LABEL: func.func @chain
//  CHECK-SAME: exec.arena_bytes = array<i64: 2048>
//  CHECK-SAME: exec.naive_bytes = array<i64: 3072>
//       CHECK: exec.alloc {offset = 0 : i64} : memref<256xf32>
//       CHECK: exec.alloc {offset = 1024 : i64} : memref<256xf32>
//       CHECK: exec.alloc {offset = 0 : i64} : memref<256xf32>
func.func @chain(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = exec.alloc : memref<256xf32>
  exec.relu %in -> %a : memref<256xf32> -> memref<256xf32>
  %b = exec.alloc : memref<256xf32>
  exec.relu %a -> %b : memref<256xf32> -> memref<256xf32>
  %c = exec.alloc : memref<256xf32>
  exec.relu %b -> %c : memref<256xf32> -> memref<256xf32>
  exec.relu %c -> %out : memref<256xf32> -> memref<256xf32>
  return
}

// -----

// Three buffers all live at the add: three distinct, non-overlapping ranges.
// CHECK-LABEL: func.func @all_live
//  CHECK-SAME: exec.arena_bytes = array<i64: 3072>
//   CHECK-DAG: exec.alloc {offset = 0 : i64}
//   CHECK-DAG: exec.alloc {offset = 1024 : i64}
//   CHECK-DAG: exec.alloc {offset = 2048 : i64}
func.func @all_live(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = exec.alloc : memref<256xf32>
  %b = exec.alloc : memref<256xf32>
  %c = exec.alloc : memref<256xf32>
  exec.relu %in -> %a : memref<256xf32> -> memref<256xf32>
  exec.relu %in -> %b : memref<256xf32> -> memref<256xf32>
  exec.add %a, %b -> %c : memref<256xf32>, memref<256xf32> -> memref<256xf32>
  exec.relu %c -> %out : memref<256xf32> -> memref<256xf32>
  return
}

// -----

// Sizes that are not a multiple of the alignment: every offset is rounded
// up (100 floats = 400 bytes -> 448 at 64, 512 at 256).
// CHECK-LABEL: func.func @unaligned
//       CHECK: exec.alloc {offset = 0 : i64} : memref<100xf32>
//       CHECK: exec.alloc {offset = 448 : i64} : memref<100xf32>
// ALIGN-LABEL: func.func @unaligned
//  ALIGN-SAME: exec.arena_bytes = array<i64: 912>
//       ALIGN: exec.alloc {offset = 0 : i64} : memref<100xf32>
//       ALIGN: exec.alloc {offset = 512 : i64} : memref<100xf32>
func.func @unaligned(%in: memref<100xf32>, %out: memref<100xf32>) {
  %a = exec.alloc : memref<100xf32>
  exec.relu %in -> %a : memref<100xf32> -> memref<100xf32>
  %b = exec.alloc : memref<100xf32>
  exec.relu %a -> %b : memref<100xf32> -> memref<100xf32>
  exec.relu %b -> %out : memref<100xf32> -> memref<100xf32>
  return
}

// -----

// A reshape is an alias: %a stays live until its reshaped view is read, so
// %b (written in between) cannot take its place.
// CHECK-LABEL: func.func @alias
//       CHECK: %[[A:.*]] = exec.alloc {offset = 0 : i64} : memref<2x128xf32>
//       CHECK: exec.alloc {offset = 1024 : i64} : memref<256xf32>
func.func @alias(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = exec.alloc : memref<2x128xf32>
  exec.copy %in -> %a : memref<256xf32> -> memref<2x128xf32>
  %flat = exec.reshape %a : memref<2x128xf32> to memref<256xf32>
  %b = exec.alloc : memref<256xf32>
  exec.relu %in -> %b : memref<256xf32> -> memref<256xf32>
  exec.add %flat, %b -> %out : memref<256xf32>, memref<256xf32> -> memref<256xf32>
  return
}

// -----

// Each device has its own arena, planned independently.
// CHECK-LABEL: func.func @devices
//  CHECK-SAME: exec.arena_bytes = array<i64: 1024, 1024>
//       CHECK: exec.alloc {offset = 0 : i64}
//       CHECK: exec.alloc {device = 1 : i64, offset = 0 : i64}
func.func @devices(%in: memref<256xf32>, %out: memref<256xf32>) {
  %a = exec.alloc {device = 0 : i64} : memref<256xf32>
  exec.relu %in -> %a : memref<256xf32> -> memref<256xf32>
  %b = exec.alloc {device = 1 : i64} : memref<256xf32>
  exec.relu %a -> %b : memref<256xf32> -> memref<256xf32>
  exec.relu %b -> %out : memref<256xf32> -> memref<256xf32>
  return
}

// -----

// Buffers born after others died reuse their bytes; the two big ones that
// meet at one op do not share.
// CHECK-LABEL: func.func @reuse_after_death
//  CHECK-SAME: exec.arena_bytes = array<i64: 8192>
//       CHECK: exec.alloc {offset = 0 : i64} : memref<1024xf32>
//       CHECK: exec.alloc {offset = 4096 : i64} : memref<1024xf32>
//       CHECK: exec.alloc {offset = 0 : i64} : memref<16xf32>
func.func @reuse_after_death(%in: memref<16xf32>, %big: memref<1024xf32>, %out: memref<16xf32>) {
  %x = exec.alloc : memref<1024xf32>
  exec.relu %big -> %x : memref<1024xf32> -> memref<1024xf32>
  %y = exec.alloc : memref<1024xf32>
  exec.relu %x -> %y : memref<1024xf32> -> memref<1024xf32>
  exec.relu %y -> %big : memref<1024xf32> -> memref<1024xf32>
  %small = exec.alloc : memref<16xf32>
  exec.relu %in -> %small : memref<16xf32> -> memref<16xf32>
  exec.relu %small -> %out : memref<16xf32> -> memref<16xf32>
  return
}

// -----

// Devices run concurrently: device 1 copies %x out of device 0's arena at
// some time after device 0 passed the transfer, so %x lives to the end and
// %late (device 0, born after %x's last use in program order) may not take
// its bytes. Each arena is planned on its own; exec.transfer_bytes counts
// what each device receives.
// CHECK-LABEL: func.func @transfer_source_pinned
//  CHECK-SAME: exec.arena_bytes = array<i64: 8192, 4096>
//  CHECK-SAME: exec.transfer_bytes = array<i64: 0, 4096>
//       CHECK: exec.alloc {offset = 0 : i64} : memref<1024xf32>
//       CHECK: exec.alloc {device = 1 : i64, offset = 0 : i64} : memref<1024xf32>
//       CHECK: exec.alloc {offset = 4096 : i64} : memref<1024xf32>
func.func @transfer_source_pinned(%in: memref<1024xf32>, %out: memref<1024xf32>) {
  %x = exec.alloc {device = 0 : i64} : memref<1024xf32>
  exec.relu %in -> %x : memref<1024xf32> -> memref<1024xf32>
  %there = exec.alloc {device = 1 : i64} : memref<1024xf32>
  exec.transfer %x -> %there from 0 to 1 {exec.device = 1 : i64} : memref<1024xf32> -> memref<1024xf32>
  %late = exec.alloc {device = 0 : i64} : memref<1024xf32>
  exec.relu %in -> %late : memref<1024xf32> -> memref<1024xf32>
  exec.add %late, %in -> %out : memref<1024xf32>, memref<1024xf32> -> memref<1024xf32>
  exec.relu %there -> %out {exec.device = 1 : i64} : memref<1024xf32> -> memref<1024xf32>
  return
}
