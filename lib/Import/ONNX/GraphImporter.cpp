//===- GraphImporter.cpp - an ONNX graph into a func.func -----------------===//
//
// Imports the main graph: inputs become arguments (with --input-shape
// overrides and symbolic dimensions named), initializers constants, nodes
// ops in topological order, outputs the returned values. Every node is
// converted by the converter the OpRegistry has for its domain, type and
// opset; all diagnostics raised while a node is imported name the node.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <deque>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static OwningOpRef<ModuleOp> importLoaded(FailureOr<LoadedModel> model,
                                          MLIRContext &context,
                                          const ImportOptions &options) {
  if (failed(model))
    return nullptr;
  context.loadDialect<OptcDialect, func::FuncDialect, scf::SCFDialect,
                      tensor::TensorDialect, arith::ArithDialect,
                      cf::ControlFlowDialect, ub::UBDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context, model->name, 0, 0));
  GraphImporter importer(*model, options, builder);
  if (failed(importer.importMain(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> optc::importONNXBytes(llvm::StringRef bytes,
                                            llvm::StringRef baseDir,
                                            llvm::StringRef name,
                                            MLIRContext &context,
                                            const ImportOptions &options) {
  Location loc = FileLineColLoc::get(&context, name, 0, 0);
  return importLoaded(loadModel(bytes.str(), name, baseDir, loc), context,
                      options);
}

OwningOpRef<ModuleOp> optc::importONNXFile(llvm::StringRef path,
                                           MLIRContext &context,
                                           const ImportOptions &options) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!buffer) {
    emitError(loc) << "cannot read '" << path
                   << "': " << buffer.getError().message();
    return nullptr;
  }
  llvm::SmallString<256> baseDir(path == "-" ? "." : path);
  llvm::sys::path::remove_filename(baseDir);
  if (baseDir.empty())
    baseDir = ".";
  return importLoaded(
      loadModel((*buffer)->getBuffer().str(), path, baseDir, loc), context,
      options);
}

std::string optc::parseInputShape(llvm::StringRef spec,
                                  ImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || !spec.contains('='))
    return "--input-shape expects NAME=DIMS such as input=1x3x224x224, got '" +
           spec.str() + "'";
  SmallVector<int64_t> shape;
  if (dims != "scalar") {
    SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part == "?") {
        shape.push_back(-1);
      } else if (part.getAsInteger(10, d) || d < 0) {
        return "--input-shape " + spec.str() + ": '" + part.str() +
               "' is not a dimension (a size >= 0 or ?)";
      } else {
        shape.push_back(d);
      }
    }
  }
  options.inputShapes[name] = shape;
  return "";
}

//===----------------------------------------------------------------------===//
// NodeContext
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
  SmallVector<SmallVector<int64_t>> sets;
  SmallVector<int64_t> scratch;
  combinations(rank, count, scratch, sets);
  // Each case is a copy of the node's computation; keep the copies few.
  constexpr size_t kMaxCases = 64;
  if (sets.size() > kMaxCases)
    return error() << "input " << i << " (" << name << ") is only known at "
                   << "run time and could name " << sets.size()
                   << " different sets of axes; optc builds at most "
                   << kMaxCases << " cases";

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

