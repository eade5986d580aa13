//===- ExternalizeWeights.cpp - the weights leave the library
//--------------===//
//
// Implements --optc-externalize-weights and the writing of the side file.
// Large weights embedded in a shared library make LLVM slow and memory
// hungry and the library huge; in a side file they are mapped at load, so
// pages are shared between processes and read only when touched.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"
#include "lib/Target/Host/Weights.h"

#include "optc/Support/Sizes.h"
#include "optc/runtime_support.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCEXTERNALIZEWEIGHTS
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

static constexpr int64_t kAlignment = 64;

bool optc::forEachWeightChunk(
    ElementsAttr elements, llvm::function_ref<void(llvm::StringRef)> consume) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(elements)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return false;
    ArrayRef<char> data = blob->getData();
    consume(llvm::StringRef(data.data(), data.size()));
    return true;
  }
  auto dense = dyn_cast<DenseElementsAttr>(elements);
  if (!dense || dense.getElementType().isInteger(1))
    return false; // bools were widened to bytes by the lowering
  ArrayRef<char> raw = dense.getRawData();
  if (!dense.isSplat()) {
    consume(llvm::StringRef(raw.data(), raw.size()));
    return true;
  }
  for (int64_t i = 0, e = dense.getNumElements(); i < e; ++i)
    consume(llvm::StringRef(raw.data(), raw.size()));
  return true;
}

bool optc::hasExternalWeights(ModuleOp module) {
  return module->hasAttr("optc.weights");
}

LogicalResult optc::writeWeightsFile(ModuleOp module, llvm::StringRef path) {
  auto weights = module->getAttrOfType<ArrayAttr>("optc.weights");
  auto id = module->getAttrOfType<StringAttr>("optc.weights_id");
  if (!weights || !id)
    return success();
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return module.emitError()
           << "cannot write '" << path << "': " << ec.message();
  char header[OPTC_WEIGHTS_HEADER_SIZE] = {};
  memcpy(header, OPTC_WEIGHTS_MAGIC, 8);
  memcpy(header + 8, id.getValue().data(), std::min<size_t>(16, id.size()));
  os.write(header, sizeof(header));
  uint64_t at = 0;
  for (Attribute entry : weights) {
    auto pair = cast<ArrayAttr>(entry);
    uint64_t offset = cast<IntegerAttr>(pair[0]).getInt();
    for (; at < offset; ++at)
      os << '\0';
    forEachWeightChunk(cast<ElementsAttr>(pair[1]), [&](llvm::StringRef bytes) {
      os << bytes;
      at += bytes.size();
    });
  }
  // The last weight's padding too: the library checks the whole size.
  if (auto size = module->getAttrOfType<IntegerAttr>("optc.weights_size"))
    for (; at < static_cast<uint64_t>(size.getInt()); ++at)
      os << '\0';
  os.close();
  if (os.has_error()) {
    os.clear_error();
    return module.emitError() << "cannot write '" << path << "'";
  }
  return success();
}

