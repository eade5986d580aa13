//===- NodeContext.cpp - the API op converters build with -----------------===//
//
// What a converter in Ops/ sees of the node it converts: the node's inputs
// and attributes (each getter checks the attribute's kind), inputs that
// must be compile-time constants (with a hint naming the --input-value
// that would make one known), axes, including axes known only at run time
// (switchOnAxes), sizes computed at run time, and the helpers that build,
// verify and fold optc ops. Errors go through error(); the graph walker
// (GraphImporter.cpp) prefixes every one with the node.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcShapes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

//===----------------------------------------------------------------------===//
// Inputs and errors
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &graph, const onnx::NodeProto &node,
                         unsigned index, int64_t opset, OpBuilder &builder,
                         Location loc, SmallVector<Value> inputs)
    : b(builder), loc(loc), node(node), index(index), opset(opset),
      inputs(std::move(inputs)), graph(graph) {}

InFlightDiagnostic NodeContext::error() { return emitError(loc); }

FailureOr<Value> NodeContext::requiredInput(unsigned i, llvm::StringRef name) {
  if (Value v = input(i))
    return v;
  return error() << "input " << i << " (" << name << ") is required";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeContext::attr(llvm::StringRef name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

namespace {
const char *attrKind(onnx::AttributeProto::AttributeType type) {
  switch (type) {
  case onnx::AttributeProto::FLOAT:
    return "a float";
  case onnx::AttributeProto::INT:
    return "an int";
  case onnx::AttributeProto::STRING:
    return "a string";
  case onnx::AttributeProto::TENSOR:
    return "a tensor";
  case onnx::AttributeProto::GRAPH:
    return "a graph";
  case onnx::AttributeProto::FLOATS:
    return "a list of floats";
  case onnx::AttributeProto::INTS:
    return "a list of ints";
  case onnx::AttributeProto::STRINGS:
    return "a list of strings";
  default:
    return "of another kind";
  }
}
} // namespace

/// Checks the kind of attribute `a`. Old models leave `type` unset; then
/// the presence of the field decides.
static bool hasKind(const onnx::AttributeProto &a,
                    onnx::AttributeProto::AttributeType kind) {
  if (a.type() != onnx::AttributeProto::UNDEFINED)
    return a.type() == kind;
  switch (kind) {
  case onnx::AttributeProto::INT:
    return a.has_i();
  case onnx::AttributeProto::FLOAT:
    return a.has_f();
  case onnx::AttributeProto::STRING:
    return a.has_s();
  case onnx::AttributeProto::TENSOR:
    return a.has_t();
  case onnx::AttributeProto::INTS:
    return a.ints_size() > 0 || a.floats_size() == 0;
  case onnx::AttributeProto::FLOATS:
    return a.floats_size() > 0 || a.ints_size() == 0;
  default:
    return false;
  }
}

#define OPTC_CHECK_KIND(A, KIND)                                               \
  if (!hasKind(*A, onnx::AttributeProto::KIND))                                \
    return error() << "attribute '" << A->name() << "' must be "               \
                   << attrKind(onnx::AttributeProto::KIND) << ", found "       \
                   << attrKind(A->type());

FailureOr<int64_t> NodeContext::intAttr(llvm::StringRef name,
                                        int64_t defaultValue) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return defaultValue;
  OPTC_CHECK_KIND(a, INT)
  return a->i();
}

FailureOr<int64_t> NodeContext::requiredIntAttr(llvm::StringRef name) {
  if (!attr(name))
    return error() << "attribute '" << name << "' is required";
  return intAttr(name, 0);
}

FailureOr<float> NodeContext::floatAttr(llvm::StringRef name,
                                        float defaultValue) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return defaultValue;
  OPTC_CHECK_KIND(a, FLOAT)
  return a->f();
}

FailureOr<std::string> NodeContext::stringAttr(llvm::StringRef name,
                                               llvm::StringRef defaultValue) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return defaultValue.str();
  OPTC_CHECK_KIND(a, STRING)
  return a->s();
}

