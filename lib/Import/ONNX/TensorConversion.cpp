//===- TensorConversion.cpp - ONNX tensors to MLIR attributes -------------===//
//
// Turns TensorProtos (initializers, Constant nodes, tensor attributes) into
// elements attributes. The data is copied at most once: raw data moves
// into a dense_resource blob, external data is mapped from its file, and
// only the typed repeated fields (which need converting anyway) are copied.
//
// Storage of the results: elements of 8 bits or more are little-endian in
// their natural width (the host is little-endian); i1 and sub-byte formats
// take one byte per element, unpacked from ONNX's LSB-first bit packing.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "optc/Support/Sizes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

FailureOr<RankedTensorType>
onnx_import::tensorProtoType(const onnx::TensorProto &tensor,
                             MLIRContext *context, Location loc) {
  std::string why;
  FailureOr<Type> element =
      convertElementType(tensor.data_type(), context, why);
  if (failed(element)) {
    emitError(loc) << "tensor '" << tensor.name() << "': " << why;
    return failure();
  }
  SmallVector<int64_t> dims;
  for (int64_t d : tensor.dims()) {
    if (d < 0) {
      emitError(loc) << "tensor '" << tensor.name() << "' has a negative "
                     << "dimension " << d;
      return failure();
    }
    dims.push_back(d);
  }
  if (tensor.has_segment()) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "' is stored in segments, which optc does not read";
    return failure();
  }
  auto type = RankedTensorType::get(dims, *element);
  if (failed(checkTensorSize(
          type, [&] { return emitError(loc); },
          "tensor '" + tensor.name() + "'")))
    return failure();
  return type;
}

namespace {
/// The bytes of a tensor, wherever they come from, with their owner.
struct TensorBytes {
  llvm::StringRef data;
  /// Keeps `data` alive: a moved-out raw_data string or a mapped file.
  std::shared_ptr<void> owner;
};

/// How an element is stored in the attribute or blob we build.
struct Storage {
  unsigned bits;         // the element's width
  unsigned storageBytes; // bytes per stored element
  bool subByte() const { return bits % 8 != 0; }
};

Storage storageOf(Type element) {
  unsigned bits = element.getIntOrFloatBitWidth();
  return {bits, bits % 8 == 0 ? bits / 8 : 1};
}
} // namespace

/// Reads the external data of `tensor` from its file (mapped when large).
static FailureOr<TensorBytes> readExternal(const onnx::TensorProto &tensor,
                                           const LoadedModel &model,
                                           Location loc) {
  std::string location;
  std::optional<uint64_t> offset, length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    uint64_t number = 0;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (llvm::StringRef(entry.value()).getAsInteger(10, number)) {
        emitError(loc) << "tensor '" << tensor.name() << "': external data "
                       << entry.key() << " '" << entry.value()
                       << "' is not a number";
        return failure();
      }
      (entry.key() == "offset" ? offset : length) = number;
    }
  }
  if (location.empty()) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "' has external data without a location";
    return failure();
  }
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         "..")) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data "
                   << "location '" << location
                   << "' must be a relative path inside the model's folder";
    return failure();
  }
  llvm::SmallString<256> path(model.baseDir);
  llvm::sys::path::append(path, location);
  uint64_t fileSize = 0;
  if (std::error_code ec = llvm::sys::fs::file_size(path, fileSize)) {
    emitError(loc) << "tensor '" << tensor.name()
                   << "': cannot open external data file '" << path
                   << "': " << ec.message();
    return failure();
  }
  uint64_t start = offset.value_or(0);
  if (start > fileSize) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data file '"
                   << path << "' has " << fileSize
                   << " bytes, less than the offset " << start;
    return failure();
  }
  uint64_t size = length.value_or(fileSize - start);
  // Compared without adding: offset + length may wrap around.
  if (size > fileSize - start) {
    emitError(loc) << "tensor '" << tensor.name() << "': external data file '"
                   << path << "' is too short: " << size << " bytes at offset "
                   << start << " do not fit in its " << fileSize << " bytes";
    return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, size, start,
                                                 /*IsVolatile=*/false);
  if (!buffer) {
    emitError(loc) << "tensor '" << tensor.name() << "': cannot read '" << path
                   << "': " << buffer.getError().message();
    return failure();
  }
  std::shared_ptr<llvm::MemoryBuffer> owner(std::move(*buffer));
  return TensorBytes{owner->getBuffer(), owner};
}

/// Unpacks `count` elements of `bits` bits from an LSB-first bit stream into
/// one byte each.
static std::vector<uint8_t> unpackBits(llvm::StringRef packed, unsigned bits,
                                       int64_t count) {
  std::vector<uint8_t> out(count);
  for (int64_t i = 0; i < count; ++i) {
    uint64_t bit = static_cast<uint64_t>(i) * bits;
    unsigned value = 0;
    for (unsigned b = 0; b < bits; ++b, ++bit)
      if (static_cast<uint8_t>(packed[bit / 8]) >> (bit % 8) & 1)
        value |= 1u << b;
    out[i] = value;
  }
  return out;
}

