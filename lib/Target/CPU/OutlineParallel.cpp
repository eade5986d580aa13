//===- OutlineParallel.cpp - scf.forall onto the runtime thread pool ------===//
//
// Implements --optc-cpu-outline-parallel. Upstream lowers scf.forall to
// sequential loops or to OpenMP; optc's kernels run on the runtime's own
// thread pool (OPTC_NUM_THREADS, shared by concurrent runs), so each
// outermost forall becomes a body function over a range of linearised
// iterations plus one call of `optc_parallel_for`.
//
// Captured values travel in a struct of their LLVM representations. The
// struct is built and read through unrealized_conversion_casts between a
// value's type and its LLVM type, which cancel out once the whole module is
// in the LLVM dialect; the LLVMTypeConverter here must therefore agree with
// the one the final conversion uses (default options).
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "optc/Support/Sizes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPUOUTLINEPARALLEL
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

static constexpr llvm::StringLiteral kParallelFor = "optc_parallel_for";

/// Declares `void optc_parallel_for(i64 n, ptr body, ptr context)`.
static void declareParallelFor(ModuleOp module) {
  if (module.lookupSymbol(kParallelFor))
    return;
  MLIRContext *context = module.getContext();
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto type =
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                  {IntegerType::get(context, 64), ptr, ptr});
  LLVM::LLVMFuncOp::create(builder, module.getLoc(), kParallelFor, type);
}

static Value i64Constant(OpBuilder &b, Location loc, int64_t value) {
  return LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                  b.getI64IntegerAttr(value));
}