static Attribute scalarAttr(Type element, double value) {
  if (auto floatType = dyn_cast<FloatType>(element)) {
    APFloat v(value);
    bool lost;
    v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &lost);
    return FloatAttr::get(element, v);
  }
  auto intType = cast<IntegerType>(element);
  return IntegerAttr::get(element,
                          APInt(intType.getWidth(), static_cast<int64_t>(value),
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

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

static std::string functionKey(llvm::StringRef domain, llvm::StringRef name) {
  return (canonicalDomain(domain) + "::" + name).str();
}

GraphImporter::GraphImporter(const LoadedModel &model,
                             const ImportOptions &options, OpBuilder &builder)
    : model(model), options(options), builder(builder),
      modelLoc(FileLineColLoc::get(builder.getContext(), model.name, 0, 0)) {
  for (const onnx::FunctionProto &f : model.proto->functions())
    functions[functionKey(f.domain(), f.name())] = &f;
}

FailureOr<Value> GraphImporter::importTensor(onnx::TensorProto &tensor,
                                             Location loc) {
  FailureOr<RankedTensorType> type =
      tensorProtoType(tensor, builder.getContext(), loc);
  if (failed(type))
    return failure();
  FailureOr<ElementsAttr> value =
      convertTensor(tensor, *type, model, options, loc);
  if (failed(value))
    return failure();
  return Value(ConstantOp::create(builder, loc, *value));
}

FailureOr<Value>
GraphImporter::importInputValue(const onnx::ValueInfoProto &info,
                                const InputValue &value) {
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << "--input-value " << info.name() << ": " << why;
    return failure();
  };
  SmallVector<std::string> dimNames;
  FailureOr<RankedTensorType> declared =
      valueInfoType(info, /*applyInputShapes=*/false, dimNames);
  if (failed(declared))
    return failure();
  int32_t declaredType = info.type().tensor_type().elem_type();
  if (value.dataType != declaredType)
    return fail("the value is " + dataTypeName(value.dataType) +
                " but the model declares " + dataTypeName(declaredType));
  auto shapeText = [](ArrayRef<int64_t> shape) {
    std::string text = "[";
    for (auto [i, d] : llvm::enumerate(shape))
      text += (i ? ", " : "") +
              (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
    return text + "]";
  };
  bool matches =
      !info.type().tensor_type().has_shape() ||
      (declared->getRank() == static_cast<int64_t>(value.shape.size()) &&
       llvm::all_of(llvm::zip(declared->getShape(), value.shape), [](auto p) {
         return ShapedType::isDynamic(std::get<0>(p)) ||
                std::get<0>(p) == std::get<1>(p);
       }));
  if (!matches)
    return fail("the value has shape " + shapeText(value.shape) +
                " but the model declares " + shapeText(declared->getShape()));
  onnx::TensorProto tensor;
  tensor.set_name(info.name());
  tensor.set_data_type(value.dataType);
  for (int64_t d : value.shape)
    tensor.add_dims(d);
  tensor.set_raw_data(value.rawData);
  return importTensor(
      tensor, NameLoc::get(builder.getStringAttr(info.name()), modelLoc));
}

FailureOr<RankedTensorType>
GraphImporter::valueInfoType(const onnx::ValueInfoProto &info,
                             bool applyInputShapes,
                             SmallVectorImpl<std::string> &dimNames) {
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << "value '" << info.name() << "': " << why;
    return failure();
  };
  if (!info.has_type() || !info.type().has_tensor_type())
    return fail(info.has_type() && !info.type().has_tensor_type()
                    ? "only tensors are supported, not sequences, maps or "
                      "optionals"
                    : "has no type");
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  std::string why;
  FailureOr<Type> element =
      convertElementType(tensor.elem_type(), builder.getContext(), why);
  if (failed(element))
    return fail(why);
  if (!tensor.has_shape()) {
    if (applyInputShapes && options.inputShapes.count(info.name()) == 0)
      return fail("has no shape (not even a rank); give one with "
                  "--input-shape " +
                  info.name() + "=...");
    if (!applyInputShapes)
      return fail("has no shape (not even a rank)");
  }
  SmallVector<int64_t> dims;
  for (const auto &dim : tensor.shape().dim()) {
    // Exporters write -1 for an unknown dimension (onnxruntime reads any
    // negative size so); a 0 is a size, as onnxruntime reads it, but
    // --input-shape may replace it.
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      dims.push_back(dim.dim_value());
      dimNames.push_back("");
    } else {
      dims.push_back(ShapedType::kDynamic);
      dimNames.push_back(dim.dim_param());
    }
  }
  if (applyInputShapes) {
    auto it = options.inputShapes.find(info.name());
    if (it != options.inputShapes.end()) {
      ArrayRef<int64_t> given = it->second;
      if (tensor.has_shape() && given.size() != dims.size())
        return fail("--input-shape gives " + std::to_string(given.size()) +
                    " dimensions but the input has rank " +
                    std::to_string(dims.size()));
      dims.resize(given.size(), ShapedType::kDynamic);
      dimNames.resize(given.size());
      for (auto [i, d] : llvm::enumerate(given)) {
        if (d < 0)
          continue;
        if (!ShapedType::isDynamic(dims[i]) && dims[i] != d && dims[i] != 0)
          return fail("--input-shape sets dimension " + std::to_string(i) +
                      " to " + std::to_string(d) +
                      " but the model fixes it to " + std::to_string(dims[i]));
        dims[i] = d;
        dimNames[i] = "";
      }
    }
  }
  return RankedTensorType::get(dims, *element);
}