/// Builds the attribute from bytes in storage format (see the file header).
static ElementsAttr makeElements(RankedTensorType type, TensorBytes bytes,
                                 llvm::StringRef name,
                                 const ImportOptions &options) {
  Storage storage = storageOf(type.getElementType());
  if (bytes.data.size() > options.inlineConstantBytes) {
    // The blob keeps the bytes' owner alive; copy only when the bytes are
    // not aligned for the element type.
    size_t align = std::max<size_t>(storage.storageBytes, 1);
    AsmResourceBlob blob;
    if (reinterpret_cast<uintptr_t>(bytes.data.data()) % align == 0) {
      std::shared_ptr<void> owner = bytes.owner;
      blob = AsmResourceBlob(
          ArrayRef<char>(bytes.data.data(), bytes.data.size()), align,
          [owner](void *, size_t, size_t) mutable { owner.reset(); },
          /*dataIsMutable=*/false);
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(bytes.data.data(), bytes.data.size()), align);
    }
    std::string key = name.empty() ? std::string("tensor") : name.str();
    for (char &c : key)
      if (!llvm::isAlnum(static_cast<unsigned char>(c)) && c != '_' && c != '.')
        c = '_';
    return DenseResourceElementsAttr::get(type, key, std::move(blob));
  }
  if (!storage.subByte())
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(bytes.data.data(), bytes.data.size()));
  // i1 and sub-byte formats: one byte per element holds the bits.
  SmallVector<APInt> values;
  values.reserve(bytes.data.size());
  for (char c : bytes.data)
    values.push_back(APInt(storage.bits, static_cast<uint8_t>(c)));
  if (auto floatType = dyn_cast<FloatType>(type.getElementType())) {
    SmallVector<APFloat> floats;
    for (const APInt &v : values)
      floats.push_back(APFloat(floatType.getFloatSemantics(), v));
    return DenseElementsAttr::get(type, floats);
  }
  return DenseElementsAttr::get(type, values);
}

/// Packs typed repeated-field values into storage bytes.
template <typename From, typename To>
static std::shared_ptr<std::vector<char>>
packValues(const google::protobuf::RepeatedField<From> &values) {
  auto out = std::make_shared<std::vector<char>>(values.size() * sizeof(To));
  To *dst = reinterpret_cast<To *>(out->data());
  for (int i = 0; i < values.size(); ++i)
    dst[i] = static_cast<To>(values.Get(i));
  return out;
}

