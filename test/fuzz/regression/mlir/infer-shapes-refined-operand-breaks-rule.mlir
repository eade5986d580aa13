// A shape rule broken by a refined operand is reported by the rule.
func.func @broken_rule(%x: tensor<2x3xf32>) -> tensor<5x3xf32> {
  %0 = optc.reshape %x {shape = array<i64: -1, 3>} : (tensor<2x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{'optc.broadcast' op cannot broadcast shape 2x3 to 5x3: input dimension 0 is 2, expected 1 or 5}}
  %1 = optc.broadcast %0 {shape = array<i64: 5, 3>} : (tensor<?x3xf32>) -> tensor<5x3xf32>
  return %1 : tensor<5x3xf32>
}
