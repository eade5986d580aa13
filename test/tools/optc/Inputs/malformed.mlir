func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optc.exp %x : tensor<4xf32>
  %1 = optc.add %0, %x : (tensor<4xf32>, tensor<5xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}
