//===- RecordInterface.cpp - the model's inputs and outputs for the runtime
//===//
//
// Implements --optc-record-interface: @main's tensor signature, as the
// runtime's metadata lines, kept in the module attribute optc.interface
// before bufferisation and LLVM conversion change the signature.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "dialects/Optc/IR/OptcOps.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCRECORDINTERFACE
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Percent-encodes bytes outside [A-Za-z0-9_.:/-], as the runtime decodes.
static std::string encodeName(StringRef name) {
  std::string out;
  for (unsigned char c : name) {
    if (llvm::isAlnum(c) || StringRef("_.:/-").contains(c))
      out.push_back(c);
    else
      out += llvm::formatv("%{0:X-2}", unsigned(c)).str();
  }
  return out.empty() ? "%00" : out;
}

/// The runtime's name of an element type ("f32", "u8", "bool"), or "" for
/// one the runtime cannot exchange.
static std::string dtypeName(Type element) {
  if (element.isInteger(1))
    return "bool";
  if (auto integer = dyn_cast<IntegerType>(element)) {
    unsigned width = integer.getWidth();
    if (width != 2 && width != 4 && width != 8 && width != 16 && width != 32 &&
        width != 64)
      return "";
    return (integer.isUnsigned() ? "u" : "i") + std::to_string(width);
  }
  if (element.isF16())
    return "f16";
  if (element.isBF16())
    return "bf16";
  if (isa<Float8E4M3FNType>(element))
    return "f8e4m3fn";
  if (isa<Float8E4M3FNUZType>(element))
    return "f8e4m3fnuz";
  if (isa<Float8E5M2Type>(element))
    return "f8e5m2";
  if (isa<Float8E5M2FNUZType>(element))
    return "f8e5m2fnuz";
  if (isa<Float8E8M0FNUType>(element))
    return "f8e8m0fnu";
  if (isa<Float4E2M1FNType>(element))
    return "f4e2m1fn";
  if (element.isF32())
    return "f32";
  if (element.isF64())
    return "f64";
  return "";
}

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

/// One metadata line, or failure after an error at `func`.
static FailureOr<std::string> describe(func::FuncOp func, StringRef kind,
                                       unsigned index, Type type,
                                       DictionaryAttr attrs) {
  auto name = attrs ? attrs.getAs<StringAttr>("optc.name") : StringAttr();
  std::string label = name ? name.str() : (kind + Twine(index)).str();
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::string dtype = tensor ? dtypeName(tensor.getElementType()) : "";
  if (dtype.empty())
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
  std::string dims;
  for (auto [i, size] : llvm::enumerate(tensor.getShape()))
    dims += (i ? "," : "") + std::to_string(size);
  return (kind + " " + encodeName(label) + " " + dtype + " " +
          (dims.empty() ? "scalar" : dims))
      .str();
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
    SmallVector<Attribute> lines;
    bool failed = false;
    auto add = [&](StringRef kind, unsigned index, Type type,
                   DictionaryAttr attrs) {
      FailureOr<std::string> line = describe(main, kind, index, type, attrs);
      if (::mlir::failed(line))
        failed = true;
      else
        lines.push_back(StringAttr::get(&getContext(), *line));
    };
    for (unsigned i = 0; i < main.getNumArguments(); ++i)
      add("input", i, main.getArgumentTypes()[i], main.getArgAttrDict(i));
    // Outputs of unknown size follow from inputs of unknown size: say so
    // only when the inputs are static.
    for (unsigned i = 0; !failed && i < main.getNumResults(); ++i)
      add("output", i, main.getResultTypes()[i], main.getResultAttrDict(i));
    if (failed)
      return signalPassFailure();
    module->setAttr("optc.interface", ArrayAttr::get(&getContext(), lines));
  }
};
} // namespace