FailureOr<SmallVector<int64_t>> NodeContext::intsAttr(llvm::StringRef name,
                                                      bool *present) {
  const onnx::AttributeProto *a = attr(name);
  if (present)
    *present = a != nullptr;
  if (!a)
    return SmallVector<int64_t>();
  OPTC_CHECK_KIND(a, INTS)
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<SmallVector<float>> NodeContext::floatsAttr(llvm::StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return SmallVector<float>();
  OPTC_CHECK_KIND(a, FLOATS)
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

FailureOr<Type> NodeContext::dtypeAttr(llvm::StringRef name, Type fallback) {
  if (!attr(name))
    return fallback;
  OPTC_TRY(dtype, intAttr(name, 0));
  std::string why;
  FailureOr<Type> element =
      convertElementType(static_cast<int32_t>(dtype), b.getContext(), why);
  if (failed(element))
    return error() << "attribute '" << name << "': " << why;
  return *element;
}

FailureOr<Value> NodeContext::tensorAttr(llvm::StringRef name) {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return error() << "attribute '" << name << "' is required";
  OPTC_CHECK_KIND(a, TENSOR)
  // The converted attribute may take the tensor's raw data.
  return graph.importTensor(const_cast<onnx::TensorProto &>(a->t()), loc);
}
#undef OPTC_CHECK_KIND

//===----------------------------------------------------------------------===//
// Constant inputs and axes
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
NodeContext::constantInts(unsigned i, llvm::StringRef name) {
  Value v = input(i);
  if (!v)
    return error() << "input " << i << " (" << name << ") is required";
  if (std::optional<SmallVector<int64_t>> values = getConstantInts(v))
    return *values;
  std::string hint = inputValueHint(v);
  return error() << "input " << i << " (" << name
                 << ") must be a constant known at compile time"
                 << (hint.empty() ? "; optc does not support computing it at "
                                    "run time yet"
                                  : hint);
}

std::string NodeContext::inputSizeHint(Value v) {
  // Follow sizes back to the ops that take them as values.
  SmallVector<Value> sizes, worklist{v};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *op = value.getDefiningOp();
    if (!seen.insert(value).second || !op)
      continue;
    if (hasDataDependentSizes(op))
      return "";
    SmallVector<Value> sizeValues = sizeOperands(op);
    llvm::append_range(sizes, sizeValues);
    for (Value operand : op->getOperands())
      if (!llvm::is_contained(sizeValues, operand))
        worklist.push_back(operand);
  }
  return inputValueHint(sizes);
}

std::string NodeContext::inputValueHint(ValueRange roots) {
  InputSources sources;
  traceInputSources(roots, sources);
  if (sources.arguments.empty())
    return "";
  return "; it depends on " + fixInputsAdvice(sources.arguments.getArrayRef());
}

FailureOr<SmallVector<int64_t>> NodeContext::axesInput(unsigned i, int64_t rank,
                                                       llvm::StringRef name) {
  Value v = input(i);
  if (v && !getConstantInts(v)) {
    RankedTensorType t = typeOf(v);
    if (t.hasStaticShape() && t.getNumElements() == 0)
      return SmallVector<int64_t>();
    if (t.hasStaticShape() && t.getNumElements() == rank)
      return llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  return constantInts(i, name);
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              llvm::StringRef what) {
  if (axis < -rank || axis >= rank)
    return error() << what << " " << axis << " is out of range for rank "
                   << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
NodeContext::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = normalizeAxis(axis, rank, "axis");
    if (failed(a))
      return failure();
    if (llvm::is_contained(result, *a))
      return error() << "axis " << axis << " is repeated";
    result.push_back(*a);
  }
  llvm::sort(result);
  return result;
}

bool NodeContext::runtimeAxes(unsigned i, int64_t rank) const {
  Value v = input(i);
  if (!v || getConstantInts(v))
    return false;
  RankedTensorType t = typeOf(v);
  return !t.hasStaticShape() ||
         (t.getNumElements() != 0 && t.getNumElements() != rank);
}

//===----------------------------------------------------------------------===//
// Axes known only at run time
//===----------------------------------------------------------------------===//

/// Every sorted set of `count` distinct values of [0, rank).
static void combinations(int64_t rank, int64_t count, SmallVector<int64_t> &set,
                         SmallVectorImpl<SmallVector<int64_t>> &out) {
  if (static_cast<int64_t>(set.size()) == count) {
    out.push_back(set);
    return;
  }
  for (int64_t a = set.empty() ? 0 : set.back() + 1; a < rank; ++a) {
    set.push_back(a);
    combinations(rank, count, set, out);
    set.pop_back();
  }
}

FailureOr<SmallVector<Value>> NodeContext::switchOnAxes(
    unsigned i, int64_t rank, llvm::StringRef name,
    llvm::function_ref<FailureOr<SmallVector<Value>>(ArrayRef<int64_t>)> body) {
  Value axes = input(i);
  if (!axes)
    return error() << "input " << i << " (" << name << ") is required";
  RankedTensorType axesType = typeOf(axes);
  if (axesType.getRank() > 1 || !axesType.hasStaticShape())
    return error() << "input " << i << " (" << name
                   << ") must be a 0-D or 1-D tensor of known length, found "
                   << axesType;
  int64_t count = axesType.getNumElements();
  if (count > rank)
    return error() << "input " << i << " (" << name << ") holds " << count
                   << " axes for a tensor of rank " << rank;
  // Each case is a copy of the node's computation; keep the copies few.
  // Counted before they are enumerated: C(64, 32) sets would never end.
  constexpr uint64_t kMaxCases = 64;
  // C(rank, count) = C(rank, rank - count) grows with k up to rank / 2:
  // the loop may stop once it passes the limit.
  uint64_t numSets = 1;
  int64_t chosen = std::min(count, rank - count);
  for (int64_t k = 0; k < chosen && numSets <= kMaxCases; ++k)
    numSets = numSets * static_cast<uint64_t>(rank - k) /
              static_cast<uint64_t>(k + 1);
  if (rank < 0 || count < 0 || numSets > kMaxCases)
    return error() << "input " << i << " (" << name << ") is only known at "
                   << "run time and could name more than " << kMaxCases
                   << " different sets of axes of a tensor of rank " << rank
                   << "; optc builds at most " << kMaxCases << " cases";
  SmallVector<SmallVector<int64_t>> sets;
  SmallVector<int64_t> scratch;
  combinations(rank, count, scratch, sets);

  // The case value is the sum of 1 << axis over the normalised axes. A
  // sum of k powers of two has k bits set only when they are distinct, so
  // repeated axes, like out-of-range ones (mapped to bit `rank`), match no
  // case.
  Type i64 = b.getI64Type();
  Value a = castTo(axesType.getRank() == 1 ? axes : reshape(axes, {1}), i64);
  if (!a)
    return failure();
  Value zero = scalar(i64, 0), rankValue = scalar(i64, rank);
  OPTC_TRY(negative, create<CompareOp>(ComparePredicate::lt, a, zero));
  OPTC_TRY(wrapped, create<AddOp>(a, rankValue));
  OPTC_TRY(normalized, create<SelectOp>(negative, wrapped, a));
  OPTC_TRY(atLeast0, create<CompareOp>(ComparePredicate::ge, normalized, zero));
  OPTC_TRY(belowRank,
           create<CompareOp>(ComparePredicate::lt, normalized, rankValue));
  OPTC_TRY(inRange, create<AndOp>(atLeast0, belowRank));
  OPTC_TRY(bitIndex, create<SelectOp>(inRange, normalized, rankValue));
  OPTC_TRY(bits, create<ShiftLeftOp>(scalar(i64, 1), bitIndex));
  OPTC_TRY(mask, create<ReduceSumOp>(bits, ArrayRef<int64_t>{0}, false));
  Value maskScalar = tensor::ExtractOp::create(b, loc, mask, ValueRange{});
  Value selector =
      arith::IndexCastOp::create(b, loc, b.getIndexType(), maskScalar);

  // Build every valid case into a block of its own, then join the types.
  SmallVector<int64_t> caseValues;
  SmallVector<std::unique_ptr<Block>> blocks;
  SmallVector<SmallVector<Value>> results;
  for (ArrayRef<int64_t> set : sets) {
    auto block = std::make_unique<Block>();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(block.get());
    OPTC_TRY(values, body(set));
    if (values.empty())
      continue;
    if (!results.empty() && values.size() != results.front().size())
      return error() << "cases give different numbers of results";
    int64_t bitsSet = 0;
    for (int64_t axis : set)
      bitsSet |= int64_t(1) << axis;
    caseValues.push_back(bitsSet);
    blocks.push_back(std::move(block));
    results.push_back(std::move(values));
  }
  if (results.empty())
    return error() << "no value of input " << i << " (" << name
                   << ") is valid for this node";
  SmallVector<Type> types;
  for (size_t r = 0; r < results.front().size(); ++r) {
    auto joined = cast<RankedTensorType>(results.front()[r].getType());
    for (ArrayRef<Value> values : results) {
      auto t = cast<RankedTensorType>(values[r].getType());
      if (t.getRank() != joined.getRank() ||
          t.getElementType() != joined.getElementType())
        return error() << "cases give result " << r << " the types " << joined
                       << " and " << t;
      SmallVector<int64_t> shape;
      for (auto [x, y] : llvm::zip(joined.getShape(), t.getShape()))
        shape.push_back(x == y ? x : ShapedType::kDynamic);
      joined = joined.clone(shape);
    }
    types.push_back(joined);
  }

  auto op = scf::IndexSwitchOp::create(b, loc, types, selector, caseValues,
                                       caseValues.size());
  for (auto [region, block, values] :
       llvm::zip(op.getCaseRegions(), blocks, results)) {
    region.push_back(block.release());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&region.front());
    SmallVector<Value> yielded;
    for (auto [v, type] : llvm::zip(values, types))
      yielded.push_back(v.getType() == type
                            ? v
                            : Value(tensor::CastOp::create(b, loc, type, v)));
    scf::YieldOp::create(b, loc, yielded);
  }
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&op.getDefaultRegion().emplaceBlock());
    Value never = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    cf::AssertOp::create(
        b, loc, never,
        (llvm::Twine("node '") + node.name() + "' (" + node.op_type() +
         "): input " + llvm::Twine(i) + " (" + name +
         ") holds axes that are out of range, repeated or invalid here")
            .str());
    SmallVector<Value> poison;
    for (Type type : types)
      poison.push_back(ub::PoisonOp::create(b, loc, type));
    scf::YieldOp::create(b, loc, poison);
  }
  return SmallVector<Value>(op->getResults());
}

