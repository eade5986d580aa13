//===- ShapeCommon.h - pieces the ONNX shape converters share ---*- C++ -*-===//
//
// Internal to the shape family (Shape.cpp, ShapeReshape.cpp, ShapeSlice.cpp):
// the shape a run-time slice leaves (defined in Shape.cpp), and the
// registration functions of the family's files, which registerShapeOps
// calls.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_IMPORT_ONNX_OPS_SHAPECOMMON_H
#define OPTC_LIB_IMPORT_ONNX_OPS_SHAPECOMMON_H

#include "../ImportContext.h"

namespace mlir::optc::onnx_import {

/// `shape` with the sizes of `axes` unknown: what a run-time slice or pad
/// of those axes leaves known.
SmallVector<int64_t> unknownAt(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes);

/// The ops of ShapeReshape.cpp and ShapeSlice.cpp.
void registerReshapeOps(OpRegistry &registry);
void registerSliceOps(OpRegistry &registry);

} // namespace mlir::optc::onnx_import

#endif // OPTC_LIB_IMPORT_ONNX_OPS_SHAPECOMMON_H
