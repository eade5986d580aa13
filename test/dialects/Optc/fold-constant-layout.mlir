// RUN: optc-opt %s -canonicalize -split-input-file | FileCheck %s
// Transposes, slices and splits of constants fold on the raw bytes at any
// size, dense_resource blobs (the importer's weights) included: the result
// is a new blob (inline dense<...> up to 64 bytes) and the original, once
// unused, is gone. A blob's reshape stays (a free view at run time) and the
// folds read through it.

// Gemm's transB / nn.Linear: a blob's transpose is a blob.
// CHECK-LABEL: func.func @transpose_blob
// CHECK-NEXT: %[[C:.*]] = optc.constant dense_resource<[[KEY:w_[0-9]+]]> : tensor<5x4xi32>
// CHECK-NEXT: return %[[C]]
// CHECK: dialect_resources
// CHECK-NOT: w:
// CHECK: [[KEY]]: "0x0400000000000000050000000A0000000F00000001000000060000000B0000001000000002000000070000000C0000001100000003000000080000000D0000001200000004000000090000000E00000013000000"
func.func @transpose_blob() -> tensor<5x4xi32> {
  %w = optc.constant dense_resource<w> : tensor<4x5xi32>
  %0 = optc.transpose %w {permutation = array<i64: 1, 0>} : (tensor<4x5xi32>) -> tensor<5x4xi32>
  return %0 : tensor<5x4xi32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000100000002000000030000000400000005000000060000000700000008000000090000000A0000000B0000000C0000000D0000000E0000000F00000010000000110000001200000013000000"
    }
  }
#-}

// -----

