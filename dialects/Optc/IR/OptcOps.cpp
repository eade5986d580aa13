//===- OptcOps.cpp - optc operations --------------------------------------===//
//
// The helpers of result-type inference (through the shape rules of
// OptcShapes.h), the inferReturnTypes that ODS does not generate, verifiers
// and the custom assembly of optc.fusion. Folders and canonicalisation
// patterns live in the Fold*.cpp files.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcOps.h"
#include "dialects/Optc/IR/OptcShapes.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::optc;

#include "dialects/Optc/IR/OptcEnums.cpp.inc"

//===----------------------------------------------------------------------===//
// Type predicates
//===----------------------------------------------------------------------===//

bool optc::isIntegerElementType(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && !intType.isSigned() && intType.getWidth() > 1;
}

bool optc::areCompatibleShapes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    if (l == r)
      continue;
    auto lt = dyn_cast<RankedTensorType>(l);
    auto rt = dyn_cast<RankedTensorType>(r);
    if (!lt || !rt || lt.getElementType() != rt.getElementType() ||
        lt.getEncoding() != rt.getEncoding() ||
        failed(verifyCompatibleShape(lt.getShape(), rt.getShape())))
      return false;
  }
  return true;
}

LogicalResult optc::verifyTensorSizeLimit(Operation *op) {
  auto check = [&](Type type, StringRef kind, unsigned index) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || succeeded(checkTensorSize(
                          shaped, [&] { return op->emitOpError(); },
                          kind + " #" + Twine(index)));
  };
  for (auto [index, type] : llvm::enumerate(op->getOperandTypes()))
    if (!check(type, "operand", index))
      return failure();
  for (auto [index, type] : llvm::enumerate(op->getResultTypes()))
    if (!check(type, "result", index))
      return failure();
  // Packed codes (#optc.quant) are made by optc.quantize and constants and
  // read by optc.dequantize and optc.quantized_matmul (and pass through
  // the fusion regions that hold them); optc.pack and optc.unpack move
  // codes between them and plain tensors.
  if (isa<ConstantOp, QuantizeOp, DequantizeOp, PackOp, UnpackOp,
          QuantizedMatmulOp, FusionOp, YieldOp>(op))
    return success();
  for (Type type :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (getQuantEncoding(type))
      return op->emitOpError() << "takes the quantized tensor " << type
                               << "; only optc.dequantize reads packed codes";
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  ElementsAttr value = getValue();
  if (isa<DenseElementsAttr>(value))
    return success();
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource)
    return emitOpError("value must be a dense<...> or dense_resource<...> "
                       "attribute, found ")
           << value;
  DenseResourceElementsHandle handle = resource.getRawHandle();
  AsmResourceBlob *blob = handle.getBlob();
  if (!blob)
    return emitOpError("dense_resource '")
           << handle.getKey() << "' has no data";
  // Whole-byte elements are stored densely; narrower ones either one per
  // byte or packed.
  // The result, of the value's type, is within the limits per tensor (its
  // trait is verified first): the count and its bytes cannot overflow.
  int64_t count = value.getNumElements();
  unsigned bits = value.getElementType().getIntOrFloatBitWidth();
  std::optional<int64_t> packed = sizes::packedBytes(count, bits);
  assert(packed && "a constant within the limits per tensor");
  uint64_t size = blob->getData().size();
  // Quantized codes (#optc.quant) are always packed.
  if (size == static_cast<uint64_t>(*packed) ||
      (bits % 8 != 0 && size == static_cast<uint64_t>(count) &&
       !getQuantEncoding(value.getType())))
    return success();
  return emitOpError("dense_resource '")
         << handle.getKey() << "' holds " << size << " bytes but "
         << value.getType() << " needs " << *packed;
}

