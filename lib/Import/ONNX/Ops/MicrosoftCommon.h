//===- MicrosoftCommon.h - com.microsoft contrib ops' helpers ---*- C++ -*-===//
//
// Internal to the converters of the com.microsoft contrib ops
// (Microsoft*.cpp): converting a rewritten or synthesised node with the
// converter of the ONNX op it becomes, and the slicing and integer-product
// helpers the op families share (defined in Microsoft.cpp). Each family's
// file has a registration function that registerMicrosoftOps calls.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_IMPORT_ONNX_OPS_MICROSOFTCOMMON_H
#define OPTC_LIB_IMPORT_ONNX_OPS_MICROSOFTCOMMON_H

#include "../ImportContext.h"

#include <limits>

namespace mlir::optc::onnx_import::microsoft {

/// The limit of a slice that runs to the end of its axis.
constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

/// A node of the default domain, named like the node being imported, with
/// these inputs and outputs and no attributes.
onnx::NodeProto synthesize(const NodeContext &ctx, llvm::StringRef opType,
                           ArrayRef<const char *> inputs,
                           ArrayRef<const char *> outputs);

/// Converts `node` (a rewritten copy of the node being imported) on
/// `inputs` with the converter the registry has for its domain and op type
/// at `opset`; returns its outputs. Errors are still about the original
/// node.
FailureOr<SmallVector<Value>> convertAs(NodeContext &ctx,
                                        const onnx::NodeProto &node,
                                        int64_t opset,
                                        SmallVector<Value> inputs);

/// Whether output `i` of the node is named (used).
bool wantsOutput(const NodeContext &ctx, int i);

/// Elements [start, limit) of the last axis.
FailureOr<Value> lastAxisSlice(NodeContext &ctx, Value x, int64_t start,
                               int64_t limit);

/// A value that must be one number (a scalar or a 1-element tensor) as a
/// 0-D tensor.
FailureOr<Value> asScalar(NodeContext &ctx, Value v, llvm::StringRef name);

/// `x` (integers) minus zero point `zp` (broadcasting), both as i32.
FailureOr<Value> shiftedI32(NodeContext &ctx, Value x, Value zp);

/// onnxruntime's output of an integer matrix product: float(acc) * scale
/// (+ bias), with the scale the product of the operands' scales.
FailureOr<Value> scaleAccumulator(NodeContext &ctx, Value acc, Value scale,
                                  Value bias);

/// Whether constant `v` (when it is one) holds only `expected`; true for
/// values known only at run time.
bool constantIsAll(Value v, int64_t expected);

/// The ops of MicrosoftFused.cpp, MicrosoftAttention.cpp and
/// MicrosoftQuantized.cpp.
void registerMicrosoftFusedOps(OpRegistry &registry);
void registerMicrosoftAttentionOps(OpRegistry &registry);
void registerMicrosoftQuantizedOps(OpRegistry &registry);
void registerMicrosoftNBitsOps(OpRegistry &registry);

} // namespace mlir::optc::onnx_import::microsoft

#endif // OPTC_LIB_IMPORT_ONNX_OPS_MICROSOFTCOMMON_H
