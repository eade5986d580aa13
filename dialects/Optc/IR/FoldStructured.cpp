//===- FoldStructured.cpp - folders of matmul, reductions, layout ---------===//
//
// Constant folding of matrix products and reductions, and of the ops that
// move the elements of constants (transpose, slice, split, gather,
// concat, pad, tile): raw byte copies at any size for dense_resource
// weights.
//
// Replacing a result by an operand needs the same type and the same sizes at
// run time. Equal types guarantee that only for ops whose result sizes are
// their operand's (elementwise unary ops, transposes by the identity, ...).
// Where an unknown size could be stretched, sliced or reshaped at run time
// (broadcasting binary ops, reshape, broadcast, slice), the type must also
// be fully static.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "dialects/Optc/IR/OptcShapes.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::folding;

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// Folding multiplies at most this many pairs of elements.
static constexpr int64_t kMaxFoldedProducts = 1 << 18;

/// The integer product of constant bytes (and zero points): exact sums
/// wrapped to i32, as the kernel computes them.
OpFoldResult IntegerMatmulOp::fold(FoldAdaptor adaptor) {
  auto lhs = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getLhs());
  auto rhs = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getRhs());
  auto lhsZero =
      dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getLhsZeroPoint());
  auto rhsZero =
      dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getRhsZeroPoint());
  RankedTensorType result = foldableResult(getType());
  if (!lhs || !rhs || !result || (getLhsZeroPoint() && !lhsZero) ||
      (getRhsZeroPoint() && !rhsZero))
    return {};
  int64_t k = getDepth(), n = getColumns();
  int64_t rows = lhs.getType().getShape().drop_back().back();
  int64_t m = k ? lhs.getNumElements() / k : 0;
  if (m * n == 0 || m * n * k > kMaxFoldedProducts)
    return {};
  auto values = [](DenseIntElementsAttr attr) {
    bool isSigned = !attr.getElementType().isUnsignedInteger();
    std::vector<int64_t> out;
    for (const APInt &v : attr.getValues<APInt>())
      out.push_back(isSigned ? v.getSExtValue()
                             : static_cast<int64_t>(v.getZExtValue()));
    return out;
  };
  std::vector<int64_t> a = values(lhs), b = values(rhs);
  std::vector<int64_t> za = lhsZero ? values(lhsZero) : std::vector<int64_t>{0},
                       zb = rhsZero ? values(rhsZero) : std::vector<int64_t>{0};
  SmallVector<APInt> out;
  out.reserve(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int64_t zeroA = za.size() == 1 ? za[0] : za[i % rows];
      int64_t zeroB = zb.size() == 1 ? zb[0] : zb[j];
      int64_t sum = 0;
      for (int64_t q = 0; q < k; ++q)
        sum += (a[i * k + q] - zeroA) * (b[rhsOffset(q, j)] - zeroB);
      out.push_back(APInt(32, static_cast<uint64_t>(sum), /*isSigned=*/false,
                          /*implicitTrunc=*/true));
    }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult MatmulOp::fold(FoldAdaptor adaptor) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(adaptor.getLhs());
  auto rhs = dyn_cast_or_null<DenseElementsAttr>(adaptor.getRhs());
  RankedTensorType result = foldableResult(getType());
  if (!lhs || !rhs || !result)
    return {};
  ArrayRef<int64_t> ls = lhs.getType().getShape(),
                    rs = rhs.getType().getShape();
  // Matrices, stacks of matrices with the same batch sizes, and a stack
  // times one matrix (or the reverse); vectors and other broadcasts are
  // left to run time.
  if (ls.size() < 2 || rs.size() < 2 ||
      (ls.size() != 2 && rs.size() != 2 && ls.drop_back(2) != rs.drop_back(2)))
    return {};
  bool lhsBatched = ls.size() > 2, rhsBatched = rs.size() > 2;
  Type element = result.getElementType();
  bool isFloat = isFoldableFloat(element);
  if (!isFloat && !isa<IntegerType>(element))
    return {};
  int64_t m = ls[ls.size() - 2], k = ls.back(), n = rs.back();
  int64_t batch = result.getNumElements() / std::max<int64_t>(m * n, 1);
  if (m * n == 0 || batch * m * n * k > kMaxFoldedProducts)
    return {};
  SmallVector<Attribute> a(lhs.getValues<Attribute>()),
      b(rhs.getValues<Attribute>()), out;
  out.reserve(result.getNumElements());
  for (int64_t p = 0; p < batch; ++p) {
    int64_t pa = lhsBatched ? p : 0, pb = rhsBatched ? p : 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        if (isFloat) {
          APFloat acc =
              APFloat::getZero(cast<FloatType>(element).getFloatSemantics());
          for (int64_t q = 0; q < k; ++q) {
            APFloat x = cast<FloatAttr>(a[(pa * m + i) * k + q]).getValue();
            x.multiply(cast<FloatAttr>(b[(pb * k + q) * n + j]).getValue(),
                       APFloat::rmNearestTiesToEven);
            acc.add(x, APFloat::rmNearestTiesToEven);
          }
          out.push_back(FloatAttr::get(element, acc));
        } else {
          APInt acc(element.getIntOrFloatBitWidth(), 0);
          for (int64_t q = 0; q < k; ++q)
            acc += cast<IntegerAttr>(a[(pa * m + i) * k + q]).getValue() *
                   cast<IntegerAttr>(b[(pb * k + q) * n + j]).getValue();
          out.push_back(IntegerAttr::get(element, acc));
        }
      }
  }
  return DenseElementsAttr::get(result, out);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Evaluates a reduction of a constant with elements of type T (APInt for
/// integers, APFloat for floats): `combine` folds each element into the
/// accumulator of its output position, which starts at the first element
/// reduced there, in row-major order.
template <typename T, typename AttrT>
static Attribute
foldReduction(Attribute input, ArrayRef<int64_t> axes, Type resultType,
              llvm::function_ref<T(const T &, const T &)> combine) {
  RankedTensorType result = foldableResult(resultType);
  auto dense = dyn_cast_or_null<AttrT>(input);
  if (!result || !dense || dense.getNumElements() > kMaxFoldedElements ||
      dense.getNumElements() == 0)
    return {};
  if constexpr (std::is_same_v<T, APFloat>) {
    if (!isFoldableFloat(dense.getElementType()))
      return {};
  } else if (!isa<IntegerType>(dense.getElementType())) {
    return {};
  }
  ArrayRef<int64_t> shape = dense.getType().getShape();
  // Output strides over the input's dimensions: 0 along reduced axes.
  SmallVector<int64_t> kept;
  for (auto [i, d] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      kept.push_back(d);
  SmallVector<int64_t> keptStrides = stridesOf(kept), strides(shape.size(), 0);
  for (size_t i = 0, k = 0; i < shape.size(); ++i)
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      strides[i] = keptStrides[k++];
  // The kept sizes of a folded constant (at most kMaxFoldedElements).
  std::optional<int64_t> outCount = sizes::product(kept);
  if (!outCount || *outCount != result.getNumElements())
    return {};
  SmallVector<std::optional<T>> acc(*outCount);
  SmallVector<int64_t> index(shape.size(), 0);
  for (const T &v : dense.template getValues<T>()) {
    int64_t at = 0;
    for (size_t r = 0; r < shape.size(); ++r)
      at += index[r] * strides[r];
    acc[at] = acc[at] ? combine(*acc[at], v) : v;
    nextIndex(index, shape);
  }
  SmallVector<T> out;
  for (std::optional<T> &v : acc)
    out.push_back(*v);
  return DenseElementsAttr::get(result, out);
}

static Attribute foldIntReduction(
    Attribute input, ArrayRef<int64_t> axes, Type resultType,
    llvm::function_ref<APInt(const APInt &, const APInt &)> combine) {
  return foldReduction<APInt, DenseIntElementsAttr>(input, axes, resultType,
                                                    combine);
}

static Attribute foldFloatReduction(
    Attribute input, ArrayRef<int64_t> axes, Type resultType,
    llvm::function_ref<APFloat(const APFloat &, const APFloat &)> combine) {
  return foldReduction<APFloat, DenseFPElementsAttr>(input, axes, resultType,
                                                     combine);
}

static APFloat floatAdd(const APFloat &a, const APFloat &b) {
  APFloat r = a;
  r.add(b, APFloat::rmNearestTiesToEven);
  return r;
}
static APFloat floatMul(const APFloat &a, const APFloat &b) {
  APFloat r = a;
  r.multiply(b, APFloat::rmNearestTiesToEven);
  return r;
}
// Max and min propagate NaN, like the ops.
static APFloat floatMax(const APFloat &a, const APFloat &b) {
  return llvm::maximum(a, b);
}
static APFloat floatMin(const APFloat &a, const APFloat &b) {
  return llvm::minimum(a, b);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  if (Attribute f = foldFloatReduction(adaptor.getInput(), getAxes(), getType(),
                                       floatAdd))
    return f;
  return foldIntReduction(adaptor.getInput(), getAxes(), getType(),
                          [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult ReduceMeanOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  auto sum = dyn_cast_or_null<DenseFPElementsAttr>(
      foldFloatReduction(adaptor.getInput(), getAxes(), getType(), floatAdd));
  if (!sum)
    return {};
  SmallVector<int64_t> reduced;
  for (int64_t axis : getAxes())
    reduced.push_back(cast<ShapedType>(getInput().getType()).getDimSize(axis));
  // Sizes of the folded input, at most kMaxFoldedElements.
  std::optional<int64_t> count = sizes::product(reduced);
  if (!count)
    return {};
  const llvm::fltSemantics &sem =
      cast<FloatType>(sum.getElementType()).getFloatSemantics();
  APFloat n(sem);
  n.convertFromAPInt(APInt(64, *count), false, APFloat::rmNearestTiesToEven);
  SmallVector<APFloat> out;
  for (APFloat v : sum.getValues<APFloat>()) {
    v.divide(n, APFloat::rmNearestTiesToEven);
    out.push_back(v);
  }
  return DenseElementsAttr::get(sum.getType(), out);
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  if (Attribute f = foldFloatReduction(adaptor.getInput(), getAxes(), getType(),
                                       floatMul))
    return f;
  return foldIntReduction(adaptor.getInput(), getAxes(), getType(),
                          [](const APInt &a, const APInt &b) { return a * b; });
}

/// Max or min of a constant: floats propagate NaN, i1 and unsigned
/// integers compare unsigned.
template <typename OpTy>
static OpFoldResult foldExtremum(OpTy op, Attribute input, bool isMax) {
  if (op.getAxes().empty())
    return ifSameType(op.getInput(), op.getType());
  if (Attribute f = foldFloatReduction(input, op.getAxes(), op.getType(),
                                       isMax ? floatMax : floatMin))
    return f;
  Type type = op.getType();
  bool isUns = isUnsigned(type) || getElementTypeOrSelf(type).isInteger(1);
  return foldIntReduction(
      input, op.getAxes(), type, [&](const APInt &a, const APInt &b) {
        if (isMax)
          return isUns ? llvm::APIntOps::umax(a, b)
                       : llvm::APIntOps::smax(a, b);
        return isUns ? llvm::APIntOps::umin(a, b) : llvm::APIntOps::smin(a, b);
      });
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldExtremum(*this, adaptor.getInput(), /*isMax=*/true);
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldExtremum(*this, adaptor.getInput(), /*isMax=*/false);
}

//===----------------------------------------------------------------------===//
// Moving the elements of constants
//===----------------------------------------------------------------------===//
//
// Transposes, slices and splits of constants only move elements, so they
// fold on raw bytes at any size, dense_resource blobs (how the importer
// stores weights) included. Left to run time, Gemm's transB or an LSTM's
// weight transpose reads the whole weight with a stride on every call. The
// copy is row copies or a blocked transpose over bytes, never an attribute
// per element. A reshape of a blob is not folded: at run time it is a free
// view, and a second constant of the same blob in another shape would be
// stored twice in the library; the folds here read through such reshapes
// instead.
