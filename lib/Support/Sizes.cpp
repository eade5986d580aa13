//===- Sizes.cpp - size arithmetic that cannot overflow -------------------===//
//
// See include/optc/Support/Sizes.h.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Sizes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::optc;

std::optional<int64_t> sizes::add(int64_t a, int64_t b) {
  return llvm::checkedAdd(a, b);
}

std::optional<int64_t> sizes::mul(int64_t a, int64_t b) {
  return llvm::checkedMul(a, b);
}

std::optional<int64_t> sizes::product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t value : values) {
    std::optional<int64_t> next =
        value < 0 ? std::nullopt : llvm::checkedMul(result, value);
    if (!next)
      return std::nullopt;
    result = *next;
  }
  return result;
}

std::optional<int64_t> sizes::numElements(ArrayRef<int64_t> shape) {
  return product(shape);
}

std::optional<int64_t> sizes::extent(ArrayRef<int64_t> shape) {
  int64_t result = 1;
  for (int64_t size : shape) {
    std::optional<int64_t> next =
        size < 0 ? std::nullopt
                 : llvm::checkedMul(result, std::max<int64_t>(size, 1));
    if (!next)
      return std::nullopt;
    result = *next;
  }
  return result;
}

std::optional<SmallVector<int64_t>> sizes::strides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> result(shape.size());
  int64_t stride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] < 0)
      return std::nullopt;
    result[d] = stride;
    if (d == 0)
      break; // the outermost size is in no stride
    std::optional<int64_t> next =
        llvm::checkedMul(stride, std::max<int64_t>(shape[d], 1));
    if (!next)
      return std::nullopt;
    stride = *next;
  }
  return result;
}

std::optional<int64_t> sizes::storageBytes(int64_t elements,
                                           unsigned bitWidth) {
  if (elements < 0)
    return std::nullopt;
  return llvm::checkedMul(elements,
                          static_cast<int64_t>(llvm::divideCeil(bitWidth, 8)));
}

std::optional<int64_t> sizes::packedBytes(int64_t elements, unsigned bitWidth) {
  if (elements < 0)
    return std::nullopt;
  // ceil(elements * bits / 8) without forming elements * bits: whole bytes
  // of the full groups of 8 elements, then the rest.
  std::optional<int64_t> whole =
      llvm::checkedMul(elements / 8, static_cast<int64_t>(bitWidth));
  int64_t restBits = (elements % 8) * static_cast<int64_t>(bitWidth);
  return whole ? llvm::checkedAdd(*whole, (restBits + 7) / 8) : std::nullopt;
}

std::optional<int64_t> sizes::tripCount(int64_t lb, int64_t ub, int64_t step) {
  if (step <= 0)
    return std::nullopt;
  if (ub <= lb)
    return 0;
  // ub - lb is exact in uint64 (below 2^64), ceil(span / step) without
  // forming span + step - 1; only a count beyond int64 fails.
  uint64_t span = static_cast<uint64_t>(ub) - static_cast<uint64_t>(lb);
  uint64_t count = (span - 1) / static_cast<uint64_t>(step) + 1;
  if (count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return static_cast<int64_t>(count);
}

unsigned sizes::elementBits(Type element) {
  if (element.isIntOrFloat())
    return element.getIntOrFloatBitWidth();
  if (element.isIndex())
    return 64;
  if (auto complex = dyn_cast<ComplexType>(element))
    return 2 * elementBits(complex.getElementType());
  return 0;
}

namespace {
/// What checkTensorSize finds wrong with a type, if anything.
enum class Excess { None, Elements, Bytes };
} // namespace

static Excess excessOf(ShapedType type) {
  if (!type.hasRank())
    return Excess::None;
  // Unknown sizes count as 1: the static sizes alone already exceed.
  int64_t elements = 1;
  for (int64_t size : type.getShape()) {
    std::optional<int64_t> next =
        ShapedType::isDynamic(size)
            ? elements
            : llvm::checkedMul(elements, std::max<int64_t>(size, 1));
    if (!next || *next > kMaxTensorElements)
      return Excess::Elements;
    elements = *next;
  }
  // At most 2^40 elements of at most a few hundred bits: no overflow.
  std::optional<int64_t> bytes =
      sizes::storageBytes(elements, sizes::elementBits(type.getElementType()));
  if (!bytes || *bytes > kMaxTensorBytes)
    return Excess::Bytes;
  return Excess::None;
}

bool sizes::isWithinLimits(ShapedType type) {
  return excessOf(type) == Excess::None;
}

LogicalResult
optc::checkTensorSize(ShapedType type,
                      llvm::function_ref<InFlightDiagnostic()> emitError,
                      const llvm::Twine &name) {
  switch (excessOf(type)) {
  case Excess::None:
    return success();
  case Excess::Elements:
    if (emitError)
      emitError() << name << " has type " << type
                  << ", which exceeds optc's limit of 2^"
                  << kMaxTensorElementsLog2
                  << " elements per tensor (a dimension of size 0 counts as "
                     "1)";
    return failure();
  case Excess::Bytes:
    if (emitError)
      emitError() << name << " has type " << type
                  << ", which exceeds optc's limit of 2^" << kMaxTensorBytesLog2
                  << " bytes per tensor";
    return failure();
  }
  llvm_unreachable("unknown excess");
}
