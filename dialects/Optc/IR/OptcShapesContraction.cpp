//===- OptcShapesContraction.cpp - matmul, convolution, pooling -----------===//
//
// The shape rules of matmul and of the sliding-window operations
// (convolution, transposed convolution, pooling), declared in OptcShapes.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcShapesImpl.h"

#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::shape;
using namespace mlir::optc::shape::detail;

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