/// Names that `graph` (a subgraph) uses without defining them: values of
/// the enclosing graphs it captures.
static void collectCaptures(const onnx::GraphProto &graph,
                            llvm::StringSet<> &captures) {
  llvm::StringSet<> defined;
  for (const auto &v : graph.input())
    defined.insert(v.name());
  for (const auto &t : graph.initializer())
    defined.insert(t.name());
  for (const auto &node : graph.node())
    for (const auto &o : node.output())
      defined.insert(o);
  for (const auto &node : graph.node()) {
    for (const auto &i : node.input())
      if (!i.empty() && !defined.contains(i))
        captures.insert(i);
    for (const auto &a : node.attribute()) {
      llvm::StringSet<> inner;
      if (a.has_g())
        collectCaptures(a.g(), inner);
      for (const auto &g : a.graphs())
        collectCaptures(g, inner);
      for (const auto &name : inner)
        if (!defined.contains(name.getKey()))
          captures.insert(name.getKey());
    }
  }
  for (const auto &o : graph.output())
    if (!defined.contains(o.name()))
      captures.insert(o.name());
}

LogicalResult GraphImporter::importMain(ModuleOp module) {
  MLIRContext *context = builder.getContext();
  onnx::GraphProto &graph = *model.proto->mutable_graph();
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << why;
    return failure();
  };

  if (graph.sparse_initializer_size() > 0)
    return fail("sparse initializers are not supported (initializer '" +
                graph.sparse_initializer(0).values().name() + "')");

  // Initializers, by name.
  llvm::StringMap<onnx::TensorProto *> initializers;
  for (onnx::TensorProto &t : *graph.mutable_initializer()) {
    if (t.name().empty())
      return fail("an initializer has no name");
    if (!initializers.try_emplace(t.name(), &t).second)
      return fail("initializer '" + t.name() + "' is defined twice");
  }

  // Inputs with an initializer stay constants (their default), unless
  // --initializer-input makes them arguments.
  llvm::StringSet<> overridden;
  for (const std::string &name : options.initializerInputs) {
    if (name == "*") {
      for (const onnx::ValueInfoProto &input : graph.input())
        if (initializers.count(input.name()))
          overridden.insert(input.name());
      continue;
    }
    bool isInput = llvm::any_of(
        graph.input(), [&](const auto &input) { return input.name() == name; });
    if (!isInput || !initializers.count(name))
      return fail("--initializer-input names '" + name +
                  "', which is not a graph input with an initializer");
    overridden.insert(name);
  }
  if (!overridden.empty() && model.proto->ir_version() < 4)
    return fail("--initializer-input: in IR version " +
                std::to_string(model.proto->ir_version()) +
                " every initializer is listed as an input and none is "
                "overridable (from IR version 4 on)");
  for (const auto &name : overridden)
    initializers.erase(name.getKey());

  // Inputs that are not initializers become arguments, unless
  // --input-value fixes them.
  llvm::StringSet<> inputNames;
  SmallVector<const onnx::ValueInfoProto *> argInfos;
  SmallVector<Type> argTypes;
  SmallVector<SmallVector<std::string>> argDimNames;
  SmallVector<std::pair<const onnx::ValueInfoProto *, const InputValue *>>
      fixedInputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (!inputNames.insert(input.name()).second)
      return fail("graph input '" + input.name() + "' is declared twice");
    auto fixed = options.inputValues.find(input.name());
    if (fixed != options.inputValues.end()) {
      if (options.inputShapes.count(input.name()))
        return fail("input '" + input.name() +
                    "' has both --input-shape and --input-value; its value "
                    "gives its shape");
      fixedInputs.push_back({&input, &fixed->second});
      continue;
    }
    if (initializers.count(input.name()))
      continue; // An input with an initializer is a constant (its default).
    SmallVector<std::string> dimNames;
    FailureOr<RankedTensorType> type =
        valueInfoType(input, /*applyInputShapes=*/true, dimNames);
    if (failed(type))
      return failure();
    argInfos.push_back(&input);
    argTypes.push_back(*type);
    argDimNames.push_back(dimNames);
  }
  auto inputList = [&] {
    std::string names;
    for (const onnx::ValueInfoProto &input : graph.input())
      if (!initializers.count(input.name()))
        names += (names.empty() ? "" : ", ") + input.name();
    return names.empty() ? std::string("none") : names;
  };
  for (const auto &entry : options.inputShapes) {
    if (inputNames.contains(entry.getKey()) &&
        !initializers.count(entry.getKey()))
      continue;
    return fail(
        "--input-shape names '" + entry.getKey().str() +
        "', which is not an input of the model (inputs: " + inputList() + ")");
  }
  for (const auto &entry : options.inputValues)
    if (!inputNames.contains(entry.getKey()))
      return fail("--input-value names '" + entry.getKey().str() +
                  "', which is not an input of the model (inputs: " +
                  inputList() + ")");

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, modelLoc, "main",
                                   FunctionType::get(context, argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(argInfos)) {
    values[info->name()] = entry->getArgument(i);
    func.setArgAttr(i, "optc.name", builder.getStringAttr(info->name()));
    if (llvm::any_of(argDimNames[i],
                     [](const std::string &n) { return !n.empty(); })) {
      SmallVector<Attribute> names;
      for (const std::string &n : argDimNames[i])
        names.push_back(builder.getStringAttr(n));
      func.setArgAttr(i, "optc.dim_names", builder.getArrayAttr(names));
    }
  }
  builder.setInsertionPointToStart(entry);

  for (auto &entry : initializers) {
    Location loc =
        NameLoc::get(builder.getStringAttr(entry.getKey()), modelLoc);
    FailureOr<Value> constant = importTensor(*entry.getValue(), loc);
    if (failed(constant))
      return failure();
    values[entry.getKey()] = *constant;
  }
  // Fixed inputs are constants too (and replace an initializer's default).
  for (auto [info, value] : fixedInputs) {
    FailureOr<Value> constant = importInputValue(*info, *value);
    if (failed(constant))
      return failure();
    values[info->name()] = *constant;
  }

  if (failed(importNodes(graph, values, model.opsets, 0)))
    return failure();

  // Outputs.
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      return fail("graph output '" + output.name() +
                  "' is not produced by any node, input or initializer");
    Value value = it->second;
    if (!value)
      return fail("graph output '" + output.name() +
                  "' is an output optc does not produce");
    if (output.has_type() && output.type().has_tensor_type() &&
        output.type().tensor_type().elem_type() != 0) {
      std::string why;
      FailureOr<Type> element = convertElementType(
          output.type().tensor_type().elem_type(), context, why);
      Type actual = cast<RankedTensorType>(value.getType()).getElementType();
      if (failed(element))
        return fail("graph output '" + output.name() + "': " + why);
      if (*element != actual) {
        std::string message;
        llvm::raw_string_ostream os(message);
        os << "graph output '" << output.name() << "' is declared "
           << dataTypeName(output.type().tensor_type().elem_type())
           << " but the graph computes " << actual;
        return fail(message);
      }
    }
    results.push_back(value);
    resultTypes.push_back(value.getType());
  }
  func::ReturnOp::create(builder, modelLoc, results);
  func.setFunctionType(FunctionType::get(context, argTypes, resultTypes));
  // Converters fold as they build, which leaves constants (and the odd
  // op) that nothing reads any more: drop them, users first.
  SmallVector<Operation *> ops;
  func.walk<WalkOrder::PostOrder>([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (op != func && isOpTriviallyDead(op))
      op->erase();
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "optc.name", builder.getStringAttr(output.name()));
  return success();
}

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph,
                                         llvm::StringMap<Value> &scope,
                                         const llvm::StringMap<int64_t> &opsets,
                                         unsigned depth) {
  // Order the nodes topologically (ONNX asks for it, not every exporter
  // does) and reject cycles, duplicate outputs and dangling inputs.
  int numNodes = graph.node_size();
  llvm::StringMap<int> producer;
  for (int n = 0; n < numNodes; ++n) {
    for (const std::string &out : graph.node(n).output()) {
      if (out.empty())
        continue;
      if (scope.count(out) || !producer.try_emplace(out, n).second) {
        emitError(modelLoc)
            << "value '" << out << "' is defined twice (by "
            << "node #" << n << " '" << graph.node(n).name() << "' and before)";
        return failure();
      }
    }
  }
  std::vector<SmallVector<int>> users(numNodes);
  std::vector<int> pending(numNodes, 0);
  for (int n = 0; n < numNodes; ++n) {
    const onnx::NodeProto &node = graph.node(n);
    llvm::StringSet<> deps;
    for (const std::string &in : node.input())
      if (!in.empty())
        deps.insert(in);
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectCaptures(a.g(), deps);
      for (const auto &g : a.graphs())
        collectCaptures(g, deps);
    }
    for (const auto &dep : deps) {
      auto it = producer.find(dep.getKey());
      if (it != producer.end()) {
        users[it->second].push_back(n);
        ++pending[n];
      } else if (!scope.count(dep.getKey())) {
        emitError(modelLoc)
            << "node #" << n << " '" << node.name() << "' (" << node.op_type()
            << ") uses '" << dep.getKey()
            << "', which is not a graph input, an initializer or the output "
               "of any node";
        return failure();
      }
    }
  }
  std::deque<int> ready;
  for (int n = 0; n < numNodes; ++n)
    if (pending[n] == 0)
      ready.push_back(n);
  SmallVector<int> order;
  while (!ready.empty()) {
    int n = ready.front();
    ready.pop_front();
    order.push_back(n);
    for (int user : users[n])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (static_cast<int>(order.size()) != numNodes) {
    for (int n = 0; n < numNodes; ++n)
      if (pending[n] > 0) {
        emitError(modelLoc)
            << "the graph has a cycle through node #" << n << " '"
            << graph.node(n).name() << "' (" << graph.node(n).op_type() << ")";
        return failure();
      }
  }

  // value_info: declared types of intermediate values, checked below.
  llvm::StringMap<const onnx::ValueInfoProto *> valueInfo;
  for (const onnx::ValueInfoProto &info : graph.value_info())
    valueInfo[info.name()] = &info;

  for (int n : order) {
    if (failed(importNode(graph.node(n), n, scope, opsets, depth)))
      return failure();
    for (const std::string &out : graph.node(n).output()) {
      auto info = valueInfo.find(out);
      auto value = scope.find(out);
      if (info == valueInfo.end() || value == scope.end() || !value->second)
        continue;
      const onnx::TypeProto &declared = info->second->type();
      if (!declared.has_tensor_type() || !declared.tensor_type().elem_type())
        continue;
      std::string why;
      FailureOr<Type> element = convertElementType(
          declared.tensor_type().elem_type(), builder.getContext(), why);
      Type actual =
          cast<RankedTensorType>(value->second.getType()).getElementType();
      if (succeeded(element) && *element != actual) {
        emitError(modelLoc)
            << "value '" << out << "' is declared "
            << dataTypeName(declared.tensor_type().elem_type())
            << " in value_info, but node #" << n << " '" << graph.node(n).name()
            << "' (" << graph.node(n).op_type() << ") produces " << actual;
        return failure();
      }
    }
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        unsigned index,
                                        llvm::StringMap<Value> &scope,
                                        const llvm::StringMap<int64_t> &opsets,
                                        unsigned depth) {
  llvm::StringRef domain = canonicalDomain(node.domain());
  llvm::StringRef domainName = domain.empty() ? "ai.onnx" : domain;
  auto opsetIt = opsets.find(domain);
  int64_t opset = opsetIt == opsets.end() ? 0 : opsetIt->second;
  std::string description =
      llvm::formatv("node '{0}' (#{1}, op {2}, domain {3}, opset {4})",
                    node.name(), index, node.op_type(), domainName, opset)
          .str();

  // Every error raised while this node is imported says which node it is.
  bool reemitting = false;
  ScopedDiagnosticHandler prefix(
      builder.getContext(), [&](Diagnostic &diag) -> LogicalResult {
        if (reemitting || diag.getSeverity() != DiagnosticSeverity::Error)
          return failure();
        reemitting = true;
        InFlightDiagnostic d = emitError(diag.getLocation())
                               << description << ": " << diag.str();
        for (Diagnostic &note : diag.getNotes())
          d.attachNote(note.getLocation()) << note.str();
        d.report();
        reemitting = false;
        return success();
      });

  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      continue;
    }
    auto it = scope.find(name);
    if (it == scope.end())
      return emitError(modelLoc) << "input '" << name << "' is not defined";
    if (!it->second)
      return emitError(modelLoc)
             << "input '" << name
             << "' is an output that optc does not produce for its node";
    inputs.push_back(it->second);
  }

  // A model-local function is inlined.
  auto function = functions.find(functionKey(domain, node.op_type()));
  if (function != functions.end())
    return inlineFunction(node, *function->second, inputs, scope, opsets,
                          depth);

  if (opsetIt == opsets.end())
    return emitError(modelLoc) << "the model does not import the domain '"
                               << domainName << "' of this node";
  const OpRegistry::Entry *entry =
      OpRegistry::get().lookup(domain, node.op_type());
  if (!entry)
    return emitError(modelLoc) << "optc does not support this op";
  if (opset < entry->minOpset && domain.empty()) {
    // An old version of the op: name it and the opsets it covers.
    if (auto version = legacyOpVersion(node.op_type(), opset))
      return emitError(modelLoc)
             << "optc does not support " << node.op_type() << "-"
             << version->first << " (the version of opsets " << version->first
             << " to " << version->second << "); it reads " << node.op_type()
             << " from opset " << entry->minOpset;
    if (opset < kMinOpset)
      return emitError(modelLoc)
             << node.op_type() << " is not an op of opset " << opset
             << " (ONNX added it later); optc reads it from opset "
             << entry->minOpset;
  }
  if (opset < entry->minOpset || opset > entry->maxOpset)
    return emitError(modelLoc)
           << "optc supports " << node.op_type() << " from opset "
           << entry->minOpset << " to " << entry->maxOpset;

  std::string locName =
      node.name().empty() ? ("#" + std::to_string(index)) : node.name();
  Location loc = NameLoc::get(builder.getStringAttr(locName), modelLoc);
  NodeContext ctx(*this, node, index, opset, builder, loc, std::move(inputs));
  ctx.scope = &scope;
  ctx.opsets = &opsets;
  ctx.depth = depth;
  if (failed(entry->convert(ctx)))
    return failure();
  // Converters may produce optional outputs the node does not name; those
  // are dropped (dead code for the canonicaliser).
  if (ctx.outputs.size() > static_cast<size_t>(node.output_size()))
    ctx.outputs.resize(node.output_size());
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    scope[name] = i < ctx.outputs.size() ? ctx.outputs[i] : Value();
  }
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importSubgraph(
    const onnx::GraphProto &graph, const llvm::StringMap<Value> &outer,
    ArrayRef<Value> inputs, const llvm::StringMap<int64_t> &opsets,
    unsigned depth) {
  if (depth >= 32)
    return emitError(modelLoc) << "subgraphs nest more than 32 deep";
  if (static_cast<size_t>(graph.input_size()) != inputs.size())
    return emitError(modelLoc)
           << "the subgraph '" << graph.name() << "' takes "
           << graph.input_size() << " inputs, " << inputs.size() << " given";
  llvm::StringMap<Value> scope = outer;
  for (auto [i, input] : llvm::enumerate(graph.input()))
    scope[input.name()] = inputs[i];
  for (const onnx::TensorProto &t : graph.initializer()) {
    onnx::TensorProto copy = t;
    FailureOr<Value> constant = importTensor(copy, modelLoc);
    if (failed(constant))
      return failure();
    scope[t.name()] = *constant;
  }
  if (failed(importNodes(graph, scope, opsets, depth + 1)))
    return failure();
  SmallVector<Value> outputs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = scope.find(output.name());
    if (it == scope.end() || !it->second)
      return emitError(modelLoc)
             << "the subgraph '" << graph.name()
             << "' does not compute its output '" << output.name() << "'";
    outputs.push_back(it->second);
  }
  return outputs;
}

