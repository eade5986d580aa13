//===- PlanMemory.cpp - the host program's buffers in one arena
//------------===//
//
// Implements --optc-plan-memory. The host function is straight-line code of
// kernel calls on buffers, so a buffer's lifetime is an interval of
// positions in @main's block: from its first use (its allocation, or the
// kernel that writes it) to the last use of it or of any view of it.
// Buffers with disjoint lifetimes may share memory. Placement is greedy by
// size (the largest buffer first, at the lowest 64-byte-aligned offset that
// overlaps no placed buffer alive at the same time), a good heuristic for
// this NP-hard problem; buffers a kernel may write in place over one of its
// inputs are merged with that input first and always share its offset.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "optc/Support/Sizes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/EquivalenceClasses.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCPLANMEMORY
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

static constexpr int64_t kAlignment = 64;

namespace {
/// One buffer (or several merged by in-place use) to place.
struct Buffer {
  SmallVector<memref::AllocOp> allocs;
  int64_t bytes = 0;
  int64_t start = 0, end = 0; // positions in the block, inclusive
  int64_t offset = -1;
};
} // namespace

/// The position in `block` of the ancestor of `op` there.
static int64_t positionIn(Block &block, Operation *op,
                          const DenseMap<Operation *, int64_t> &positions) {
  Operation *ancestor = block.findAncestorOpInBlock(*op);
  return ancestor ? positions.lookup(ancestor) : -1;
}

/// The last position where `value` or a view of it is used.
static int64_t lastUse(Block &block, Value value,
                       const DenseMap<Operation *, int64_t> &positions) {
  int64_t last = -1;
  SmallVector<Value> worklist{value};
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (Operation *user : current.getUsers()) {
      last = std::max(last, positionIn(block, user, positions));
      if (isa<ViewLikeOpInterface>(user))
        for (Value result : user->getResults())
          worklist.push_back(result);
    }
  }
  return last;
}

/// The buffer behind `value` through view ops, if it is one of `allocs`.
static memref::AllocOp allocBehind(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op))
      return alloc;
    auto view = dyn_cast<ViewLikeOpInterface>(op);
    if (!view)
      return nullptr;
    value = view.getViewSource();
  }
  return nullptr;
}

/// The buffer behind `value` through reshapes only (which keep the order of
/// the elements), if it is a static, identity-layout allocation.
static memref::AllocOp allocBehindReshapes(Value value) {
  while (isa_and_nonnull<memref::ExpandShapeOp, memref::CollapseShapeOp>(
      value.getDefiningOp()))
    value = value.getDefiningOp()->getOperand(0);
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  if (!alloc || !alloc.getType().hasStaticShape() ||
      !alloc.getType().getLayout().isIdentity())
    return nullptr;
  return alloc;
}

/// `target` (static, identity layout) seen with the shape of `type`, which
/// has as many elements: collapsed to one dimension, then expanded.
static Value reshapedTo(OpBuilder &b, Location loc, Value target,
                        MemRefType type) {
  auto targetType = cast<MemRefType>(target.getType());
  if (targetType.getShape() == type.getShape())
    return target;
  auto all = [](int64_t rank) {
    ReassociationIndices dims;
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d);
    return SmallVector<ReassociationIndices>{dims};
  };
  Value flat = target;
  if (targetType.getRank() != 1)
    flat = memref::CollapseShapeOp::create(b, loc, target,
                                           all(targetType.getRank()));
  if (type.getRank() == 1)
    return flat;
  return memref::ExpandShapeOp::create(b, loc, type.getShape(), flat,
                                       all(type.getRank()));
}

