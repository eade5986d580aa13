//===- GraphValues.cpp - types and constants of an ONNX graph's values ----===//
//
// The pieces of GraphImporter that turn declarations into MLIR: the tensor
// type of a ValueInfoProto (with --input-shape applied to graph inputs),
// TensorProtos (initializers, tensor attributes) into optc.constant, and
// the constant an --input-value makes of a graph input. The graph walker
// that uses them is GraphImporter.cpp.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "optc/Support/Sizes.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

FailureOr<Value> GraphImporter::importTensor(onnx::TensorProto &tensor,
                                             Location loc) {
  FailureOr<RankedTensorType> type =
      tensorProtoType(tensor, builder.getContext(), loc);
  if (failed(type))
    return failure();
  FailureOr<ElementsAttr> value =
      convertTensor(tensor, *type, model, options, loc);
  if (failed(value))
    return failure();
  return Value(ConstantOp::create(builder, loc, *value));
}

FailureOr<Value>
GraphImporter::importInputValue(const onnx::ValueInfoProto &info,
                                const InputValue &value) {
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << "--input-value " << info.name() << ": " << why;
    return failure();
  };
  SmallVector<std::string> dimNames;
  FailureOr<RankedTensorType> declared =
      valueInfoType(info, /*applyInputShapes=*/false, dimNames);
  if (failed(declared))
    return failure();
  int32_t declaredType = info.type().tensor_type().elem_type();
  if (value.dataType != declaredType)
    return fail("the value is " + dataTypeName(value.dataType) +
                " but the model declares " + dataTypeName(declaredType));
  auto shapeText = [](ArrayRef<int64_t> shape) {
    std::string text = "[";
    for (auto [i, d] : llvm::enumerate(shape))
      text += (i ? ", " : "") +
              (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
    return text + "]";
  };
  bool matches =
      !info.type().tensor_type().has_shape() ||
      (declared->getRank() == static_cast<int64_t>(value.shape.size()) &&
       llvm::all_of(llvm::zip(declared->getShape(), value.shape), [](auto p) {
         return ShapedType::isDynamic(std::get<0>(p)) ||
                std::get<0>(p) == std::get<1>(p);
       }));
  if (!matches)
    return fail("the value has shape " + shapeText(value.shape) +
                " but the model declares " + shapeText(declared->getShape()));
  onnx::TensorProto tensor;
  tensor.set_name(info.name());
  tensor.set_data_type(value.dataType);
  for (int64_t d : value.shape)
    tensor.add_dims(d);
  tensor.set_raw_data(value.rawData);
  return importTensor(
      tensor, NameLoc::get(builder.getStringAttr(info.name()), modelLoc));
}

FailureOr<RankedTensorType>
GraphImporter::valueInfoType(const onnx::ValueInfoProto &info,
                             bool applyInputShapes,
                             SmallVectorImpl<std::string> &dimNames) {
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << "value '" << info.name() << "': " << why;
    return failure();
  };
  if (!info.has_type() || !info.type().has_tensor_type())
    return fail(info.has_type() && !info.type().has_tensor_type()
                    ? "only tensors are supported, not sequences, maps or "
                      "optionals"
                    : "has no type");
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  std::string why;
  FailureOr<Type> element =
      convertElementType(tensor.elem_type(), builder.getContext(), why);
  if (failed(element))
    return fail(why);
  if (!tensor.has_shape()) {
    if (applyInputShapes && options.inputShapes.count(info.name()) == 0)
      return fail("has no shape (not even a rank); give one with "
                  "--input-shape " +
                  info.name() + "=...");
    if (!applyInputShapes)
      return fail("has no shape (not even a rank)");
  }
  SmallVector<int64_t> dims;
  for (const auto &dim : tensor.shape().dim()) {
    // Exporters write -1 for an unknown dimension (onnxruntime reads any
    // negative size so); a 0 is a size, as onnxruntime reads it, but
    // --input-shape may replace it.
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      dims.push_back(dim.dim_value());
      dimNames.push_back("");
    } else {
      dims.push_back(ShapedType::kDynamic);
      dimNames.push_back(dim.dim_param());
    }
  }
  if (applyInputShapes) {
    auto it = options.inputShapes.find(info.name());
    if (it != options.inputShapes.end()) {
      ArrayRef<int64_t> given = it->second;
      if (tensor.has_shape() && given.size() != dims.size())
        return fail("--input-shape gives " + std::to_string(given.size()) +
                    " dimensions but the input has rank " +
                    std::to_string(dims.size()));
      dims.resize(given.size(), ShapedType::kDynamic);
      dimNames.resize(given.size());
      for (auto [i, d] : llvm::enumerate(given)) {
        if (d < 0)
          continue;
        if (!ShapedType::isDynamic(dims[i]) && dims[i] != d && dims[i] != 0)
          return fail("--input-shape sets dimension " + std::to_string(i) +
                      " to " + std::to_string(d) +
                      " but the model fixes it to " + std::to_string(dims[i]));
        dims[i] = d;
        dimNames[i] = "";
      }
    }
  }
  return RankedTensorType::get(dims, *element);
}

LogicalResult GraphImporter::checkDeclaredSize(const onnx::ValueInfoProto &info,
                                               StringRef what) {
  if (!info.has_type() || !info.type().has_tensor_type() ||
      !info.type().tensor_type().has_shape())
    return success();
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  SmallVector<int64_t> dims;
  for (const auto &dim : tensor.shape().dim())
    dims.push_back(dim.has_dim_value() && dim.dim_value() >= 0
                       ? dim.dim_value()
                       : ShapedType::kDynamic);
  // An element type optc does not know is reported where the value is
  // used; its bytes count here as one per element.
  std::string why;
  FailureOr<Type> element =
      convertElementType(tensor.elem_type(), builder.getContext(), why);
  Type counted = succeeded(element) ? *element : builder.getI8Type();
  return checkTensorSize(
      RankedTensorType::get(dims, counted), [&] { return emitError(modelLoc); },
      what + " '" + info.name() + "'");
}