//===----------------------------------------------------------------------===//
// Sizes known only at run time
//===----------------------------------------------------------------------===//

FailureOr<Value> NodeContext::runtimeInts(unsigned i, llvm::StringRef name) {
  Value v = input(i);
  if (!v)
    return error() << "input " << i << " (" << name << ") is required";
  RankedTensorType t = typeOf(v);
  if (t.getRank() > 1 || !t.hasStaticShape() ||
      !isa<IntegerType>(t.getElementType()) || t.getElementType().isInteger(1))
    return error() << "input " << i << " (" << name
                   << ") must be a 0-D or 1-D integer tensor of known length, "
                      "found "
                   << t;
  // One entry per dimension, or two (pads): a longer list cannot describe
  // a tensor optc compiles, and converters size vectors by it.
  if (t.getRank() == 1 && t.getDimSize(0) > 2 * shape::kMaxRank)
    return error() << "input " << i << " (" << name << ") has "
                   << t.getDimSize(0) << " entries; optc compiles tensors of "
                   << "rank up to " << shape::kMaxRank;
  if (t.getRank() == 0)
    v = reshape(v, {1});
  if (!v)
    return failure();
  return castTo(v, b.getI64Type());
}

FailureOr<Value> NodeContext::perDimension(Value values, ArrayRef<int64_t> axes,
                                           int64_t rank, int64_t fill) {
  int64_t count = axes.size();
  if (llvm::equal(axes, llvm::seq<int64_t>(0, rank)))
    return values;
  // Gather from [values..., fill]: index j for axes[j], the fill elsewhere.
  OPTC_TRY(extended,
           create<ConcatOp>(ValueRange{values, i64s({fill})}, int64_t(0)));
  SmallVector<int64_t> indices(rank, count);
  for (auto [j, axis] : llvm::enumerate(axes))
    indices[axis] = j;
  return create<GatherOp>(extended, i64s(indices), int64_t(0));
}