/// Bufferisation computes a function's result in a new buffer and copies it
/// into the out-parameter at the end, also when the result is a reshaped
/// view of that buffer. When nothing else touches the out-parameter, the
/// buffer is the out-parameter (reshaped): the copy and the allocation go.
static void writeResultsInPlace(func::FuncOp func) {
  if (func.isExternal())
    return;
  Block &entry = func.getBody().front();
  for (auto copy : llvm::make_early_inc_range(entry.getOps<memref::CopyOp>())) {
    auto target = dyn_cast<BlockArgument>(copy.getTarget());
    memref::AllocOp alloc = allocBehindReshapes(copy.getSource());
    auto targetType = dyn_cast<MemRefType>(copy.getTarget().getType());
    if (!target || target.getOwner() != &entry || !target.hasOneUse() ||
        !alloc || alloc->getBlock() != &entry || !targetType ||
        !targetType.hasStaticShape() || !targetType.getLayout().isIdentity() ||
        targetType.getElementType() != alloc.getType().getElementType() ||
        targetType.getNumElements() != alloc.getType().getNumElements() ||
        targetType.getRank() == 0 || alloc.getType().getRank() == 0)
      continue;
    // Every other use of the buffer or of a view of it comes before the
    // copy (deallocations aside, which go with it).
    bool before = true;
    SmallVector<Value> worklist{alloc.getResult()};
    while (!worklist.empty() && before) {
      Value current = worklist.pop_back_val();
      for (Operation *user : current.getUsers()) {
        if (user == copy || isa<memref::DeallocOp>(user))
          continue;
        if (isa<ViewLikeOpInterface>(user)) {
          llvm::append_range(worklist, user->getResults());
          continue;
        }
        Operation *ancestor = entry.findAncestorOpInBlock(*user);
        before &= ancestor && ancestor->isBeforeInBlock(copy);
      }
    }
    if (!before)
      continue;
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    copy.erase();
    OpBuilder builder(alloc);
    alloc.replaceAllUsesWith(
        reshapedTo(builder, alloc.getLoc(), target, alloc.getType()));
    alloc.erase();
  }
}

