//===- OptcShapesMovement.cpp - data movement and indexing ----------------===//
//
// The shape rules of the data-movement operations (reshape, transpose,
// concat, split, slice, pad, tile), their forms with sizes given at run
// time, and the gathers and scatters, declared in OptcShapes.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcShapesImpl.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::shape;
using namespace mlir::optc::shape::detail;

//===----------------------------------------------------------------------===//
// Shape operations
//===----------------------------------------------------------------------===//

FailureOr<Shape> shape::reshape(ArrayRef<int64_t> input,
                                ArrayRef<int64_t> newShape,
                                EmitErrorFn emitError) {
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, d] : llvm::enumerate(newShape)) {
    if (d == -1) {
      if (inferred)
        return Failure(emitError)
               << "shape " << str(newShape)
               << " has more than one -1 (computed) dimension";
      inferred = i;
      continue;
    }
    if (d < 0)
      return Failure(emitError)
             << "shape has size " << d << " at " << i
             << " (expected a size >= 0, or -1 for a computed size)";
    std::optional<int64_t> product = llvm::checkedMul(known, d);
    if (!product)
      return Failure(emitError) << "shape " << str(newShape)
                                << " has more elements than int64 can count";
    known = *product;
  }
  Shape result(newShape);
  std::optional<int64_t> count = numElements(input);
  if (inferred) {
    if (!count) {
      result[*inferred] = kDyn;
    } else if (known == 0) {
      return Failure(emitError)
             << "cannot compute the -1 dimension of " << str(newShape)
             << ": the other sizes multiply to 0";
    } else if (*count % known != 0) {
      return Failure(emitError)
             << "cannot reshape " << str(input) << " (" << *count
             << " elements) to " << str(newShape)
             << ": the computed dimension would not be integral";
    } else {
      result[*inferred] = *count / known;
    }
  } else if (count && *count != known) {
    return Failure(emitError) << "cannot reshape " << str(input) << " ("
                              << *count << " elements) to " << str(newShape)
                              << " (" << known << " elements)";
  }
  return result;
}

FailureOr<Shape> shape::transpose(ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> permutation,
                                  EmitErrorFn emitError) {
  if (permutation.size() != input.size())
    return Failure(emitError)
           << "permutation has " << permutation.size()
           << " entries but the input has rank " << input.size();
  SmallVector<bool> seen(input.size(), false);
  Shape result;
  for (int64_t p : permutation) {
    if (p < 0 || p >= static_cast<int64_t>(input.size()) || seen[p])
      return Failure(emitError)
             << "permutation ["
             << llvm::make_range(permutation.begin(), permutation.end())
             << "] is not a permutation of 0.." << input.size() - 1;
    seen[p] = true;
    result.push_back(input[p]);
  }
  return result;
}

FailureOr<Shape> shape::concat(ArrayRef<ArrayRef<int64_t>> inputs, int64_t axis,
                               EmitErrorFn emitError) {
  if (inputs.empty())
    return Failure(emitError) << "concat needs at least one input";
  ArrayRef<int64_t> first = inputs.front();
  if (failed(verifyAxis(axis, first.size(), emitError)))
    return failure();
  Shape result(first);
  // Which input fixed each known size, for the message of a clash.
  SmallVector<size_t> from(first.size(), 0);
  for (auto [n, s] : llvm::enumerate(inputs)) {
    if (n == 0)
      continue;
    if (s.size() != first.size())
      return Failure(emitError) << "input " << n << " has rank " << s.size()
                                << ", expected " << first.size();
    for (auto [i, d] : llvm::enumerate(s)) {
      if (static_cast<int64_t>(i) == axis) {
        std::optional<int64_t> sum = isDyn(result[i]) || isDyn(d)
                                         ? std::optional<int64_t>(kDyn)
                                         : llvm::checkedAdd(result[i], d);
        if (!sum)
          return Failure(emitError) << "the concatenated size overflows int64";
        result[i] = *sum;
        continue;
      }
      if (isDyn(result[i])) {
        result[i] = d;
        from[i] = n;
      } else if (!isDyn(d) && d != result[i]) {
        return Failure(emitError)
               << "input " << n << " has shape " << str(s)
               << ", which differs from input " << from[i] << " of shape "
               << str(inputs[from[i]]) << " in dimension " << i
               << " (only the concatenation axis " << axis << " may differ)";
      }
    }
  }
  return result;
}

