// 2^32 x 2^32 elements wrap to 0 in int64 (issue 15: sizes computed with
// the wrapped value).
func.func @main(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  %0 = optc.relu %x : tensor<4294967296x4294967296xf32>
  return %0 : tensor<4294967296x4294967296xf32>
}