namespace {
struct PlanMemoryPass
    : public mlir::optc::impl::OptcPlanMemoryBase<PlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      writeResultsInPlace(func);
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main || main.isExternal())
      return;
    Block &block = main.getBody().front();
    DenseMap<Operation *, int64_t> positions;
    int64_t position = 0;
    for (Operation &op : block)
      positions[&op] = position++;

    // The buffers the plan can place: static, identity layout, top level.
    SmallVector<memref::AllocOp> allocs;
    for (auto alloc : block.getOps<memref::AllocOp>())
      if (alloc.getType().hasStaticShape() &&
          alloc.getType().getLayout().isIdentity() &&
          alloc.getType().getElementType().isIntOrFloat())
        allocs.push_back(alloc);

    // In-place pairs: a kernel call whose in-place input is a planned
    // buffer that dies at the call, and whose output is another of the
    // same size.
    llvm::EquivalenceClasses<Operation *> groups;
    for (memref::AllocOp alloc : allocs)
      groups.insert(alloc);
    auto byteSize = [](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      // The buffer of a verified tensor, within the limits per tensor.
      std::optional<int64_t> elements =
          optc::sizes::numElements(type.getShape());
      std::optional<int64_t> bytes =
          elements ? optc::sizes::packedBytes(*elements,
                                              type.getElementTypeBitWidth())
                   : std::nullopt;
      assert(bytes && "a buffer within the limits per tensor");
      return *bytes;
    };
    for (auto call : block.getOps<func::CallOp>()) {
      auto kernel = module.lookupSymbol<func::FuncOp>(call.getCallee());
      auto inPlace =
          kernel ? kernel->getAttrOfType<DenseI64ArrayAttr>("optc.in_place")
                 : nullptr;
      if (!inPlace || call.getNumOperands() == 0)
        continue;
      // After buffer-results-to-out-params the output is the last operand.
      memref::AllocOp output = allocBehind(call.getOperands().back());
      for (int64_t index : inPlace.asArrayRef()) {
        if (index >= int64_t(call.getNumOperands()) - 1)
          continue;
        memref::AllocOp input = allocBehind(call.getOperand(index));
        if (!output || !input || input == output || !groups.contains(input) ||
            !groups.contains(output) || byteSize(input) != byteSize(output) ||
            lastUse(block, input.getResult(), positions) != positions[call])
          continue;
        groups.unionSets(input, output);
        break;
      }
    }

    // One buffer per group; its lifetime covers its members'.
    SmallVector<Buffer> buffers;
    DenseMap<Operation *, unsigned> bufferOf;
    for (memref::AllocOp alloc : allocs) {
      Operation *leader = groups.getLeaderValue(alloc);
      auto [it, inserted] = bufferOf.try_emplace(leader, buffers.size());
      if (inserted)
        buffers.emplace_back();
      Buffer &buffer = buffers[it->second];
      buffer.allocs.push_back(alloc);
      buffer.bytes = std::max(buffer.bytes, byteSize(alloc));
      // An allocation hoisted ahead of its writer starts living at its
      // first use.
      int64_t first = -1;
      for (Operation *user : alloc->getUsers()) {
        int64_t at = positionIn(block, user, positions);
        first = first < 0 ? at : std::min(first, at);
      }
      if (first < 0)
        first = positions[alloc];
      int64_t last =
          std::max(first, lastUse(block, alloc.getResult(), positions));
      if (buffer.allocs.size() == 1) {
        buffer.start = first;
        buffer.end = last;
      } else {
        buffer.start = std::min(buffer.start, first);
        buffer.end = std::max(buffer.end, last);
      }
    }

    // Greedy by size.
    // Largest first; equal sizes in program order, for a stable plan.
    SmallVector<Buffer *> order;
    for (Buffer &buffer : buffers)
      order.push_back(&buffer);
    llvm::sort(order, [](Buffer *a, Buffer *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
    });
    // Every offset and end below is at most the sum of all the buffers'
    // aligned sizes: checked once here, the sums below cannot overflow.
    int64_t allBytes = 0;
    for (Buffer &buffer : buffers) {
      std::optional<int64_t> sum = optc::sizes::add(
          allBytes,
          llvm::alignTo(std::max<int64_t>(buffer.bytes, 1), kAlignment));
      if (!sum) {
        main.emitError("the buffers of @main take more than 2^63 bytes");
        return signalPassFailure();
      }
      allBytes = *sum;
    }
    SmallVector<Buffer *> placed;
    int64_t arenaSize = 0;
    for (Buffer *buffer : order) {
      int64_t size =
          llvm::alignTo(std::max<int64_t>(buffer->bytes, 1), kAlignment);
      // Candidate offsets: 0 and the end of every placed buffer alive at
      // the same time; take the lowest that fits.
      SmallVector<Buffer *> alive;
      for (Buffer *other : placed)
        if (other->start <= buffer->end && buffer->start <= other->end)
          alive.push_back(other);
      SmallVector<int64_t> candidates{0};
      for (Buffer *other : alive)
        candidates.push_back(
            other->offset +
            llvm::alignTo(std::max<int64_t>(other->bytes, 1), kAlignment));
      llvm::sort(candidates);
      for (int64_t candidate : candidates) {
        bool fits = llvm::all_of(alive, [&](Buffer *other) {
          int64_t otherSize =
              llvm::alignTo(std::max<int64_t>(other->bytes, 1), kAlignment);
          return candidate + size <= other->offset ||
                 other->offset + otherSize <= candidate;
        });
        if (fits) {
          buffer->offset = candidate;
          break;
        }
      }
      arenaSize = std::max(arenaSize, buffer->offset + size);
      placed.push_back(buffer);
    }

    if (arenaSize > optc::kMaxArenaBytes) {
      main.emitError() << "the model needs " << arenaSize
                       << " bytes of scratch memory at once, more than "
                          "optc's limit of 2^42 bytes";
      return signalPassFailure();
    }

    // The arena argument, and views of it in place of the allocations.
    MLIRContext *context = &getContext();
    auto arenaType = MemRefType::get({arenaSize}, IntegerType::get(context, 8));
    if (failed(main.insertArgument(main.getNumArguments(), arenaType,
                                   DictionaryAttr::get(context),
                                   main.getLoc())))
      return signalPassFailure();
    Value arena = main.getArgument(main.getNumArguments() - 1);
    OpBuilder builder(context);
    for (Buffer &buffer : buffers) {
      for (memref::AllocOp alloc : buffer.allocs) {
        builder.setInsertionPoint(alloc);
        Value offset = arith::ConstantIndexOp::create(builder, alloc.getLoc(),
                                                      buffer.offset);
        Value view =
            memref::ViewOp::create(builder, alloc.getLoc(), alloc.getType(),
                                   arena, offset, ValueRange{});
        for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
          if (isa<memref::DeallocOp>(user))
            user->erase();
        alloc.replaceAllUsesWith(view);
        alloc.erase();
      }
    }
    module->setAttr("optc.arena_size",
                    IntegerAttr::get(IntegerType::get(context, 64), arenaSize));
  }
};
} // namespace
