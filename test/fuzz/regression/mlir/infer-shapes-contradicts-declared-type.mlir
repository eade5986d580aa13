// A declared size that contradicts what the operands now give is an error
// naming both.
func.func @contradiction(%x: tensor<4xf32>) -> tensor<5xf32> {
  %0 = optc.reshape %x {shape = array<i64: -1>} : (tensor<4xf32>) -> tensor<?xf32>
  // expected-error @+1 {{'optc.add' op result 0 is declared 'tensor<5xf32>' but its operands give 'tensor<4xf32>'}}
  %1 = optc.add %0, %0 : (tensor<?xf32>, tensor<?xf32>) -> tensor<5xf32>
  return %1 : tensor<5xf32>
}
