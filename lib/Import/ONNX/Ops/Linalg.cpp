//===- Linalg.cpp - ONNX MatMul, Gemm, MatMulInteger, Einsum --------------===//
//
// Gemm and Einsum decompose into transposes, reshapes, reductions and the
// batched optc.matmul; MatMulInteger with 2-D B into optc.integer_matmul,
// otherwise into casts to i32 and a matmul.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "optc/Support/Sizes.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

LogicalResult matmul(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(y, ctx.create<MatmulOp>(a, b));
  ctx.outputs = {y};
  return success();
}

LogicalResult gemm(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 1.0f));
  OPTC_TRY(transA, ctx.intAttr("transA", 0));
  OPTC_TRY(transB, ctx.intAttr("transB", 0));
  if (ctx.typeOf(a).getRank() != 2 || ctx.typeOf(b).getRank() != 2)
    return ctx.error() << "A and B must be 2-D";
  Type element = ctx.typeOf(a).getElementType();
  if (transA) {
    OPTC_TRY(t, ctx.create<TransposeOp>(a, ArrayRef<int64_t>{1, 0}));
    a = t;
  }
  if (transB) {
    OPTC_TRY(t, ctx.create<TransposeOp>(b, ArrayRef<int64_t>{1, 0}));
    b = t;
  }
  OPTC_TRY(y, ctx.create<MatmulOp>(a, b));
  if (alpha != 1.0f) {
    OPTC_TRY(scaled, ctx.create<MulOp>(y, ctx.scalar(element, alpha)));
    y = scaled;
  }
  if (Value c = ctx.input(2); c && beta != 0.0f) {
    if (beta != 1.0f) {
      OPTC_TRY(scaled, ctx.create<MulOp>(c, ctx.scalar(element, beta)));
      c = scaled;
    }
    OPTC_TRY(sum, ctx.create<AddOp>(y, c));
    // C broadcasts to Y, never the other way.
    if (sum.getType() != y.getType() &&
        ctx.typeOf(sum).getShape() != ctx.typeOf(y).getShape())
      return ctx.error() << "C does not broadcast to the product's shape "
                         << y.getType();
    y = sum;
  }
  ctx.outputs = {y};
  return success();
}

/// Whether MatMulInteger's operands fit optc.integer_matmul: A of rank 2
/// or more, B 2-D, zero points of one value, or [M] for A, [N] for B.
bool fitsIntegerMatmul(NodeContext &ctx, Value a, Value b, Value az, Value bz) {
  RankedTensorType at = ctx.typeOf(a), bt = ctx.typeOf(b);
  if (at.getRank() < 2 || bt.getRank() != 2)
    return false;
  auto fits = [&](Value zero, int64_t per) {
    if (!zero)
      return true;
    RankedTensorType zt = ctx.typeOf(zero);
    return zt.getRank() == 0 ||
           (zt.getRank() == 1 &&
            (zt.getDimSize(0) == 1 || zt.getDimSize(0) == per));
  };
  return fits(az, at.getDimSize(at.getRank() - 2)) &&
         fits(bz, bt.getDimSize(1));
}

LogicalResult matmulInteger(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(y, integerProduct(ctx, a, b, ctx.input(2), ctx.input(3)));
  ctx.outputs = {y};
  return success();
}

/// Einsum over one or two operands: labels summed in one operand only are
/// reduced first; the rest becomes a batched matmul of
/// [batch, left, contracted] x [batch, contracted, right].
class Einsum {
public:
  Einsum(NodeContext &ctx) : ctx(ctx) {}

