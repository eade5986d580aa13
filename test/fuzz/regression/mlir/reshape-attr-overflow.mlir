// A static reshape whose shape attribute overflows int64.
func.func @main(%x: tensor<1xf32>) -> tensor<?x?xf32> {
  %0 = optc.reshape %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<1xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