//===----------------------------------------------------------------------===//
// Inference helpers
//
// Most inferReturnTypes are generated from the rule an op names in its
// `inference` field (see Optc_InferOp in OptcBase.td): mlir-tblgen
// writes them into OptcOps.cpp.inc, which the end of this file includes, and
// they call ErrorSink, inferBroadcast, inferFromOperands and windowOf below.
// The ops whose inference fits no such rule define inferReturnTypes by hand
// further down, with the same helpers.
//===----------------------------------------------------------------------===//

namespace {
/// Turns the optional location that type inference receives into the error
/// callback of the shape rules. Messages carry the op name the way
/// emitOpError does.
class ErrorSink {
public:
  ErrorSink(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}
  InFlightDiagnostic operator()() const {
    return mlir::emitError(*loc) << "'" << opName << "' op ";
  }
  shape::EmitErrorFn fn() const {
    return loc ? shape::EmitErrorFn(*this) : shape::EmitErrorFn();
  }
  LogicalResult fail(const Twine &message) const {
    if (loc)
      (*this)() << message;
    return failure();
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};
} // namespace

/// The ranked tensor type of `value`, or null.
static RankedTensorType tensorType(Value value) {
  return value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
}

/// Collects the ranked tensor types of `values`; fails (with a message) when
/// one is not a ranked tensor, which only malformed builders can produce.
static LogicalResult tensorTypes(ValueRange values,
                                 SmallVectorImpl<RankedTensorType> &types,
                                 const ErrorSink &sink) {
  for (Value v : values) {
    RankedTensorType t = tensorType(v);
    if (!t)
      return sink.fail("expected ranked tensor operands");
    types.push_back(t);
  }
  return success();
}

/// Checks that all `types` have the element type of the first one.
static LogicalResult sameElementType(ArrayRef<RankedTensorType> types,
                                     ArrayRef<StringRef> names,
                                     const ErrorSink &sink) {
  for (size_t i = 1; i < types.size(); ++i) {
    if (types[i].getElementType() == types[0].getElementType())
      continue;
    std::string message;
    llvm::raw_string_ostream os(message);
    os << names[i] << " has element type " << types[i].getElementType()
       << " but " << names[0] << " has " << types[0].getElementType()
       << "; they must be the same";
    return sink.fail(message);
  }
  return success();
}

/// Adds a result of the shape `result`, unless the rule failed.
static LogicalResult push(FailureOr<shape::Shape> result, Type elementType,
                          SmallVectorImpl<Type> &inferred) {
  if (failed(result))
    return failure();
  inferred.push_back(RankedTensorType::get(*result, elementType));
  return success();
}

/// Checks that the `types` at the indices `subset` share an element type.
static LogicalResult sameElementType(ArrayRef<RankedTensorType> types,
                                     ArrayRef<StringRef> names,
                                     ArrayRef<unsigned> subset,
                                     const ErrorSink &sink) {
  SmallVector<RankedTensorType> checked;
  SmallVector<StringRef> checkedNames;
  for (unsigned i : subset) {
    checked.push_back(types[i]);
    checkedNames.push_back(names[i]);
  }
  return sameElementType(checked, checkedNames, sink);
}

/// Generated inference of the broadcasting elementwise ops
/// (Optc_Broadcasting): `operands`, called `names`, broadcast by numpy
/// rules; those at the indices `sameTypeOperands` have one element type,
/// which the result has unless `resultElement` is given.
static LogicalResult inferBroadcast(ValueRange operands,
                                    ArrayRef<StringRef> names,
                                    ArrayRef<unsigned> sameTypeOperands,
                                    Type resultElement, const ErrorSink &sink,
                                    SmallVectorImpl<Type> &inferred) {
  SmallVector<RankedTensorType> types;
  if (failed(tensorTypes(operands, types, sink)) ||
      failed(sameElementType(types, names, sameTypeOperands, sink)))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (RankedTensorType t : types)
    shapes.push_back(t.getShape());
  return push(shape::broadcast(shapes, sink.fn()),
              resultElement ? resultElement
                            : types[sameTypeOperands[0]].getElementType(),
              inferred);
}

/// Generated inference of the ops with one result whose shape comes from a
/// shape rule (Optc_ShapeRule): checks that `operands`, called `names`, are
/// ranked tensors and that those at the indices `sameTypeOperands` have one
/// element type, then calls `rule` with the operands' shapes. A rule that
/// gives a shape gives the result's; one that gives a LogicalResult only
/// checks, and the result has the first operand's shape. The result has the
/// first operand's element type unless `resultElement` is given.
template <typename Rule>
static LogicalResult
inferFromOperands(ValueRange operands, ArrayRef<StringRef> names,
                  ArrayRef<unsigned> sameTypeOperands, Type resultElement,
                  const ErrorSink &sink, SmallVectorImpl<Type> &inferred,
                  Rule &&rule) {
  SmallVector<RankedTensorType> types;
  if (operands.size() == 1) {
    RankedTensorType t = tensorType(operands[0]);
    if (!t)
      return sink.fail("expected a ranked tensor operand");
    types.push_back(t);
  } else if (failed(tensorTypes(operands, types, sink))) {
    return failure();
  }
  if (failed(sameElementType(types, names, sameTypeOperands, sink)))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (RankedTensorType t : types)
    shapes.push_back(t.getShape());
  Type element = resultElement ? resultElement : types[0].getElementType();
  auto result = rule(ArrayRef<ArrayRef<int64_t>>(shapes));
  if constexpr (std::is_same_v<decltype(result), LogicalResult>) {
    if (failed(result))
      return failure();
    inferred.push_back(types[0].clone(element));
    return success();
  } else {
    return push(FailureOr<shape::Shape>(std::move(result)), element, inferred);
  }
}

/// The sliding window of a convolution or pooling op, for its shape rule.
template <typename Adaptor> static shape::Window windowOf(Adaptor adaptor) {
  return {adaptor.getStrides(), adaptor.getDilations(), adaptor.getPadding()};
}

//===----------------------------------------------------------------------===//
// Verifiers of elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult CastOp::verify() {
  auto floatType = dyn_cast<FloatType>(getType().getElementType());
  if (!getSaturate() && (!floatType || floatType.getWidth() > 8))
    return emitOpError("'saturate = false' only applies to casts to float "
                       "formats of 8 bits or fewer, not to ")
           << getType().getElementType();
  return success();
}

