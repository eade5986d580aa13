func.func @f(%c: tensor<4xi4>) -> tensor<4x(, #optc.quant<block = [4], scale = f32>> {
  %p = optc.pack %c : tensor<4xi4> -> tensor<4x(, #optc.quant<block = [4], scale = f32>>
  return %p : tensor<4x(, #optc.quant<block = [4], scale = f32>>
}
