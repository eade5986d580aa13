//===- Sizes.h - size arithmetic that cannot overflow -----------*- C++ -*-===//
//
// Element counts, byte sizes, strides and trip counts, computed so that an
// int64 overflow is a std::nullopt rather than a wrapped value, and the
// limits on the size of one tensor that optc compiles.
//
// The limits are checked early: on every operand and result of an optc op
// (its verifier, see TensorSizeLimit in OptcOps.h), on the types the ONNX
// importer reads (graph inputs, outputs, initializers, value_info), and by
// the runtime on the tensors of a compiled model. Past those checks a
// tensor's element count, its byte size and every stride of it fit in an
// int64 many times over, so code that sizes tensors of verified types calls
// the helpers below and asserts rather than reporting an error.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_SUPPORT_SIZES_H
#define OPTC_SUPPORT_SIZES_H

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"

#include <cstdint>
#include <optional>

namespace mlir::optc {

/// At most 2^40 elements per tensor, counting a dimension of size 0 as 1
/// (so that the strides of an empty tensor, whose other dimensions may be
/// large, are bounded too). A dimension of unknown size counts as 1.
inline constexpr int64_t kMaxTensorElementsLog2 = 40;
inline constexpr int64_t kMaxTensorElements = int64_t(1)
                                              << kMaxTensorElementsLog2;
/// At most 2^42 bytes (4 TiB) per tensor, counted like the elements (one
/// byte or more per element, see sizes::storageBytes).
inline constexpr int64_t kMaxTensorBytesLog2 = 42;
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << kMaxTensorBytesLog2;
/// The most scratch memory (the arena of the memory plan) a model may
/// need: OPTC_MAX_ARENA_BYTES of the runtime.
inline constexpr int64_t kMaxArenaBytes = int64_t(1) << 42;

namespace sizes {

/// a + b, a * b; std::nullopt on int64 overflow.
std::optional<int64_t> add(int64_t a, int64_t b);
std::optional<int64_t> mul(int64_t a, int64_t b);

/// The product of `values`, each at least 0; std::nullopt when one is
/// negative (an unknown size, ShapedType::kDynamic) or on overflow.
std::optional<int64_t> product(ArrayRef<int64_t> values);

/// The number of elements of a static shape: the product of its sizes.
std::optional<int64_t> numElements(ArrayRef<int64_t> shape);

/// The product of a static shape with each size 0 counted as 1: what the
/// element limit counts, and a bound on every stride and linear index of
/// the shape. std::nullopt for an unknown size or on overflow.
std::optional<int64_t> extent(ArrayRef<int64_t> shape);

/// The row-major strides of a static shape, in elements, with each size 0
/// counted as 1 (as `extent`; the outermost size is in no stride).
/// std::nullopt for an unknown size or on overflow.
std::optional<SmallVector<int64_t>> strides(ArrayRef<int64_t> shape);

/// Bytes of `elements` elements of `bitWidth` bits in memory, each element
/// in whole bytes (i1 and i4 take a byte): elements * ceil(bitWidth / 8).
std::optional<int64_t> storageBytes(int64_t elements, unsigned bitWidth);

/// Bytes of `elements` elements of `bitWidth` bits packed bit by bit:
/// ceil(elements * bitWidth / 8).
std::optional<int64_t> packedBytes(int64_t elements, unsigned bitWidth);

/// The number of iterations of `for (i = lb; i < ub; i += step)`, step > 0:
/// ceil((ub - lb) / step), 0 when ub <= lb. std::nullopt for step <= 0 or
/// on overflow.
std::optional<int64_t> tripCount(int64_t lb, int64_t ub, int64_t step);

/// The bits per element of `element` that the byte limit counts: integers
/// and floats their width, index 64, complex twice its part; 0 for other
/// types (only the element limit applies to them).
unsigned elementBits(Type element);

/// Whether a shaped type is within both limits. Unranked types are.
bool isWithinLimits(ShapedType type);

} // namespace sizes

/// Checks `type` against the limits per tensor. On failure reports, through
/// `emitError`, "<name> has type <type>, which exceeds optc's limit of ...":
/// `name` says which tensor ("graph input 'x'", "result #0").
LogicalResult
checkTensorSize(ShapedType type,
                llvm::function_ref<InFlightDiagnostic()> emitError,
                const llvm::Twine &name);

} // namespace mlir::optc

#endif // OPTC_SUPPORT_SIZES_H
