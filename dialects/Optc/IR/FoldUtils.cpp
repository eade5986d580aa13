//===- FoldUtils.cpp - the constant evaluator of the folders --------------===//
//
// Which constants may be folded, elementwise evaluation with numpy
// broadcasting, and the type checks of folds (FoldUtils.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcDialect.h"
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

namespace mlir::optc::folding {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool isStatic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape();
}

/// `value` when its type is `type`, for ops whose result has the operand's
/// sizes at run time whenever the types agree; else null.
OpFoldResult ifSameType(Value value, Type type) {
  return value.getType() == type ? OpFoldResult(value) : OpFoldResult();
}

/// `value` when its type is `type` and fully static, for ops where an unknown
/// size may change at run time (broadcasting, reshaping, slicing).
OpFoldResult ifSameStaticType(Value value, Type type) {
  return isStatic(type) ? ifSameType(value, type) : OpFoldResult();
}

/// True for float formats whose arithmetic APFloat folds meaningfully: with
/// a sign and a zero (not the exponent-only f8E8M0FNU scale format).
bool isFoldableFloat(Type type) {
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType)
    return false;
  const llvm::fltSemantics &sem = floatType.getFloatSemantics();
  return llvm::APFloatBase::semanticsHasSignedRepr(sem) &&
         llvm::APFloatBase::semanticsHasZero(sem);
}

/// True when `attr` is a splat whose value satisfies the predicate for its
/// kind of element.
bool isSplatFloat(Attribute attr,
                  llvm::function_ref<bool(const APFloat &)> pred) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  return splat && isa<FloatType>(splat.getElementType()) &&
         pred(splat.getSplatValue<APFloat>());
}
bool isSplatInt(Attribute attr, llvm::function_ref<bool(const APInt &)> pred) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  return splat && isa<IntegerType>(splat.getElementType()) &&
         pred(splat.getSplatValue<APInt>());
}

bool isSplatOne(Attribute attr) {
  return isSplatFloat(attr,
                      [](const APFloat &v) { return v.isExactlyValue(1.0); }) ||
         isSplatInt(attr, [](const APInt &v) { return v.isOne(); });
}

bool isUnsigned(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

//===----------------------------------------------------------------------===//
// Evaluation on constants
//===----------------------------------------------------------------------===//

/// The elements of a constant operand that may be folded, or nullopt.
std::optional<SmallVector<Attribute>> elementsOf(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  // A small blob of whole-byte integers or floats (a bias the importer
  // kept out of line) reads as its dense<...> equivalent.
  if (auto resource = dyn_cast_or_null<DenseResourceElementsAttr>(attr)) {
    ShapedType type = resource.getType();
    Type element = type.getElementType();
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    bool bytes = element.isIntOrFloat() &&
                 element.getIntOrFloatBitWidth() % 8 == 0 &&
                 !getQuantEncoding(type);
    if (blob && bytes && type.hasStaticShape() &&
        type.getNumElements() <= kMaxFoldedElements &&
        static_cast<int64_t>(blob->getData().size()) ==
            type.getNumElements() * element.getIntOrFloatBitWidth() / 8)
      dense = DenseElementsAttr::getFromRawBuffer(type, blob->getData());
  }
  if (!dense || dense.getNumElements() > kMaxFoldedElements)
    return std::nullopt;
  auto values = dense.getValues<Attribute>();
  return SmallVector<Attribute>(values.begin(), values.end());
}

/// The static result type a fold may build, or null.
RankedTensorType foldableResult(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape() ||
      ranked.getNumElements() > kMaxFoldedElements)
    return nullptr;
  return ranked;
}

/// The element counts of `shape` before and after dimension `axis`.
/// `shape` is a verified type's: within the limits per tensor, no product
/// of its sizes overflows.
std::pair<int64_t, int64_t> aroundAxis(ArrayRef<int64_t> shape, int64_t axis) {
  std::optional<int64_t> outer = sizes::product(shape.take_front(axis)),
                         inner = sizes::product(shape.drop_front(axis + 1));
  assert(outer && inner && "a shape within the limits per tensor");
  return {*outer, *inner};
}

