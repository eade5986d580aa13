// A two-layer perceptron in the optc dialect: batch 1, 16 inputs, 32 hidden
// units, 10 classes. The intermediate shapes are left unknown (`?`), as an
// importer writes them when a model does not declare them, and the second
// weight is stored transposed, as exporters often do. The first layer's
// bias and activation are already grouped into one fusion region.
//
//   optc-opt examples/mlp.mlir --optc-infer-shapes --canonicalize
//
// fills in every shape and folds the transpose of the constant weight.
func.func @main(%x: tensor<1x16xf32>) -> tensor<?x?xf32> {
  %w1 = optc.constant dense<0.125> : tensor<16x32xf32>
  %b1 = optc.constant dense<0.5> : tensor<32xf32>
  %w2t = optc.constant dense<-0.25> : tensor<10x32xf32>
  %b2 = optc.constant dense<1.0> : tensor<10xf32>
  %h = optc.matmul %x, %w1 : (tensor<1x16xf32>, tensor<16x32xf32>) -> tensor<?x?xf32>
  %a = optc.fusion (%in = %h : tensor<?x?xf32>, %bias = %b1 : tensor<32xf32>) -> tensor<?x?xf32> {
    %s = optc.add %in, %bias : (tensor<?x?xf32>, tensor<32xf32>) -> tensor<?x?xf32>
    %r = optc.relu %s : tensor<?x?xf32>
    optc.yield %r : tensor<?x?xf32>
  }
  %w2 = optc.transpose %w2t {permutation = array<i64: 1, 0>} : (tensor<10x32xf32>) -> tensor<32x10xf32>
  %o = optc.matmul %a, %w2 : (tensor<?x?xf32>, tensor<32x10xf32>) -> tensor<?x?xf32>
  %y = optc.add %o, %b2 : (tensor<?x?xf32>, tensor<10xf32>) -> tensor<?x?xf32>
  %p = optc.softmax %y {axis = 1 : i64} : tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}