  LogicalResult run() {
    OPTC_TRY(equation, ctx.stringAttr("equation", ""));
    std::string eq;
    for (char c : equation)
      if (c != ' ')
        eq += c;
    llvm::StringRef lhs = eq, rhs;
    bool explicitOutput = llvm::StringRef(eq).contains("->");
    if (explicitOutput)
      std::tie(lhs, rhs) = llvm::StringRef(eq).split("->");
    SmallVector<llvm::StringRef> terms;
    lhs.split(terms, ',');
    if (terms.size() != ctx.inputs.size() || terms.empty() || terms.size() > 2)
      return ctx.error() << "equation '" << equation << "' has " << terms.size()
                         << " operands, the node " << ctx.inputs.size()
                         << " (optc supports one or two)";
    // Expand each term's labels, turning "..." into fresh labels.
    int64_t ellipsisRank = 0;
    for (auto [t, term] : llvm::enumerate(terms)) {
      if (!ctx.inputs[t])
        return ctx.error() << "inputs may not be omitted";
      int64_t rank = ctx.typeOf(ctx.inputs[t]).getRank();
      int64_t named = term.size() - (term.contains("...") ? 3 : 0);
      if (term.contains("..."))
        ellipsisRank = std::max(ellipsisRank, rank - named);
    }
    for (auto [t, term] : llvm::enumerate(terms)) {
      int64_t rank = ctx.typeOf(ctx.inputs[t]).getRank();
      OPTC_TRY(labels, expand(term, rank));
      operandLabels.push_back(labels);
    }
    std::string out;
    if (explicitOutput) {
      int64_t outNamed = rhs.size() - (rhs.contains("...") ? 3 : 0);
      OPTC_TRY(
          o, expand(rhs, outNamed + (rhs.contains("...") ? ellipsisRank : 0)));
      out = o;
    } else {
      // Implicit output: the ellipsis, then labels seen once, sorted.
      std::string once;
      std::map<char, int> counts;
      for (const std::string &l : operandLabels)
        for (char c : l)
          ++counts[c];
      for (char c : ellipsisLabels)
        out += c;
      for (auto [c, n] : counts)
        if (n == 1 && !llvm::is_contained(ellipsisLabels, c))
          out += c;
    }
    for (const std::string &l : operandLabels)
      for (char c : l)
        if (llvm::count(l, c) > 1)
          return ctx.error() << "repeated labels within an operand "
                                "(diagonals) are not supported";
    // Reduce labels that appear in one operand only and not in the output.
    SmallVector<Value> values(ctx.inputs.begin(), ctx.inputs.end());
    for (size_t t = 0; t < values.size(); ++t) {
      SmallVector<int64_t> axes;
      std::string kept;
      for (auto [i, c] : llvm::enumerate(operandLabels[t])) {
        bool elsewhere = llvm::is_contained(out, c);
        for (size_t u = 0; u < values.size(); ++u)
          if (u != t && llvm::is_contained(operandLabels[u], c))
            elsewhere = true;
        if (elsewhere)
          kept += c;
        else
          axes.push_back(i);
      }
      if (!axes.empty()) {
        OPTC_TRY(r, ctx.create<ReduceSumOp>(values[t], axes, false));
        values[t] = r;
        operandLabels[t] = kept;
      }
    }
    Value result;
    std::string resultLabels;
    if (values.size() == 1) {
      result = values[0];
      resultLabels = operandLabels[0];
    } else {
      OPTC_TRY(r, contract(values[0], operandLabels[0], values[1],
                           operandLabels[1], out, resultLabels));
      result = r;
    }
    // Bring the labels into the output's order.
    SmallVector<int64_t> perm;
    for (char c : out) {
      size_t pos = resultLabels.find(c);
      if (pos == std::string::npos)
        return ctx.error() << "output label '" << c
                           << "' does not appear in any operand";
      perm.push_back(pos);
    }
    if (perm.size() != resultLabels.size())
      return ctx.error() << "internal error: labels left over";
    OPTC_TRY(y, ctx.create<TransposeOp>(result, perm));
    ctx.outputs = {y};
    return success();
  }

private:
  NodeContext &ctx;
  SmallVector<std::string> operandLabels;
  std::string ellipsisLabels;

  FailureOr<std::string> expand(llvm::StringRef term, int64_t rank) {
    std::string labels;
    size_t dots = term.find("...");
    int64_t named = term.size() - (dots == llvm::StringRef::npos ? 0 : 3);
    if (dots == llvm::StringRef::npos) {
      if (named != rank)
        return ctx.error() << "term '" << term << "' has " << named
                           << " labels for an operand of rank " << rank;
      return term.str();
    }
    int64_t extra = rank - named;
    if (extra < 0)
      return ctx.error() << "term '" << term << "' has more labels than the "
                         << "operand's rank " << rank;
    // Ellipsis labels are shared and right-aligned, numpy style; use
    // characters no equation uses.
    while (static_cast<int64_t>(ellipsisLabels.size()) < extra)
      ellipsisLabels.insert(ellipsisLabels.begin(),
                            static_cast<char>('0' + ellipsisLabels.size()));
    labels = term.take_front(dots).str();
    labels += ellipsisLabels.substr(ellipsisLabels.size() - extra);
    labels += term.drop_front(dots + 3).str();
    return labels;
  }