LogicalResult BitcastOp::verify() {
  Type from = getInput().getType().getElementType();
  Type to = getType().getElementType();
  if (from.getIntOrFloatBitWidth() != to.getIntOrFloatBitWidth())
    return emitOpError("element types must have the same width, found ")
           << from << " (" << from.getIntOrFloatBitWidth() << " bits) and "
           << to << " (" << to.getIntOrFloatBitWidth() << " bits)";
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult LpPoolOp::verify() {
  if (getP() < 1)
    return emitOpError("p must be at least 1, found ") << getP();
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions, softmax and normalisations
//
// Written by hand: top_k has two results and checks k against the axis; the
// normalisations check epsilon (and num_groups), and layer_norm has an
// optional bias.
//===----------------------------------------------------------------------===//

/// Checks the `axis` attribute of an op whose result has its operand's type.
template <typename OpTy> static LogicalResult verifyAxisAttr(OpTy op) {
  return shape::verifyAxis(op.getAxis(), op.getType().getRank(),
                           [&] { return op.emitOpError(); });
}

LogicalResult SoftmaxOp::verify() { return verifyAxisAttr(*this); }

LogicalResult LogSoftmaxOp::verify() { return verifyAxisAttr(*this); }

static LogicalResult checkEpsilon(APFloat epsilon, const ErrorSink &sink) {
  if (epsilon.isNegative() || epsilon.isNaN())
    return sink.fail("epsilon must be a non-negative number");
  return success();
}

/// Collects the ranked tensor types of a normalisation's input and present
/// parameters, all of one element type.
static LogicalResult
normalizationTypes(ArrayRef<std::pair<Value, StringRef>> operands,
                   SmallVectorImpl<RankedTensorType> &types,
                   SmallVectorImpl<shape::Param> &params,
                   const ErrorSink &sink) {
  SmallVector<Value> values;
  SmallVector<StringRef> names;
  for (auto [v, name] : operands) {
    if (!v)
      continue;
    values.push_back(v);
    names.push_back(name);
  }
  if (failed(tensorTypes(values, types, sink)) ||
      failed(sameElementType(types, names, sink)))
    return failure();
  for (size_t i = 1; i < types.size(); ++i)
    params.push_back({names[i], types[i].getShape()});
  return success();
}

LogicalResult CumSumOp::verify() { return verifyAxisAttr(*this); }

LogicalResult CumProdOp::verify() { return verifyAxisAttr(*this); }

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  RankedTensorType t = tensorType(adaptor.getInput());
  if (!t)
    return sink.fail("expected a ranked tensor operand");
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (failed(shape::verifyAxis(axis, t.getRank(), sink.fn())))
    return failure();
  int64_t size = t.getDimSize(axis);
  if (k < 0 || (!ShapedType::isDynamic(size) && k > size))
    return sink.fail(
        "k = " + Twine(k) + " must be in [0, " +
        (ShapedType::isDynamic(size) ? Twine("size") : Twine(size)) +
        "] for the axis");
  SmallVector<int64_t> shape(t.getShape());
  shape[axis] = k;
  inferred.push_back(t.clone(shape));
  inferred.push_back(t.clone(shape, IntegerType::get(context, 64)));
  return success();
}

/// Inference of the normalisations over `input[axis:]`.
static LogicalResult
inferNormalized(ArrayRef<std::pair<Value, StringRef>> operands, int64_t axis,
                APFloat epsilon, const ErrorSink &sink,
                SmallVectorImpl<Type> &inferred) {
  SmallVector<RankedTensorType> t;
  SmallVector<shape::Param> params;
  if (failed(checkEpsilon(epsilon, sink)) ||
      failed(normalizationTypes(operands, t, params, sink)) ||
      failed(shape::normalizedParams(t[0].getShape(), axis, params, sink.fn())))
    return failure();
  inferred.push_back(t[0]);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferNormalized({{adaptor.getInput(), "input"},
                          {adaptor.getScale(), "scale"},
                          {adaptor.getBias(), "bias"}},
                         adaptor.getAxis(), adaptor.getEpsilon(),
                         ErrorSink(loc, getOperationName()), inferred);
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferNormalized(
      {{adaptor.getInput(), "input"}, {adaptor.getScale(), "scale"}},
      adaptor.getAxis(), adaptor.getEpsilon(),
      ErrorSink(loc, getOperationName()), inferred);
}

/// Inference of the per-channel normalisations; returns the channel count
/// through `channels`.
static LogicalResult
inferPerChannel(ArrayRef<std::pair<Value, StringRef>> operands, APFloat epsilon,
                const ErrorSink &sink, SmallVectorImpl<Type> &inferred,
                int64_t &channels) {
  SmallVector<RankedTensorType> t;
  SmallVector<shape::Param> params;
  if (failed(checkEpsilon(epsilon, sink)) ||
      failed(normalizationTypes(operands, t, params, sink)))
    return failure();
  FailureOr<int64_t> c =
      shape::channelParams(t[0].getShape(), params, sink.fn());
  if (failed(c))
    return failure();
  channels = *c;
  inferred.push_back(t[0]);
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  int64_t channels;
  return inferPerChannel({{adaptor.getInput(), "input"},
                          {adaptor.getScale(), "scale"},
                          {adaptor.getBias(), "bias"},
                          {adaptor.getMean(), "mean"},
                          {adaptor.getVariance(), "variance"}},
                         adaptor.getEpsilon(),
                         ErrorSink(loc, getOperationName()), inferred,
                         channels);
}

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  int64_t channels;
  if (failed(inferPerChannel({{adaptor.getInput(), "input"},
                              {adaptor.getScale(), "scale"},
                              {adaptor.getBias(), "bias"}},
                             adaptor.getEpsilon(), sink, inferred, channels)))
    return failure();
  int64_t groups = adaptor.getNumGroups();
  if (groups < 1)
    return sink.fail("num_groups must be positive, found " + Twine(groups));
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return sink.fail("channels (" + Twine(channels) +
                     ") are not divisible by num_groups (" + Twine(groups) +
                     ")");
  return success();
}