FailureOr<Value> NodeContext::perDimension(Value values, Value axes,
                                           int64_t rank, int64_t fill) {
  Type i64 = b.getI64Type();
  Value a = castTo(axes, i64);
  OPTC_TRY(negative,
           create<CompareOp>(ComparePredicate::lt, a, scalar(i64, 0)));
  OPTC_TRY(wrapped, create<AddOp>(a, scalar(i64, rank)));
  OPTC_TRY(normalized, create<SelectOp>(negative, wrapped, a));
  SmallVector<int64_t> fills(rank, fill);
  return create<ScatterElementsOp>(ScatterReduction::none, i64s(fills),
                                   normalized, values, int64_t(0));
}

FailureOr<Value> NodeContext::wrapNegative(Value positions, Value sizes) {
  Type i64 = b.getI64Type();
  OPTC_TRY(negative,
           create<CompareOp>(ComparePredicate::lt, positions, scalar(i64, 0)));
  OPTC_TRY(wrapped, create<AddOp>(positions, sizes));
  return create<SelectOp>(negative, wrapped, positions);
}

FailureOr<Value> NodeContext::reshapeDims(Value value,
                                          ArrayRef<int64_t> source) {
  RankedTensorType type = typeOf(value);
  SmallVector<int64_t> shape;
  for (int64_t s : source)
    shape.push_back(s < 0 ? 1 : type.getDimSize(s));
  int64_t unknown = llvm::count_if(shape, ShapedType::isDynamic);
  if (unknown <= 1) {
    for (int64_t &d : shape)
      if (ShapedType::isDynamic(d))
        d = -1;
    return create<ReshapeOp>(value, shape);
  }
  // Several unknown sizes: gather them from the run-time shape.
  OPTC_TRY(dims, create<ShapeOfOp>(value));
  OPTC_TRY(withOne, create<ConcatOp>(ValueRange{dims, i64s({1})}, int64_t(0)));
  SmallVector<int64_t> indices;
  for (int64_t s : source)
    indices.push_back(s < 0 ? type.getRank() : s);
  OPTC_TRY(sizes, create<GatherOp>(withOne, i64s(indices), int64_t(0)));
  OPTC_TRY(y, create<DynamicReshapeOp>(value, sizes));
  return refine(y, shape);
}