FailureOr<ElementsAttr> onnx_import::convertTensor(onnx::TensorProto &tensor,
                                                   RankedTensorType type,
                                                   const LoadedModel &model,
                                                   const ImportOptions &options,
                                                   Location loc) {
  Type element = type.getElementType();
  Storage storage = storageOf(element);
  // `type` is within the limits per tensor (tensorProtoType): neither the
  // count nor its bytes overflow.
  std::optional<int64_t> elements = sizes::numElements(type.getShape());
  std::optional<int64_t> packed =
      elements ? sizes::packedBytes(*elements, storage.bits) : std::nullopt;
  assert(packed && "a tensor within the limits per tensor");
  int64_t count = *elements;
  uint64_t packedBytes = *packed;
  if (element.isInteger(1))
    packedBytes = count; // ONNX stores bools one per byte.

  auto sizeError = [&](uint64_t found, llvm::StringRef what) {
    emitError(loc) << "tensor '" << tensor.name() << "' of shape " << type
                   << " needs " << packedBytes << " bytes of " << what
                   << " but has " << found;
    return failure();
  };
  auto countError = [&](int64_t found, llvm::StringRef field) {
    emitError(loc) << "tensor '" << tensor.name() << "' of shape " << type
                   << " needs " << count << " values but its " << field
                   << " has " << found;
    return failure();
  };

  // Raw bytes: inline raw_data or an external file.
  std::optional<TensorBytes> raw;
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    FailureOr<TensorBytes> external = readExternal(tensor, model, loc);
    if (failed(external))
      return failure();
    if (external->data.size() != packedBytes)
      return sizeError(external->data.size(), "external data");
    raw = *external;
  } else if (tensor.has_raw_data()) {
    if (tensor.raw_data().size() != packedBytes)
      return sizeError(tensor.raw_data().size(), "raw_data");
    auto owned =
        std::make_shared<std::string>(std::move(*tensor.mutable_raw_data()));
    raw = TensorBytes{*owned, owned};
  }
  if (raw) {
    if (!storage.subByte() || element.isInteger(1))
      return makeElements(type, *raw, tensor.name(), options);
    auto unpacked = std::make_shared<std::vector<uint8_t>>(
        unpackBits(raw->data, storage.bits, count));
    return makeElements(
        type,
        {llvm::StringRef(reinterpret_cast<const char *>(unpacked->data()),
                         unpacked->size()),
         unpacked},
        tensor.name(), options);
  }

  // Typed fields.
  std::shared_ptr<std::vector<char>> bytes;
  auto finish = [&]() -> FailureOr<ElementsAttr> {
    return makeElements(type,
                        {llvm::StringRef(bytes->data(), bytes->size()), bytes},
                        tensor.name(), options);
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (tensor.float_data_size() != count)
      return countError(tensor.float_data_size(), "float_data");
    bytes = packValues<float, float>(tensor.float_data());
    return finish();
  case onnx::TensorProto::DOUBLE:
    if (tensor.double_data_size() != count)
      return countError(tensor.double_data_size(), "double_data");
    bytes = packValues<double, double>(tensor.double_data());
    return finish();
  case onnx::TensorProto::INT64:
    if (tensor.int64_data_size() != count)
      return countError(tensor.int64_data_size(), "int64_data");
    bytes = packValues<int64_t, int64_t>(tensor.int64_data());
    return finish();
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    if (tensor.uint64_data_size() != count)
      return countError(tensor.uint64_data_size(), "uint64_data");
    bytes = storage.bits == 32
                ? packValues<uint64_t, uint32_t>(tensor.uint64_data())
                : packValues<uint64_t, uint64_t>(tensor.uint64_data());
    return finish();
  default:
    break;
  }
  // Everything else is in int32_data: one element per entry for widths of
  // 8 bits and more (and for the 6-bit floats), otherwise packed bytes.
  const auto &ints = tensor.int32_data();
  if (storage.subByte() && !element.isInteger(1) && storage.bits != 6) {
    int64_t perEntry = 8 / storage.bits;
    int64_t entries = (count + perEntry - 1) / perEntry;
    if (ints.size() != entries)
      return countError(ints.size() * perEntry, "int32_data");
    std::string packed(entries, '\0');
    for (int64_t i = 0; i < entries; ++i)
      packed[i] = static_cast<char>(ints.Get(i) & 0xff);
    auto unpacked = std::make_shared<std::vector<uint8_t>>(
        unpackBits(packed, storage.bits, count));
    return makeElements(
        type,
        {llvm::StringRef(reinterpret_cast<const char *>(unpacked->data()),
                         unpacked->size()),
         unpacked},
        tensor.name(), options);
  }
  if (ints.size() != count)
    return countError(ints.size(), "int32_data");
  switch (storage.storageBytes) {
  case 1:
    bytes = packValues<int32_t, uint8_t>(ints);
    break;
  case 2:
    bytes = packValues<int32_t, uint16_t>(ints);
    break;
  default:
    bytes = packValues<int32_t, uint32_t>(ints);
    break;
  }
  return finish();
}

//===----------------------------------------------------------------------===//
// Reading constants back
//===----------------------------------------------------------------------===//

static std::optional<ElementsAttr> constantElements(Value value) {
  auto constant = value ? value.getDefiningOp<ConstantOp>() : nullptr;
  if (!constant || constant.getValue().getNumElements() > kMaxBuiltConstant)
    return std::nullopt;
  return constant.getValue();
}

std::optional<SmallVector<int64_t>> onnx_import::getConstantInts(Value value) {
  std::optional<ElementsAttr> elements = constantElements(value);
  if (!elements)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(elements->getElementType());
  if (!intType)
    return std::nullopt;
  bool isUnsigned = intType.isUnsigned() || intType.getWidth() == 1;
  SmallVector<int64_t> result;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(*elements)) {
    for (const APInt &v : dense.getValues<APInt>())
      result.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                  : v.getSExtValue());
    return result;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(*elements);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  unsigned width = intType.getWidth();
  if (!blob || width % 8 != 0)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  unsigned bytes = width / 8;
  for (size_t i = 0; i + bytes <= data.size(); i += bytes) {
    uint64_t raw = 0;
    std::memcpy(&raw, data.data() + i, bytes);
    APInt v(width, raw);
    result.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                                : v.getSExtValue());
  }
  return result;
}

std::optional<SmallVector<double>> onnx_import::getConstantFloats(Value value) {
  std::optional<ElementsAttr> elements = constantElements(value);
  if (!elements)
    return std::nullopt;
  SmallVector<double> result;
  if (auto dense = dyn_cast<DenseFPElementsAttr>(*elements)) {
    for (const APFloat &v : dense.getValues<APFloat>()) {
      APFloat d = v;
      bool lost;
      d.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      result.push_back(d.convertToDouble());
    }
    return result;
  }
  if (std::optional<SmallVector<int64_t>> ints = getConstantInts(value)) {
    for (int64_t v : *ints)
      result.push_back(static_cast<double>(v));
    return result;
  }
  return std::nullopt;
}
