// A shape operand of 10^9 entries built a shape of that rank and hung
// (issue 15).
func.func @main(%x: tensor<2x3xf32>, %s: tensor<1000000000xi64>) -> tensor<?x?xf32> {
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<1000000000xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
