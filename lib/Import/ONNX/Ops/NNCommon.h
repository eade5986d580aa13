//===- NNCommon.h - pieces the ONNX NN converters share ---------*- C++ -*-===//
//
// Internal to the NN family (NN.cpp, NNConv.cpp, NNPool.cpp, NNNorm.cpp): the
// window attributes of the convolutions and pools (defined in NN.cpp), and
// the registration functions of the family's files, which registerNNOps
// calls.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_IMPORT_ONNX_OPS_NNCOMMON_H
#define OPTC_LIB_IMPORT_ONNX_OPS_NNCOMMON_H

#include "../ImportContext.h"

#include "optc/Support/Sizes.h"

namespace mlir::optc::onnx_import {

/// strides, dilations and pads of a windowed op over `n` spatial dims.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// Reads kernel_shape (or takes `kernel`), strides, dilations, pads and
/// auto_pad; SAME_UPPER/SAME_LOWER padding is computed from the input.
FailureOr<WindowAttrs> windowAttrs(NodeContext &ctx, RankedTensorType input,
                                   ArrayRef<int64_t> kernelFromWeight,
                                   bool transposed = false);

/// windowAttrs of a convolution whose weight `weight` (M x C/group x k1 x
/// ...) gives the kernel, after checking that it has the input's rank; an
/// error naming both otherwise.
FailureOr<WindowAttrs> convWindowAttrs(NodeContext &ctx, RankedTensorType input,
                                       RankedTensorType weight,
                                       bool transposed = false);

/// The ops of NNConv.cpp, NNPool.cpp and NNNorm.cpp.
void registerConvOps(OpRegistry &registry);
void registerPoolOps(OpRegistry &registry);
void registerNormalizationOps(OpRegistry &registry);

} // namespace mlir::optc::onnx_import

#endif // OPTC_LIB_IMPORT_ONNX_OPS_NNCOMMON_H