/// Outlines `loop`; `name` is the body function's (unique) name.
static LogicalResult outline(scf::ForallOp loop, StringRef name,
                             const LLVMTypeConverter &converter,
                             SymbolTable &symbols) {
  Location loc = loop.getLoc();
  MLIRContext *context = loop.getContext();
  if (loop.getNumResults() != 0)
    return loop.emitError("a parallel loop still has tensor results after "
                          "bufferization");
  // Static bounds: the trip count of every dimension.
  SmallVector<int64_t> lower, counts, steps;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                 loop.getMixedStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return loop.emitError("a parallel loop has bounds unknown at compile "
                            "time");
    std::optional<int64_t> count = optc::sizes::tripCount(*l, *u, *s);
    if (!count)
      return loop.emitError("a parallel loop from ")
             << *l << " to " << *u << " by " << *s
             << " has more iterations than int64 counts";
    lower.push_back(*l);
    steps.push_back(*s);
    counts.push_back(*count);
  }
  // The iterations of the dimensions together, linearised for the pool.
  // Loops over verified tensors stay within the limits per tensor; the
  // check guards loops of other origins.
  std::optional<int64_t> total = optc::sizes::product(counts);
  if (!total)
    return loop.emitError("a parallel loop of ")
           << counts.size() << " dimensions has more iterations than int64 "
           << "counts";

  // What the body uses from outside: constants are copied, the rest is
  // captured.
  llvm::SetVector<Value> used;
  getUsedValuesDefinedAbove(loop.getRegion(), used);
  SmallVector<Value> captured, constants;
  for (Value value : used) {
    if (value.getDefiningOp() &&
        value.getDefiningOp()->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(value);
    else
      captured.push_back(value);
  }
  SmallVector<Type> fields;
  for (Value value : captured) {
    Type type = converter.convertType(value.getType());
    if (!type)
      return loop.emitError("cannot pass a value of type ")
             << value.getType() << " to a parallel loop body";
    fields.push_back(type);
  }
  auto ptr = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  auto structType = LLVM::LLVMStructType::getLiteral(context, fields);

  // The body function: for i in [begin, end): delinearise, run the body.
  auto module = loop->getParentOfType<ModuleOp>();
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto bodyType = builder.getFunctionType({i64, i64, ptr}, {});
  auto body = func::FuncOp::create(builder, loc, name, bodyType);
  body.setPrivate();
  symbols.insert(body);
  Block *entry = body.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (Value value : constants)
    mapping.map(value, builder.clone(*value.getDefiningOp())->getResult(0));
  if (!captured.empty()) {
    Value loaded =
        LLVM::LoadOp::create(builder, loc, structType, entry->getArgument(2));
    for (auto [index, value] : llvm::enumerate(captured)) {
      Value field = LLVM::ExtractValueOp::create(
          builder, loc, loaded, ArrayRef<int64_t>{int64_t(index)});
      mapping.map(value, UnrealizedConversionCastOp::create(
                             builder, loc, value.getType(), field)
                             .getResult(0));
    }
  }
  Value begin = arith::IndexCastOp::create(builder, loc, builder.getIndexType(),
                                           entry->getArgument(0));
  Value end = arith::IndexCastOp::create(builder, loc, builder.getIndexType(),
                                         entry->getArgument(1));
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto forOp = scf::ForOp::create(builder, loc, begin, end, one);
  func::ReturnOp::create(builder, loc);
  builder.setInsertionPointToStart(forOp.getBody());
  Value rest = forOp.getInductionVar();
  SmallVector<Value> ivs(counts.size());
  for (int64_t d = counts.size() - 1; d >= 0; --d) {
    Value count = arith::ConstantIndexOp::create(builder, loc, counts[d]);
    Value index =
        d == 0 ? rest
               : Value(arith::RemUIOp::create(builder, loc, rest, count));
    if (d != 0)
      rest = arith::DivUIOp::create(builder, loc, rest, count);
    Value scaled = arith::MulIOp::create(
        builder, loc, index,
        arith::ConstantIndexOp::create(builder, loc, steps[d]));
    ivs[d] = arith::AddIOp::create(
        builder, loc, scaled,
        arith::ConstantIndexOp::create(builder, loc, lower[d]));
  }
  for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
    mapping.map(iv, value);
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);

  // The call in the loop's place.
  builder.setInsertionPoint(loop);
  Value contextPtr;
  if (captured.empty()) {
    contextPtr = LLVM::ZeroOp::create(builder, loc, ptr);
  } else {
    contextPtr = LLVM::AllocaOp::create(builder, loc, ptr, structType,
                                        i64Constant(builder, loc, 1));
    Value record = LLVM::UndefOp::create(builder, loc, structType);
    for (auto [index, value] : llvm::enumerate(captured)) {
      Value field =
          UnrealizedConversionCastOp::create(builder, loc, fields[index], value)
              .getResult(0);
      record = LLVM::InsertValueOp::create(builder, loc, record, field,
                                           ArrayRef<int64_t>{int64_t(index)});
    }
    LLVM::StoreOp::create(builder, loc, record, contextPtr);
  }
  Value function =
      func::ConstantOp::create(builder, loc, bodyType, body.getSymName());
  Value functionPtr =
      UnrealizedConversionCastOp::create(builder, loc, ptr, function)
          .getResult(0);
  LLVM::CallOp::create(
      builder, loc, TypeRange{}, kParallelFor,
      ValueRange{i64Constant(builder, loc, *total), functionPtr, contextPtr});
  loop.erase();
  return success();
}

namespace {
struct OutlineParallelPass
    : public mlir::optc::impl::OptcCPUOutlineParallelBase<OutlineParallelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ForallOp> loops;
    module.walk([&](scf::ForallOp loop) {
      if (!loop->getParentOfType<scf::ForallOp>())
        loops.push_back(loop);
    });
    if (loops.empty())
      return;
    declareParallelFor(module);
    LLVMTypeConverter converter(&getContext());
    SymbolTable symbols(module);
    DenseMap<Operation *, unsigned> counters;
    for (scf::ForallOp loop : loops) {
      auto parent = loop->getParentOfType<func::FuncOp>();
      std::string name =
          (parent.getSymName() + "_parallel" + Twine(counters[parent]++)).str();
      if (failed(outline(loop, name, converter, symbols)))
        return signalPassFailure();
    }
  }
};
} // namespace