namespace {
/// Embedded weights become one-dimensional globals, each use reshaped back.
/// The LLVM translation turns a global of rank r into nested arrays, one
/// uniqued constant per innermost row: a 1280x320x1x1 convolution weight
/// made 409600 constants and a second of compile time per megabyte. A flat
/// global is one raw constant.
static void flattenEmbeddedWeights(ModuleOp module, func::FuncOp main) {
  SmallVector<memref::GetGlobalOp> gets;
  main.walk([&](memref::GetGlobalOp get) { gets.push_back(get); });
  DenseMap<Operation *, memref::GlobalOp> flattened;
  for (memref::GetGlobalOp get : gets) {
    auto global = module.lookupSymbol<memref::GlobalOp>(get.getName());
    MemRefType type = get.getType();
    if (!global || !global.getConstant() || !global.getInitialValue() ||
        type.getRank() < 2 || !type.hasStaticShape() ||
        !type.getLayout().isIdentity() || global.getType() != type)
      continue;
    auto flatType =
        MemRefType::get({type.getNumElements()}, type.getElementType());
    auto flatTensor =
        RankedTensorType::get({type.getNumElements()}, type.getElementType());
    if (!flattened.count(global)) {
      Attribute value = *global.getInitialValue();
      Attribute flatValue;
      if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        flatValue =
            DenseResourceElementsAttr::get(flatTensor, resource.getRawHandle());
      else if (auto dense = dyn_cast<DenseElementsAttr>(value))
        flatValue = dense.reshape(flatTensor);
      if (!flatValue)
        continue;
      global.setType(flatType);
      global.setInitialValueAttr(flatValue);
      flattened[global] = global;
    }
    OpBuilder builder(get);
    auto flat = memref::GetGlobalOp::create(builder, get.getLoc(), flatType,
                                            get.getName());
    ReassociationIndices all;
    for (int64_t d = 0; d < type.getRank(); ++d)
      all.push_back(d);
    get.replaceAllUsesWith(memref::ExpandShapeOp::create(
                               builder, get.getLoc(), type.getShape(), flat,
                               SmallVector<ReassociationIndices>{all})
                               .getResult());
    get.erase();
  }
}

struct ExternalizeWeightsPass
    : public mlir::optc::impl::OptcExternalizeWeightsBase<
          ExternalizeWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    // The weights: constant globals @main reads, in order of first use.
    SmallVector<memref::GlobalOp> globals;
    DenseMap<Operation *, SmallVector<memref::GetGlobalOp>> uses;
    main.walk([&](memref::GetGlobalOp get) {
      auto global = module.lookupSymbol<memref::GlobalOp>(get.getName());
      if (!global || !global.getConstant() || !global.getInitialValue() ||
          !global.getType().getLayout().isIdentity())
        return;
      auto value = dyn_cast<ElementsAttr>(*global.getInitialValue());
      MemRefType type = global.getType();
      // A constant of a verified tensor, within the limits per tensor.
      std::optional<int64_t> elements =
          optc::sizes::numElements(type.getShape());
      std::optional<int64_t> bytes =
          elements ? optc::sizes::storageBytes(*elements,
                                               type.getElementTypeBitWidth())
                   : std::nullopt;
      assert(bytes && "a constant within the limits per tensor");
      if (!value || *bytes < minBytes)
        return;
      // Only what can be read back as bytes.
      if (!forEachWeightChunk(value, [](llvm::StringRef) {}))
        return;
      if (!uses.count(global))
        globals.push_back(global);
      uses[global].push_back(get);
    });
    // Each weight is within the limits per tensor; their sum is checked.
    std::optional<int64_t> total = 0;
    for (memref::GlobalOp global : globals) {
      MemRefType type = global.getType();
      std::optional<int64_t> elements =
          optc::sizes::numElements(type.getShape());
      std::optional<int64_t> bytes =
          elements ? optc::sizes::storageBytes(*elements,
                                               type.getElementTypeBitWidth())
                   : std::nullopt;
      total = bytes && total ? optc::sizes::add(*total, *bytes) : std::nullopt;
    }
    if (!total) {
      main.emitError("the weights of @main take more than 2^63 bytes");
      return signalPassFailure();
    }
    if (globals.empty() || (!force && *total < limit)) {
      flattenEmbeddedWeights(module, main);
      return;
    }

    // Offsets, the hash, and the attribute the driver writes from.
    MLIRContext *context = &getContext();
    SmallVector<Attribute> entries;
    uint64_t hash = 1469598103934665603ull, offset = 0;
    auto mix = [&](llvm::StringRef bytes) {
      for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 1099511628211ull;
      }
    };
    DenseMap<Operation *, int64_t> offsets;
    for (memref::GlobalOp global : globals) {
      offsets[global] = offset;
      // Padding is zeros, hashed like the file holds them.
      auto value = cast<ElementsAttr>(*global.getInitialValue());
      uint64_t size = 0;
      forEachWeightChunk(value, [&](llvm::StringRef bytes) {
        mix(bytes);
        size += bytes.size();
      });
      entries.push_back(ArrayAttr::get(
          context,
          {IntegerAttr::get(IntegerType::get(context, 64), offset), value}));
      uint64_t next = llvm::alignTo(offset + size, kAlignment);
      for (uint64_t pad = offset + size; pad < next; ++pad)
        mix(llvm::StringRef("\0", 1));
      offset = next;
    }
    auto blobType =
        MemRefType::get({int64_t(offset)}, IntegerType::get(context, 8));
    if (failed(main.insertArgument(main.getNumArguments(), blobType,
                                   DictionaryAttr::get(context),
                                   main.getLoc())))
      return signalPassFailure();
    Value blob = main.getArgument(main.getNumArguments() - 1);
    OpBuilder builder(context);
    for (memref::GlobalOp global : globals) {
      for (memref::GetGlobalOp get : uses[global]) {
        builder.setInsertionPoint(get);
        Value at = arith::ConstantIndexOp::create(builder, get.getLoc(),
                                                  offsets[global]);
        get.replaceAllUsesWith(memref::ViewOp::create(builder, get.getLoc(),
                                                      get.getType(), blob, at,
                                                      ValueRange{})
                                   .getResult());
        get.erase();
      }
      if (SymbolTable::symbolKnownUseEmpty(global, module))
        global.erase();
    }
    flattenEmbeddedWeights(module, main);
    module->setAttr("optc.weights", ArrayAttr::get(context, entries));
    module->setAttr("optc.weights_size",
                    IntegerAttr::get(IntegerType::get(context, 64), offset));
    module->setAttr(
        "optc.weights_id",
        StringAttr::get(context, llvm::formatv("{0:x-16}", hash).str()));
  }
};
} // namespace
