//===- HostEntry.cpp - descriptor and entry points of a compiled model ----===//
//
// Implements --optc-host-entry on the LLVM dialect: the glue between the
// generated code and the runtime (runtime_support.h). Everything generated
// becomes internal except what the library exports: the descriptor the
// runtime finds with dlsym, and `<name>_load` for programs that link the
// library through its header.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCHOSTENTRY
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Must match OPTC_ABI_VERSION in runtime.h.
static constexpr int32_t kAbiVersion = 1;

/// Percent-encodes bytes outside [A-Za-z0-9_.:/-], as the runtime decodes
/// (percentDecode in runtime/src/model.c); "%00" for the empty name.
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

/// The metadata line of a port, as parseTensor in runtime/src/model.c
/// reads it: "input <name> <dtype> <dims>", the dimensions separated by
/// commas or "scalar".
static std::string metadataLine(StringRef kind, optc::PortAttr port) {
  std::string dims;
  for (auto [i, size] : llvm::enumerate(port.getShape()))
    dims += (i ? "," : "") + std::to_string(size);
  return (kind + " " + encodeName(port.getName().getValue()) + " " +
          port.getDtypeName() + " " + (dims.empty() ? "scalar" : dims) + "\n")
      .str();
}

static LLVM::LLVMFuncOp declare(OpBuilder &builder, ModuleOp module,
                                StringRef name, Type result,
                                ArrayRef<Type> params) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  return LLVM::LLVMFuncOp::create(builder, module.getLoc(), name,
                                  LLVM::LLVMFunctionType::get(result, params));
}

namespace {
struct HostEntryPass
    : public mlir::optc::impl::OptcHostEntryBase<HostEntryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    Location loc = module.getLoc();
    auto main = module.lookupSymbol<LLVM::LLVMFuncOp>("main");
    auto interface =
        module->getAttrOfType<optc::InterfaceAttr>("optc.interface");
    if (!main || !interface) {
      module.emitError(
          "--optc-host-entry needs @main in the LLVM dialect and "
          "the optc.interface attribute (--optc-record-interface)");
      return signalPassFailure();
    }
    auto ptr = LLVM::LLVMPointerType::get(context);
    for (Type type : main.getFunctionType().getParams())
      if (type != ptr) {
        main.emitError("@main must take only pointers (bare-pointer memref "
                       "arguments); found ")
            << type;
        return signalPassFailure();
      }

    // optc's own attributes mean nothing to LLVM; the interface was
    // recorded already.
    main.setArgAttrsAttr(nullptr);
    main.setResAttrsAttr(nullptr);

    // Only the descriptor and the loader are exported.
    std::string internalMain = "optc_" + modelName + "_main";
    if (failed(SymbolTable::replaceAllSymbolUses(
            main, StringAttr::get(context, internalMain), module)))
      return signalPassFailure();
    SymbolTable::setSymbolName(main, internalMain);
    module.walk([](LLVM::LLVMFuncOp func) {
      if (!func.isExternal())
        func.setLinkage(LLVM::Linkage::Internal);
    });

    int64_t arenaSize = 0;
    if (auto attr = module->getAttrOfType<IntegerAttr>("optc.arena_size"))
      arenaSize = attr.getInt();
    std::string metadata = "optc-model 1\nname " + modelName + "\n";
    metadata +=
        "triple " +
        (triple.empty() ? std::string("unknown") : std::string(triple)) + "\n";
    metadata += "cpu " +
                (cpu.empty() ? std::string("generic") : std::string(cpu)) +
                "\n";
    metadata += "features " + features + "\n";
    metadata += "arena " + std::to_string(arenaSize) + "\n";
    auto weightsSize = module->getAttrOfType<IntegerAttr>("optc.weights_size");
    auto weightsId = module->getAttrOfType<StringAttr>("optc.weights_id");
    if (weightsSize && weightsId) {
      if (weightsFile.empty()) {
        module.emitError("the module has external weights but "
                         "--optc-host-entry has no weights-file name");
        return signalPassFailure();
      }
      metadata += "weights file " + weightsFile + " " +
                  std::to_string(weightsSize.getInt()) + " " + weightsId.str() +
                  "\n";
    } else {
      metadata += "weights embedded 0\n";
    }
    if (module->hasAttr("optc.run_time_checks"))
      metadata += "checks 1\n";
    for (optc::PortAttr port : interface.getInputs())
      metadata += metadataLine("input", port);
    for (optc::PortAttr port : interface.getOutputs())
      metadata += metadataLine("output", port);

    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto i32 = builder.getI32Type(), i64 = builder.getI64Type();
    auto voidType = LLVM::LLVMVoidType::get(context);