FailureOr<SmallVector<Shape>> shape::split(ArrayRef<int64_t> input,
                                           int64_t axis,
                                           ArrayRef<int64_t> sizes,
                                           EmitErrorFn emitError) {
  if (failed(verifyAxis(axis, input.size(), emitError)))
    return failure();
  if (sizes.empty())
    return Failure(emitError) << "split needs at least one size";
  int64_t total = 0;
  SmallVector<Shape> results;
  for (int64_t s : sizes) {
    if (s < 0)
      return Failure(emitError)
             << "split sizes must be non-negative, found " << list(sizes);
    std::optional<int64_t> sum = llvm::checkedAdd(total, s);
    if (!sum)
      return Failure(emitError)
             << "split sizes " << list(sizes) << " overflow int64";
    total = *sum;
    Shape piece(input);
    piece[axis] = s;
    results.push_back(piece);
  }
  if (!isDyn(input[axis]) && total != input[axis])
    return Failure(emitError)
           << "split sizes add up to " << total << " but dimension " << axis
           << " has size " << input[axis];
  return results;
}

FailureOr<Shape> shape::slice(ArrayRef<int64_t> input, ArrayRef<int64_t> starts,
                              ArrayRef<int64_t> limits,
                              ArrayRef<int64_t> strides,
                              EmitErrorFn emitError) {
  size_t rank = input.size();
  if (starts.size() != rank || limits.size() != rank || strides.size() != rank)
    return Failure(emitError)
           << "expected " << rank << " starts, limits and strides (one per "
           << "dimension), found " << starts.size() << ", " << limits.size()
           << " and " << strides.size();
  Shape result;
  for (size_t i = 0; i < rank; ++i) {
    int64_t size = input[i], stride = strides[i];
    if (stride == 0 || stride == std::numeric_limits<int64_t>::min())
      return Failure(emitError) << "stride of dimension " << i << " is "
                                << stride << " (expected a non-zero value "
                                << "above INT64_MIN)";
    if (isDyn(size)) {
      result.push_back(kDyn);
      continue;
    }
    // Clamp like numpy: into [0, size] going forward, [-1, size - 1] going
    // backward.
    int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? size : size - 1;
    int64_t start = std::clamp(starts[i], lo, hi);
    int64_t limit = std::clamp(limits[i], lo, hi);
    int64_t extent = stride > 0 ? limit - start : start - limit;
    result.push_back(extent <= 0 ? 0
                                 : llvm::divideCeil(extent, std::abs(stride)));
  }
  return result;
}

FailureOr<Shape> shape::pad(ArrayRef<int64_t> input, ArrayRef<int64_t> low,
                            ArrayRef<int64_t> high, PadLimit limit,
                            EmitErrorFn emitError) {
  size_t rank = input.size();
  if (low.size() != rank || high.size() != rank)
    return Failure(emitError)
           << "expected " << rank << " low and high pads (one per dimension), "
           << "found " << low.size() << " and " << high.size();
  Shape result;
  for (size_t i = 0; i < rank; ++i) {
    int64_t size = input[i];
    if (limit != PadLimit::None && (low[i] < 0 || high[i] < 0))
      return Failure(emitError)
             << "reflect and wrap padding cannot crop: "
             << "pads of dimension " << i << " must be non-negative";
    if (!isDyn(size) && limit != PadLimit::None &&
        (low[i] > 0 || high[i] > 0)) {
      int64_t maxPad = limit == PadLimit::Reflect ? size - 1 : size;
      if (low[i] > maxPad || high[i] > maxPad)
        return Failure(emitError)
               << "dimension " << i << " of size " << size << " can take pads "
               << "of at most " << maxPad << " in this mode, found " << low[i]
               << " and " << high[i];
    }
    if (isDyn(size)) {
      result.push_back(kDyn);
      continue;
    }
    std::optional<int64_t> outOr = checkedSum(size, low[i], high[i]);
    if (!outOr)
      return Failure(emitError)
             << "pads of dimension " << i << " overflow int64";
    int64_t out = *outOr;
    if (out < 0 || low[i] < -size || high[i] < -size)
      return Failure(emitError) << "pads " << low[i] << " and " << high[i]
                                << " crop more than the " << size
                                << " elements of dimension " << i;
    result.push_back(out);
  }
  return result;
}