//===----------------------------------------------------------------------===//
// Shape operations
//
// Written by hand: concat has a variadic operand (named by position in
// messages), split variadic results, and pad and dynamic_pad an optional
// padding value checked against the mode.
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(tensorTypes(adaptor.getInputs(), t, sink)))
    return failure();
  if (t.empty())
    return shape::concat({}, adaptor.getAxis(), sink.fn());
  SmallVector<std::string> names;
  for (size_t i = 0; i < t.size(); ++i)
    names.push_back("input " + std::to_string(i));
  if (failed(sameElementType(
          t, SmallVector<StringRef>(names.begin(), names.end()), sink)))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (RankedTensorType type : t)
    shapes.push_back(type.getShape());
  return push(shape::concat(shapes, adaptor.getAxis(), sink.fn()),
              t[0].getElementType(), inferred);
}

LogicalResult SplitOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  RankedTensorType t = tensorType(adaptor.getInput());
  if (!t)
    return sink.fail("expected a ranked tensor operand");
  FailureOr<SmallVector<shape::Shape>> pieces = shape::split(
      t.getShape(), adaptor.getAxis(), adaptor.getSizes(), sink.fn());
  if (failed(pieces))
    return failure();
  for (const shape::Shape &piece : *pieces)
    inferred.push_back(RankedTensorType::get(piece, t.getElementType()));
  return success();
}