    // optc_entry(void **buffers): main(buffers[0], buffers[1], ...).
    auto entry = LLVM::LLVMFuncOp::create(
        builder, loc, "optc_" + modelName + "_entry",
        LLVM::LLVMFunctionType::get(voidType, {ptr}), LLVM::Linkage::Internal);
    {
      OpBuilder::InsertionGuard guard(builder);
      Block *block = entry.addEntryBlock(builder);
      builder.setInsertionPointToStart(block);
      SmallVector<Value> arguments;
      for (unsigned i = 0, e = main.getNumArguments(); i < e; ++i) {
        Value slot =
            LLVM::GEPOp::create(builder, loc, ptr, ptr, block->getArgument(0),
                                ArrayRef<LLVM::GEPArg>{int32_t(i)});
        arguments.push_back(LLVM::LoadOp::create(builder, loc, ptr, slot));
      }
      LLVM::CallOp::create(builder, loc, main, arguments);
      LLVM::ReturnOp::create(builder, loc, ValueRange{});
    }

    auto text =
        LLVM::LLVMArrayType::get(builder.getI8Type(), metadata.size() + 1);
    auto metadataGlobal = LLVM::GlobalOp::create(
        builder, loc, text, /*isConstant=*/true, LLVM::Linkage::Internal,
        "optc_" + modelName + "_metadata",
        builder.getStringAttr(metadata + std::string(1, '\0')));

    // The descriptor, laid out as optc_model_desc.
    auto descType = LLVM::LLVMStructType::getLiteral(
        context, {i32, i32, ptr, ptr, ptr, i64, ptr});
    auto takeError =
        declare(builder, module, "optc_take_reported_error", ptr, {});
    auto descriptor = LLVM::GlobalOp::create(
        builder, loc, descType, /*isConstant=*/true, LLVM::Linkage::External,
        "optc_model_descriptor", Attribute());
    {
      OpBuilder::InsertionGuard guard(builder);
      builder.createBlock(&descriptor.getInitializerRegion());
      Value record = LLVM::UndefOp::create(builder, loc, descType);
      Value fields[] = {
          LLVM::ConstantOp::create(builder, loc, i32,
                                   builder.getI32IntegerAttr(kAbiVersion)),
          LLVM::ConstantOp::create(builder, loc, i32,
                                   builder.getI32IntegerAttr(0)),
          LLVM::AddressOfOp::create(builder, loc, metadataGlobal),
          LLVM::AddressOfOp::create(builder, loc, entry),
          LLVM::ZeroOp::create(builder, loc, ptr),
          LLVM::ConstantOp::create(builder, loc, i64,
                                   builder.getI64IntegerAttr(0)),
          LLVM::AddressOfOp::create(builder, loc, takeError)};
      for (auto [index, field] : llvm::enumerate(fields))
        record = LLVM::InsertValueOp::create(builder, loc, record, field,
                                             ArrayRef<int64_t>{int64_t(index)});
      LLVM::ReturnOp::create(builder, loc, record);
    }

    // <name>_load(weights_path, model) = optc_model_create(&desc, ...).
    auto create =
        declare(builder, module, "optc_model_create", ptr, {ptr, ptr, ptr});
    auto load =
        LLVM::LLVMFuncOp::create(builder, loc, modelName + "_load",
                                 LLVM::LLVMFunctionType::get(ptr, {ptr, ptr}));
    {
      OpBuilder::InsertionGuard guard(builder);
      Block *block = load.addEntryBlock(builder);
      builder.setInsertionPointToStart(block);
      Value desc = LLVM::AddressOfOp::create(builder, loc, descriptor);
      auto call = LLVM::CallOp::create(
          builder, loc, create,
          ValueRange{desc, block->getArgument(0), block->getArgument(1)});
      LLVM::ReturnOp::create(builder, loc, call.getResult());
    }
  }
};
} // namespace
