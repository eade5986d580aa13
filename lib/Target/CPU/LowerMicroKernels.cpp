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
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERMICROKERNELS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

static constexpr llvm::StringLiteral kQMatmul = "optc_qmatmul_f32";
static constexpr llvm::StringLiteral kIGemm = "optc_igemm_i32";

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
/// The integer value of `params[name]` (a bool as 0 or 1), -1 if absent.
int64_t paramOf(DictionaryAttr params, StringRef name) {
  Attribute a = params ? params.get(name) : Attribute();
  if (auto flag = dyn_cast_or_null<BoolAttr>(a))
    return flag.getValue();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return i.getInt();
  return -1;
}

/// The private declaration of the runtime's `name`, taking `count` i64s.
func::FuncOp declare(ModuleOp module, StringRef name, unsigned count) {
  if (auto existing = SymbolTable(module).lookup<func::FuncOp>(name))
    return existing;
  OpBuilder b(module.getBodyRegion());
  auto declaration = func::FuncOp::create(
      b, module.getLoc(), name,
      b.getFunctionType(SmallVector<Type>(count, b.getI64Type()), {}));
  declaration.setPrivate();
  return declaration;
}

/// What either kernel's call is made of: the marked generic's buffers
/// (inputs, then the [M, N] output; the first input is [M, K]), its
/// parameters (the dictionary `attribute`), and i64 constants.
struct KernelCall {
  KernelCall(OpBuilder &b, linalg::GenericOp op, StringRef attribute)
      : b(b), loc(op.getLoc()),
        params(op->getAttrOfType<DictionaryAttr>(attribute)),
        inputs(op.getDpsInputs()), output(op.getDpsInits()[0]) {
    auto lhs = cast<MemRefType>(inputs[0].getType());
    m = lhs.getDimSize(0);
    k = lhs.getDimSize(1);
    n = cast<MemRefType>(output.getType()).getDimSize(1);
  }
  Value constant(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  int64_t param(StringRef name) const { return paramOf(params, name); }
  /// The address of a buffer, or 0 without one.
  Value address(Value buffer) {
    return buffer ? addressOf(b, loc, buffer) : constant(0);
  }

  OpBuilder &b;
  Location loc;
  DictionaryAttr params;
  SmallVector<Value> inputs;
  Value output;
  int64_t m, n, k;
};

/// The call of optc_qmatmul_f32 for `op`, or failure (reported).
LogicalResult lowerQMatmul(OpBuilder &b, linalg::GenericOp op, Tables &tables,
                           ModuleOp module) {
  KernelCall call(b, op, "optc.qmatmul");
  auto param = [&](StringRef name) { return call.param(name); };
  DictionaryAttr params = call.params;
  SmallVector<Value> &inputs = call.inputs;
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
      inputs.size() != 3u + zeros + tensorScale + (param("straddles") == 1))
    return op.emitOpError() << "is marked for " << kQMatmul
                            << " without the parameters optc.qmatmul gives";
  SmallVector<Value> args = {
      call.address(inputs[0]),
      call.address(inputs[1]),
      call.address(inputs[2]),
      call.address(zeros ? inputs[3] : Value()),
      call.address(call.output),
      call.constant(call.m),
      call.constant(call.n),
      call.constant(call.k),
      call.constant(param("bits")),
      call.constant(param("signed")),
      call.constant(param("block")),
      call.constant(param("int8_activations")),
      tables.address(b, call.loc, table("code_values")),
      call.constant(param("scale_kind")),
      tables.address(b, call.loc, table("scale_values")),
      call.address(tensorScale ? inputs[3 + zeros] : Value())};
  func::CallOp::create(b, call.loc, declare(module, kQMatmul, 16), args);
  return success();
}

/// The call of optc_igemm_i32 for `op`, or failure (reported).
LogicalResult lowerIGemm(OpBuilder &b, linalg::GenericOp op, ModuleOp module) {
  KernelCall call(b, op, "optc.igemm");
  auto param = [&](StringRef name) { return call.param(name); };
  SmallVector<Value> &inputs = call.inputs;
  int64_t aZero = param("a_zero"), bZero = param("b_zero");
  if (param("a_signed") < 0 || param("b_signed") < 0 || param("b_layout") < 0 ||
      param("b_layout") > 2 || aZero < 0 || aZero > 2 || bZero < 0 ||
      bZero > 2 || inputs.size() != 2u + (aZero > 0) + (bZero > 0))
    return op.emitOpError() << "is marked for " << kIGemm
                            << " without the parameters optc.igemm gives";
  SmallVector<Value> args = {
      call.address(inputs[0]),
      call.address(inputs[1]),
      call.address(call.output),
      call.constant(call.m),
      call.constant(call.n),
      call.constant(call.k),
      call.constant(param("a_signed")),
      call.constant(param("b_signed")),
      call.constant(param("b_layout")),
      call.address(aZero ? inputs[2] : Value()),
      call.constant(aZero == 2),
      call.address(bZero ? inputs[2 + (aZero > 0)] : Value()),
      call.constant(bZero == 2)};
  func::CallOp::create(b, call.loc, declare(module, kIGemm, 13), args);
  return success();
}

/// The linalg.fill of `op`'s output that comes before it with nothing in
/// between that touches memory, or null: the kernels write their output
/// whole, so that fill is dead.
linalg::FillOp deadFillBefore(linalg::GenericOp op) {
  Value output = op.getDpsInits()[0];
  for (Operation *before = op->getPrevNode(); before;
       before = before->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(before))
      return fill.hasPureBufferSemantics() && fill.getDpsInits()[0] == output
                 ? fill
                 : linalg::FillOp();
    if (!isMemoryEffectFree(before))
      return {};
  }
  return {};
}

struct LowerMicroKernelsPass
    : public mlir::optc::impl::OptcCPULowerMicroKernelsBase<
          LowerMicroKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::GenericOp> kernels;
    module.walk([&](linalg::GenericOp op) {
      std::string name = op.getLibraryCallName();
      if ((name == kQMatmul || name == kIGemm) && op.hasPureBufferSemantics() &&
          llvm::all_of(op->getOperands(), [](Value v) {
            auto type = dyn_cast<MemRefType>(v.getType());
            return type && memref::isStaticShapeAndContiguousRowMajor(type);
          }))
        kernels.push_back(op);
    });
    if (kernels.empty())
      return;
    Tables tables(module);
    OpBuilder b(module.getBodyRegion());
    for (linalg::GenericOp op : kernels) {
      b.setInsertionPoint(op);
      linalg::FillOp fill = deadFillBefore(op);
      if (failed(op.getLibraryCallName() == kQMatmul
                     ? lowerQMatmul(b, op, tables, module)
                     : lowerIGemm(b, op, module)))
        return signalPassFailure();
      if (fill)
        fill.erase();
      op.erase();
    }
  }
};
} // namespace