/// The padding value of optc.pad and optc.dynamic_pad: only in constant
/// mode, a 0-d tensor of the input's element type.
static LogicalResult checkPadValue(PadMode mode, RankedTensorType input,
                                   Value value, const ErrorSink &sink) {
  if (!value)
    return success();
  if (mode != PadMode::constant)
    return sink.fail("takes a padding value only in constant mode, not in " +
                     stringifyPadMode(mode) + " mode");
  RankedTensorType valueType = tensorType(value);
  if (!valueType || !input || valueType.getRank() != 0 ||
      valueType.getElementType() != input.getElementType())
    return sink.fail("padding value must be a 0-d tensor of the input's "
                     "element type");
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  PadMode mode = adaptor.getMode();
  RankedTensorType input = tensorType(adaptor.getInput());
  if (failed(checkPadValue(mode, input, adaptor.getValue(), sink)))
    return failure();
  shape::PadLimit limit = mode == PadMode::reflect ? shape::PadLimit::Reflect
                          : mode == PadMode::wrap  ? shape::PadLimit::Wrap
                                                   : shape::PadLimit::None;
  if (mode == PadMode::edge && input)
    for (auto [d, lo, hi] :
         llvm::zip(input.getShape(), adaptor.getLow(), adaptor.getHigh()))
      if (d == 0 && (lo > 0 || hi > 0))
        return sink.fail("cannot pad an empty dimension in edge mode");
  return inferFromOperands(adaptor.getInput(), {"input"}, {}, nullptr, sink,
                           inferred, [&](ArrayRef<ArrayRef<int64_t>> shapes) {
                             return shape::pad(shapes[0], adaptor.getLow(),
                                               adaptor.getHigh(), limit,
                                               sink.fn());
                           });
}

LogicalResult DynamicPadOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(
          tensorTypes({adaptor.getInput(), adaptor.getLow(), adaptor.getHigh()},
                      t, sink)) ||
      failed(checkPadValue(adaptor.getMode(), t[0], adaptor.getValue(), sink)))
    return failure();
  return push(shape::dynamicWindow(
                  t[0].getShape(),
                  {{"low", t[1].getShape()}, {"high", t[2].getShape()}},
                  sink.fn()),
              t[0].getElementType(), inferred);
}