Value NodeContext::refine(Value value, ArrayRef<int64_t> shape) {
  RankedTensorType type = typeOf(value);
  SmallVector<int64_t> refined(type.getShape());
  bool changed = false;
  for (auto [r, known] : llvm::zip(refined, shape))
    if (ShapedType::isDynamic(r) && !ShapedType::isDynamic(known)) {
      r = known;
      changed = true;
    }
  if (!changed)
    return value;
  return tensor::CastOp::create(b, loc, type.clone(refined), value);
}

//===----------------------------------------------------------------------===//
// Building ops
//===----------------------------------------------------------------------===//

static Attribute scalarAttr(Type element, double value) {
  if (auto floatType = dyn_cast<FloatType>(element)) {
    APFloat v(value);
    bool lost;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    return FloatAttr::get(element, v);
  }
  // Into integers saturated to int64 (NaN as 0): an attribute such as a
  // NaN alpha of an op on integer tensors must not be undefined behaviour.
  auto intType = cast<IntegerType>(element);
  int64_t integer = 0;
  if (std::isnan(value))
    integer = 0;
  else if (value >= 0x1p63)
    integer = std::numeric_limits<int64_t>::max();
  else if (value < -0x1p63)
    integer = std::numeric_limits<int64_t>::min();
  else
    integer = static_cast<int64_t>(value);
  return IntegerAttr::get(element, APInt(intType.getWidth(), integer,
                                         /*isSigned=*/!intType.isUnsigned(),
                                         /*implicitTrunc=*/true));
}