/// Row-major strides of `shape` (a verified type's, as for aroundAxis).
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) {
    std::optional<int64_t> stride = sizes::mul(strides[i + 1], shape[i + 1]);
    assert(stride && "a shape within the limits per tensor");
    strides[i] = *stride;
  }
  return strides;
}

/// Steps a row-major multi-index through `shape`; false once it wraps
/// around past the last element.
bool nextIndex(MutableArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  for (int64_t r = static_cast<int64_t>(shape.size()) - 1; r >= 0; --r) {
    if (++index[r] < shape[r])
      return true;
    index[r] = 0;
  }
  return false;
}

/// Evaluates an elementwise function of constant operands that broadcast
/// (numpy rules) to `resultType`. `fn` returns null to give up.
Attribute
foldBroadcasting(ArrayRef<Attribute> operands, Type resultType,
                 llvm::function_ref<Attribute(ArrayRef<Attribute>)> fn) {
  RankedTensorType result = foldableResult(resultType);
  if (!result)
    return {};
  int64_t rank = result.getRank();
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<SmallVector<int64_t>> strides;
  for (Attribute operand : operands) {
    std::optional<SmallVector<Attribute>> elements = elementsOf(operand);
    if (!elements)
      return {};
    ArrayRef<int64_t> shape =
        cast<ShapedType>(cast<TypedAttr>(operand).getType()).getShape();
    // Strides over the result's dimensions: 0 where the operand stretches.
    SmallVector<int64_t> own = stridesOf(shape), aligned(rank, 0);
    int64_t offset = rank - static_cast<int64_t>(shape.size());
    for (auto [i, d] : llvm::enumerate(shape))
      if (d != 1)
        aligned[offset + i] = own[i];
    values.push_back(std::move(*elements));
    strides.push_back(std::move(aligned));
  }
  ArrayRef<int64_t> shape = result.getShape();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out, args(operands.size());
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    for (size_t k = 0; k < operands.size(); ++k) {
      int64_t at = 0;
      for (int64_t r = 0; r < rank; ++r)
        at += index[r] * strides[k][r];
      args[k] = values[k][at];
    }
    Attribute v = fn(args);
    if (!v)
      return {};
    out.push_back(v);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

/// Folds a unary elementwise op on constants, with one calculation per
/// kind of element. Only static result types are folded.
Attribute
foldUnary(Attribute operand, Type resultType,
          llvm::function_ref<std::optional<APFloat>(const APFloat &)> onFloat,
          llvm::function_ref<std::optional<APInt>(const APInt &)> onInt) {
  if (!operand || !isStatic(resultType))
    return {};
  Type element = getElementTypeOrSelf(resultType);
  if (isFoldableFloat(element) && onFloat)
    return constFoldUnaryOpConditional<FloatAttr, APFloat, void>(
        operand, resultType, onFloat);
  if (isa<IntegerType>(element) && onInt)
    return constFoldUnaryOpConditional<IntegerAttr, APInt, void>(
        operand, resultType, onInt);
  return {};
}

/// Folds a binary elementwise op whose constant operands have the result's
/// type (no broadcasting).
Attribute foldBinary(
    ArrayRef<Attribute> operands, Type resultType,
    llvm::function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>
        onFloat,
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &)>
        onInt) {
  if (!operands[0] || !operands[1] || !isStatic(resultType))
    return {};
  auto lhs = dyn_cast<TypedAttr>(operands[0]);
  auto rhs = dyn_cast<TypedAttr>(operands[1]);
  if (!lhs || !rhs)
    return {};
  Type element = getElementTypeOrSelf(resultType);
  bool isFloat = isFoldableFloat(element) && onFloat;
  bool isInt = isa<IntegerType>(element) && onInt;
  if (!isFloat && !isInt)
    return {};
  if (lhs.getType() == resultType && rhs.getType() == resultType) {
    if (isFloat)
      return constFoldBinaryOpConditional<FloatAttr, APFloat, void>(
          operands, resultType, onFloat);
    return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(
        operands, resultType, onInt);
  }
  // Operands of other shapes broadcast to the result.
  return foldBroadcasting(
      operands, resultType, [&](ArrayRef<Attribute> args) -> Attribute {
        if (isFloat) {
          std::optional<APFloat> v =
              onFloat(cast<FloatAttr>(args[0]).getValue(),
                      cast<FloatAttr>(args[1]).getValue());
          return v ? FloatAttr::get(element, *v) : Attribute();
        }
        std::optional<APInt> v = onInt(cast<IntegerAttr>(args[0]).getValue(),
                                       cast<IntegerAttr>(args[1]).getValue());
        return v ? IntegerAttr::get(element, *v) : Attribute();
      });
}

