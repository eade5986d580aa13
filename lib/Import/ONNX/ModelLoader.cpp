//===- ModelLoader.cpp - read and check an ONNX ModelProto ----------------===//
//
// Parses the protobuf and checks the frame of the model (IR version, opset
// imports, graph) before any node is looked at, so that malformed files get
// one clear message.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/FormatVariadic.h"

#include <climits>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

llvm::StringRef onnx_import::canonicalDomain(llvm::StringRef domain) {
  return domain == "ai.onnx" ? llvm::StringRef() : domain;
}

FailureOr<LoadedModel> onnx_import::loadModel(std::string bytes,
                                              llvm::StringRef name,
                                              llvm::StringRef baseDir,
                                              Location loc) {
  if (bytes.empty()) {
    emitError(loc) << "'" << name << "' is empty: not an ONNX model";
    return failure();
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    emitError(loc) << "'" << name << "' is " << bytes.size()
                   << " bytes; a protobuf message cannot exceed 2 GiB: save "
                      "the weights as external data";
    return failure();
  }
  auto proto = std::make_unique<onnx::ModelProto>();
  if (!proto->ParseFromString(bytes)) {
    emitError(loc) << "'" << name << "' is not a valid ONNX model: its "
                   << bytes.size()
                   << " bytes are not a ModelProto (truncated, corrupt or "
                      "another kind of file)";
    return failure();
  }
  // Release the bytes now: the tensors' raw data lives in the proto.
  std::string().swap(bytes);

  if (!proto->has_graph()) {
    emitError(loc) << "'" << name << "' is not an ONNX model: it has no graph";
    return failure();
  }
  int64_t ir = proto->ir_version();
  if (ir < 3) {
    emitError(loc) << "'" << name << "' has IR version " << ir
                   << "; optc reads IR version 3 (ONNX 1.1) and newer";
    return failure();
  }
  if (ir > onnx::IR_VERSION) {
    emitError(loc) << "'" << name << "' has IR version " << ir
                   << ", newer than the newest optc knows ("
                   << static_cast<int64_t>(onnx::IR_VERSION) << ")";
    return failure();
  }

  LoadedModel model;
  model.name = name.str();
  model.baseDir = baseDir.str();
  for (const onnx::OperatorSetIdProto &opset : proto->opset_import()) {
    llvm::StringRef domain = canonicalDomain(opset.domain());
    // Exporters import the default domain both as "" and as "ai.onnx" (or
    // a domain twice): onnxruntime takes the last version given.
    auto [it, inserted] = model.opsets.try_emplace(domain, opset.version());
    if (!inserted && it->second != opset.version())
      emitWarning(loc) << "'" << name << "' imports the domain '"
                       << (domain.empty() ? "ai.onnx" : domain)
                       << "' twice, at opsets " << it->second << " and "
                       << opset.version() << "; the last one counts";
    it->second = opset.version();
  }
  auto defaultOpset = model.opsets.find("");
  if (defaultOpset != model.opsets.end()) {
    int64_t version = defaultOpset->second;
    if (version > kMaxOpset) {
      emitError(loc) << "'" << name << "' uses opset " << version
                     << " of the ai.onnx domain, newer than the newest optc "
                        "supports ("
                     << kMaxOpset << ")";
      return failure();
    }
    if (version < kOldestOpset) {
      emitError(loc) << "'" << name << "' uses opset " << version
                     << " of the ai.onnx domain, which does not exist";
      return failure();
    }
  }
  model.proto = std::move(proto);
  return model;
}

std::string onnx_import::dataTypeName(int32_t dataType) {
  static const char *names[] = {
      "UNDEFINED",      "FLOAT",        "UINT8",          "INT8",
      "UINT16",         "INT16",        "INT32",          "INT64",
      "STRING",         "BOOL",         "FLOAT16",        "DOUBLE",
      "UINT32",         "UINT64",       "COMPLEX64",      "COMPLEX128",
      "BFLOAT16",       "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2",
      "FLOAT8E5M2FNUZ", "UINT4",        "INT4",           "FLOAT4E2M1",
      "FLOAT8E8M0",     "UINT2",        "INT2",           "FLOAT6E2M3",
      "FLOAT6E3M2"};
  if (dataType >= 0 &&
      dataType < static_cast<int32_t>(sizeof(names) / sizeof(names[0])))
    return names[dataType];
  return llvm::formatv("unknown data type {0}", dataType).str();
}

FailureOr<Type> onnx_import::convertElementType(int32_t dataType,
                                                MLIRContext *context,
                                                std::string &why) {
  Builder b(context);
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::FLOAT8E4M3FN:
    return Type(b.getType<Float8E4M3FNType>());
  case onnx::TensorProto::FLOAT8E4M3FNUZ:
    return Type(b.getType<Float8E4M3FNUZType>());
  case onnx::TensorProto::FLOAT8E5M2:
    return Type(b.getType<Float8E5M2Type>());
  case onnx::TensorProto::FLOAT8E5M2FNUZ:
    return Type(b.getType<Float8E5M2FNUZType>());
  case onnx::TensorProto::FLOAT8E8M0:
    return Type(b.getType<Float8E8M0FNUType>());
  case onnx::TensorProto::FLOAT4E2M1:
    return Type(b.getType<Float4E2M1FNType>());
  case onnx::TensorProto::FLOAT6E2M3:
    return Type(b.getType<Float6E2M3FNType>());
  case onnx::TensorProto::FLOAT6E3M2:
    return Type(b.getType<Float6E3M2FNType>());
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT2:
    return b.getIntegerType(2);
  case onnx::TensorProto::INT4:
    return b.getIntegerType(4);
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT2:
    return b.getIntegerType(2, /*isSigned=*/false);
  case onnx::TensorProto::UINT4:
    return b.getIntegerType(4, /*isSigned=*/false);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  case onnx::TensorProto::STRING:
  case onnx::TensorProto::COMPLEX64:
  case onnx::TensorProto::COMPLEX128:
    why = "tensors of " + dataTypeName(dataType) + " are not supported by optc";
    return failure();
  default:
    why = "data type " + std::to_string(dataType) + " (" +
          dataTypeName(dataType) + ") is not a valid tensor element type";
    return failure();
  }
}
