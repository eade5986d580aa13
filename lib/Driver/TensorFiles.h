//===- TensorFiles.h - reading and writing tensors as files -----*- C++ -*-===//
//
// The tensor files `optc run` exchanges: numpy's .npy (read and written)
// and ONNX's serialized TensorProto .pb (read), the format of the ONNX
// test data sets.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_DRIVER_TENSORFILES_H
#define OPTC_LIB_DRIVER_TENSORFILES_H

#include "optc/runtime.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::optc {

/// A dense row-major tensor in host memory.
struct HostTensor {
  optc_dtype dtype = OPTC_DTYPE_INVALID;
  std::vector<int64_t> shape;
  std::vector<char> data;
  /// Read from a numpy void record ('V1'), which is how numpy saves the
  /// 8-bit and narrower types of ml_dtypes: `dtype` is then a placeholder
  /// of the right size, and the model's own dtype applies.
  bool untyped = false;

  int64_t numElements() const;
  /// A view of this tensor for the runtime.
  optc_tensor view();
};

/// Reads `path` (.npy or .pb, judged by its contents). On failure returns
/// false with the reason in `error`.
bool readTensorFile(llvm::StringRef path, HostTensor &tensor,
                    std::string &error);

/// Writes `tensor` as .npy; false with the reason in `error` on failure.
bool writeNpy(llvm::StringRef path, const HostTensor &tensor,
              std::string &error);

} // namespace mlir::optc

#endif // OPTC_LIB_DRIVER_TENSORFILES_H
