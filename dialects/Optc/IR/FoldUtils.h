//===- FoldUtils.h - what the folders of optc share ------------*- C++ -*-===//
//
// The constant evaluator the folders of every family use: which constants
// may be folded and into what type, elementwise evaluation with
// broadcasting, and the checks that a fold may replace a result by an
// operand.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_FOLDUTILS_H
#define OPTC_DIALECTS_OPTC_IR_FOLDUTILS_H

#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <utility>

namespace mlir::optc::folding {

/// Folding makes a new constant; above this many elements it would cost
/// more compile time and memory than it saves, so larger results are left
/// to run time.
inline constexpr int64_t kMaxFoldedElements = 1 << 16;

bool isStatic(Type type);

/// `value` when its type is `type`, for ops whose result has the operand's
/// sizes at run time whenever the types agree; else null.
OpFoldResult ifSameType(Value value, Type type);

/// `value` when its type is `type` and fully static, for ops where an unknown
/// size may change at run time (broadcasting, reshaping, slicing).
OpFoldResult ifSameStaticType(Value value, Type type);

/// True for float formats whose arithmetic APFloat folds meaningfully: with
/// a sign and a zero (not the exponent-only f8E8M0FNU scale format).
bool isFoldableFloat(Type type);

/// True when `attr` is a splat whose value satisfies the predicate for its
/// kind of element.
bool isSplatFloat(Attribute attr,
                  llvm::function_ref<bool(const APFloat &)> pred);

bool isSplatInt(Attribute attr, llvm::function_ref<bool(const APInt &)> pred);

bool isSplatOne(Attribute attr);

bool isUnsigned(Type type);

/// The elements of a constant operand that may be folded, or nullopt.
std::optional<SmallVector<Attribute>> elementsOf(Attribute attr);

/// The static result type a fold may build, or null.
RankedTensorType foldableResult(Type type);

/// The element counts of `shape` before and after dimension `axis`.
std::pair<int64_t, int64_t> aroundAxis(ArrayRef<int64_t> shape, int64_t axis);

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape);

/// Steps a row-major multi-index through `shape`; false once it wraps
/// around past the last element.
bool nextIndex(MutableArrayRef<int64_t> index, ArrayRef<int64_t> shape);

/// Evaluates an elementwise function of constant operands that broadcast
/// (numpy rules) to `resultType`. `fn` returns null to give up.
Attribute
foldBroadcasting(ArrayRef<Attribute> operands, Type resultType,
                 llvm::function_ref<Attribute(ArrayRef<Attribute>)> fn);

/// Folds a unary elementwise op on constants, with one calculation per
/// kind of element. Only static result types are folded.
Attribute
foldUnary(Attribute operand, Type resultType,
          llvm::function_ref<std::optional<APFloat>(const APFloat &)> onFloat,
          llvm::function_ref<std::optional<APInt>(const APInt &)> onInt);

/// Folds a binary elementwise op whose constant operands have the result's
/// type (no broadcasting).
Attribute foldBinary(
    ArrayRef<Attribute> operands, Type resultType,
    llvm::function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>
        onFloat,
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &)>
        onInt);

/// A splat constant of `type` built from the splat `attr`, or null.
Attribute resplat(Attribute attr, Type type);

// Moving the elements of constants: raw bytes, at any size.

/// The row-major bytes of a constant.
struct RawElements {
  ArrayRef<char> data;
  int64_t elementBytes;
  /// The blob the bytes live in; null for dense<...>.
  DenseResourceElementsAttr resource;
  size_t alignment = 1;
};

/// The bytes of `attr`, a dense_resource blob (narrow elements one per
/// byte, not packed) or a non-splat dense<...> of whole-byte elements;
/// nullopt for anything else or no elements.
std::optional<RawElements> rawElementsOf(Attribute attr);

/// The constant that `value`, the operand whose folded attribute is
/// `operand`, holds: `operand`, or a constant seen through reshapes, which
/// keep the row-major bytes. Null when not constant.
Attribute constantThroughReshapes(Value value, Attribute operand);

/// Calls `fn(from, to)` for every index of the dimensions `dims` of
/// `shape`: `from` is `base` plus the index times `steps`, `to` the index
/// times `strides`.
void forEachIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> steps,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dims,
                  int64_t base, llvm::function_ref<void(int64_t, int64_t)> fn);

void moveElements(const char *src, char *dst, ArrayRef<int64_t> shape,
                  int64_t base, ArrayRef<int64_t> steps);

/// The constant of `type` whose element `i` is element
/// `base + sum(i[d] * steps[d])` of `from`: a new blob when `from` is one
/// (unless small), else dense<...>. Null when it cannot be built.
ElementsAttr moveConstant(RankedTensorType type, const RawElements &from,
                          int64_t base, ArrayRef<int64_t> steps);

} // namespace mlir::optc::folding

#endif // OPTC_DIALECTS_OPTC_IR_FOLDUTILS_H
