// RUN: optc-opt %s --optc-externalize-weights="force min-bytes=16" | FileCheck %s
// RUN: optc-opt %s --optc-externalize-weights | FileCheck %s --check-prefix=SMALL

// The two weights @main reads get aligned offsets in one blob, a new last
// argument of @main; the small one stays a global. The module records the
// bytes, the size and the hash for the side file.
// CHECK: module attributes {optc.weights = {{\[}}[0, dense<1.000000e+00> : tensor<4x4xf32>], [64, dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>]], optc.weights_id = "{{[0-9a-f]+}}", optc.weights_size = 128 : i64}
// CHECK-NOT: memref.global "private" constant @w
// CHECK: memref.global "private" constant @tiny
// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[BLOB:[^:]*]]: memref<128xi8>)
// CHECK: memref.view %[[BLOB]][%c0{{.*}}][] : memref<128xi8> to memref<4x4xf32>
// CHECK: memref.view %[[BLOB]][%c64{{.*}}][] : memref<128xi8> to memref<6xi32>
// CHECK: memref.get_global @tiny

// Below the default limit of 64 MiB nothing moves; the 4x4 weight becomes
// a flat global of 16, reshaped where it is read (the LLVM translation makes
// one constant per innermost row of a global of higher rank).
// SMALL-NOT: optc.weights
// SMALL: memref.global "private" constant @w : memref<16xf32> = dense<1.000000e+00>
// SMALL: %[[FLAT:.*]] = memref.get_global @w : memref<16xf32>
// SMALL: memref.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
// SMALL: memref.get_global @w2 : memref<6xi32>
module {
  memref.global "private" constant @w : memref<4x4xf32> = dense<1.0>
  memref.global "private" constant @w2 : memref<6xi32> = dense<[1, 2, 3, 4, 5, 6]>
  memref.global "private" constant @tiny : memref<2xf32> = dense<[1.0, 2.0]>
  func.func private @use(memref<4x4xf32>, memref<6xi32>, memref<2xf32>)
  func.func @main(%out: memref<4xf32>) {
    %0 = memref.get_global @w : memref<4x4xf32>
    %1 = memref.get_global @w2 : memref<6xi32>
    %2 = memref.get_global @tiny : memref<2xf32>
    call @use(%0, %1, %2) : (memref<4x4xf32>, memref<6xi32>, memref<2xf32>) -> ()
    return
  }
}