// Any permutation (here a convolution weight's HWIO -> OIHW), and a reshape
// of a blob read through; the reshape alone stays.
// CHECK-LABEL: func.func @permute_blob
// CHECK-DAG: %[[P:.*]] = optc.constant dense_resource<[[P_KEY:x_[0-9]+]]> : tensor<6x3x5xi8>
// CHECK-DAG: %[[R:.*]] = optc.constant dense_resource<[[R_KEY:x_[0-9]+]]> : tensor<15x6xi8>
// CHECK-DAG: %[[X:.*]] = optc.constant dense_resource<x> : tensor<3x5x6xi8>
// CHECK-DAG: %[[V:.*]] = optc.reshape %[[X]] {{.*}} : (tensor<3x5x6xi8>) -> tensor<90xi8>
// CHECK: return %[[P]], %[[R]], %[[V]]
// CHECK-DAG: [[P_KEY]]: "0x0100000000060C12181E242A30363C42484E5401070D13191F252B31373D43494F5502080E141A20262C32383E444A505603090F151B21272D33393F454B5157040A10161C22282E343A40464C5258050B11171D23292F353B41474D5359"
// CHECK-DAG: [[R_KEY]]: "0x01000000000F1E2D3C4B01101F2E3D4C0211202F3E4D031221303F4E04132231404F0514233241500615243342510716253443520817263544530918273645540A19283746550B1A293847560C1B2A3948570D1C2B3A49580E1D2C3B4A59"
func.func @permute_blob() -> (tensor<6x3x5xi8>, tensor<15x6xi8>, tensor<90xi8>) {
  %x = optc.constant dense_resource<x> : tensor<3x5x6xi8>
  %0 = optc.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<3x5x6xi8>) -> tensor<6x3x5xi8>
  %r = optc.reshape %x {shape = array<i64: 6, 15>} : (tensor<3x5x6xi8>) -> tensor<6x15xi8>
  %1 = optc.transpose %r {permutation = array<i64: 1, 0>} : (tensor<6x15xi8>) -> tensor<15x6xi8>
  %2 = optc.reshape %x {shape = array<i64: 90>} : (tensor<3x5x6xi8>) -> tensor<90xi8>
  return %0, %1, %2 : tensor<6x3x5xi8>, tensor<15x6xi8>, tensor<90xi8>
}
{-#
  dialect_resources: {
    builtin: {
      x: "0x01000000000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F50515253545556575859"
    }
  }
#-}

// -----

// An LSTM's per-direction slice, a strided reversed slice (small: inline)
// and a split of a blob.
// CHECK-LABEL: func.func @slice_split_blob
// CHECK-DAG: %[[D:.*]] = optc.constant dense_resource<[[D_KEY:s_[0-9]+]]> : tensor<1x4x5xf32>
// CHECK-DAG: %[[R:.*]] = optc.constant dense<{{\[}}{{\[}}{{\[}}8.000000e+00, 8.500000e+00], {{\[}}3.000000e+00, 3.500000e+00]], {{\[}}{{\[}}1.800000e+01, 1.850000e+01], {{\[}}1.300000e+01, 1.350000e+01]]]> : tensor<2x2x2xf32>
// CHECK-DAG: %[[A:.*]] = optc.constant dense<{{\[}}{{\[}}{{\[}}0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00]], {{\[}}{{\[}}1.000000e+01, 1.050000e+01, 1.100000e+01, 1.150000e+01, 1.200000e+01]]]> : tensor<2x1x5xf32>
// CHECK-DAG: %[[B:.*]] = optc.constant dense_resource<[[B_KEY:s_[0-9]+]]> : tensor<2x3x5xf32>
// CHECK: return %[[D]], %[[R]], %[[A]], %[[B]]
// CHECK-DAG: [[D_KEY]]: "0x0400000000002041000028410000304100003841000040410000484100005041000058410000604100006841000070410000784100008041000084410000884100008C4100009041000094410000984100009C41"
// CHECK-DAG: [[B_KEY]]: "0x0400000000002040000040400000604000008040000090400000A0400000B0400000C0400000D0400000E0400000F040000000410000084100001041000018410000484100005041000058410000604100006841000070410000784100008041000084410000884100008C4100009041000094410000984100009C41"
func.func @slice_split_blob() -> (tensor<1x4x5xf32>, tensor<2x2x2xf32>, tensor<2x1x5xf32>, tensor<2x3x5xf32>) {
  %s = optc.constant dense_resource<s> : tensor<2x4x5xf32>
  %0 = optc.slice %s {limits = array<i64: 2, 4, 5>, starts = array<i64: 1, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<2x4x5xf32>) -> tensor<1x4x5xf32>
  %1 = optc.slice %s {limits = array<i64: 2, -1, 3>, starts = array<i64: 0, 3, 1>, strides = array<i64: 1, -2, 1>} : (tensor<2x4x5xf32>) -> tensor<2x2x2xf32>
  %2:2 = optc.split %s {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<2x4x5xf32>) -> (tensor<2x1x5xf32>, tensor<2x3x5xf32>)
  return %0, %1, %2#0, %2#1 : tensor<1x4x5xf32>, tensor<2x2x2xf32>, tensor<2x1x5xf32>, tensor<2x3x5xf32>
}
{-#
  dialect_resources: {
    builtin: {
      s: "0x04000000000000000000003F0000803F0000C03F0000004000002040000040400000604000008040000090400000A0400000B0400000C0400000D0400000E0400000F0400000004100000841000010410000184100002041000028410000304100003841000040410000484100005041000058410000604100006841000070410000784100008041000084410000884100008C4100009041000094410000984100009C41"
    }
  }
#-}

// -----

// Bools are stored a byte each in a blob; their transpose stays a blob.
// CHECK-LABEL: func.func @transpose_bool_blob
// CHECK-NEXT: optc.constant dense_resource<[[KEY:b_[0-9]+]]> : tensor<2x3xi1>
// CHECK: [[KEY]]: "0x01000000010001000001"
func.func @transpose_bool_blob() -> tensor<2x3xi1> {
  %b = optc.constant dense_resource<b> : tensor<3x2xi1>
  %0 = optc.transpose %b {permutation = array<i64: 1, 0>} : (tensor<3x2xi1>) -> tensor<2x3xi1>
  return %0 : tensor<2x3xi1>
}
{-#
  dialect_resources: {
    builtin: {
      b: "0x01000000010000000101"
    }
  }
#-}

// -----

// A weight also used untransposed (tied embeddings) is stored in both
// layouts: one copy at compile time beats a transpose on every call.
// CHECK-LABEL: func.func @transpose_shared_blob
// CHECK-DAG: optc.constant dense_resource<w> : tensor<4x5xi32>
// CHECK-DAG: optc.constant dense_resource<w_{{[0-9]+}}> : tensor<5x4xi32>
// CHECK-NOT: optc.transpose
func.func @transpose_shared_blob() -> (tensor<4x5xi32>, tensor<5x4xi32>) {
  %w = optc.constant dense_resource<w> : tensor<4x5xi32>
  %0 = optc.transpose %w {permutation = array<i64: 1, 0>} : (tensor<4x5xi32>) -> tensor<5x4xi32>
  return %w, %0 : tensor<4x5xi32>, tensor<5x4xi32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000100000002000000030000000400000005000000060000000700000008000000090000000A0000000B0000000C0000000D0000000E0000000F00000010000000110000001200000013000000"
    }
  }
#-}
