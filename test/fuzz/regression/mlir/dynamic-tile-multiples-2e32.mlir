// Multiples of 2^32 entries: the same sizing as dynamic_broadcast's.
func.func @main(%x: tensor<2x3xf32>, %m: tensor<4294967296xi64>) -> tensor<?x?xf32> {
  %0 = optc.dynamic_tile %x, %m : (tensor<2x3xf32>, tensor<4294967296xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