Value NodeContext::splat(RankedTensorType type, double value) {
  return ConstantOp::create(
      b, loc,
      cast<ElementsAttr>(SplatElementsAttr::get(
          type, scalarAttr(type.getElementType(), value))));
}

Value NodeContext::scalar(Type element, double value) {
  return splat(RankedTensorType::get({}, element), value);
}

Value NodeContext::i64s(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return ConstantOp::create(
      b, loc, cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
}

Value NodeContext::i64(int64_t value) {
  auto type = RankedTensorType::get({}, b.getI64Type());
  return ConstantOp::create(
      b, loc, cast<ElementsAttr>(DenseIntElementsAttr::get(type, {value})));
}

FailureOr<Value> NodeContext::positions(int64_t count, int64_t rank,
                                        int64_t axis) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = count;
  if (count <= folding::kMaxFoldedElements) {
    if (Value p =
            reshape(i64s(llvm::to_vector(llvm::seq<int64_t>(0, count))), shape))
      return p;
    return failure();
  }
  return create<CumSumOp>(
      splat(RankedTensorType::get(shape, b.getI64Type()), 1), axis,
      /*exclusive=*/true, /*reverse=*/false);
}

FailureOr<Value> NodeContext::diagonals(int64_t rows, int64_t columns) {
  OPTC_TRY(i, positions(rows, 2, 0));
  OPTC_TRY(j, positions(columns, 2, 1));
  return create<SubOp>(j, i);
}

Value NodeContext::castTo(Value value, Type element, bool saturate) {
  RankedTensorType type = typeOf(value);
  if (type.getElementType() == element)
    return value;
  auto floatType = dyn_cast<FloatType>(element);
  bool small = floatType && floatType.getWidth() <= 8;
  return b.createOrFold<CastOp>(loc, type.clone(element), value,
                                small ? saturate : true);
}

Value NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  FailureOr<Value> result = create<ReshapeOp>(value, shape);
  return succeeded(result) ? *result : Value();
}

LogicalResult NodeContext::verifyNew(Operation *op) {
  if (succeeded(verify(op, /*verifyRecursively=*/false)))
    return success();
  op->erase();
  return failure();
}

FailureOr<Value> NodeContext::finish(Operation *op) {
  if (failed(verifyNew(op)))
    return failure();
  // Fold what folds (constants in shape computations, identities).
  SmallVector<OpFoldResult> folded;
  if (op->getNumResults() == 1 && succeeded(op->fold(folded)) &&
      folded.size() == 1) {
    if (auto value = dyn_cast<Value>(folded[0])) {
      if (value != op->getResult(0)) {
        op->erase();
        return value;
      }
    } else if (auto attr = dyn_cast<Attribute>(folded[0])) {
      auto elements = dyn_cast<ElementsAttr>(attr);
      if (elements && elements.getType() == op->getResult(0).getType()) {
        Value constant = ConstantOp::create(b, loc, elements);
        op->erase();
        return constant;
      }
    }
  }
  return op->getResult(0);
}