//===----------------------------------------------------------------------===//
// Results whose sizes depend on the data
//
// Written by hand: the result sizes are unknown or follow from the input's
// rank or element count, and unique has four results.
//===----------------------------------------------------------------------===//

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  RankedTensorType input = tensorType(adaptor.getInput());
  if (!input)
    return sink.fail("expected a ranked tensor operand");
  int64_t count = ShapedType::kDynamic;
  // Only a tensor without elements knows its count.
  if (input.hasStaticShape() && input.getNumElements() == 0)
    count = 0;
  inferred.push_back(RankedTensorType::get({input.getRank(), count},
                                           IntegerType::get(context, 64)));
  return success();
}

LogicalResult UniqueOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  RankedTensorType input = tensorType(adaptor.getInput());
  if (!input)
    return sink.fail("expected a ranked tensor operand");
  Type i64 = IntegerType::get(context, 64);
  int64_t dyn = ShapedType::kDynamic;
  if (std::optional<int64_t> axis = adaptor.getAxis()) {
    if (failed(shape::verifyAxis(*axis, input.getRank(), sink.fn())))
      return failure();
    SmallVector<int64_t> shape(input.getShape());
    shape[*axis] = dyn;
    inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
    inferred.push_back(RankedTensorType::get({dyn}, i64));
    inferred.push_back(RankedTensorType::get({input.getDimSize(*axis)}, i64));
  } else {
    std::optional<int64_t> n = shape::numElements(input.getShape());
    inferred.push_back(RankedTensorType::get({dyn}, input.getElementType()));
    inferred.push_back(RankedTensorType::get({dyn}, i64));
    inferred.push_back(RankedTensorType::get({n ? *n : dyn}, i64));
  }
  inferred.push_back(RankedTensorType::get({dyn}, i64));
  return success();
}

