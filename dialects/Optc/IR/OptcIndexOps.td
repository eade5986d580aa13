//===- OptcIndexOps.td - indexing operations -------------------*- tablegen -*-===//
//
// Gathers, scatters, top_k, and the operations whose result sizes depend
// on the data: non_zero, unique, non_max_suppression.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCINDEXOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCINDEXOPS_TD

include "dialects/Optc/IR/OptcBase.td"

//===----------------------------------------------------------------------===//
// Top-k
//===----------------------------------------------------------------------===//

def Optc_TopKOp : Optc_InferOp<"top_k"> {
  let summary = "The k largest or smallest elements along an axis";
  let description = [{
    Returns the `k` largest (or, with `largest = false`, smallest) elements
    along `axis` and their `i64` indices. With `sorted` (the default) they
    are in order, largest first (smallest first); ties keep the lower index
    first. `k` is at most the size of the axis.

    Example:

    ```mlir
    %v, %i = optc.top_k %x {axis = 1 : i64, k = 3 : i64}
        : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$input, I64Attr:$axis, I64Attr:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Optc_NumericTensor:$values, Optc_I64Tensor:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Results whose sizes depend on the data
//===----------------------------------------------------------------------===//

def Optc_NonZeroOp : Optc_InferOp<"non_zero"> {
  let summary = "The indices of the non-zero elements";
  let description = [{
    The `i64` indices of the input's non-zero (true) elements in row-major
    order, one column per element: the result is `rank x count`, `count`
    known only at run time. Canonicalises to a constant for a constant
    input.

    Example:

    ```mlir
    %i = optc.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input);
  let results = (outs Optc_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Optc_UniqueOp : Optc_InferOp<"unique"> {
  let summary = "The distinct elements (or slices along an axis)";
  let description = [{
    The distinct elements of the flattened input, or with `axis` the
    distinct slices along `axis`, in ascending order with `sorted` (the
    default) or in order of first occurrence. Also returns, in `i64`, the
    index of each one's first occurrence, for every input element (slice)
    the index of its distinct value, and how often each occurs. Slices are
    ordered lexicographically.

    Example:

    ```mlir
    %y, %first, %inverse, %counts = optc.unique %x {axis = 0 : i64}
        : (tensor<4x3xf32>) -> (tensor<?x3xf32>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Optc_Tensor:$output, Optc_I64Tensor:$first_indices,
                      Optc_I64Tensor:$inverse_indices, Optc_I64Tensor:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Optc_NonMaxSuppressionOp : Optc_InferOp<"non_max_suppression"> {
  let summary = "Greedy non-maximum suppression of boxes, per class";
  let description = [{
    For every batch entry and class, visits the boxes (`batch x boxes x 4`)
    from the highest score (`batch x classes x boxes`) down, skips those
    whose score is not above `score_threshold` and those whose
    intersection over union with an already selected box is above
    `iou_threshold`, and selects at most `max_per_class`. Boxes are
    `[y1, x1, y2, x2]` corners (in either order), or
    `[x_center, y_center, width, height]` with `center_point_box`. The
    thresholds and the maximum are 0-d operands; the result lists
    `[batch, class, box]` index triples (`count x 3`).

    Example:

    ```mlir
    %sel = optc.non_max_suppression %boxes, %scores, %max, %iou, %score
        : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$boxes, Optc_FloatTensor:$scores,
                       Optc_I64Tensor:$max_per_class,
                       Optc_FloatTensor:$iou_threshold,
                       Optc_FloatTensor:$score_threshold,
                       UnitAttr:$center_point_box);
  let results = (outs Optc_I64Tensor:$selected);
  let assemblyFormat = "$boxes `,` $scores `,` $max_per_class `,` "
                       "$iou_threshold `,` $score_threshold attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

def Optc_GatherOp : Optc_InferOp<"gather"> {
  let summary = "Gathers slices along one axis by index";
  let description = [{
    `output[i..., j..., k...] = data[i..., indices[j...], k...]` where the
    index replaces dimension `axis` of `data`: the result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`. Negative
    indices count from the end; indices out of range are a run-time error.

    Example:

    ```mlir
    %e = optc.gather %table, %ids {axis = 0 : i64}
        : (tensor<50257x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gather(data, indices, adaptor.getAxis(), sink.fn())">;
}

def Optc_GatherElementsOp : Optc_InferOp<"gather_elements"> {
  let summary = "Gathers single elements along one axis by index";
  let description = [{
    `output[p] = data[p with p[axis] replaced by indices[p]]`: `indices` and
    `data` have the same rank and the result has the shape of `indices`.

    Example:

    ```mlir
    %y = optc.gather_elements %x, %i {axis = 1 : i64}
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gatherElements(data, indices, adaptor.getAxis(), sink.fn())">;
}

def Optc_GatherNdOp : Optc_InferOp<"gather_nd"> {
  let summary = "Gathers slices addressed by index tuples";
  let description = [{
    The last dimension of `indices` (size `q`, static) holds tuples that
    address the `q` dimensions of `data` after its first `batch_dims`
    (shared) dimensions. The result shape is
    `indices.shape[:-1] + data.shape[batch_dims + q:]`.

    Example:

    ```mlir
    %y = optc.gather_nd %x, %i {batch_dims = 0 : i64}
        : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gatherNd(data, indices, adaptor.getBatchDims(), sink.fn())">;
}

def Optc_ScatterElementsOp : Optc_InferOp<"scatter_elements"> {
  let summary = "Scatters single elements along one axis by index";
  let description = [{
    The inverse of `optc.gather_elements`: a copy of `data` in which, for
    every position `p` of `indices`, the element at `p` with `p[axis]`
    replaced by `indices[p]` is set to (or, with a reduction, combined with)
    `updates[p]`. `indices` and `updates` have the same shape and the rank
    of `data`. With `none`, duplicate indices leave an unspecified winner.

    Example:

    ```mlir
    %y = optc.scatter_elements add %x, %i, %u {axis = 0 : i64}
        : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Optc_ScatterReduction:$reduction, Optc_Tensor:$data,
                       Optc_IndexTensor:$indices, Optc_Tensor:$updates,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$reduction $data `,` $indices `,` $updates attr-dict "
                       "`:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices", "updates"],
      [{shape::scatterElements(data, indices, updates, adaptor.getAxis(),
                               sink.fn())}], [0, 2]>;
}

def Optc_ScatterNdOp : Optc_InferOp<"scatter_nd"> {
  let summary = "Scatters slices addressed by index tuples";
  let description = [{
    The inverse of `optc.gather_nd` (without batch dimensions): the last
    dimension of `indices` (size `q`, static) addresses the first `q`
    dimensions of `data`, and `updates` has shape
    `indices.shape[:-1] + data.shape[q:]`.

    Example:

    ```mlir
    %y = optc.scatter_nd none %x, %i, %u
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Optc_ScatterReduction:$reduction, Optc_Tensor:$data,
                       Optc_IndexTensor:$indices, Optc_Tensor:$updates);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$reduction $data `,` $indices `,` $updates attr-dict "
                       "`:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["data", "indices", "updates"],
      "shape::scatterNd(data, indices, updates, sink.fn())", [0, 2]>;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCINDEXOPS_TD
