//===- Common.cpp - what the lowering patterns share ----------------------===//
//
// The building blocks every family of --optc-convert-to-linalg uses: the
// storage types (signless integers, bools and narrow types as bytes),
// empty and filled tensors, unit dimensions, broadcasting operands into a
// linalg.generic, contractions, f32 accumulation of 16-bit floats, and the
// index helpers of the ops that read at computed positions (clamped, so
// that no index a model gives reads out of bounds).
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace mlir::optc::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// The element type a tensor of `element` stores: signless integers, and
/// bools as bytes (0 or 1), as the runtime exchanges them. Vectors of i1
/// would otherwise be stored as packed bits.
Type storageElement(Type element) {
  if (element.isInteger(1) || isNarrow(element))
    return IntegerType::get(element.getContext(), 8);
  if (auto integer = dyn_cast<IntegerType>(element);
      integer && !integer.isSignless())
    return IntegerType::get(element.getContext(), integer.getWidth());
  return element;
}

/// `type` as lowered: tensors take their storage element type, quantized
/// ones become their packed bytes; scalar integers become signless (an i1
/// scalar stays i1).
Type signless(Type type) {
  if (getQuantEncoding(type))
    return packedStorageType(cast<RankedTensorType>(type));
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && !integer.isSignless())
    return IntegerType::get(type.getContext(), integer.getWidth());
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.clone(storageElement(tensor.getElementType()));
  if (auto tensor = dyn_cast<UnrankedTensorType>(type))
    return UnrankedTensorType::get(storageElement(tensor.getElementType()));
  return type;
}

Type elementOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

Value constantOf(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 storageElement(type.getElementType()));
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

Value contraction(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                  ArrayRef<AffineMap> maps) {
  return linalg::ContractOp::create(b, loc, TypeRange{init.getType()},
                                    ValueRange{lhs, rhs}, ValueRange{init},
                                    b.getAffineMapArrayAttr(maps))
      .getResult(0);
}

/// Reassociation that groups every dimension of `keep` (the ones that stay)
/// with the unit dimensions around it; `rank` is the full rank.
SmallVector<ReassociationIndices> groupUnitDims(int64_t rank,
                                                ArrayRef<bool> keep) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (keep[d]) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) {
    if (groups.empty())
      return {}; // everything is a unit dimension: collapse to rank 0
    groups.back().append(pending.begin(), pending.end());
  }
  return groups;
}

/// Drops the dimensions of `value` not in `keep` (all of size 1).
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<bool> keep) {
  RankedTensorType type = tensorOf(value);
  if (llvm::all_of(keep, [](bool k) { return k; }))
    return value;
  SmallVector<int64_t> shape;
  for (auto [size, k] : llvm::zip(type.getShape(), keep))
    if (k)
      shape.push_back(size);
  return tensor::CollapseShapeOp::create(b, loc, type.clone(shape), value,
                                         groupUnitDims(type.getRank(), keep));
}

/// Inserts unit dimensions into `value` to give it `type`, whose other
/// dimensions are `value`'s; `keep` marks those.
Value addUnitDims(OpBuilder &b, Location loc, Value value,
                  RankedTensorType type, ArrayRef<bool> keep) {
  if (tensorOf(value).getRank() == type.getRank())
    return value;
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone(storageElement(type.getElementType())), value,
      groupUnitDims(type.getRank(), keep));
}

/// Prepares `value` (already converted) to be read at result positions of
/// `resultShape` under numpy broadcasting: collapses its stretched unit
/// dimensions and returns it with its projected-permutation indexing map.
std::pair<Value, AffineMap> broadcastOperand(OpBuilder &b, Location loc,
                                             Value value,
                                             ArrayRef<int64_t> resultShape) {
  RankedTensorType type = tensorOf(value);
  int64_t rank = resultShape.size(), offset = rank - type.getRank();
  SmallVector<bool> keep;
  SmallVector<AffineExpr> exprs;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    bool stretched = size == 1 && resultShape[offset + d] != 1;
    keep.push_back(!stretched);
    if (!stretched)
      exprs.push_back(b.getAffineDimExpr(offset + d));
  }
  Value collapsed = dropUnitDims(b, loc, value, keep);
  return {collapsed, AffineMap::get(rank, 0, exprs, b.getContext())};
}

