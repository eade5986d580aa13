//===- OpRegistry.cpp - the table of ONNX op converters -------------------===//
//
// One place that knows which ONNX ops optc imports, from which opset to
// which, and with which converter. The converters live in Ops/, one file per
// op family; --op-stats reads the same table.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

static std::string key(llvm::StringRef domain, llvm::StringRef opType) {
  return (canonicalDomain(domain) + "::" + opType).str();
}

namespace {
/// The versions of the default domain's ops up to opset 7 (the opsets at
/// which each op changed), from onnx's schema history. An op absent here
/// did not exist before opset 7.
struct LegacyVersions {
  const char *op;
  std::initializer_list<int64_t> since;
};
const LegacyVersions kLegacyVersions[] = {
    {"Abs", {1, 6}},
    {"Add", {1, 6, 7}},
    {"And", {1, 7}},
    {"ArgMax", {1}},
    {"ArgMin", {1}},
    {"AveragePool", {1, 7}},
    {"BatchNormalization", {1, 6, 7}},
    {"Cast", {1, 6}},
    {"Ceil", {1, 6}},
    {"Clip", {1, 6}},
    {"Concat", {1, 4}},
    {"Constant", {1}},
    {"Conv", {1}},
    {"ConvTranspose", {1}},
    {"DepthToSpace", {1}},
    {"Div", {1, 6, 7}},
    {"Dropout", {1, 6, 7}},
    {"Elu", {1, 6}},
    {"Equal", {1, 7}},
    {"Exp", {1, 6}},
    {"Flatten", {1}},
    {"Floor", {1, 6}},
    {"GRU", {1, 3, 7}},
    {"Gather", {1}},
    {"Gemm", {1, 6, 7}},
    {"GlobalAveragePool", {1}},
    {"GlobalLpPool", {1, 2}},
    {"GlobalMaxPool", {1}},
    {"Greater", {1, 7}},
    {"HardSigmoid", {1, 6}},
    {"Hardmax", {1}},
    {"Identity", {1}},
    {"If", {1}},
    {"InstanceNormalization", {1, 6}},
    {"LRN", {1}},
    {"LSTM", {1, 7}},
    {"LeakyRelu", {1, 6}},
    {"Less", {1, 7}},
    {"Log", {1, 6}},
    {"LogSoftmax", {1}},
    {"Loop", {1}},
    {"LpNormalization", {1}},
    {"LpPool", {1, 2}},
    {"MatMul", {1}},
    {"Max", {1, 6}},
    {"MaxPool", {1}},
    {"MaxRoiPool", {1}},
    {"Mean", {1, 6}},
    {"Min", {1, 6}},
    {"Mul", {1, 6, 7}},
    {"Neg", {1, 6}},
    {"Not", {1}},
    {"Or", {1, 7}},
    {"PRelu", {1, 6, 7}},
    {"Pad", {1, 2}},
    {"Pow", {1, 7}},
    {"RNN", {1, 7}},
    {"RandomNormal", {1}},
    {"RandomNormalLike", {1}},
    {"RandomUniform", {1}},
    {"RandomUniformLike", {1}},
    {"Reciprocal", {1, 6}},
    {"ReduceL1", {1}},
    {"ReduceL2", {1}},
    {"ReduceLogSum", {1}},
    {"ReduceLogSumExp", {1}},
    {"ReduceMax", {1}},
    {"ReduceMean", {1}},
    {"ReduceMin", {1}},
    {"ReduceProd", {1}},
    {"ReduceSum", {1}},
    {"ReduceSumSquare", {1}},
    {"Relu", {1, 6}},
    {"Reshape", {1, 5}},
    {"Selu", {1, 6}},
    {"Shape", {1}},
    {"Sigmoid", {1, 6}},
    {"Size", {1}},
    {"Slice", {1}},
    {"Softmax", {1}},
    {"Softplus", {1}},
    {"Softsign", {1}},
    {"SpaceToDepth", {1}},
    {"Split", {1, 2}},
    {"Sqrt", {1, 6}},
    {"Squeeze", {1}},
    {"Sub", {1, 6, 7}},
    {"Sum", {1, 6}},
    {"Tanh", {1, 6}},
    {"Tile", {1, 6}},
    {"TopK", {1}},
    {"Transpose", {1}},
    {"Unsqueeze", {1}},
    {"Upsample", {1, 7}},
    {"Xor", {1, 7}},
};

const LegacyVersions *legacyVersions(llvm::StringRef opType) {
  for (const LegacyVersions &v : kLegacyVersions)
    if (opType == v.op)
      return &v;
  return nullptr;
}
} // namespace

