//===- OptcShapes.cpp - shape rules of the optc operations ----------------===//
//
// Implements the shape rules declared in OptcShapes.h. Every rule checks
// what it can with the sizes it knows and leaves unknown sizes unknown.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::shape;

static constexpr int64_t kDyn = ShapedType::kDynamic;
static bool isDyn(int64_t d) { return d == kDyn; }

namespace {
/// Builds the message of a broken rule. A diagnostic is only made when the
/// caller asked for one; either way the result converts to failure.
class Failure {
public:
  explicit Failure(EmitErrorFn emitError) {
    if (emitError)
      diag.emplace(emitError());
  }
  template <typename T> Failure &operator<<(T &&value) {
    if (diag)
      *diag << std::forward<T>(value);
    return *this;
  }
  operator LogicalResult() const { return failure(); }
  template <typename T> operator FailureOr<T>() const { return failure(); }

private:
  std::optional<InFlightDiagnostic> diag;
};
} // namespace

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

/// a + b + c, or nullopt on overflow.
static std::optional<int64_t> checkedSum(int64_t a, int64_t b, int64_t c) {
  std::optional<int64_t> ab = llvm::checkedAdd(a, b);
  return ab ? llvm::checkedAdd(*ab, c) : std::nullopt;
}

/// Prints a list of attribute values as `[a, b, c]` for diagnostics.
static std::string list(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(values, os);
  os << "]";
  return s;
}

static bool allPositive(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v > 0; });
}
static bool allNonNegative(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v >= 0; });
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
// Linear algebra and windows
//===----------------------------------------------------------------------===//

FailureOr<Shape> shape::matmul(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs,
                               EmitErrorFn emitError) {
  if (lhs.empty() || rhs.empty())
    return Failure(emitError) << "matmul operands must have rank >= 1, found "
                              << str(lhs) << " and " << str(rhs);
  Shape a(lhs), b(rhs);
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (!isDyn(k1) && !isDyn(k2) && k1 != k2)
    return Failure(emitError)
           << "contracting dimensions differ: lhs " << str(lhs)
           << " has K = " << k1 << " but rhs " << str(rhs) << " has K = " << k2;
  ArrayRef<int64_t> aBatch = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef<int64_t>(b).drop_back(2);
  FailureOr<Shape> batch = broadcast({aBatch, bBatch}, nullptr);
  if (failed(batch))
    return Failure(emitError) << "batch dimensions " << str(aBatch) << " and "
                              << str(bBatch) << " do not broadcast";
  Shape result = *batch;
  if (!lhsVector)
    result.push_back(a[a.size() - 2]);
  if (!rhsVector)
    result.push_back(b.back());
  return result;
}

LogicalResult shape::verifyWindow(const Window &window, size_t n,
                                  EmitErrorFn emitError) {
  if (window.strides.size() != n || window.dilations.size() != n)
    return Failure(emitError)
           << "expected " << n << " strides and dilations (one per spatial "
           << "dimension), found " << window.strides.size() << " and "
           << window.dilations.size();
  if (window.padding.size() != 2 * n)
    return Failure(emitError)
           << "expected " << 2 * n << " padding values (" << n << " low then "
           << n << " high), found " << window.padding.size();
  if (!allPositive(window.strides))
    return Failure(emitError)
           << "strides must be positive, found " << list(window.strides);
  if (!allPositive(window.dilations))
    return Failure(emitError)
           << "dilations must be positive, found " << list(window.dilations);
  if (!allNonNegative(window.padding))
    return Failure(emitError)
           << "padding must be non-negative, found " << list(window.padding);
  return success();
}

/// Output size of a sliding window, or kDyn when the input size is unknown.
static FailureOr<int64_t> windowOutput(int64_t size, int64_t kernel,
                                       int64_t stride, int64_t dilation,
                                       int64_t low, int64_t high, bool ceil,
                                       size_t dim, EmitErrorFn emitError) {
  if (isDyn(size) || isDyn(kernel))
    return kDyn;
  std::optional<int64_t> spanOr =
      llvm::checkedMulAdd(dilation, kernel - 1, int64_t(1));
  std::optional<int64_t> paddedOr = checkedSum(size, low, high);
  if (!spanOr || !paddedOr)
    return Failure(emitError) << "spatial dimension " << dim
                              << ": window or padded size overflows int64";
  int64_t span = *spanOr, padded = *paddedOr;
  if (padded < span)
    return Failure(emitError)
           << "spatial dimension " << dim << ": the window of extent " << span
           << " (kernel " << kernel << ", dilation " << dilation
           << ") is larger than the padded input of size " << padded;
  int64_t out = ceil ? llvm::divideCeil(padded - span, stride) + 1
                     : (padded - span) / stride + 1;
  // The last window must start inside the input or its low padding.
  if (ceil && (out - 1) * stride >= size + low)
    --out;
  return out;
}

/// The checks that convolution and transposed convolution share: ranks, the
/// window, and a positive group count dividing the input channels.
static LogicalResult checkConvOperands(StringRef what, ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> weight,
                                       const Window &window, int64_t groups,
                                       EmitErrorFn emitError) {
  if (input.size() < 3)
    return Failure(emitError) << what << " input must be N x C x D1 ... "
                              << "(rank >= 3), found " << str(input);
  if (weight.size() != input.size())
    return Failure(emitError) << "weight rank " << weight.size()
                              << " differs from input rank " << input.size();
  if (failed(verifyWindow(window, input.size() - 2, emitError)))
    return failure();
  if (groups < 1)
    return Failure(emitError) << "groups must be positive, found " << groups;
  if (!isDyn(input[1]) && input[1] % groups != 0)
    return Failure(emitError) << "input channels " << input[1]
                              << " are not divisible by groups " << groups;
  return success();
}