using ScalarBody =
    function_ref<Value(OpBuilder &, Location, ValueRange arguments)>;

/// A linalg.generic computing `body` elementwise over `inputs` (broadcast
/// to `resultType` by numpy rules).
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ScalarBody body) {
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto [operand, map] = broadcastOperand(b, loc, input, shape);
    operands.push_back(operand);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{signless(resultType)}, operands,
      ValueRange{emptyTensor(b, loc, resultType)}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

/// Whether sums over `element` accumulate in f32: the 16-bit floats, whose
/// own precision loses whole digits over a few hundred terms.
bool accumulatesWide(Type element) {
  return element.isF16() || element.isBF16();
}

Value widenFloats(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = tensorOf(value);
  if (!accumulatesWide(type.getElementType()))
    return value;
  return elementwise(
      b, loc, type.clone(b.getF32Type()), {value},
      [](OpBuilder &nb, Location l, ValueRange args) {
        return Value(arith::ExtFOp::create(nb, l, nb.getF32Type(), args[0]));
      });
}

Value narrowFloats(OpBuilder &b, Location loc, Value value, Type element) {
  RankedTensorType type = tensorOf(value);
  if (type.getElementType() == element)
    return value;
  return elementwise(b, loc, type.clone(element), {value},
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       return Value(
                           arith::TruncFOp::create(nb, l, element, args[0]));
                     });
}

/// Where a position `t` of a stride-spread axis comes from: `t / stride`,
/// and whether that is a real element (t >= 0, divisible by the stride,
/// and below `size`).
std::pair<Value, Value> stridedSource(OpBuilder &b, Location loc, Value t,
                                      int64_t stride, int64_t size) {
  Value s = arith::ConstantIndexOp::create(b, loc, stride);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value position = arith::DivSIOp::create(b, loc, t, s);
  Value ok = arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, t, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                            arith::RemSIOp::create(b, loc, t, s), zero));
  ok = arith::AndIOp::create(
      b, loc, ok,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, position,
                            arith::ConstantIndexOp::create(b, loc, size)));
  return {position, ok};
}

/// `value` (an index) clamped to [0, size - 1].
Value clampIndex(OpBuilder &b, Location loc, Value value, int64_t size) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last =
      arith::ConstantIndexOp::create(b, loc, std::max<int64_t>(size - 1, 0));
  return arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, value, zero), last);
}

/// An index read from a tensor (any integer type) as an index, negative
/// values counting from the end, clamped into [0, size).
Value normalizeIndex(OpBuilder &b, Location loc, Value value, int64_t size,
                     bool isUnsigned) {
  Value index =
      isUnsigned
          ? Value(arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value))
          : Value(arith::IndexCastOp::create(b, loc, b.getIndexType(), value));
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::AddIOp::create(
      b, loc, index, arith::ConstantIndexOp::create(b, loc, size));
  return clampIndex(
      b, loc, arith::SelectOp::create(b, loc, negative, wrapped, index), size);
}

/// A linalg.generic over `resultType` whose `inputs` are read at positions
/// given by their maps and whose body also sees the loop indices.
Value indexedGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                     ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                     function_ref<Value(OpBuilder &, Location,
                                        ValueRange indices, ValueRange args)>
                         body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{signless(resultType)}, inputs,
             ValueRange{emptyTensor(b, loc, resultType)}, maps, iterators,
             [&](OpBuilder &nested, Location l, ValueRange args) {
               SmallVector<Value> indices;
               for (int64_t d = 0; d < rank; ++d)
                 indices.push_back(linalg::IndexOp::create(nested, l, d));
               linalg::YieldOp::create(
                   nested, l, body(nested, l, indices, args.drop_back()));
             })
      .getResult(0);
}

bool isStatic(Value value) {
  return cast<RankedTensorType>(value.getType()).hasStaticShape();
}

/// The lowest value of a type, the identity of max: -inf or the minimum.
Value lowest(OpBuilder &b, Location loc, Type type, Kind kind) {
  return identityOf(b, loc, type, kind == Kind::Float ? -INFINITY : 0, kind,
                    /*isMax=*/true, /*isMin=*/false);
}

} // namespace mlir::optc::lowering
