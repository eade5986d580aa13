//===- OptcShapes.cpp - shape rules of the optc operations ----------------===//
//
// Implements the shape rules declared in OptcShapes.h. Every rule checks
// what it can with the sizes it knows and leaves unknown sizes unknown.
// This file has the helpers every family uses, broadcasting, reductions
// and normalisations; OptcShapesContraction.cpp has matmul, convolutions
// and pooling, OptcShapesMovement.cpp the data movement and indexing.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcShapesImpl.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::shape;
using namespace mlir::optc::shape::detail;

std::string shape::str(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "[]";
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os, [&](int64_t d) { isDyn(d) ? os << "?" : os << d; }, "x");
  return s;
}

std::optional<int64_t> shape::numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    std::optional<int64_t> product =
        isDyn(d) ? std::nullopt : llvm::checkedMul(n, d);
    if (!product)
      return std::nullopt;
    n = *product;
  }
  return n;
}

LogicalResult shape::verifyAxis(int64_t axis, int64_t rank,
                                EmitErrorFn emitError, StringRef name) {
  if (axis < 0 || axis >= rank)
    return Failure(emitError)
           << name << " " << axis << " is out of range for rank " << rank
           << " (expected 0 <= " << name << " < " << rank << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

FailureOr<Shape> shape::broadcast(ArrayRef<ArrayRef<int64_t>> shapes,
                                  EmitErrorFn emitError) {
  size_t rank = 0;
  for (ArrayRef<int64_t> s : shapes)
    rank = std::max(rank, s.size());
  Shape result(rank, 1);
  for (size_t r = 0; r < rank; ++r) {
    // Walk the shapes aligned from the right. A size of 1 stretches; an
    // unknown size is kept unknown unless a known size other than 1 fixes it.
    int64_t known = 1;
    size_t knownFrom = 0;
    bool unknown = false;
    for (auto [i, s] : llvm::enumerate(shapes)) {
      if (r >= s.size())
        continue;
      int64_t d = s[s.size() - 1 - r];
      if (isDyn(d)) {
        unknown = true;
        continue;
      }
      if (d == 1)
        continue;
      if (known != 1 && known != d)
        return Failure(emitError)
               << "shapes " << str(shapes[knownFrom]) << " and " << str(s)
               << " are not broadcast-compatible: dimension " << (rank - 1 - r)
               << " of the result would be both " << known << " and " << d;
      known = d;
      knownFrom = i;
    }
    result[rank - 1 - r] = (known == 1 && unknown) ? kDyn : known;
  }
  return result;
}

LogicalResult shape::verifyStaticShape(ArrayRef<int64_t> shape, StringRef name,
                                       EmitErrorFn emitError) {
  for (auto [i, d] : llvm::enumerate(shape))
    if (d < 0)
      return Failure(emitError) << name << " has size " << d << " at " << i
                                << " (expected a size >= 0)";
  return success();
}

LogicalResult shape::broadcastTo(ArrayRef<int64_t> input,
                                 ArrayRef<int64_t> target,
                                 EmitErrorFn emitError) {
  if (input.size() > target.size())
    return Failure(emitError) << "cannot broadcast rank " << input.size()
                              << " to rank " << target.size() << " (shape "
                              << str(input) << " to " << str(target) << ")";
  size_t offset = target.size() - input.size();
  for (auto [i, d] : llvm::enumerate(input)) {
    int64_t t = target[offset + i];
    if (isDyn(d) || isDyn(t) || d == 1 || d == t)
      continue;
    return Failure(emitError) << "cannot broadcast shape " << str(input)
                              << " to " << str(target) << ": input dimension "
                              << i << " is " << d << ", expected 1 or " << t;
  }
  return success();
}

FailureOr<Shape> shape::staticBroadcast(ArrayRef<int64_t> input,
                                        ArrayRef<int64_t> target,
                                        EmitErrorFn emitError) {
  if (failed(verifyStaticShape(target, "target shape", emitError)) ||
      failed(broadcastTo(input, target, emitError)))
    return failure();
  return Shape(target);
}

//===----------------------------------------------------------------------===//
// Reductions and normalisations
//===----------------------------------------------------------------------===//

FailureOr<Shape> shape::reduce(ArrayRef<int64_t> input, ArrayRef<int64_t> axes,
                               bool keepDims, EmitErrorFn emitError) {
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (failed(verifyAxis(axis, input.size(), emitError, "axes entry")))
      return failure();
    if (i > 0 && axes[i - 1] >= axis)
      return Failure(emitError)
             << "axes must be sorted and unique, found ["
             << llvm::make_range(axes.begin(), axes.end()) << "]";
  }
  Shape result;
  for (auto [i, d] : llvm::enumerate(input)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      result.push_back(d);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

FailureOr<Shape> shape::argReduce(ArrayRef<int64_t> input, int64_t axis,
                                  bool keepDims, EmitErrorFn emitError) {
  if (failed(verifyAxis(axis, input.size(), emitError)))
    return failure();
  if (input[axis] == 0)
    return Failure(emitError)
           << "cannot take an index along axis " << axis << " of size 0";
  return reduce(input, {axis}, keepDims, emitError);
}

LogicalResult shape::normalizedParams(ArrayRef<int64_t> input, int64_t axis,
                                      ArrayRef<Param> params,
                                      EmitErrorFn emitError) {
  if (failed(verifyAxis(axis, input.size(), emitError)))
    return failure();
  // The normalised shape, with the sizes the input leaves unknown taken
  // from the parameters, so that parameters are checked against each other.
  Shape normalized(input.drop_front(axis));
  for (const Param &p : params) {
    if (p.shape.size() > normalized.size())
      return Failure(emitError)
             << p.name << " of shape " << str(p.shape)
             << " has a higher rank than the normalised shape "
             << str(normalized);
    size_t offset = normalized.size() - p.shape.size();
    for (auto [i, d] : llvm::enumerate(p.shape))
      if (isDyn(normalized[offset + i]) && !isDyn(d) && d != 1)
        normalized[offset + i] = d;
  }
  for (const Param &p : params)
    if (failed(broadcastTo(p.shape, normalized, nullptr)))
      return Failure(emitError)
             << p.name << " of shape " << str(p.shape)
             << " does not broadcast to the normalised shape "
             << str(normalized);
  return success();
}

FailureOr<int64_t> shape::channelParams(ArrayRef<int64_t> input,
                                        ArrayRef<Param> params,
                                        EmitErrorFn emitError) {
  if (input.size() < 2)
    return Failure(emitError)
           << "input must be N x C x ... (rank >= 2), found " << str(input);
  int64_t channels = input[1];
  StringRef source = "the input";
  for (const Param &p : params) {
    if (p.shape.size() != 1)
      return Failure(emitError) << p.name << " must be 1-D with one value per "
                                << "channel, found shape " << str(p.shape);
    int64_t d = p.shape[0];
    if (isDyn(d))
      continue;
    if (isDyn(channels)) {
      channels = d;
      source = p.name;
    } else if (d != channels) {
      return Failure(emitError) << p.name << " has " << d << " values but "
                                << source << " has " << channels << " channels";
    }
  }
  return channels;
}