  FailureOr<Value> contract(Value a, std::string la, Value b, std::string lb,
                            const std::string &out, std::string &resultLabels) {
    std::string batch, left, right, sum;
    for (char c : la) {
      bool inB = llvm::is_contained(lb, c), inOut = llvm::is_contained(out, c);
      if (inB && inOut)
        batch += c;
      else if (inB)
        sum += c;
      else
        left += c;
    }
    for (char c : lb)
      if (!llvm::is_contained(la, c))
        right += c;
    RankedTensorType ta = ctx.typeOf(a), tb = ctx.typeOf(b);
    auto sizeOf = [&](char c) -> int64_t {
      size_t pa = la.find(c), pb = lb.find(c);
      int64_t sa = pa == std::string::npos ? 1 : ta.getDimSize(pa);
      int64_t sb = pb == std::string::npos ? 1 : tb.getDimSize(pb);
      if (ShapedType::isDynamic(sa) || ShapedType::isDynamic(sb))
        return ShapedType::kDynamic;
      return std::max(sa, sb); // one of them may broadcast from 1
    };
    // kDynamic for an unknown size; std::nullopt on overflow (broadcast
    // batch sizes come from both operands).
    auto product = [&](const std::string &labels) -> std::optional<int64_t> {
      SmallVector<int64_t> dims;
      for (char c : labels) {
        int64_t s = sizeOf(c);
        if (ShapedType::isDynamic(s))
          return ShapedType::kDynamic;
        dims.push_back(s);
      }
      return sizes::product(dims);
    };
    auto permuted = [&](Value v, const std::string &from,
                        const std::string &to) -> FailureOr<Value> {
      SmallVector<int64_t> perm;
      for (char c : to)
        perm.push_back(from.find(c));
      return ctx.create<TransposeOp>(v, perm);
    };
    std::optional<int64_t> products[] = {product(batch), product(left),
                                         product(right), product(sum)};
    if (llvm::is_contained(products, std::nullopt))
      return ctx.error() << "einsum of " << ctx.typeOf(a) << " and "
                         << ctx.typeOf(b) << ": a product of sizes overflows "
                         << "int64";
    int64_t nb = *products[0], nl = *products[1], nr = *products[2],
            ns = *products[3];
    if (ShapedType::isDynamic(nb) || ShapedType::isDynamic(nl) ||
        ShapedType::isDynamic(nr) || ShapedType::isDynamic(ns))
      return ctx.error() << "einsum needs static operand shapes";
    // Broadcast batch labels of size 1 on one side are materialised first.
    SmallVector<int64_t> fullA, fullB;
    for (char c : batch + left + sum)
      fullA.push_back(sizeOf(c));
    for (char c : batch + sum + right)
      fullB.push_back(sizeOf(c));
    OPTC_TRY(pa, permuted(a, la, batch + left + sum));
    OPTC_TRY(pb, permuted(b, lb, batch + sum + right));
    OPTC_TRY(ba, ctx.create<BroadcastOp>(pa, fullA));
    OPTC_TRY(bb, ctx.create<BroadcastOp>(pb, fullB));
    Value ra = ctx.reshape(ba, {nb, nl, ns});
    Value rb = ctx.reshape(bb, {nb, ns, nr});
    if (!ra || !rb)
      return failure();
    OPTC_TRY(m, ctx.create<MatmulOp>(ra, rb));
    SmallVector<int64_t> shape;
    for (char c : batch + left + right)
      shape.push_back(sizeOf(c));
    Value r = ctx.reshape(m, shape);
    if (!r)
      return failure();
    resultLabels = batch + left + right;
    return r;
  }
};

LogicalResult einsum(NodeContext &ctx) { return Einsum(ctx).run(); }

} // namespace

FailureOr<Value> onnx_import::integerProduct(NodeContext &ctx, Value a, Value b,
                                             Value az, Value bz) {
  // One op where it can say it: code generation runs it on 8-bit dot
  // products. Otherwise both operands widen to i32.
  if (fitsIntegerMatmul(ctx, a, b, az, bz)) {
    RankedTensorType at = ctx.typeOf(a);
    SmallVector<int64_t> shape(at.getShape());
    shape.back() = ctx.typeOf(b).getDimSize(1);
    auto type = RankedTensorType::get(shape, ctx.b.getI32Type());
    return ctx.finish(IntegerMatmulOp::create(ctx.b, ctx.loc, type, a, b, az,
                                              bz, /*rhs_transposed=*/false));
  }
  Type i32 = ctx.b.getI32Type();
  Value a32 = ctx.castTo(a, i32), b32 = ctx.castTo(b, i32);
  if (az) {
    // A per-row zero point of A (shape [M]) applies along rows.
    RankedTensorType azt = ctx.typeOf(az);
    Value z = ctx.castTo(az, i32);
    if (azt.getRank() == 1 && ctx.typeOf(a).getRank() >= 2) {
      z = ctx.reshape(z, {-1, 1});
      if (!z)
        return failure();
    }
    OPTC_TRY(d, ctx.create<SubOp>(a32, z));
    a32 = d;
  }
  if (bz) {
    OPTC_TRY(d, ctx.create<SubOp>(b32, ctx.castTo(bz, i32)));
    b32 = d;
  }
  return ctx.create<MatmulOp>(a32, b32);
}

void onnx_import::registerLinalgOps(OpRegistry &r) {
  r.add("", "MatMul", matmul);
  // Gemm-1/6's `broadcast` for C: C broadcasts as from Gemm-7 on.
  r.add("", "Gemm", gemm, 1);
  r.add("", "MatMulInteger", matmulInteger);
  r.add("", "Einsum", einsum);
}