std::optional<std::pair<int64_t, int64_t>>
onnx_import::legacyOpVersion(llvm::StringRef opType, int64_t opset) {
  const LegacyVersions *v = legacyVersions(opType);
  if (!v || opset >= kMinOpset)
    return std::nullopt;
  int64_t since = 0, until = kMinOpset - 1;
  for (int64_t s : v->since) {
    if (s <= opset)
      since = s;
    else {
      until = s - 1;
      break;
    }
  }
  if (since == 0)
    return std::nullopt;
  return std::make_pair(since, until);
}

void OpRegistry::add(llvm::StringRef domain, llvm::StringRef opType,
                     Converter convert, int64_t minOpset, int64_t maxOpset) {
  // A converter of the default domain reads opset 7 and newer unless it
  // says otherwise; it also reads the older opsets that have the version
  // of the op in force at opset 7 (Conv-1 is Conv up to opset 10, so
  // opsets 1 to 6 too). Converters that read still older versions (legacy
  // broadcasting, attributes that became inputs) register from opset 1.
  if (minOpset == 0 && canonicalDomain(domain).empty()) {
    minOpset = kMinOpset;
    if (const LegacyVersions *v = legacyVersions(opType))
      minOpset = std::min(minOpset, *std::prev(v->since.end()));
  } else if (minOpset == 0) {
    minOpset = 1;
  }
  bool inserted =
      entries
          .try_emplace(key(domain, opType),
                       Entry{minOpset, maxOpset, std::move(convert)})
          .second;
  assert(inserted && "an op is registered twice");
  (void)inserted;
}

const OpRegistry::Entry *OpRegistry::lookup(llvm::StringRef domain,
                                            llvm::StringRef opType) const {
  auto it = entries.find(key(domain, opType));
  return it == entries.end() ? nullptr : &it->second;
}

const OpRegistry &OpRegistry::get() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerLinalgOps(r);
    registerNNOps(r);
    registerReduceOps(r);
    registerShapeOps(r);
    registerIndexOps(r);
    registerLossOps(r);
    registerQuantOps(r);
    registerAttentionOps(r);
    registerControlFlowOps(r);
    registerRecurrentOps(r);
    registerResizeOps(r);
    registerLinearAttentionOps(r);
    registerSignalOps(r);
    registerGridSampleOps(r);
    registerRandomOps(r);
    registerTrainingOps(r);
    registerTextOps(r);
    registerMicrosoftOps(r);
    return r;
  }();
  return registry;
}

//===----------------------------------------------------------------------===//
// --op-stats
//===----------------------------------------------------------------------===//

static void
countOps(const onnx::GraphProto &graph, const LoadedModel &model,
         std::map<std::pair<std::string, std::string>, OpStat> &rows) {
  for (const onnx::NodeProto &node : graph.node()) {
    llvm::StringRef domain = canonicalDomain(node.domain());
    OpStat &row = rows[{domain.str(), node.op_type()}];
    if (row.count++ == 0) {
      row.domain = domain.empty() ? "ai.onnx" : domain.str();
      row.opType = node.op_type();
      auto opset = model.opsets.find(domain);
      row.opset = opset == model.opsets.end() ? 0 : opset->second;
      const OpRegistry::Entry *entry =
          OpRegistry::get().lookup(domain, node.op_type());
      row.supported =
          entry && row.opset >= entry->minOpset && row.opset <= entry->maxOpset;
    }
    for (const onnx::AttributeProto &a : node.attribute()) {
      if (a.has_g())
        countOps(a.g(), model, rows);
      for (const onnx::GraphProto &g : a.graphs())
        countOps(g, model, rows);
    }
  }
}

LogicalResult optc::collectONNXOpStats(llvm::StringRef path,
                                       MLIRContext &context,
                                       std::vector<OpStat> &stats) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!buffer)
    return emitError(loc) << "cannot read '" << path
                          << "': " << buffer.getError().message();
  FailureOr<LoadedModel> model =
      loadModel((*buffer)->getBuffer().str(), path, "", loc);
  if (failed(model))
    return failure();
  std::map<std::pair<std::string, std::string>, OpStat> rows;
  countOps(model->proto->graph(), *model, rows);
  for (const onnx::FunctionProto &f : model->proto->functions())
    for (const onnx::NodeProto &node : f.node()) {
      onnx::GraphProto wrapper;
      *wrapper.add_node() = node;
      countOps(wrapper, *model, rows);
    }
  for (auto &[key, row] : rows)
    stats.push_back(row);
  return success();
}
