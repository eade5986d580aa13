//===- ControlFlow.cpp - ONNX If and Scan as structured control flow
//-------===//
//
// If becomes scf.if (or, with a constant condition, the taken branch in
// place); Loop becomes scf.while; Scan becomes an scf.for over the scan axis
// that slices the scan inputs with tensor.extract_slice and collects the scan
// outputs with tensor.insert_slice. Branch and body subgraphs see the values of
// the enclosing graphs.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

FailureOr<const onnx::GraphProto *> graphAttr(NodeContext &ctx,
                                              llvm::StringRef name) {
  const onnx::AttributeProto *a = ctx.attr(name);
  if (!a || !a->has_g())
    return ctx.error() << "attribute '" << name << "' (a graph) is required";
  return &a->g();
}

/// The most specific type both `a` and `b` fit: equal sizes stay, different
/// ones become unknown. Types that do not join are an error naming the
/// model inputs that `cond` (the If's condition) comes from.
FailureOr<Type> joinTypes(NodeContext &ctx, Type a, Type b, size_t index,
                          Value cond) {
  if (a == b)
    return a;
  auto ta = dyn_cast<RankedTensorType>(a), tb = dyn_cast<RankedTensorType>(b);
  // A condition known at compile time would pick one branch.
  if (!ta || !tb || ta.getElementType() != tb.getElementType() ||
      ta.getRank() != tb.getRank())
    return ctx.error() << "the branches give output " << index
                       << " different types: " << a << " and " << b
                       << ctx.inputValueHint(cond);
  SmallVector<int64_t> shape;
  for (auto [da, db] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(da == db ? da : ShapedType::kDynamic);
  return Type(ta.clone(shape));
}

LogicalResult ifOp(NodeContext &ctx) {
  OPTC_TRY(cond, ctx.requiredInput(0, "cond"));
  OPTC_TRY(thenGraph, graphAttr(ctx, "then_branch"));
  OPTC_TRY(elseGraph, graphAttr(ctx, "else_branch"));
  if (std::optional<SmallVector<int64_t>> c = getConstantInts(cond);
      c && c->size() == 1) {
    OPTC_TRY(outs,
             ctx.graph.importSubgraph((*c)[0] ? *thenGraph : *elseGraph,
                                      *ctx.scope, {}, *ctx.opsets, ctx.depth));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  RankedTensorType ct = ctx.typeOf(cond);
  if (!ct.hasStaticShape() || ct.getNumElements() != 1)
    return ctx.error() << "the condition must hold one element, found " << ct;
  Value scalarCond = ct.getRank() == 0 ? cond : ctx.reshape(cond, {});
  if (!scalarCond)
    return failure();
  Value flag =
      tensor::ExtractOp::create(ctx.b, ctx.loc, scalarCond, ValueRange{});

  // Import each branch into a block of its own.
  auto importBranch =
      [&](const onnx::GraphProto &g,
          std::unique_ptr<Block> &block) -> FailureOr<SmallVector<Value>> {
    block = std::make_unique<Block>();
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToStart(block.get());
    return ctx.graph.importSubgraph(g, *ctx.scope, {}, *ctx.opsets, ctx.depth);
  };
  std::unique_ptr<Block> thenBlock, elseBlock;
  OPTC_TRY(thenOuts, importBranch(*thenGraph, thenBlock));
  OPTC_TRY(elseOuts, importBranch(*elseGraph, elseBlock));
  if (thenOuts.size() != elseOuts.size())
    return ctx.error() << "the branches have " << thenOuts.size() << " and "
                       << elseOuts.size() << " outputs";
  SmallVector<Type> types;
  for (auto [i, t, e] : llvm::enumerate(thenOuts, elseOuts)) {
    OPTC_TRY(type, joinTypes(ctx, t.getType(), e.getType(), i, cond));
    types.push_back(type);
  }
  // Each branch yields its values in the joined types.
  auto terminate = [&](Block &block, ArrayRef<Value> outs) {
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToEnd(&block);
    SmallVector<Value> yielded;
    for (auto [v, type] : llvm::zip(outs, types))
      yielded.push_back(v.getType() == type ? v
                                            : Value(tensor::CastOp::create(
                                                  ctx.b, ctx.loc, type, v)));
    scf::YieldOp::create(ctx.b, ctx.loc, yielded);
  };
  terminate(*thenBlock, thenOuts);
  terminate(*elseBlock, elseOuts);
  OperationState state(ctx.loc, scf::IfOp::getOperationName());
  state.addOperands(flag);
  state.addTypes(types);
  state.addRegion()->push_back(thenBlock.release());
  state.addRegion()->push_back(elseBlock.release());
  Operation *op = ctx.b.create(state);
  ctx.outputs.assign(op->result_begin(), op->result_end());
  return success();
}

LogicalResult scanOp(NodeContext &ctx) {
  if (ctx.opset < 9)
    return ctx.error() << "Scan before opset 9 (with sequence_lens) is not "
                          "supported";
  OPTC_TRY(body, graphAttr(ctx, "body"));
  OPTC_TRY(numScanInputs, ctx.requiredIntAttr("num_scan_inputs"));
  int64_t numInputs = ctx.inputs.size();
  // Checked before the subtraction, which an absurd value would overflow.
  if (numScanInputs < 1 || numScanInputs > numInputs)
    return ctx.error() << "num_scan_inputs " << numScanInputs
                       << " does not fit " << numInputs << " inputs";
  int64_t numStates = numInputs - numScanInputs;
  for (Value v : ctx.inputs)
    if (!v)
      return ctx.error() << "inputs may not be omitted";
  int64_t numScanOutputs = ctx.node.output_size() - numStates;
  if (numScanOutputs < 0)
    return ctx.error() << "has fewer outputs than states";
  OPTC_TRY(inAxesRaw, ctx.intsAttr("scan_input_axes"));
  OPTC_TRY(inDirs, ctx.intsAttr("scan_input_directions"));
  OPTC_TRY(outAxesRaw, ctx.intsAttr("scan_output_axes"));
  OPTC_TRY(outDirs, ctx.intsAttr("scan_output_directions"));
  SmallVector<Value> states(ctx.inputs.begin(), ctx.inputs.begin() + numStates);
  SmallVector<Value> scans(ctx.inputs.begin() + numStates, ctx.inputs.end());
  SmallVector<int64_t> inAxes;
  int64_t steps = ShapedType::kDynamic;
  for (auto [i, v] : llvm::enumerate(scans)) {
    RankedTensorType t = ctx.typeOf(v);
    OPTC_TRY(axis, ctx.normalizeAxis(i < inAxesRaw.size() ? inAxesRaw[i] : 0,
                                     t.getRank(), "scan_input_axes entry"));
    if (t.isDynamicDim(axis) ||
        (!ShapedType::isDynamic(steps) && steps != t.getDimSize(axis)))
      return ctx.error() << "the scan inputs must share a static length";
    steps = t.getDimSize(axis);
    inAxes.push_back(axis);
  }
  auto reversedIn = [&](size_t i) { return i < inDirs.size() && inDirs[i]; };
  auto reversedOut = [&](size_t i) { return i < outDirs.size() && outDirs[i]; };

  // The slice of scan input i at step `index`, without the scan axis.
  auto sliceAt = [&](size_t i, Value index) -> FailureOr<Value> {
    RankedTensorType t = ctx.typeOf(scans[i]);
    SmallVector<OpFoldResult> offsets(t.getRank(), ctx.b.getIndexAttr(0)),
        sizes, strides(t.getRank(), ctx.b.getIndexAttr(1));
    for (int64_t d = 0; d < t.getRank(); ++d)
      sizes.push_back(ctx.b.getIndexAttr(d == inAxes[i] ? 1 : t.getDimSize(d)));
    offsets[inAxes[i]] = index;
    Value slab = tensor::ExtractSliceOp::create(ctx.b, ctx.loc, scans[i],
                                                offsets, sizes, strides);
    SmallVector<int64_t> shape(t.getShape());
    shape.erase(shape.begin() + inAxes[i]);
    Value r = ctx.reshape(slab, shape);
    if (!r)
      return failure();
    return r;
  };
  auto stepIndex = [&](Value iv, bool reverse) -> Value {
    if (!reverse)
      return iv;
    Value last = arith::ConstantIndexOp::create(ctx.b, ctx.loc, steps - 1);
    return arith::SubIOp::create(ctx.b, ctx.loc, last, iv);
  };

  // Import the body once on the first slices to learn the scan outputs'
  // types, then discard it.
  SmallVector<Type> sliceTypes;
  {
    auto probe = std::make_unique<Block>();
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToStart(probe.get());
    SmallVector<Value> args(states);
    Value zero = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 0);
    for (size_t i = 0; i < scans.size(); ++i) {
      OPTC_TRY(s, sliceAt(i, zero));
      args.push_back(s);
    }
    OPTC_TRY(outs, ctx.graph.importSubgraph(*body, *ctx.scope, args,
                                            *ctx.opsets, ctx.depth));
    if (static_cast<int64_t>(outs.size()) != numStates + numScanOutputs)
      return ctx.error() << "the body gives " << outs.size()
                         << " outputs, expected " << numStates + numScanOutputs;
    for (auto [i, v] : llvm::enumerate(outs)) {
      if (static_cast<int64_t>(i) < numStates &&
          v.getType() != states[i].getType())
        return ctx.error() << "state " << i << " changes type from "
                           << states[i].getType() << " to " << v.getType();
      if (static_cast<int64_t>(i) >= numStates)
        sliceTypes.push_back(v.getType());
    }
  }

  // Buffers for the scan outputs: the slice shape with the steps inserted.
  SmallVector<Value> inits(states);
  SmallVector<int64_t> outAxes;
  for (auto [i, type] : llvm::enumerate(sliceTypes)) {
    auto t = cast<RankedTensorType>(type);
    if (!t.hasStaticShape())
      return ctx.error() << "scan output " << i << " must have a static shape";
    OPTC_TRY(axis,
             ctx.normalizeAxis(i < outAxesRaw.size() ? outAxesRaw[i] : 0,
                               t.getRank() + 1, "scan_output_axes entry"));
    outAxes.push_back(axis);
    SmallVector<int64_t> shape(t.getShape());
    shape.insert(shape.begin() + axis, steps);
    inits.push_back(
        tensor::EmptyOp::create(ctx.b, ctx.loc, shape, t.getElementType()));
  }
  Value lb = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 0);
  Value ub = arith::ConstantIndexOp::create(ctx.b, ctx.loc, steps);
  Value one = arith::ConstantIndexOp::create(ctx.b, ctx.loc, 1);
  bool bodyFailed = false;
  auto loop = scf::ForOp::create(
      ctx.b, ctx.loc, lb, ub, one, inits,
      [&](OpBuilder &, Location, Value iv, ValueRange iterArgs) {
        auto fail = [&] {
          bodyFailed = true;
          scf::YieldOp::create(ctx.b, ctx.loc, iterArgs);
        };
        SmallVector<Value> args(iterArgs.take_front(numStates));
        for (size_t i = 0; i < scans.size(); ++i) {
          FailureOr<Value> s = sliceAt(i, stepIndex(iv, reversedIn(i)));
          if (failed(s))
            return fail();
          args.push_back(*s);
        }
        FailureOr<SmallVector<Value>> outs = ctx.graph.importSubgraph(
            *body, *ctx.scope, args, *ctx.opsets, ctx.depth);
        if (failed(outs))
          return fail();
        SmallVector<Value> yielded(outs->begin(), outs->begin() + numStates);
        for (int64_t k = 0; k < numScanOutputs; ++k) {
          Value slice = (*outs)[numStates + k];
          auto t = cast<RankedTensorType>(slice.getType());
          SmallVector<int64_t> withAxis(t.getShape());
          withAxis.insert(withAxis.begin() + outAxes[k], 1);
          SmallVector<int64_t> source =
              llvm::to_vector(llvm::seq<int64_t>(0, t.getRank()));
          source.insert(source.begin() + outAxes[k], -1);
          FailureOr<Value> reshaped = ctx.reshapeDims(slice, source);
          if (failed(reshaped))
            return fail();
          Value slab = *reshaped;
          SmallVector<OpFoldResult> offsets(withAxis.size(),
                                            ctx.b.getIndexAttr(0)),
              sizes, strides(withAxis.size(), ctx.b.getIndexAttr(1));
          for (int64_t d : withAxis)
            sizes.push_back(ctx.b.getIndexAttr(d));
          offsets[outAxes[k]] = stepIndex(iv, reversedOut(k));
          yielded.push_back(tensor::InsertSliceOp::create(
              ctx.b, ctx.loc, slab, iterArgs[numStates + k], offsets, sizes,
              strides));
        }
        scf::YieldOp::create(ctx.b, ctx.loc, yielded);
      });
  if (bodyFailed)
    return failure();
  ctx.outputs.assign(loop->result_begin(), loop->result_end());
  return success();
}