/// A splat constant of `type` built from the splat `attr`, or null.
Attribute resplat(Attribute attr, Type type) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat || !isStatic(type))
    return {};
  return SplatElementsAttr::get(cast<ShapedType>(type),
                                splat.getSplatValue<Attribute>());
}

/// The bytes of `attr`, a dense_resource blob (narrow elements one per
/// byte, not packed) or a non-splat dense<...> of whole-byte elements;
/// nullopt for anything else or no elements.
std::optional<RawElements> rawElementsOf(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements || !elements.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t count = elements.getNumElements();
  unsigned bits = elements.getElementType().getIntOrFloatBitWidth();
  if (count == 0)
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    int64_t bytes = bits % 8 == 0 ? bits / 8 : 1;
    if (!blob || blob->getData().size() != static_cast<size_t>(count * bytes))
      return std::nullopt;
    return RawElements{blob->getData(), bytes, resource,
                       std::max<size_t>(blob->getDataAlignment(), 1)};
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense || dense.isSplat() || bits % 8 != 0 ||
      dense.getRawData().size() != static_cast<size_t>(count * (bits / 8)))
    return std::nullopt;
  return RawElements{dense.getRawData(), bits / 8, {}, 1};
}

/// The constant that `value`, the operand whose folded attribute is
/// `operand`, holds: `operand`, or a constant seen through reshapes, which
/// keep the row-major bytes. Null when not constant.
Attribute constantThroughReshapes(Value value, Attribute operand) {
  if (operand)
    return operand;
  Value source = value;
  while (auto reshape = source.getDefiningOp<ReshapeOp>())
    source = reshape.getInput();
  Attribute attr;
  if (source == value || !matchPattern(source, m_Constant(&attr)))
    return {};
  return attr;
}

/// Calls `fn(from, to)` for every index of the dimensions `dims` of
/// `shape`: `from` is `base` plus the index times `steps`, `to` the index
/// times `strides`.
void forEachIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> steps,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dims,
                  int64_t base, llvm::function_ref<void(int64_t, int64_t)> fn) {
  SmallVector<int64_t> index(dims.size(), 0);
  int64_t from = base, to = 0;
  while (true) {
    fn(from, to);
    int64_t k = static_cast<int64_t>(dims.size()) - 1;
    for (; k >= 0; --k) {
      int64_t d = dims[k];
      if (++index[k] < shape[d]) {
        from += steps[d];
        to += strides[d];
        break;
      }
      from -= steps[d] * (shape[d] - 1);
      to -= strides[d] * (shape[d] - 1);
      index[k] = 0;
    }
    if (k < 0)
      return;
  }
}