FailureOr<Shape> shape::conv(ArrayRef<int64_t> input, ArrayRef<int64_t> weight,
                             const Window &window, int64_t groups,
                             EmitErrorFn emitError) {
  if (failed(checkConvOperands("convolution", input, weight, window, groups,
                               emitError)))
    return failure();
  size_t n = input.size() - 2;
  int64_t c = input[1], f = weight[0], cg = weight[1];
  if (!isDyn(f) && f % groups != 0)
    return Failure(emitError) << "output channels " << f
                              << " are not divisible by groups " << groups;
  if (!isDyn(c) && !isDyn(cg) && cg * groups != c)
    return Failure(emitError)
           << "weight has " << cg << " input channels per group, expected " << c
           << " / " << groups << " = " << c / groups;
  Shape result{input[0], f};
  for (size_t i = 0; i < n; ++i) {
    FailureOr<int64_t> o = windowOutput(
        input[2 + i], weight[2 + i], window.strides[i], window.dilations[i],
        window.padding[i], window.padding[n + i], /*ceil=*/false, i, emitError);
    if (failed(o))
      return failure();
    result.push_back(*o);
  }
  return result;
}

FailureOr<Shape> shape::convTranspose(ArrayRef<int64_t> input,
                                      ArrayRef<int64_t> weight,
                                      const Window &window,
                                      ArrayRef<int64_t> outputPadding,
                                      int64_t groups, EmitErrorFn emitError) {
  if (failed(checkConvOperands("transposed convolution", input, weight, window,
                               groups, emitError)))
    return failure();
  size_t n = input.size() - 2;
  if (outputPadding.size() != n)
    return Failure(emitError) << "expected " << n << " output_padding values, "
                              << "found " << outputPadding.size();
  for (size_t i = 0; i < n; ++i)
    if (outputPadding[i] < 0 || (outputPadding[i] >= window.strides[i] &&
                                 outputPadding[i] >= window.dilations[i]))
      return Failure(emitError)
             << "output_padding " << outputPadding[i] << " of spatial "
             << "dimension " << i << " must be non-negative and smaller than "
             << "its stride or dilation";
  int64_t c = input[1], wc = weight[0];
  if (!isDyn(c) && !isDyn(wc) && wc != c)
    return Failure(emitError)
           << "weight has " << wc << " input channels, expected " << c;
  std::optional<int64_t> f =
      isDyn(weight[1]) ? kDyn : llvm::checkedMul(weight[1], groups);
  if (!f)
    return Failure(emitError) << "output channels (" << weight[1] << " x "
                              << groups << " groups) overflow int64";
  Shape result{input[0], *f};
  for (size_t i = 0; i < n; ++i) {
    int64_t d = input[2 + i], k = weight[2 + i];
    if (isDyn(d) || isDyn(k)) {
      result.push_back(kDyn);
      continue;
    }
    // o = s*(d-1) + output_padding + dil*(k-1) + 1 - low - high, checked.
    auto add = [](std::optional<int64_t> a, std::optional<int64_t> b) {
      return a && b ? llvm::checkedAdd(*a, *b) : std::nullopt;
    };
    std::optional<int64_t> o = llvm::checkedMul(window.strides[i], d - 1);
    o = add(o, outputPadding[i]);
    o = add(o, llvm::checkedMul(window.dilations[i], k - 1));
    o = add(o, 1);
    o = add(o, llvm::checkedMul(window.padding[i], int64_t(-1)));
    o = add(o, llvm::checkedMul(window.padding[n + i], int64_t(-1)));
    if (!o)
      return Failure(emitError)
             << "spatial dimension " << i << " of the result overflows int64";
    if (*o < 0)
      return Failure(emitError)
             << "spatial dimension " << i
             << " of the result would be negative (" << *o << ")";
    result.push_back(*o);
  }
  return result;
}

FailureOr<Shape> shape::pool(ArrayRef<int64_t> input, ArrayRef<int64_t> kernel,
                             const Window &window, bool ceilMode,
                             EmitErrorFn emitError) {
  if (input.size() < 3)
    return Failure(emitError) << "pooling input must be N x C x D1 ... "
                              << "(rank >= 3), found " << str(input);
  size_t n = input.size() - 2;
  if (kernel.size() != n)
    return Failure(emitError) << "expected " << n << " kernel_shape values, "
                              << "found " << kernel.size();
  if (!allPositive(kernel))
    return Failure(emitError)
           << "kernel_shape must be positive, found " << list(kernel);
  if (failed(verifyWindow(window, n, emitError)))
    return failure();
  for (size_t i = 0; i < n; ++i)
    if (window.padding[i] >= kernel[i] || window.padding[n + i] >= kernel[i])
      return Failure(emitError)
             << "padding of spatial dimension " << i
             << " must be smaller than the kernel size " << kernel[i];
  Shape result{input[0], input[1]};
  for (size_t i = 0; i < n; ++i) {
    FailureOr<int64_t> o = windowOutput(
        input[2 + i], kernel[i], window.strides[i], window.dilations[i],
        window.padding[i], window.padding[n + i], ceilMode, i, emitError);
    if (failed(o))
      return failure();
    result.push_back(*o);
  }
  return result;
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