FailureOr<Shape> shape::tile(ArrayRef<int64_t> input,
                             ArrayRef<int64_t> multiples,
                             EmitErrorFn emitError) {
  if (multiples.size() != input.size())
    return Failure(emitError)
           << "expected " << input.size()
           << " multiples (one per dimension), found " << multiples.size();
  if (!allNonNegative(multiples))
    return Failure(emitError)
           << "multiples must be non-negative, found " << list(multiples);
  Shape result;
  for (auto [i, d, m] : llvm::enumerate(input, multiples)) {
    if (isDyn(d)) {
      result.push_back(m == 0 ? 0 : kDyn);
      continue;
    }
    std::optional<int64_t> size = llvm::checkedMul(d, m);
    if (!size)
      return Failure(emitError) << "dimension " << i << " of the result "
                                << "overflows int64";
    result.push_back(*size);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Shape operations with sizes given at run time
//===----------------------------------------------------------------------===//

FailureOr<int64_t> shape::sizesLength(ArrayRef<int64_t> operand, StringRef name,
                                      EmitErrorFn emitError) {
  if (operand.size() != 1 || isDyn(operand[0]))
    return Failure(emitError) << name << " must be a 1-D tensor of known "
                              << "length, found shape " << str(operand);
  if (operand[0] > kMaxRank)
    return Failure(emitError)
           << name << " has " << operand[0] << " entries; optc compiles "
           << "tensors of rank up to " << kMaxRank;
  return operand[0];
}

FailureOr<Shape> shape::dynamicReshape(ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> shapeOperand,
                                       EmitErrorFn emitError) {
  FailureOr<int64_t> rank = sizesLength(shapeOperand, "shape", emitError);
  if (failed(rank))
    return failure();
  std::optional<int64_t> count = numElements(input);
  if (*rank == 0 && count && *count != 1)
    return Failure(emitError) << "cannot reshape " << str(input) << " ("
                              << *count << " elements) to a 0-d tensor";
  // A 1-D result has all the elements, whatever the shape says.
  if (*rank == 1 && count)
    return Shape{*count};
  return Shape(*rank, kDyn);
}

FailureOr<Shape> shape::dynamicBroadcast(ArrayRef<int64_t> input,
                                         ArrayRef<int64_t> shapeOperand,
                                         EmitErrorFn emitError) {
  FailureOr<int64_t> length = sizesLength(shapeOperand, "shape", emitError);
  if (failed(length))
    return failure();
  int64_t rank = std::max<int64_t>(*length, input.size());
  Shape result(rank, kDyn);
  int64_t offset = rank - static_cast<int64_t>(input.size());
  for (auto [i, d] : llvm::enumerate(input))
    if (!isDyn(d) && d != 1)
      result[offset + i] = d;
  return result;
}

FailureOr<Shape> shape::dynamicWindow(ArrayRef<int64_t> input,
                                      ArrayRef<Param> operands,
                                      EmitErrorFn emitError) {
  for (const Param &p : operands) {
    FailureOr<int64_t> length = sizesLength(p.shape, p.name, emitError);
    if (failed(length))
      return failure();
    if (*length != static_cast<int64_t>(input.size()))
      return Failure(emitError)
             << p.name << " has " << *length << " entries but the input has "
             << input.size() << " dimensions";
  }
  return Shape(input.size(), kDyn);
}

FailureOr<Shape> shape::range(ArrayRef<int64_t> start, ArrayRef<int64_t> limit,
                              ArrayRef<int64_t> delta, EmitErrorFn emitError) {
  for (auto [operand, name] :
       {std::pair{start, "start"}, std::pair{limit, "limit"},
        std::pair{delta, "delta"}})
    if (!operand.empty())
      return Failure(emitError) << name << " must be a 0-d tensor";
  return Shape{kDyn};
}

FailureOr<Shape> shape::dynamicTile(ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> multiplesOperand,
                                    EmitErrorFn emitError) {
  FailureOr<Shape> result =
      dynamicWindow(input, {{"multiples", multiplesOperand}}, emitError);
  if (failed(result))
    return failure();
  for (auto [i, d] : llvm::enumerate(input))
    if (d == 0)
      (*result)[i] = 0;
  return result;
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

FailureOr<Shape> shape::gather(ArrayRef<int64_t> data,
                               ArrayRef<int64_t> indices, int64_t axis,
                               EmitErrorFn emitError) {
  if (failed(verifyAxis(axis, data.size(), emitError)))
    return failure();
  Shape result(data.take_front(axis));
  llvm::append_range(result, indices);
  llvm::append_range(result, data.drop_front(axis + 1));
  return result;
}

/// Outside `axis`, the indices of gather_elements and scatter_elements
/// address positions of the data, so they are no larger than the data.
static LogicalResult indicesWithinData(ArrayRef<int64_t> data,
                                       ArrayRef<int64_t> indices, int64_t axis,
                                       EmitErrorFn emitError) {
  for (auto [i, d, n] : llvm::enumerate(data, indices))
    if (static_cast<int64_t>(i) != axis && !isDyn(d) && !isDyn(n) && n > d)
      return Failure(emitError)
             << "indices of shape " << str(indices) << " are larger than the "
             << "data of shape " << str(data) << " in dimension " << i
             << ", which is not the axis";
  return success();
}

FailureOr<Shape> shape::gatherElements(ArrayRef<int64_t> data,
                                       ArrayRef<int64_t> indices, int64_t axis,
                                       EmitErrorFn emitError) {
  if (data.size() != indices.size())
    return Failure(emitError)
           << "indices have rank " << indices.size() << " but data has rank "
           << data.size() << "; they must be equal";
  if (failed(verifyAxis(axis, data.size(), emitError)) ||
      failed(indicesWithinData(data, indices, axis, emitError)))
    return failure();
  return Shape(indices);
}

FailureOr<Shape> shape::gatherNd(ArrayRef<int64_t> data,
                                 ArrayRef<int64_t> indices, int64_t batchDims,
                                 EmitErrorFn emitError) {
  if (indices.empty() || data.empty())
    return Failure(emitError)
           << "data and indices must have rank >= 1, "
           << "found " << str(data) << " and " << str(indices);
  int64_t q = indices.back();
  if (isDyn(q))
    return Failure(emitError)
           << "the last dimension of indices (the tuple length) must be static";
  if (batchDims < 0 ||
      batchDims >= static_cast<int64_t>(std::min(data.size(), indices.size())))
    return Failure(emitError)
           << "batch_dims " << batchDims << " must be in [0, min(rank(data), "
           << "rank(indices)))";
  if (q < 1 || batchDims + q > static_cast<int64_t>(data.size()))
    return Failure(emitError)
           << "index tuples of length " << q << " after " << batchDims
           << " batch dimensions do not fit data of rank " << data.size();
  for (int64_t i = 0; i < batchDims; ++i)
    if (!isDyn(data[i]) && !isDyn(indices[i]) && data[i] != indices[i])
      return Failure(emitError) << "batch dimension " << i << " differs: data "
                                << data[i] << ", indices " << indices[i];
  Shape result(indices.drop_back());
  llvm::append_range(result, data.drop_front(batchDims + q));
  return result;
}

LogicalResult shape::scatterElements(ArrayRef<int64_t> data,
                                     ArrayRef<int64_t> indices,
                                     ArrayRef<int64_t> updates, int64_t axis,
                                     EmitErrorFn emitError) {
  if (indices.size() != data.size())
    return Failure(emitError)
           << "indices have rank " << indices.size() << " but data has rank "
           << data.size() << "; they must be equal";
  if (failed(verifyAxis(axis, data.size(), emitError)) ||
      failed(indicesWithinData(data, indices, axis, emitError)))
    return failure();
  if (updates.size() != indices.size() ||
      llvm::any_of(llvm::zip(indices, updates), [](auto pair) {
        auto [i, u] = pair;
        return !isDyn(i) && !isDyn(u) && i != u;
      }))
    return Failure(emitError)
           << "updates of shape " << str(updates)
           << " differ from indices of shape " << str(indices);
  return success();
}

LogicalResult shape::scatterNd(ArrayRef<int64_t> data,
                               ArrayRef<int64_t> indices,
                               ArrayRef<int64_t> updates,
                               EmitErrorFn emitError) {
  FailureOr<Shape> expected = gatherNd(data, indices, 0, emitError);
  if (failed(expected))
    return failure();
  if (expected->size() != updates.size() ||
      llvm::any_of(llvm::zip(*expected, updates), [](auto pair) {
        auto [e, u] = pair;
        return !isDyn(e) && !isDyn(u) && e != u;
      }))
    return Failure(emitError) << "updates must have shape " << str(*expected)
                              << " (indices.shape[:-1] + data.shape[q:]), "
                              << "found " << str(updates);
  return success();
}
