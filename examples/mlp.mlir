// A two-layer perceptron in the optc dialect, as the ONNX importer will
// produce it: batch 1, 16 inputs, 32 hidden units, 10 classes. The first
// layer's bias and activation are already grouped into one fusion region.
func.func @main(%x: tensor<1x16xf32>) -> tensor<1x10xf32> {
  %w1 = optc.constant dense<0.125> : tensor<16x32xf32>
  %b1 = optc.constant dense<0.5> : tensor<32xf32>
  %w2 = optc.constant dense<-0.25> : tensor<32x10xf32>
  %b2 = optc.constant dense<1.0> : tensor<10xf32>
  %h = optc.matmul %x, %w1 : (tensor<1x16xf32>, tensor<16x32xf32>) -> tensor<1x32xf32>
  %a = optc.fusion (%in = %h : tensor<1x32xf32>, %bias = %b1 : tensor<32xf32>) -> tensor<1x32xf32> {
    %s = optc.add %in, %bias : (tensor<1x32xf32>, tensor<32xf32>) -> tensor<1x32xf32>
    %r = optc.relu %s : tensor<1x32xf32>
    optc.yield %r : tensor<1x32xf32>
  }
  %o = optc.matmul %a, %w2 : (tensor<1x32xf32>, tensor<32x10xf32>) -> tensor<1x10xf32>
  %y = optc.add %o, %b2 : (tensor<1x10xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  %p = optc.softmax %y {axis = 1 : i64} : tensor<1x10xf32>
  return %p : tensor<1x10xf32>
}
