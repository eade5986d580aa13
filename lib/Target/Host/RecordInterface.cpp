//===- RecordInterface.cpp - the model's inputs and outputs ---------------===//
//
// Implements --optc-record-interface: @main's tensor signature, kept as an
// #optc.interface in the module attribute optc.interface before
// bufferisation and LLVM conversion change the signature.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "dialects/Optc/IR/OptcOps.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCRECORDINTERFACE
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// What decides the sizes that shape inference left unknown in `main`:
/// the inputs whose values flow into size operands (a dynamic_* op's shape,
/// bounds or amounts, a range's operands, the selector of an
/// scf.index_switch or scf.if with results of unknown size, what the
/// condition of such an scf.while reads from outside the loop), and whether
/// some size follows from data instead (non_zero, unique,
/// non_max_suppression).
static optc::InputSources findSizeSources(func::FuncOp main) {
  optc::InputSources sources;
  auto unknownSize = [](Operation *op) {
    return llvm::any_of(op->getResultTypes(), [](Type t) {
      auto shaped = dyn_cast<ShapedType>(t);
      return shaped && !shaped.hasStaticShape();
    });
  };
  main.walk([&](Operation *op) {
    SmallVector<Value> sizes = optc::sizeOperands(op);
    if (auto o = dyn_cast<scf::IndexSwitchOp>(op); o && unknownSize(op))
      sizes = {o.getArg()};
    else if (auto o = dyn_cast<scf::IfOp>(op); o && unknownSize(op))
      sizes = {o.getCondition()};
    else if (auto o = dyn_cast<scf::WhileOp>(op); o && unknownSize(op))
      // How many iterations run: what the condition reads from outside
      // the loop (a Loop's trip count and first condition).
      o.getBefore().walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (!o.getBefore().isAncestor(v.getParentRegion()))
            sizes.push_back(v);
      });
    else if (optc::hasDataDependentSizes(op))
      sources.dataOp = op;
    optc::traceInputSources(sizes, sources);
  });
  return sources;
}

/// Why the sizes of an output are unknown although the inputs' are known,
/// and what would fix them.
static std::string explainUnknownSizes(func::FuncOp main) {
  optc::InputSources sources = findSizeSources(main);
  if (!sources.arguments.empty())
    return "they depend on " +
           optc::fixInputsAdvice(sources.arguments.getArrayRef());
  if (sources.dataOp)
    return "they depend on the input data (through " +
           sources.dataOp->getName().getStringRef().str() +
           "), which a compiled model must know ahead of time";
  return "the shapes of the inputs do not determine them";
}

/// The port of one input or output, or failure after an error at `func`.
static FailureOr<optc::PortAttr> describe(func::FuncOp func, StringRef kind,
                                          unsigned index, Type type,
                                          DictionaryAttr attrs) {
  auto name = attrs ? attrs.getAs<StringAttr>("optc.name") : StringAttr();
  std::string label = name ? name.str() : (kind + Twine(index)).str();
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || optc::runtimeDtypeName(tensor.getElementType()).empty())
    return emitError(func.getLoc())
           << kind << " '" << label << "' has type " << type
           << ", which the runtime cannot exchange (tensors "
              "of floats, bool or 2- to 64-bit integers)";
  if (!tensor.hasStaticShape()) {
    // Name the unknown dimensions (by their ONNX names where the model
    // gives them) and show the flag that pins them.
    auto names = attrs ? attrs.getAs<ArrayAttr>("optc.dim_names") : ArrayAttr();
    std::string unknown, example;
    for (auto [d, size] : llvm::enumerate(tensor.getShape())) {
      example +=
          (d ? "x" : "") + (ShapedType::isDynamic(size) ? std::string("1")
                                                        : std::to_string(size));
      if (!ShapedType::isDynamic(size))
        continue;
      std::string dimName;
      if (names && d < names.size())
        dimName = cast<StringAttr>(names[d]).str();
      unknown += (unknown.empty() ? "" : ", ") + std::to_string(d) +
                 (dimName.empty() ? "" : " ('" + dimName + "')");
    }
    if (kind == "input")
      return emitError(func.getLoc())
             << "input '" << label << "' has dimensions unknown at compile "
             << "time: " << unknown << "; compiling needs static shapes: pin "
             << "them with --input-shape, e.g. --input-shape " << label << "="
             << example;
    return emitError(func.getLoc())
           << "output '" << label << "' has dimensions "
           << "unknown at compile time: " << unknown << "; "
           << explainUnknownSizes(func);
  }
  // Checked: a port beyond optc's limits per tensor is an error here.
  auto port = optc::PortAttr::getChecked(
      [&] { return emitError(func.getLoc()); }, func.getContext(),
      StringAttr::get(func.getContext(), label), tensor.getElementType(),
      tensor.getShape());
  if (!port)
    return failure();
  return port;
}

namespace {
struct RecordInterfacePass
    : public mlir::optc::impl::OptcRecordInterfaceBase<RecordInterfacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError("the module has no @main function to compile");
      return signalPassFailure();
    }
    SmallVector<optc::PortAttr> inputs, outputs;
    bool failed = false;
    auto add = [&](SmallVectorImpl<optc::PortAttr> &ports, StringRef kind,
                   unsigned index, Type type, DictionaryAttr attrs) {
      FailureOr<optc::PortAttr> port = describe(main, kind, index, type, attrs);
      if (::mlir::failed(port))
        failed = true;
      else
        ports.push_back(*port);
    };
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      add(inputs, "input", i, main.getArgumentTypes()[i],
          main.getArgAttrDict(i));
    // Outputs of unknown size follow from inputs of unknown size: say so
    // only when the inputs are static.
    for (unsigned i = 0; !failed && i < main.getNumResults(); ++i)
      add(outputs, "output", i, main.getResultTypes()[i],
          main.getResultAttrDict(i));
    if (failed)
      return signalPassFailure();
    // Checked: two inputs of one name are an error at @main.
    auto atMain = [&] { return emitError(main.getLoc()); };
    auto interface = optc::InterfaceAttr::getChecked(
        function_ref<InFlightDiagnostic()>(atMain), &getContext(),
        ArrayRef<optc::PortAttr>(inputs), ArrayRef<optc::PortAttr>(outputs));
    if (!interface)
      return signalPassFailure();
    module->setAttr("optc.interface", interface);
  }
};
} // namespace
