//===- OptcShapesImpl.h - what the shape rules share ------------*- C++ -*-===//
//
// Private to the OptcShapes*.cpp files that implement the rules of
// OptcShapes.h: the unknown-size marker, the builder of a broken rule's
// message, and small checks on attribute values.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCSHAPESIMPL_H
#define OPTC_DIALECTS_OPTC_IR_OPTCSHAPESIMPL_H

#include "dialects/Optc/IR/OptcShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <utility>

namespace mlir::optc::shape::detail {

inline constexpr int64_t kDyn = ShapedType::kDynamic;
inline bool isDyn(int64_t d) { return d == kDyn; }

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

/// a + b + c, or nullopt on overflow.
inline std::optional<int64_t> checkedSum(int64_t a, int64_t b, int64_t c) {
  std::optional<int64_t> ab = llvm::checkedAdd(a, b);
  return ab ? llvm::checkedAdd(*ab, c) : std::nullopt;
}

/// Prints a list of attribute values as `[a, b, c]` for diagnostics.
inline std::string list(ArrayRef<int64_t> values) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(values, os);
  os << "]";
  return s;
}

inline bool allPositive(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v > 0; });
}
inline bool allNonNegative(ArrayRef<int64_t> values) {
  return llvm::all_of(values, [](int64_t v) { return v >= 0; });
}

} // namespace mlir::optc::shape::detail

#endif // OPTC_DIALECTS_OPTC_IR_OPTCSHAPESIMPL_H
