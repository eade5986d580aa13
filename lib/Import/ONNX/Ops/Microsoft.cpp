//===- Microsoft.cpp - com.microsoft contrib ops --------------------------===//
//
// The contrib ops that onnxruntime's quantisation and transformer
// optimisation tools write into models, decomposed into core ops with the
// arithmetic onnxruntime's CPU kernels use (the reference the e2e tests
// compare with), in three files:
//
// - MicrosoftFused.cpp: the activations Gelu, BiasGelu, FastGelu (tanh
//   approximation) and QuickGelu; the normalisations SkipLayerNormalization,
//   SkipSimplifiedLayerNormalization and SimplifiedLayerNormalization (of the
//   ai.onnx domain, version 1, like onnxruntime registers it); FusedMatMul
//   (transposes of the matrices and of the batch, alpha), FusedConv (Conv +
//   Z + activation), GatherND (ONNX's, batch_dims = 0);
// - MicrosoftAttention.cpp: Attention and QAttention (packed QKV weights,
//   mask_index forms, causal, past/present), RotaryEmbedding (position ids
//   or an offset), GroupQueryAttention (no padding, uniform past);
// - MicrosoftQuantized.cpp: MatMulIntegerToFloat, DynamicQuantizeMatMul (the
//   activation quantised at run time to uint8 exactly as onnxruntime does),
//   DynamicQuantizeLSTM.
//
// Where an op is an ONNX op with other inputs or attributes, the node is
// rewritten and converted by the ONNX op's converter (convertAs), so there
// is one decomposition of each computation. This file holds the helpers the
// families share (MicrosoftCommon.h) and registerMicrosoftOps.
//
//===----------------------------------------------------------------------===//

#include "MicrosoftCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;
using namespace mlir::optc::onnx_import::microsoft;

onnx::NodeProto microsoft::synthesize(const NodeContext &ctx,
                                      llvm::StringRef opType,
                                      ArrayRef<const char *> inputs,
                                      ArrayRef<const char *> outputs) {
  onnx::NodeProto node;
  node.set_name(ctx.node.name());
  node.set_op_type(opType.str());
  for (const char *name : inputs)
    node.add_input(name);
  for (const char *name : outputs)
    node.add_output(name);
  return node;
}

FailureOr<SmallVector<Value>> microsoft::convertAs(NodeContext &ctx,
                                                   const onnx::NodeProto &node,
                                                   int64_t opset,
                                                   SmallVector<Value> inputs) {
  const OpRegistry::Entry *entry =
      OpRegistry::get().lookup(node.domain(), node.op_type());
  if (!entry || opset < entry->minOpset || opset > entry->maxOpset)
    return ctx.error() << "internal error: no converter for " << node.op_type()
                       << " at opset " << opset;
  NodeContext sub(ctx.graph, node, ctx.index, opset, ctx.b, ctx.loc,
                  std::move(inputs));
  sub.scope = ctx.scope;
  sub.opsets = ctx.opsets;
  sub.depth = ctx.depth;
  if (failed(entry->convert(sub)))
    return failure();
  return sub.outputs;
}

bool microsoft::wantsOutput(const NodeContext &ctx, int i) {
  return i < ctx.node.output_size() && !ctx.node.output(i).empty();
}

FailureOr<Value> microsoft::lastAxisSlice(NodeContext &ctx, Value x,
                                          int64_t start, int64_t limit) {
  int64_t rank = ctx.typeOf(x).getRank();
  SmallVector<int64_t> starts(rank, 0), limits(rank, kEnd), strides(rank, 1);
  starts.back() = start;
  limits.back() = limit;
  return ctx.create<SliceOp>(x, starts, limits, strides);
}

FailureOr<Value> microsoft::asScalar(NodeContext &ctx, Value v,
                                     llvm::StringRef name) {
  RankedTensorType t = ctx.typeOf(v);
  if (t.getRank() == 0)
    return v;
  if (!t.hasStaticShape() || t.getNumElements() != 1)
    return ctx.error() << name << " must be a scalar (per-tensor), found " << t;
  Value r = ctx.reshape(v, {});
  if (!r)
    return failure();
  return r;
}

FailureOr<Value> microsoft::shiftedI32(NodeContext &ctx, Value x, Value zp) {
  Type i32 = ctx.b.getI32Type();
  Value v = ctx.castTo(x, i32);
  if (!zp)
    return v;
  return ctx.create<SubOp>(v, ctx.castTo(zp, i32));
}

FailureOr<Value> microsoft::scaleAccumulator(NodeContext &ctx, Value acc,
                                             Value scale, Value bias) {
  Type f = ctx.typeOf(scale).getElementType();
  OPTC_TRY(y, ctx.create<MulOp>(ctx.castTo(acc, f), scale));
  if (!bias)
    return y;
  return ctx.create<AddOp>(y, bias);
}

bool microsoft::constantIsAll(Value v, int64_t expected) {
  std::optional<SmallVector<int64_t>> values = getConstantInts(v);
  return !values ||
         llvm::all_of(*values, [&](int64_t x) { return x == expected; });
}

void onnx_import::registerMicrosoftOps(OpRegistry &r) {
  registerMicrosoftFusedOps(r);
  registerMicrosoftAttentionOps(r);
  registerMicrosoftQuantizedOps(r);
  registerMicrosoftNBitsOps(r);
}