LogicalResult GraphImporter::inlineFunction(
    const onnx::NodeProto &call, const onnx::FunctionProto &function,
    SmallVectorImpl<Value> &inputs, llvm::StringMap<Value> &scope,
    const llvm::StringMap<int64_t> &callerOpsets, unsigned depth) {
  if (depth >= 32)
    return emitError(modelLoc) << "functions nest more than 32 deep (is '"
                               << function.name() << "' recursive?)";
  if (inputs.size() > static_cast<size_t>(function.input_size()))
    return emitError(modelLoc)
           << "passes " << inputs.size() << " inputs to function '"
           << function.name() << "', which takes " << function.input_size();
  // The function's own opsets, falling back to the caller's.
  llvm::StringMap<int64_t> opsets = callerOpsets;
  for (const onnx::OperatorSetIdProto &o : function.opset_import())
    opsets[canonicalDomain(o.domain())] = o.version();
  // Its values live in a scope of their own.
  llvm::StringMap<Value> local;
  for (auto [i, name] : llvm::enumerate(function.input()))
    local[name] = i < inputs.size() ? inputs[i] : Value();
  // Attribute values: the call's, else the function's defaults.
  llvm::StringMap<const onnx::AttributeProto *> attrs;
  for (const onnx::AttributeProto &a : function.attribute_proto())
    attrs[a.name()] = &a;
  for (const onnx::AttributeProto &a : call.attribute())
    attrs[a.name()] = &a;
  for (auto [n, inner] : llvm::enumerate(function.node())) {
    onnx::NodeProto node = inner;
    // Attributes that refer to the function's attributes take their values
    // (and are dropped when the call does not give them).
    auto *list = node.mutable_attribute();
    for (int a = list->size() - 1; a >= 0; --a) {
      onnx::AttributeProto &attr = (*list)[a];
      if (attr.ref_attr_name().empty())
        continue;
      auto it = attrs.find(attr.ref_attr_name());
      if (it == attrs.end()) {
        list->DeleteSubrange(a, 1);
        continue;
      }
      std::string name = attr.name();
      attr = *it->second;
      attr.set_name(name);
    }
    if (failed(importNode(node, n, local, opsets, depth + 1)))
      return failure();
  }
  for (auto [i, name] : llvm::enumerate(call.output())) {
    if (name.empty())
      continue;
    if (static_cast<int>(i) >= function.output_size())
      return emitError(modelLoc) << "has more outputs than function '"
                                 << function.name() << "' returns";
    auto it = local.find(function.output(i));
    if (it == local.end() || !it->second)
      return emitError(modelLoc)
             << "function '" << function.name()
             << "' does not compute its output '" << function.output(i) << "'";
    scope[name] = it->second;
  }
  return success();
}