/// Fills `dst`, row-major of `shape`, from `src`: element `i` of `dst` is
/// element `base + sum(i[d] * steps[d])` of `src`. Elements are `N` bytes.
template <size_t N>
void moveElements(const char *src, char *dst, ArrayRef<int64_t> shape,
                  int64_t base, ArrayRef<int64_t> steps) {
  // Dimensions of size 1 do not move anything; neighbours the source holds
  // contiguously are one dimension (the destination is row-major).
  SmallVector<int64_t> sizes, strides;
  for (auto [size, step] : llvm::zip(shape, steps)) {
    if (size == 1)
      continue;
    // Merged sizes multiply to at most the element count of `shape`, a
    // folded constant's.
    if (!sizes.empty() && strides.back() == step * size) {
      std::optional<int64_t> merged = optc::sizes::mul(sizes.back(), size);
      assert(merged && "a constant within the limits per tensor");
      sizes.back() = *merged;
      strides.back() = step;
      continue;
    }
    sizes.push_back(size);
    strides.push_back(step);
  }
  if (sizes.empty()) {
    std::memcpy(dst, src + base * N, N);
    return;
  }
  int64_t rank = sizes.size(), last = rank - 1;
  SmallVector<int64_t> dstStrides = stridesOf(sizes);
  auto dimsBut = [&](int64_t a, int64_t b) {
    SmallVector<int64_t> dims;
    for (int64_t d = 0; d < rank; ++d)
      if (d != a && d != b)
        dims.push_back(d);
    return dims;
  };
  int64_t n = sizes[last], step = strides[last];
  if (step == 1) {
    // Rows the source holds contiguously.
    forEachIndex(sizes, strides, dstStrides, dimsBut(last, last), base,
                 [&](int64_t from, int64_t to) {
                   std::memcpy(dst + to * N, src + from * N, n * N);
                 });
    return;
  }
  const int64_t *unit = llvm::find(strides, 1);
  if (unit != strides.end()) {
    // A transposition: dimension j is contiguous in the source, the last
    // one in the destination. Tiles of 32x32 elements keep both sides of
    // the copy in cache.
    constexpr int64_t kTile = 32;
    int64_t j = unit - strides.begin(), m = sizes[j], dstJ = dstStrides[j];
    forEachIndex(
        sizes, strides, dstStrides, dimsBut(j, last), base,
        [&](int64_t from, int64_t to) {
          for (int64_t j0 = 0; j0 < m; j0 += kTile)
            for (int64_t l0 = 0; l0 < n; l0 += kTile)
              for (int64_t a = j0, ae = std::min(j0 + kTile, m); a < ae; ++a)
                for (int64_t l = l0, le = std::min(l0 + kTile, n); l < le; ++l)
                  std::memcpy(dst + (to + a * dstJ + l) * N,
                              src + (from + a + l * step) * N, N);
        });
    return;
  }
  forEachIndex(sizes, strides, dstStrides, dimsBut(last, last), base,
               [&](int64_t from, int64_t to) {
                 for (int64_t l = 0; l < n; ++l)
                   std::memcpy(dst + (to + l) * N, src + (from + l * step) * N,
                               N);
               });
}

/// Results of a fold of a blob up to this size are inline dense<...> (as
/// the importer keeps them), so that the folds of small constants go on.
constexpr int64_t kInlineBytes = 64;

/// The constant of `type` whose element `i` is element
/// `base + sum(i[d] * steps[d])` of `from`: a new blob when `from` is one
/// (unless small), else dense<...>. Null when it cannot be built.
ElementsAttr moveConstant(RankedTensorType type, const RawElements &from,
                          int64_t base, ArrayRef<int64_t> steps) {
  // A verified result type is within the limits per tensor; the checks
  // keep a fold of any other from building a wrapped size.
  std::optional<int64_t> count = sizes::numElements(type.getShape());
  if (!count || *count == 0)
    return {};
  int64_t bytes = from.elementBytes;
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
    return {};
  std::optional<int64_t> total = sizes::mul(*count, bytes);
  if (!total)
    return {};
  size_t size = static_cast<size_t>(*total);
  auto fill = [&](char *dst) {
    const char *src = from.data.data();
    ArrayRef<int64_t> shape = type.getShape();
    switch (bytes) {
    case 1:
      return moveElements<1>(src, dst, shape, base, steps);
    case 2:
      return moveElements<2>(src, dst, shape, base, steps);
    case 4:
      return moveElements<4>(src, dst, shape, base, steps);
    default:
      return moveElements<8>(src, dst, shape, base, steps);
    }
  };
  bool wholeBytes = type.getElementType().getIntOrFloatBitWidth() % 8 == 0;
  if (!from.resource ||
      (wholeBytes && size <= static_cast<size_t>(kInlineBytes))) {
    if (!wholeBytes)
      return {};
    std::vector<char> buffer(size);
    fill(buffer.data());
    return DenseElementsAttr::getFromRawBuffer(type, buffer);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(size, from.alignment);
  fill(blob.getMutableData().data());
  return DenseResourceElementsAttr::get(
      type, from.resource.getRawHandle().getKey(), std::move(blob));
}

} // namespace mlir::optc::folding