/// Loop as scf.while over (iteration, condition, loop-carried values...,
/// scan outputs so far): it runs while the iteration is below the trip
/// count M and the condition holds (either may be absent). Each scan output
/// grows by one row per iteration, so its length is unknown.
/// Loops of up to this many iterations may be unrolled.
constexpr int64_t kMaxUnrolledIterations = 64;

/// Unrolls a Loop whose trip count and conditions are constants: the body
/// is imported once per iteration, with the iteration number a constant.
/// Returns false (and builds nothing) when the trip count or a condition is
/// not a constant, or there are too many iterations; fails when the body
/// does not import.
FailureOr<bool> unrollLoop(NodeContext &ctx, const onnx::GraphProto &body,
                           Value limit, Value cond0, ArrayRef<Value> carried,
                           int64_t numScanOutputs, ArrayRef<Type> sliceTypes) {
  std::optional<SmallVector<int64_t>> trips =
      limit ? getConstantInts(limit) : std::nullopt;
  std::optional<SmallVector<int64_t>> keepGoing = getConstantInts(cond0);
  if (!trips || trips->size() != 1 || !keepGoing || keepGoing->size() != 1 ||
      (*trips)[0] > kMaxUnrolledIterations)
    return false;
  Type i64 = ctx.b.getI64Type();
  // Build in a scratch block, moved into place only when every condition
  // turned out constant.
  auto scratch = std::make_unique<Block>();
  SmallVector<Value> values(carried.begin(), carried.end());
  SmallVector<SmallVector<Value>> slices(numScanOutputs);
  {
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToStart(scratch.get());
    Value cond = cond0;
    for (int64_t k = 0; k < (*trips)[0] && (*keepGoing)[0]; ++k) {
      SmallVector<Value> args{ctx.scalar(i64, static_cast<double>(k)), cond};
      llvm::append_range(args, values);
      OPTC_TRY(outs, ctx.graph.importSubgraph(body, *ctx.scope, args,
                                              *ctx.opsets, ctx.depth));
      keepGoing = getConstantInts(outs[0]);
      if (!keepGoing || keepGoing->size() != 1)
        return false; // the scratch block and what it holds go away
      cond = outs[0];
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = outs[1 + i];
      for (int64_t j = 0; j < numScanOutputs; ++j)
        slices[j].push_back(outs[1 + values.size() + j]);
    }
    for (int64_t j = 0; j < numScanOutputs; ++j) {
      auto sliceType = cast<RankedTensorType>(sliceTypes[j]);
      if (slices[j].empty()) {
        SmallVector<int64_t> shape{0};
        for (int64_t d : sliceType.getShape())
          shape.push_back(ShapedType::isDynamic(d) ? 0 : d);
        values.push_back(ctx.splat(sliceType.clone(shape), 0));
        continue;
      }
      SmallVector<Value> rows;
      for (Value slice : slices[j]) {
        SmallVector<int64_t> source{-1};
        llvm::append_range(source,
                           llvm::seq<int64_t>(0, ctx.typeOf(slice).getRank()));
        OPTC_TRY(row, ctx.reshapeDims(slice, source));
        rows.push_back(row);
      }
      OPTC_TRY(stacked, ctx.create<ConcatOp>(rows, 0));
      values.push_back(stacked);
    }
  }
  Block *block = ctx.b.getInsertionBlock();
  block->getOperations().splice(ctx.b.getInsertionPoint(),
                                scratch->getOperations());
  ctx.outputs.assign(values.begin(), values.end());
  return true;
}

