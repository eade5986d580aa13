// A shape operand of 2^32 entries sized a vector by it and aborted
// (issue 15, OptcShapes.cpp dynamicBroadcast).
func.func @main(%x: tensor<2x3xf32>, %s: tensor<4294967296xi64>) -> tensor<?x?xf32> {
  %0 = optc.dynamic_broadcast %x, %s : (tensor<2x3xf32>, tensor<4294967296xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