LogicalResult NonMaxSuppressionOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  ErrorSink sink(loc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(tensorTypes({adaptor.getBoxes(), adaptor.getScores(),
                          adaptor.getMaxPerClass(), adaptor.getIouThreshold(),
                          adaptor.getScoreThreshold()},
                         t, sink)))
    return failure();
  ArrayRef<int64_t> boxes = t[0].getShape(), scores = t[1].getShape();
  if (boxes.size() != 3 || (!ShapedType::isDynamic(boxes[2]) && boxes[2] != 4))
    return sink.fail("boxes must be batch x boxes x 4, found " +
                     shape::str(boxes));
  if (scores.size() != 3)
    return sink.fail("scores must be batch x classes x boxes, found " +
                     shape::str(scores));
  if (failed(verifyCompatibleShape(ArrayRef<int64_t>{boxes[0], boxes[1]},
                                   ArrayRef<int64_t>{scores[0], scores[2]})))
    return sink.fail("boxes " + shape::str(boxes) + " and scores " +
                     shape::str(scores) + " disagree on batch or boxes");
  if (t[1].getElementType() != t[0].getElementType() ||
      t[3].getElementType() != t[0].getElementType() ||
      t[4].getElementType() != t[0].getElementType())
    return sink.fail("boxes, scores and thresholds must have one element "
                     "type");
  for (int i = 2; i < 5; ++i)
    if (t[i].getRank() != 0)
      return sink.fail("max_per_class and the thresholds must be 0-d");
  inferred.push_back(RankedTensorType::get({ShapedType::kDynamic, 3},
                                           IntegerType::get(context, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

LogicalResult RandomUniformOp::verify() {
  if (!getType().hasStaticShape())
    return emitOpError("needs a static result shape, found ") << getType();
  if (!(getLow().convertToDouble() < getHigh().convertToDouble()))
    return emitOpError("needs low < high, found [")
           << getLow().convertToDouble() << ", " << getHigh().convertToDouble()
           << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// FusionOp
//===----------------------------------------------------------------------===//

YieldOp FusionOp::getYield() { return cast<YieldOp>(getBodyBlock().back()); }

void FusionOp::getAsmBlockArgumentNames(Region &region,
                                        OpAsmSetValueNameFn setNameFn) {
  for (BlockArgument arg : region.getArguments())
    setNameFn(arg, "in");
}

// optc.fusion (%a = %x : T, ...) [-> R | -> (R, ...)] [attributes {...}] {...}
ParseResult FusionOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::Argument> args;
  SmallVector<OpAsmParser::UnresolvedOperand> operands;
  SMLoc operandsLoc = parser.getCurrentLocation();
  auto parseBinding = [&]() -> ParseResult {
    OpAsmParser::Argument arg;
    OpAsmParser::UnresolvedOperand operand;
    if (parser.parseArgument(arg) || parser.parseEqual() ||
        parser.parseOperand(operand) || parser.parseColonType(arg.type))
      return failure();
    args.push_back(arg);
    operands.push_back(operand);
    return success();
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren,
                                     parseBinding))
    return failure();
  SmallVector<Type> operandTypes;
  for (const OpAsmParser::Argument &arg : args)
    operandTypes.push_back(arg.type);
  if (parser.resolveOperands(operands, operandTypes, operandsLoc,
                             result.operands) ||
      parser.parseOptionalArrowTypeList(result.types) ||
      parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  Region *body = result.addRegion();
  return parser.parseRegion(*body, args);
}

void FusionOp::print(OpAsmPrinter &p) {
  p << " (";
  llvm::interleaveComma(
      llvm::zip(getBody().getArguments(), getInputs()), p, [&](auto pair) {
        auto [arg, input] = pair;
        p << arg << " = " << input << " : " << input.getType();
      });
  p << ")";
  p.printOptionalArrowTypeList(getResultTypes());
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs());
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false);
}

LogicalResult FusionOp::verifyRegions() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << body.getNumArguments() << " arguments but the op has "
           << getInputs().size() << " operands; they must correspond";
  for (auto [i, arg, input] : llvm::enumerate(body.getArguments(), getInputs()))
    if (arg.getType() != input.getType())
      return emitOpError("body argument ")
             << i << " has type " << arg.getType() << " but operand " << i
             << " has type " << input.getType();
  auto yield = body.empty() ? nullptr : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError("body must end with optc.yield");
  if (yield.getValues().size() != getNumResults())
    return emitOpError("yields ")
           << yield.getValues().size() << " values but has " << getNumResults()
           << " results";
  for (auto [i, value, result] :
       llvm::enumerate(yield.getValues(), getResults()))
    if (value.getType() != result.getType())
      return emitOpError("yielded value ")
             << i << " has type " << value.getType() << " but result " << i
             << " has type " << result.getType();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Optc/IR/OptcOps.cpp.inc"

SmallVector<Value> mlir::optc::sizeOperands(Operation *op) {
  if (auto o = dyn_cast<DynamicReshapeOp>(op))
    return {o.getShape()};
  if (auto o = dyn_cast<DynamicBroadcastOp>(op))
    return {o.getShape()};
  if (auto o = dyn_cast<DynamicTileOp>(op))
    return {o.getMultiples()};
  if (auto o = dyn_cast<DynamicSliceOp>(op))
    return {o.getStarts(), o.getLimits(), o.getStrides()};
  if (auto o = dyn_cast<DynamicPadOp>(op))
    return {o.getLow(), o.getHigh()};
  if (isa<RangeOp>(op))
    return SmallVector<Value>(op->getOperands());
  return {};
}

bool mlir::optc::hasDataDependentSizes(Operation *op) {
  return isa<NonZeroOp, UniqueOp, NonMaxSuppressionOp>(op);
}

bool mlir::optc::isElementwise(Operation *op) {
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp,
             XorOp, BitwiseAndOp, BitwiseOrOp, BitwiseXorOp, ShiftLeftOp,
             ShiftRightOp, RemOp, CompareOp, SelectOp>(op);
}
