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

void OpRegistry::add(llvm::StringRef domain, llvm::StringRef opType,
                     Converter convert, int64_t minOpset, int64_t maxOpset) {
  if (minOpset == 0)
    minOpset = canonicalDomain(domain).empty() ? kMinOpset : 1;
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
