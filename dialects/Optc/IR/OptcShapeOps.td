//===- OptcShapeOps.td - data movement -------------------------*- tablegen -*-===//
//
// Reshape, transpose, broadcast, concat, split, slice, pad and tile, and
// their forms with sizes given at run time (dynamic_*, with shape_of and
// range).
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCSHAPEOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCSHAPEOPS_TD

include "dialects/Optc/IR/OptcBase.td"

//===----------------------------------------------------------------------===//
// Shape operations
//===----------------------------------------------------------------------===//

def Optc_ReshapeOp : Optc_InferOp<"reshape"> {
  let summary = "Reinterprets a tensor with another shape";
  let description = [{
    Gives the elements of the input, in row-major order, the shape `shape`.
    At most one entry of `shape` may be -1: that dimension is computed from
    the element count. The element count does not change.

    Example:

    ```mlir
    %y = optc.reshape %x {shape = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::reshape(input, adaptor.getShape(), sink.fn())">;
}

def Optc_TransposeOp : Optc_InferOp<"transpose"> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    Example:

    ```mlir
    %y = optc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::transpose(input, adaptor.getPermutation(), sink.fn())">;
}

def Optc_BroadcastOp : Optc_InferOp<"broadcast"> {
  let summary = "Broadcasts a tensor to a given shape";
  let description = [{
    Stretches the input to exactly `shape` by numpy rules: the input's
    dimensions are aligned with the trailing entries of `shape` and each is
    1 or equal to its entry.

    Example:

    ```mlir
    %y = optc.broadcast %x {shape = array<i64: 4, 2, 3>} : (tensor<2x1xf32>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::staticBroadcast(input, adaptor.getShape(), sink.fn())">;
}

def Optc_ConcatOp : Optc_InferOp<"concat"> {
  let summary = "Joins tensors along one axis";
  let description = [{
    Concatenates one or more tensors of the same element type and rank along
    `axis`; all other dimensions are equal.

    Example:

    ```mlir
    %y = optc.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Optc_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_SplitOp : Optc_InferOp<"split"> {
  let summary = "Splits a tensor into pieces along one axis";
  let description = [{
    Cuts the input along `axis` into consecutive pieces of the given
    `sizes`, which add up to the size of that dimension.

    Example:

    ```mlir
    %a, %b = optc.split %x {axis = 1 : i64, sizes = array<i64: 2, 6>}
        : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>)
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Optc_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_SliceOp : Optc_InferOp<"slice"> {
  let summary = "A strided window of a tensor";
  let description = [{
    Takes, in every dimension `d`, the elements `starts[d]`,
    `starts[d] + strides[d]`, ... up to but excluding `limits[d]`. Bounds are
    positions from the start of the dimension, clamped like numpy's: with a
    positive stride into `[0, size]`, with a negative stride into
    `[-1, size - 1]` (the window then runs backwards, and -1 means "past the
    first element"). A stride is never zero. When a size is unknown the
    clamping happens at run time and the result size is unknown.

    Example:

    ```mlir
    %y = optc.slice %x {starts = array<i64: 0, 7>, limits = array<i64: 4, -1>, strides = array<i64: 2, -1>}
        : (tensor<4x8xf32>) -> tensor<2x8xf32>
    %z = optc.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 9223372036854775807, 3>, strides = array<i64: 1, 1>}
        : (tensor<4x8xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$strides);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      [{shape::slice(input, adaptor.getStarts(), adaptor.getLimits(),
                     adaptor.getStrides(), sink.fn())}]>;
}

def Optc_PadOp : Optc_InferOp<"pad"> {
  let summary = "Pads (or with negative pads, crops) a tensor";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after every dimension `d`;
    negative amounts remove elements. The new elements are:

    * `constant`: the optional 0-d `value` operand, else zero;
    * `reflect`: the mirror image without repeating the edge
      (pads are at most `size - 1`);
    * `edge`: copies of the edge element;
    * `wrap`: the elements from the opposite end (pads at most `size`).

    Example:

    ```mlir
    %y = optc.pad constant %x, %v {low = array<i64: 0, 1>, high = array<i64: 0, 2>}
        : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x6xf32>
    %z = optc.pad reflect %x {low = array<i64: 1, 1>, high = array<i64: 1, 1>}
        : (tensor<2x3xf32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Optc_PadMode:$mode, Optc_Tensor:$input,
                       Optional<Optc_Tensor>:$value, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$mode $input (`,` $value^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_TileOp : Optc_InferOp<"tile"> {
  let summary = "Repeats a tensor along every dimension";
  let description = [{
    Repeats the input `multiples[d]` times along each dimension `d`.

    Example:

    ```mlir
    %y = optc.tile %x {multiples = array<i64: 2, 3>} : (tensor<2x3xi64>) -> tensor<4x9xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$multiples);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::tile(input, adaptor.getMultiples(), sink.fn())">;
}

//===----------------------------------------------------------------------===//
// Shape operations with sizes given at run time
//
// The forms of reshape, broadcast, slice, pad and tile whose sizes are
// operands (1-D i64 tensors of static length) rather than attributes, for
// models that compute them. Their results know only what the sizes' lengths
// and the input tell; canonicalisation turns each into the attribute form
// once its size operands are constants.
//===----------------------------------------------------------------------===//

def Optc_ShapeOfOp : Optc_InferOp<"shape_of"> {
  let summary = "The sizes of a tensor, as a 1-D i64 tensor";
  let description = [{
    The sizes of the input's dimensions at run time. Folds to a constant
    when they are all known.

    Example:

    ```mlir
    %s = optc.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input);
  let results = (outs Optc_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<"shape::Shape{int64_t(input.size())}",
                                 Optc_I64Result>;
}

def Optc_DynamicReshapeOp : Optc_InferOp<"dynamic_reshape"> {
  let summary = "Reshape to sizes given at run time";
  let description = [{
    `optc.reshape` with the shape as an operand: its length is the result's
    rank, and at most one entry may be -1 (computed from the element count).
    The element count does not change.

    Example:

    ```mlir
    %y = optc.dynamic_reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "shape"],
      "shape::dynamicReshape(input, shape, sink.fn())">;
}

def Optc_DynamicBroadcastOp : Optc_InferOp<"dynamic_broadcast"> {
  let summary = "Broadcasts a tensor with a shape given at run time";
  let description = [{
    Broadcasts the input and `shape` together by numpy rules (ONNX Expand):
    the result has the rank of the longer of the two, and each size is the
    one of the pair that is not 1. A result size is known when the input's
    size is known and not 1.

    Example:

    ```mlir
    %y = optc.dynamic_broadcast %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "shape"],
      "shape::dynamicBroadcast(input, shape, sink.fn())">;
}

def Optc_RangeOp : Optc_InferOp<"range"> {
  let summary = "An arithmetic sequence of run-time length";
  let description = [{
    The 1-D sequence `start, start + delta, ...` of every value before
    `limit`: `max(ceil((limit - start) / delta), 0)` elements. The three
    operands are 0-d tensors of one numeric element type; `delta` is not
    zero. Canonicalises to a constant when the operands are constants.

    Example:

    ```mlir
    %r = optc.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$start, Optc_NumericTensor:$limit,
                       Optc_NumericTensor:$delta);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["start", "limit", "delta"],
      "shape::range(start, limit, delta, sink.fn())", [0, 1, 2]>;
}

def Optc_DynamicSliceOp : Optc_InferOp<"dynamic_slice"> {
  let summary = "A strided window with bounds given at run time";
  let description = [{
    `optc.slice` with `starts`, `limits` and `strides` as operands, one
    entry per dimension each, clamped the same way. A stride is never zero.

    Example:

    ```mlir
    %y = optc.dynamic_slice %x, %starts, %limits, %strides
        : (tensor<4x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$starts,
                       Optc_I64Tensor:$limits, Optc_I64Tensor:$strides);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $starts `,` $limits `,` $strides attr-dict "
                       "`:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "starts", "limits", "strides"],
      [{shape::dynamicWindow(input, {{"starts", starts}, {"limits", limits},
                                     {"strides", strides}}, sink.fn())}]>;
}

def Optc_DynamicPadOp : Optc_InferOp<"dynamic_pad"> {
  let summary = "Pads (or crops) a tensor by amounts given at run time";
  let description = [{
    `optc.pad` with `low` and `high` as operands, one entry per dimension
    each, with the same modes and limits.

    Example:

    ```mlir
    %y = optc.dynamic_pad constant %x, %low, %high, %v
        : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_PadMode:$mode, Optc_Tensor:$input,
                       Optc_I64Tensor:$low, Optc_I64Tensor:$high,
                       Optional<Optc_Tensor>:$value);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$mode $input `,` $low `,` $high (`,` $value^)? "
                       "attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Optc_DynamicTileOp : Optc_InferOp<"dynamic_tile"> {
  let summary = "Repeats a tensor a number of times given at run time";
  let description = [{
    `optc.tile` with `multiples` as an operand, one non-negative entry per
    dimension.

    Example:

    ```mlir
    %y = optc.dynamic_tile %x, %m : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<?x?xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$multiples);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $multiples attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "multiples"],
      "shape::dynamicTile(input, multiples, sink.fn())">;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCSHAPEOPS_TD