LogicalResult loopOp(NodeContext &ctx) {
  OPTC_TRY(body, graphAttr(ctx, "body"));
  Value tripCount = ctx.input(0), initialCond = ctx.input(1);
  SmallVector<Value> carried;
  for (size_t i = 2; i < ctx.inputs.size(); ++i) {
    if (!ctx.inputs[i])
      return ctx.error() << "loop-carried inputs may not be omitted";
    carried.push_back(ctx.inputs[i]);
  }
  int64_t numCarried = carried.size();
  int64_t numScanOutputs = ctx.node.output_size() - numCarried;
  if (numScanOutputs < 0)
    return ctx.error() << "has fewer outputs than loop-carried values";
  Type i64 = ctx.b.getI64Type(), i1 = ctx.b.getI1Type();
  auto scalarOf = [&](Value v, Type element) -> FailureOr<Value> {
    RankedTensorType t = ctx.typeOf(v);
    if (!t.hasStaticShape() || t.getNumElements() != 1)
      return ctx.error() << "expected a single value, found " << t;
    Value r = ctx.reshape(ctx.castTo(v, element), {});
    if (!r)
      return failure();
    return r;
  };
  Value limit;
  if (tripCount) {
    OPTC_TRY(m, scalarOf(tripCount, i64));
    limit = m;
  }
  Value cond0 = ctx.scalar(i1, 1);
  if (initialCond) {
    OPTC_TRY(c, scalarOf(initialCond, i1));
    cond0 = c;
  }

  // Probe the body once, on block arguments like the real body's, for the
  // types it gives: loop-carried values whose sizes change between
  // iterations are carried with those sizes unknown.
  SmallVector<Type> sliceTypes;
  SmallVector<Type> carriedTypes;
  for (Value v : carried)
    carriedTypes.push_back(v.getType());
  {
    auto probe = std::make_unique<Block>();
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToStart(probe.get());
    SmallVector<Value> args{
        probe->addArgument(ctx.typeOf(cond0).clone(i64), ctx.loc),
        probe->addArgument(cond0.getType(), ctx.loc)};
    for (Value v : carried)
      args.push_back(probe->addArgument(v.getType(), ctx.loc));
    OPTC_TRY(outs, ctx.graph.importSubgraph(*body, *ctx.scope, args,
                                            *ctx.opsets, ctx.depth));
    if (static_cast<int64_t>(outs.size()) != 1 + numCarried + numScanOutputs)
      return ctx.error() << "the body gives " << outs.size()
                         << " outputs, expected "
                         << 1 + numCarried + numScanOutputs;
    for (int64_t i = 0; i < numCarried; ++i) {
      if (outs[1 + i].getType() == carried[i].getType())
        continue;
      auto from = cast<RankedTensorType>(carried[i].getType());
      auto to = cast<RankedTensorType>(outs[1 + i].getType());
      if (from.getRank() != to.getRank() ||
          from.getElementType() != to.getElementType())
        return ctx.error() << "loop-carried value " << i
                           << " changes type from " << from << " to " << to;
      SmallVector<int64_t> shape;
      for (auto [a, b] : llvm::zip(from.getShape(), to.getShape()))
        shape.push_back(a == b ? a : ShapedType::kDynamic);
      carriedTypes[i] = from.clone(shape);
    }
    for (int64_t k = 0; k < numScanOutputs; ++k)
      sliceTypes.push_back(outs[1 + numCarried + k].getType());
  }

  // Sizes that change from iteration to iteration (a value grown by
  // concatenation, scan outputs) are unknown in a loop. When the number of
  // iterations is a small constant and the condition stays a constant, the
  // loop is unrolled instead, and every size is known.
  bool sizesChange = numScanOutputs > 0;
  for (auto [v, type] : llvm::zip(carried, carriedTypes))
    sizesChange |= v.getType() != type;
  if (sizesChange) {
    FailureOr<bool> unrolled = unrollLoop(ctx, *body, limit, cond0, carried,
                                          numScanOutputs, sliceTypes);
    if (failed(unrolled))
      return failure();
    if (*unrolled)
      return success();
  }

  SmallVector<Value> inits{ctx.scalar(i64, 0), cond0};
  for (auto [v, type] : llvm::zip(carried, carriedTypes))
    inits.push_back(v.getType() == type ? v
                                        : Value(tensor::CastOp::create(
                                              ctx.b, ctx.loc, type, v)));
  for (Type t : sliceTypes) {
    // No rows yet: a [0, ...] constant, typed with an unknown length. Sizes
    // a row does not know are 0 there; the first row replaces it (below).
    auto st = cast<RankedTensorType>(t);
    SmallVector<int64_t> shape{0};
    for (int64_t d : st.getShape())
      shape.push_back(ShapedType::isDynamic(d) ? 0 : d);
    Value none = ctx.splat(st.clone(shape), 0);
    shape.assign({ShapedType::kDynamic});
    llvm::append_range(shape, st.getShape());
    inits.push_back(
        tensor::CastOp::create(ctx.b, ctx.loc, st.clone(shape), none));
  }
  SmallVector<Type> types;
  for (Value v : inits)
    types.push_back(v.getType());
  SmallVector<Location> locs(types.size(), ctx.loc);
  auto loop = scf::WhileOp::create(ctx.b, ctx.loc, types, inits);
  bool bodyFailed = false;
  {
    OpBuilder::InsertionGuard guard(ctx.b);
    Block *before = ctx.b.createBlock(&loop.getBefore(), {}, types, locs);
    Value keepGoing = before->getArgument(1);
    if (limit) {
      FailureOr<Value> below = ctx.create<CompareOp>(
          ComparePredicate::lt, before->getArgument(0), limit);
      FailureOr<Value> both = succeeded(below)
                                  ? ctx.create<AndOp>(keepGoing, *below)
                                  : FailureOr<Value>(failure());
      if (failed(both))
        return failure();
      keepGoing = *both;
    }
    Value flag =
        tensor::ExtractOp::create(ctx.b, ctx.loc, keepGoing, ValueRange{});
    scf::ConditionOp::create(ctx.b, ctx.loc, flag, before->getArguments());
  }
  {
    OpBuilder::InsertionGuard guard(ctx.b);
    Block *after = ctx.b.createBlock(&loop.getAfter(), {}, types, locs);
    auto yieldArgs = [&] {
      bodyFailed = true;
      scf::YieldOp::create(ctx.b, ctx.loc, after->getArguments());
    };
    SmallVector<Value> args(after->getArguments().take_front(2 + numCarried));
    FailureOr<SmallVector<Value>> outs = ctx.graph.importSubgraph(
        *body, *ctx.scope, args, *ctx.opsets, ctx.depth);
    if (failed(outs)) {
      yieldArgs();
    } else {
      Value iter = after->getArgument(0);
      FailureOr<Value> next = ctx.create<AddOp>(iter, ctx.scalar(i64, 1));
      if (failed(next)) {
        yieldArgs();
      } else {
        SmallVector<Value> yielded{*next, (*outs)[0]};
        for (int64_t i = 0; i < numCarried; ++i) {
          Value v = (*outs)[1 + i];
          yielded.push_back(v.getType() == types[2 + i]
                                ? v
                                : Value(tensor::CastOp::create(
                                      ctx.b, ctx.loc, types[2 + i], v)));
        }
        for (int64_t k = 0; k < numScanOutputs && !bodyFailed; ++k) {
          Value slice = (*outs)[1 + numCarried + k];
          auto t = cast<RankedTensorType>(slice.getType());
          SmallVector<int64_t> source{-1};
          llvm::append_range(source, llvm::seq<int64_t>(0, t.getRank()));
          FailureOr<Value> reshaped = ctx.reshapeDims(slice, source);
          Value slab = succeeded(reshaped) ? *reshaped : Value();
          Value acc = after->getArgument(2 + numCarried + k);
          if (!slab) {
            bodyFailed = true;
            break;
          }
          auto castToAcc = [&](Value v) {
            return v.getType() == acc.getType()
                       ? v
                       : Value(tensor::CastOp::create(ctx.b, ctx.loc,
                                                      acc.getType(), v));
          };
          auto join = [&]() -> FailureOr<Value> {
            OPTC_TRY(joined, ctx.create<ConcatOp>(ValueRange{acc, slab}, 0));
            return castToAcc(joined);
          };
          if (t.hasStaticShape()) {
            FailureOr<Value> grown = join();
            if (failed(grown)) {
              bodyFailed = true;
              break;
            }
            yielded.push_back(*grown);
            continue;
          }
          // Row sizes known only at run time: the first row starts the
          // output; later rows are joined to it (the empty placeholder's
          // unknown sizes are 0, so joining to it would not fit).
          Value iterIndex = tensor::ExtractOp::create(
              ctx.b, ctx.loc, after->getArgument(0), ValueRange{});
          Value zero = arith::ConstantOp::create(ctx.b, ctx.loc,
                                                 ctx.b.getI64IntegerAttr(0));
          Value first = arith::CmpIOp::create(
              ctx.b, ctx.loc, arith::CmpIPredicate::eq, iterIndex, zero);
          auto ifOp = scf::IfOp::create(ctx.b, ctx.loc, acc.getType(), first,
                                        /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(ctx.b);
            ctx.b.setInsertionPointToStart(&ifOp.getThenRegion().front());
            scf::YieldOp::create(ctx.b, ctx.loc, castToAcc(slab));
            ctx.b.setInsertionPointToStart(&ifOp.getElseRegion().front());
            FailureOr<Value> grown = join();
            if (failed(grown)) {
              bodyFailed = true;
              scf::YieldOp::create(ctx.b, ctx.loc, acc);
            } else {
              scf::YieldOp::create(ctx.b, ctx.loc, *grown);
            }
          }
          if (bodyFailed)
            break;
          yielded.push_back(ifOp.getResult(0));
        }
        if (bodyFailed)
          scf::YieldOp::create(ctx.b, ctx.loc, after->getArguments());
        else
          scf::YieldOp::create(ctx.b, ctx.loc, yielded);
      }
    }
  }
  if (bodyFailed)
    return failure();
  ctx.outputs.assign(loop->result_begin() + 2,
                     loop->result_begin() + 2 + numCarried);
  ctx.outputs.append(loop->result_begin() + 2 + numCarried, loop->result_end());
  return success();
}

} // namespace

void onnx_import::registerControlFlowOps(OpRegistry &r) {
  r.add("", "If", ifOp);
  r.add("", "Scan", scanOp);
  r.add("", "Loop", loopOp);
}
