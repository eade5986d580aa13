//===- LowerMicroKernels.cpp - calls of the runtime's micro-kernels -------===//
//
// Implements --optc-cpu-lower-micro-kernels. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERMICROKERNELS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

static constexpr llvm::StringLiteral kQMatmul = "optc_qmatmul_f32";

/// The address of the first element of `buffer` as an i64.
static Value addressOf(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  unsigned bytes = type.getElementTypeBitWidth() / 8;
  Value offset =
      arith::MulIOp::create(b, loc, metadata.getOffset(),
                            arith::ConstantIndexOp::create(b, loc, bytes));
  Value address = arith::AddIOp::create(b, loc, base, offset);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
}

/// The tables of values the kernel reads (optc.qmatmul's code_values and
/// scale_values) as private constant globals, one per distinct table.
class Tables {
public:
  explicit Tables(ModuleOp module) : module(module), symbols(module) {}

  /// The address of `values` in a global (0 for none).
  Value address(OpBuilder &b, Location loc, DenseF32ArrayAttr values) {
    if (!values)
      return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    auto type = MemRefType::get({values.size()}, b.getF32Type());
    memref::GlobalOp &global = globals[values];
    if (!global) {
      OpBuilder top(module.getBodyRegion());
      global = memref::GlobalOp::create(
          top, module.getLoc(), "__optc_qmatmul_table",
          top.getStringAttr("private"), type,
          DenseElementsAttr::get(
              RankedTensorType::get(type.getShape(), top.getF32Type()),
              values.asArrayRef()),
          /*constant=*/true, /*alignment=*/top.getI64IntegerAttr(64));
      symbols.insert(global); // renamed if the name is taken
    }
    Value table =
        memref::GetGlobalOp::create(b, loc, type, global.getSymName());
    return addressOf(b, loc, table);
  }

private:
  ModuleOp module;
  SymbolTable symbols;
  llvm::DenseMap<Attribute, memref::GlobalOp> globals;
};

namespace {
struct LowerMicroKernelsPass
    : public mlir::optc::impl::OptcCPULowerMicroKernelsBase<
          LowerMicroKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::GenericOp> kernels;
    module.walk([&](linalg::GenericOp op) {
      if (op.getLibraryCallName() == kQMatmul && op.hasPureBufferSemantics() &&
          llvm::all_of(op->getOperands(), [](Value v) {
            auto type = dyn_cast<MemRefType>(v.getType());
            return type && memref::isStaticShapeAndContiguousRowMajor(type);
          }))
        kernels.push_back(op);
    });
    if (kernels.empty())
      return;
    OpBuilder b(module.getBodyRegion());
    Type i64 = b.getI64Type();
    auto declaration = SymbolTable(module).lookup<func::FuncOp>(kQMatmul);
    if (!declaration) {
      b.setInsertionPointToStart(module.getBody());
      declaration = func::FuncOp::create(
          b, module.getLoc(), kQMatmul,
          b.getFunctionType(SmallVector<Type>(16, i64), {}));
      declaration.setPrivate();
    }
    Tables tables(module);
    for (linalg::GenericOp op : kernels) {
      auto params = op->getAttrOfType<DictionaryAttr>("optc.qmatmul");
      b.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto constant = [&](int64_t v) -> Value {
        return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
      };
      auto param = [&](StringRef name) -> int64_t {
        Attribute a = params ? params.get(name) : Attribute();
        if (auto flag = dyn_cast_or_null<BoolAttr>(a))
          return flag.getValue();
        if (auto i = dyn_cast_or_null<IntegerAttr>(a))
          return i.getInt();
        return -1;
      };
      SmallVector<Value> inputs = op.getDpsInputs();
      Value output = op.getDpsInits()[0];
      auto x = cast<MemRefType>(inputs[0].getType());
      auto y = cast<MemRefType>(output.getType());
      int64_t m = x.getDimSize(0), k = x.getDimSize(1), n = y.getDimSize(1);
      bool zeros = param("zero_points") == 1;
      bool tensorScale = param("tensor_scale") == 1;
      auto table = [&](StringRef name) {
        return params ? dyn_cast_or_null<DenseF32ArrayAttr>(params.get(name))
                      : DenseF32ArrayAttr();
      };
      if (param("bits") < 0 || param("block") < 1 ||
          param("int8_activations") < 0 || param("scale_kind") < 0 ||
          (param("scale_kind") == 1) != bool(table("scale_values")) ||
          param("straddles") < 0 ||
          inputs.size() !=
              3u + zeros + tensorScale + (param("straddles") == 1)) {
        op.emitOpError() << "is marked for " << kQMatmul
                         << " without the parameters optc.qmatmul gives";
        return signalPassFailure();
      }
      SmallVector<Value> args = {
          addressOf(b, loc, inputs[0]),
          addressOf(b, loc, inputs[1]),
          addressOf(b, loc, inputs[2]),
          zeros ? addressOf(b, loc, inputs[3]) : constant(0),
          addressOf(b, loc, output),
          constant(m),
          constant(n),
          constant(k),
          constant(param("bits")),
          constant(param("signed")),
          constant(param("block")),
          constant(param("int8_activations")),
          tables.address(b, loc, table("code_values")),
          constant(param("scale_kind")),
          tables.address(b, loc, table("scale_values")),
          tensorScale ? addressOf(b, loc, inputs[3 + zeros]) : constant(0)};
      func::CallOp::create(b, loc, declaration, args);
      op.erase();
    }
  }
};
} // namespace
