//===- PackWeights.cpp - constant 8-bit weights in the kernel's panels ----===//
//
// Implements --optc-pack-weights. See the pass description.
//
// The panels hold B's bytes as they are (no flip: the kernel makes A take
// whichever role of vpdpbusd B does not), in the order of
// optc_igemm_panel_byte, zeros in the padding. The new constant is a blob
// named after the old one's (".panels" added); the old one is left to dead
// code elimination and --optc-release-unused-blobs.
//
//===----------------------------------------------------------------------===//

#include "passes/Fusion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

#include "optc/runtime_support.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCPACKWEIGHTS
#include "passes/Fusion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

namespace {

/// The panels of `op`'s constant B, or null when B is not a readable
/// constant with static sizes.
Value panelsOf(OpBuilder &b, IntegerMatmulOp op) {
  auto constant = op.getRhs().getDefiningOp<ConstantOp>();
  int64_t k = op.getDepth(), n = op.getColumns();
  if (!constant || ShapedType::isDynamic(k) || ShapedType::isDynamic(n) ||
      k == 0 || n == 0)
    return {};
  std::optional<std::vector<uint8_t>> codes = quantCodesOf(constant.getValue());
  if (!codes || static_cast<int64_t>(codes->size()) != k * n)
    return {};
  std::vector<char> panels(static_cast<size_t>(optc_igemm_panel_bytes(k, n)),
                           0);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j)
      panels[optc_igemm_panel_byte(i, j, k)] =
          static_cast<char>((*codes)[op.rhsOffset(i, j)]);
  auto type = RankedTensorType::get({(n + 15) / 16, (k + 3) / 4, 16, 4},
                                    op.getRhs().getType().getElementType());
  auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue());
  std::string key =
      (resource ? resource.getRawHandle().getKey() : StringRef("weights"))
          .str() +
      ".panels";
  return ConstantOp::create(
      b, constant.getLoc(),
      DenseResourceElementsAttr::get(
          type, key,
          HeapAsmResourceBlob::allocateAndCopyWithAlign(panels,
                                                        /*align=*/64)));
}

struct PackWeightsPass
    : public mlir::optc::impl::OptcPackWeightsBase<PackWeightsPass> {
  void runOnOperation() override {
    SmallVector<IntegerMatmulOp> products;
    getOperation().walk([&](IntegerMatmulOp op) {
      if (!op.getRhsPanels())
        products.push_back(op);
    });
    // A weight shared by several products is packed once.
    llvm::DenseMap<Value, Value> packed;
    IRRewriter rewriter(&getContext());
    for (IntegerMatmulOp op : products) {
      Value &panels = packed[op.getRhs()];
      if (!panels) {
        rewriter.setInsertionPointAfterValue(op.getRhs());
        panels = panelsOf(rewriter, op);
      }
      if (!panels)
        continue;
      rewriter.modifyOpInPlace(op, [&] {
        op.getRhsMutable().assign(panels);
        op.setRhsTransposed(false);
        op.setRhsPanels(true);
      });
    }
  }
};

} // namespace
