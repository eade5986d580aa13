//===- ImportContext.h - shared pieces of the ONNX importer -----*- C++ -*-===//
//
// Internal to lib/Import/ONNX: loading and validating a ModelProto, type and
// tensor conversion, and the context an op converter works in.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
#define OPTC_LIB_IMPORT_ONNX_IMPORTCONTEXT_H

#include "dialects/Optc/IR/OptcOps.h"
#include "optc/ImportONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include "onnx/onnx.pb.h"

#include <functional>
#include <memory>
#include <optional>

/// Binds `var` to the value of `expr`, a FailureOr, or returns failure from
/// the enclosing converter.
#define OPTC_TRY(var, expr)                                                    \
  auto var##OrFailure = (expr);                                                \
  if (::mlir::failed(var##OrFailure))                                          \
    return ::mlir::failure();                                                  \
  auto var = std::move(*var##OrFailure)

namespace mlir::optc::onnx_import {

/// The newest opset of the default domain that the pinned onnx package
/// knows, and the oldest every converter reads. Models may import older
/// opsets (from 1): a converter also reads the opsets before 7 that have
/// the op's opset-7 version (OpRegistry::add), and converters that know
/// the older versions' semantics (legacy broadcasting, attributes that
/// became inputs) register from opset 1; an older version no converter
/// reads is an error naming it.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 28;
constexpr int64_t kOldestOpset = 1;

/// The most elements a converter builds into one constant (index tables,
/// weight matrices, positions); larger ones are an error, not an
/// allocation that takes the machine down.
constexpr int64_t kMaxBuiltConstant = int64_t(1) << 24;

/// A parsed and validated model.
struct LoadedModel {
  std::unique_ptr<onnx::ModelProto> proto;
  /// Where external data files are looked up.
  std::string baseDir;
  /// The model's name in diagnostics (its path).
  std::string name;
  /// Opset version by domain ("" is the default domain).
  llvm::StringMap<int64_t> opsets;
};

/// Parses `bytes` as a ModelProto and checks its frame: IR version, opset
/// imports, graph. Emits one error at `loc` and fails otherwise.
FailureOr<LoadedModel> loadModel(std::string bytes, llvm::StringRef name,
                                 llvm::StringRef baseDir, Location loc);

/// Canonical name of a node's domain: "" for the default ONNX domain.
llvm::StringRef canonicalDomain(llvm::StringRef domain);

/// The optc element type of an ONNX TensorProto data type, or failure with
/// a reason in `why`.
FailureOr<Type> convertElementType(int32_t dataType, MLIRContext *context,
                                   std::string &why);

/// The name of an ONNX data type for diagnostics ("FLOAT", "INT64", ...).
std::string dataTypeName(int32_t dataType);

/// Reads the data of `tensor` (inline, typed fields or external) into an
/// elements attribute of `type`. Large raw data moves into a dense_resource
/// blob without a copy; external data is mapped from its file.
FailureOr<ElementsAttr> convertTensor(onnx::TensorProto &tensor,
                                      RankedTensorType type,
                                      const LoadedModel &model,
                                      const ImportOptions &options,
                                      Location loc);

/// The ranked tensor type of `tensor` (its dims and data type).
FailureOr<RankedTensorType> tensorProtoType(const onnx::TensorProto &tensor,
                                            MLIRContext *context, Location loc);

/// The values of an integer constant, when `value` is produced by an
/// optc.constant with integer elements of at most kMaxBuiltConstant
/// elements. A larger one (a splat of 2^40 elements costs a few bytes as
/// an attribute) reads as unknown, like a run-time value.
std::optional<SmallVector<int64_t>> getConstantInts(Value value);

/// The values of a float constant, converted to double; the same limit.
std::optional<SmallVector<double>> getConstantFloats(Value value);

class GraphImporter;

/// Everything an op converter sees of the node it converts.
class NodeContext {
public:
  NodeContext(GraphImporter &graph, const onnx::NodeProto &node, unsigned index,
              int64_t opset, OpBuilder &builder, Location loc,
              SmallVector<Value> inputs);

  OpBuilder &b;
  Location loc;
  const onnx::NodeProto &node;
  unsigned index;
  /// The opset version of the node's domain.
  int64_t opset;
  /// The node's inputs; a null Value for an omitted optional input.
  SmallVector<Value> inputs;
  /// Filled by the converter, one per node output (null for an output the
  /// converter does not produce; it is an error if the output is used).
  SmallVector<Value> outputs;

  /// Emits an error about this node. Every error emitted while a node is
  /// imported is prefixed with the node: "node 'n' (#3 Conv, opset 13): ".
  InFlightDiagnostic error();

  /// Input `i`, or null when the node has fewer inputs or it is omitted.
  Value input(unsigned i) const {
    return i < inputs.size() ? inputs[i] : Value();
  }
  /// Input `i`, which must be present; errors otherwise.
  FailureOr<Value> requiredInput(unsigned i, llvm::StringRef name);
  RankedTensorType typeOf(Value v) const {
    return cast<RankedTensorType>(v.getType());
  }

  // Attributes. Each getter checks the attribute's kind and errors on a
  // mismatch.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  FailureOr<int64_t> intAttr(llvm::StringRef name, int64_t defaultValue);
  FailureOr<int64_t> requiredIntAttr(llvm::StringRef name);
  FailureOr<float> floatAttr(llvm::StringRef name, float defaultValue);
  FailureOr<std::string> stringAttr(llvm::StringRef name,
                                    llvm::StringRef defaultValue);
  /// A list of ints; `present` tells whether the attribute was given.
  FailureOr<SmallVector<int64_t>> intsAttr(llvm::StringRef name,
                                           bool *present = nullptr);
  FailureOr<SmallVector<float>> floatsAttr(llvm::StringRef name);
  /// The element type a data-type attribute names (a TensorProto enum:
  /// Cast's `to`, `dtype`, `output_datatype`...), `fallback` when absent.
  FailureOr<Type> dtypeAttr(llvm::StringRef name, Type fallback);
  /// A tensor attribute converted to a constant value.
  FailureOr<Value> tensorAttr(llvm::StringRef name);

  /// The integer values of constant input `i` (shapes, axes, pads...);
  /// errors when the input is not a compile-time constant.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i,
                                               llvm::StringRef name);
  /// "; it depends on the value of input 'x': fix it with --input-value
  /// x=FILE" for the model inputs whose values `v` is computed from (not
  /// through the sizes a Shape reads), or "" when there are none.
  std::string inputValueHint(ValueRange roots);
  /// The same for the values that decide the unknown sizes of `v` (the
  /// shapes, bounds and amounts its dynamic ops take).
  std::string inputSizeHint(Value v);

  /// The axes given by input `i` for a tensor of rank `rank`: its values
  /// when it is a constant, otherwise whatever its static length alone
  /// decides (no axes, or every axis, since axes are distinct). Errors when
  /// neither tells.
  FailureOr<SmallVector<int64_t>> axesInput(unsigned i, int64_t rank,
                                            llvm::StringRef name);

  /// Whether axes input `i` is a run-time value whose static length alone
  /// does not tell which axes it names; then switchOnAxes builds the node.
  bool runtimeAxes(unsigned i, int64_t rank) const;

  /// The outputs of a node whose axes input `i` (a 0-D or 1-D integer
  /// tensor of static length k) is only known at run time, for a tensor of
  /// rank `rank`. Builds an scf.index_switch over every set of k distinct
  /// axes: `body` builds each case with those axes as constants (sorted,
  /// non-negative). A body that returns no values declares the set invalid
  /// for the node (Squeeze of a dimension that is not 1). An invalid set,
  /// like out-of-range or repeated axes, fails a cf.assert at run time.
  /// When the axes later fold to constants, the switch folds to one case.
  FailureOr<SmallVector<Value>> switchOnAxes(
      unsigned i, int64_t rank, llvm::StringRef name,
      llvm::function_ref<FailureOr<SmallVector<Value>>(ArrayRef<int64_t>)>
          body);

  // Sizes known only at run time (shapes, pads, bounds computed by the
  // model) as 1-D i64 tensors.
  /// Input `i` (0-D or 1-D of static length, any integer type) as a 1-D
  /// i64 tensor.
  FailureOr<Value> runtimeInts(unsigned i, llvm::StringRef name);
  /// A vector of `rank` entries: `values[j]` at position `axes[j]` (axes
  /// non-negative and distinct), `fill` elsewhere.
  FailureOr<Value> perDimension(Value values, ArrayRef<int64_t> axes,
                                int64_t rank, int64_t fill);
  /// The same with axes known only at run time (negative ones count from
  /// the end).
  FailureOr<Value> perDimension(Value values, Value axes, int64_t rank,
                                int64_t fill);
  /// Entries of `positions` below 0 count from the end of `sizes`.
  FailureOr<Value> wrapNegative(Value positions, Value sizes);
  /// `value` reshaped so that result dimension j is input dimension
  /// `source[j]`, or a new dimension of size 1 where `source[j]` is -1
  /// (Squeeze, Unsqueeze); works whatever sizes are unknown.
  FailureOr<Value> reshapeDims(Value value, ArrayRef<int64_t> source);
  /// `value` cast to a type that knows the sizes `shape` knows (a tensor
  /// cast; the importer knows them from the op's semantics).
  Value refine(Value value, ArrayRef<int64_t> shape);

  /// An axis in [-rank, rank) made non-negative; errors when out of range.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   llvm::StringRef what = "axis");
  FailureOr<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                                int64_t rank);

  // Building helpers.
  /// A constant tensor of `type` filled with `value`.
  Value splat(RankedTensorType type, double value);
  /// A 0-d constant of element type `element`.
  Value scalar(Type element, double value);
  /// A 1-D i64 constant.
  Value i64s(ArrayRef<int64_t> values);
  /// A 0-d i64 constant holding `value` exactly (scalar() goes through a
  /// double, which rounds beyond 2^53).
  Value i64(int64_t value);
  /// The i64 positions 0, 1, ..., count - 1 along `axis` of a tensor of
  /// rank `rank` whose other sizes are 1 (a static count). No larger than a
  /// fold, they are a constant; larger, they are computed at run time (an
  /// exclusive running sum of ones, which are a splat), so that
  /// compile-time memory never grows with `count`.
  FailureOr<Value> positions(int64_t count, int64_t rank = 1, int64_t axis = 0);
  /// The [rows, columns] i64 table whose entry (i, j) is j - i: the index of
  /// the diagonal through (i, j), 0 on the main diagonal and positive above
  /// it (ONNX's numbering in Trilu and EyeLike). Built from positions(), so
  /// a large table is computed at run time.
  FailureOr<Value> diagonals(int64_t rows, int64_t columns);
  /// Combines `value` into `acc` with the elementwise `OpTy` (AddOp for
  /// biases, AndOp for masks): acc = value when acc is still null.
  template <typename OpTy> LogicalResult accumulate(Value &acc, Value value);
  /// `value` cast to element type `element` (no-op when equal).
  /// `saturate` only matters for float formats of 8 bits or fewer.
  Value castTo(Value value, Type element, bool saturate = true);
  /// Reshape to a static or partly computed shape (-1 allowed once).
  Value reshape(Value value, ArrayRef<int64_t> shape);
  /// Builds `OpTy` with inferred result types; fails with a node error when
  /// the shape rules reject the operands.
  template <typename OpTy, typename... Args>
  FailureOr<Value> create(Args &&...args);
  /// The same for ops with `numResults` results; the op is verified but not
  /// folded.
  template <typename OpTy, typename... Args>
  FailureOr<Operation *> createMulti(unsigned numResults, Args &&...args);

  GraphImporter &graph;
  /// The values visible to the node, the opsets in force and the nesting
  /// depth of subgraphs and functions (for control-flow converters).
  const llvm::StringMap<Value> *scope = nullptr;
  const llvm::StringMap<int64_t> *opsets = nullptr;
  unsigned depth = 0;

  /// Verifies a newly built single-result op (operand types, attributes)
  /// and folds it; erases it and fails when it is invalid.
  FailureOr<Value> finish(Operation *op);
  /// Verifies a newly built op; erases it and fails when it is invalid.
  LogicalResult verifyNew(Operation *op);
};

/// Converts one ONNX node; fills `ctx.outputs`.
using Converter = std::function<LogicalResult(NodeContext &ctx)>;

/// The converters, by domain and op type, with the opset range each
/// supports. Without a minimum, converters of the default domain start at
/// kMinOpset and those of other domains at their first version.
class OpRegistry {
public:
  struct Entry {
    int64_t minOpset;
    int64_t maxOpset;
    Converter convert;
  };
  static const OpRegistry &get();
  void add(llvm::StringRef domain, llvm::StringRef opType, Converter convert,
           int64_t minOpset = 0, int64_t maxOpset = kMaxOpset);
  const Entry *lookup(llvm::StringRef domain, llvm::StringRef opType) const;

private:
  llvm::StringMap<Entry> entries;
};

/// For an opset before 7, the version of `opType` in force there (the
/// opset it was introduced at) and the last opset it stays in force, from
/// onnx's history; none for newer opsets or ops that did not exist yet.
std::optional<std::pair<int64_t, int64_t>>
legacyOpVersion(llvm::StringRef opType, int64_t opset);

void registerElementwiseOps(OpRegistry &registry);
void registerLinalgOps(OpRegistry &registry);
void registerNNOps(OpRegistry &registry);
void registerReduceOps(OpRegistry &registry);
void registerShapeOps(OpRegistry &registry);
void registerIndexOps(OpRegistry &registry);
void registerLossOps(OpRegistry &registry);
void registerQuantOps(OpRegistry &registry);
void registerAttentionOps(OpRegistry &registry);
void registerControlFlowOps(OpRegistry &registry);
void registerRecurrentOps(OpRegistry &registry);
void registerResizeOps(OpRegistry &registry);
void registerLinearAttentionOps(OpRegistry &registry);
void registerSignalOps(OpRegistry &registry);
void registerGridSampleOps(OpRegistry &registry);
void registerRandomOps(OpRegistry &registry);
void registerTrainingOps(OpRegistry &registry);
void registerTextOps(OpRegistry &registry);
void registerMicrosoftOps(OpRegistry &registry);

/// `x` (a float tensor) rounded half to even, clamped to the range of
/// `intType` and cast to it, like QuantizeLinear (Quant.cpp).
FailureOr<Value> saturateTo(NodeContext &ctx, Value x, IntegerType intType);

/// (A - az) . (B - bz) in i32, ONNX's MatMulInteger (Linalg.cpp): one
/// optc.integer_matmul where B is 2-D and the zero points are one value (or
/// one a row of A, a column of B), else both widened to an i32 matmul.
FailureOr<Value> integerProduct(NodeContext &ctx, Value a, Value b, Value az,
                                Value bz);

/// Fails, naming the node and the input `name`, when `scale` is a constant
/// with an element that is zero, negative, NaN or infinite: quantization
/// scales must be positive and finite (Quant.cpp). Scales known only at
/// run time are not checked.
LogicalResult checkScales(NodeContext &ctx, Value scale, llvm::StringRef name);

/// QLinearMatMul's and QLinearConv's output: the i32 accumulator times
/// `factor` (input scales / output scale, broadcast to it), plus the output
/// zero point when there is one, rounded and saturated to the zero point's
/// type (else `fallback`), in that order like the references (Quant.cpp).
FailureOr<Value> requantize(NodeContext &ctx, Value acc, Value factor,
                            Value zeroPoint, Type fallback);

/// Dropout in training mode (Random.cpp): the output and the mask.
FailureOr<std::pair<Value, Value>> trainingDropout(NodeContext &ctx, Value x,
                                                   Value ratio);

/// Imports one graph into the body of a function.
class GraphImporter {
public:
  GraphImporter(const LoadedModel &model, const ImportOptions &options,
                OpBuilder &builder);

  /// Imports the model's main graph into `func.func @main` of `module`.
  LogicalResult importMain(ModuleOp module);

  const LoadedModel &model;
  const ImportOptions &options;
  OpBuilder &builder;
  Location modelLoc;
  /// The module importMain fills (declarations go there even while a
  /// subgraph is built in a detached block, as Scan's probe is).
  ModuleOp module;

  /// Converts a TensorProto into an optc.constant.
  FailureOr<Value> importTensor(onnx::TensorProto &tensor, Location loc);

  /// Imports a subgraph (If branch, Loop or Scan body) at the builder's
  /// insertion point: its inputs are `inputs`, the values of the enclosing
  /// graphs in `outer` are visible. Returns its outputs.
  FailureOr<SmallVector<Value>>
  importSubgraph(const onnx::GraphProto &graph,
                 const llvm::StringMap<Value> &outer, ArrayRef<Value> inputs,
                 const llvm::StringMap<int64_t> &opsets, unsigned depth);

private:
  /// Imports the nodes of `graph` in topological order into `scope`.
  LogicalResult importNodes(const onnx::GraphProto &graph,
                            llvm::StringMap<Value> &scope,
                            const llvm::StringMap<int64_t> &opsets,
                            unsigned depth);
  /// Imports one node, reading and defining values in `scope`; `opsets`
  /// are those in force (the model's, or a function's own).
  LogicalResult importNode(const onnx::NodeProto &node, unsigned index,
                           llvm::StringMap<Value> &scope,
                           const llvm::StringMap<int64_t> &opsets,
                           unsigned depth);
  /// Inlines a call of a model-local function.
  LogicalResult inlineFunction(const onnx::NodeProto &call,
                               const onnx::FunctionProto &function,
                               SmallVectorImpl<Value> &inputs,
                               llvm::StringMap<Value> &scope,
                               const llvm::StringMap<int64_t> &callerOpsets,
                               unsigned depth);
  FailureOr<RankedTensorType>
  valueInfoType(const onnx::ValueInfoProto &info, bool applyInputShapes,
                SmallVectorImpl<std::string> &dimNames);
  /// Checks the sizes `info` declares (those it knows; an unknown one counts
  /// as 1) against optc's limits per tensor, naming it "<what> '<name>'".
  LogicalResult checkDeclaredSize(const onnx::ValueInfoProto &info,
                                  StringRef what);
  /// The constant an `--input-value` makes of the graph input `info`,
  /// after checking its type and shape against the model's.
  FailureOr<Value> importInputValue(const onnx::ValueInfoProto &info,
                                    const InputValue &value);

  llvm::StringMap<Value> values;
  /// Nodes of subgraphs and functions imported so far, repeats included.
  static constexpr int64_t kMaxNestedNodeImports = int64_t(1) << 18;
  int64_t nestedNodeImports = 0;
  /// Model-local functions by "domain::name".
  llvm::StringMap<const onnx::FunctionProto *> functions;
};

template <typename OpTy, typename... Args>
FailureOr<Operation *> NodeContext::createMulti(unsigned numResults,
                                                Args &&...args) {
  // Build through an OperationState and infer the result types here, so a
  // rejected shape rule is a diagnostic instead of the builders' fatal error.
  OperationState state(loc, OpTy::getOperationName());
  SmallVector<Type> placeholders(numResults, b.getNoneType());
  OpTy::build(b, state, TypeRange(placeholders), std::forward<Args>(args)...);
  state.types.clear();
  SmallVector<Type> types;
  if (failed(OpTy::inferReturnTypes(
          b.getContext(), loc, state.operands,
          state.attributes.getDictionary(b.getContext()),
          state.getRawProperties(), state.regions, types)))
    return failure();
  state.addTypes(types);
  Operation *op = b.create(state);
  if (failed(verifyNew(op)))
    return failure();
  return op;
}

template <typename OpTy, typename... Args>
FailureOr<Value> NodeContext::create(Args &&...args) {
  OPTC_TRY(op, createMulti<OpTy>(1, std::forward<Args>(args)...));
  return finish(op);
}

template <typename OpTy>
LogicalResult NodeContext::accumulate(Value &acc, Value value) {
  if (!acc) {
    acc = value;
    return success();
  }
  FailureOr<Value> combined = create<OpTy>(acc, value);
  if (failed(combined))
    return failure();
  acc = *combined;
  return success();
}

} // namespace mlir::optc::onnx_import

#endif // OPTC_LIB_IMPORT_ONNX_IMPORTCONTEXT_H
