//===- TensorFiles.cpp - reading and writing tensors as files
//--------------===//
//
// .npy: versions 1 to 3, little-endian or byte-sized dtypes, C order. The
// header is the Python dict numpy writes; only its three keys are read.
// bfloat16 (ml_dtypes) has no numpy type code and is read from 'V2'.
// .pb: an onnx.TensorProto with raw_data or typed fields (external data is
// not read: test data sets never use it).
//
//===----------------------------------------------------------------------===//

#include "lib/Driver/TensorFiles.h"

#include "onnx/onnx.pb.h"
#include "optc/Support/Sizes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir::optc;

int64_t HostTensor::numElements() const {
  // Shapes read from files pass checkShape, a model's are within the limits
  // per tensor (the runtime checks them): no overflow.
  std::optional<int64_t> count = sizes::numElements(shape);
  assert(count && "a tensor within the limits per tensor");
  return *count;
}

/// Checks the shape read from `path`: sizes not negative, and within
/// optc's limits per tensor (optc/Support/Sizes.h).
static bool checkShape(llvm::StringRef path, const HostTensor &tensor,
                       std::string &error) {
  std::string shape = "[";
  for (size_t i = 0; i < tensor.shape.size(); ++i)
    shape += (i ? "," : "") + std::to_string(tensor.shape[i]);
  shape += "]";
  if (llvm::any_of(tensor.shape, [](int64_t d) { return d < 0; })) {
    error =
        ("'" + path + "' has shape " + shape + ", with a negative size").str();
    return false;
  }
  std::optional<int64_t> extent = sizes::extent(tensor.shape);
  if (!extent || *extent > kMaxTensorElements) {
    error = ("'" + path + "' has shape " + shape +
             ", which exceeds optc's limit of 2^" +
             llvm::Twine(kMaxTensorElementsLog2) +
             " elements per tensor (a dimension of size 0 counts as 1)")
                .str();
    return false;
  }
  std::optional<int64_t> bytes = sizes::storageBytes(
      *extent, static_cast<unsigned>(8 * optc_dtype_size(tensor.dtype)));
  if (!bytes || *bytes > kMaxTensorBytes) {
    error =
        ("'" + path + "' has shape " + shape + " of " +
         optc_dtype_name(tensor.dtype) + ", which exceeds optc's limit of 2^" +
         llvm::Twine(kMaxTensorBytesLog2) + " bytes per tensor")
            .str();
    return false;
  }
  return true;
}

optc_tensor HostTensor::view() {
  return optc_tensor{dtype, static_cast<int32_t>(shape.size()), shape.data(),
                     nullptr, data.data()};
}

namespace {
struct NpyType {
  const char *descr;
  optc_dtype dtype;
};
} // namespace

// Byte order: '<' little, '|' not applicable, '=' native (little here).
static const NpyType npyTypes[] = {
    {"f4", OPTC_F32},
    {"f8", OPTC_F64},
    {"f2", OPTC_F16},
    {"i1", OPTC_I8},
    {"u1", OPTC_U8},
    {"i2", OPTC_I16},
    {"u2", OPTC_U16},
    {"i4", OPTC_I32},
    {"u4", OPTC_U32},
    {"i8", OPTC_I64},
    {"u8", OPTC_U64},
    {"b1", OPTC_BOOL},
    {"V2", OPTC_BF16},
    // ml_dtypes' 8-bit and narrower types, one byte per element; a .npy
    // does not say which (see HostTensor::untyped).
    {"V1", OPTC_U8},
    {"V1", OPTC_F8E4M3FN},
    {"V1", OPTC_F8E4M3FNUZ},
    {"V1", OPTC_F8E5M2},
    {"V1", OPTC_F8E5M2FNUZ},
    {"V1", OPTC_U4},
    {"V1", OPTC_I4},
    {"V1", OPTC_F4E2M1FN},
    {"V1", OPTC_F8E8M0FNU},
    {"V1", OPTC_U2},
    {"V1", OPTC_I2},
    // numpy saves ml_dtypes' float8_e5m2 as 'f1'.
    {"f1", OPTC_F8E5M2}};

/// The value of `key` in numpy's header dict, as written by numpy.
static llvm::StringRef headerValue(llvm::StringRef header,
                                   llvm::StringRef key) {
  std::string quoted = "'" + key.str() + "'";
  size_t at = header.find(quoted);
  if (at == llvm::StringRef::npos)
    return "";
  llvm::StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return "";
  rest = rest.ltrim();
  if (rest.starts_with("(")) // a shape tuple
    return rest.take_until([](char c) { return c == ')'; }).drop_front();
  if (rest.starts_with("'"))
    return rest.drop_front().take_until([](char c) { return c == '\''; });
  return rest.take_until([](char c) { return c == ',' || c == '}'; }).trim();
}

static bool readNpy(llvm::StringRef path, llvm::StringRef bytes,
                    HostTensor &tensor, std::string &error) {
  auto fail = [&](const llvm::Twine &why) {
    error = ("'" + path + "' is not a .npy file optc reads: " + why).str();
    return false;
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return fail("no NUMPY magic");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLength, offset;
  if (major == 1) {
    headerLength = static_cast<unsigned char>(bytes[8]) |
                   static_cast<unsigned char>(bytes[9]) << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated header");
    headerLength = 0;
    for (int i = 3; i >= 0; --i)
      headerLength =
          headerLength << 8 | static_cast<unsigned char>(bytes[8 + i]);
    offset = 12;
  } else {
    return fail("version " + llvm::Twine(major));
  }
  if (bytes.size() < offset + headerLength)
    return fail("truncated header");
  llvm::StringRef header = bytes.substr(offset, headerLength);
  llvm::StringRef descr = headerValue(header, "descr");
  if (headerValue(header, "fortran_order") == "True")
    return fail("Fortran order (save a C-ordered array)");
  if (descr.size() < 3 ||
      (descr[0] != '<' && descr[0] != '|' && descr[0] != '='))
    return fail("dtype '" + descr + "' (big-endian or unknown)");
  tensor.dtype = OPTC_DTYPE_INVALID;
  for (const NpyType &type : npyTypes)
    if (descr.drop_front() == type.descr) {
      tensor.dtype = type.dtype;
      break;
    }
  tensor.untyped = descr.drop_front() == "V1" || descr.drop_front() == "f1";
  if (tensor.dtype == OPTC_DTYPE_INVALID)
    return fail("dtype '" + descr + "'");
  tensor.shape.clear();
  llvm::StringRef shape = headerValue(header, "shape");
  for (llvm::StringRef dim : llvm::split(shape, ',')) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t size;
    if (dim.getAsInteger(10, size) || size < 0)
      return fail("shape (" + shape + ")");
    tensor.shape.push_back(size);
  }
  if (!checkShape(path, tensor, error))
    return false;
  uint64_t expected = static_cast<uint64_t>(tensor.numElements()) *
                      optc_dtype_size(tensor.dtype);
  llvm::StringRef payload = bytes.drop_front(offset + headerLength);
  if (payload.size() != expected)
    return fail("it holds " + llvm::Twine(payload.size()) +
                " bytes of data; its shape and dtype need " +
                llvm::Twine(expected));
  tensor.data.assign(payload.begin(), payload.end());
  return true;
}

template <typename From, typename To>
static void pack(const google::protobuf::RepeatedField<From> &values,
                 std::vector<char> &out) {
  out.resize(values.size() * sizeof(To));
  for (int i = 0; i < values.size(); ++i) {
    To value = static_cast<To>(values.Get(i));
    std::memcpy(out.data() + i * sizeof(To), &value, sizeof(To));
  }
}

static bool readTensorProto(llvm::StringRef path, llvm::StringRef bytes,
                            HostTensor &tensor, std::string &error) {
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    error =
        ("'" + path + "' is neither a .npy file nor an ONNX TensorProto").str();
    return false;
  }
  tensor.dtype = static_cast<optc_dtype>(proto.data_type());
  size_t elementSize = optc_dtype_size(tensor.dtype);
  if (!elementSize) {
    error = ("'" + path + "' holds ONNX data type " +
             llvm::Twine(proto.data_type()) + ", which optc run cannot pass")
                .str();
    return false;
  }
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  if (!checkShape(path, tensor, error))
    return false;
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = ("'" + path + "' keeps its data in an external file").str();
    return false;
  }
  // 4- and 2-bit types are packed, low bits first; unpack one per byte.
  unsigned bits = 0;
  if (tensor.dtype == OPTC_U4 || tensor.dtype == OPTC_I4 ||
      tensor.dtype == OPTC_F4E2M1FN)
    bits = 4;
  if (tensor.dtype == OPTC_U2 || tensor.dtype == OPTC_I2)
    bits = 2;
  if (bits) {
    std::vector<char> packed;
    if (proto.has_raw_data())
      packed.assign(proto.raw_data().begin(), proto.raw_data().end());
    else
      pack<int32_t, uint8_t>(proto.int32_data(), packed);
    int64_t count = tensor.numElements();
    unsigned perByte = 8 / bits;
    if (packed.size() !=
        static_cast<uint64_t>((count + perByte - 1) / perByte)) {
      error = ("'" + path + "' holds " + llvm::Twine(packed.size()) +
               " bytes of packed data; its dims need " +
               llvm::Twine((count + perByte - 1) / perByte))
                  .str();
      return false;
    }
    tensor.data.resize(count);
    for (int64_t i = 0; i < count; ++i)
      tensor.data[i] =
          static_cast<char>((static_cast<unsigned char>(packed[i / perByte]) >>
                             (bits * (i % perByte))) &
                            ((1u << bits) - 1));
    return true;
  }
  if (proto.has_raw_data()) {
    tensor.data.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    switch (tensor.dtype) {
    case OPTC_F32:
      pack<float, float>(proto.float_data(), tensor.data);
      break;
    case OPTC_F64:
      pack<double, double>(proto.double_data(), tensor.data);
      break;
    case OPTC_I64:
      pack<int64_t, int64_t>(proto.int64_data(), tensor.data);
      break;
    case OPTC_U64:
      pack<uint64_t, uint64_t>(proto.uint64_data(), tensor.data);
      break;
    case OPTC_U32:
      pack<uint64_t, uint32_t>(proto.uint64_data(), tensor.data);
      break;
    case OPTC_I32:
      pack<int32_t, int32_t>(proto.int32_data(), tensor.data);
      break;
    case OPTC_I16:
      pack<int32_t, int16_t>(proto.int32_data(), tensor.data);
      break;
    case OPTC_U16:
    case OPTC_F16:
    case OPTC_BF16:
      pack<int32_t, uint16_t>(proto.int32_data(), tensor.data);
      break;
    case OPTC_I8:
      pack<int32_t, int8_t>(proto.int32_data(), tensor.data);
      break;
    case OPTC_U8:
    case OPTC_BOOL:
    case OPTC_F8E4M3FN:
    case OPTC_F8E4M3FNUZ:
    case OPTC_F8E5M2:
    case OPTC_F8E5M2FNUZ:
    case OPTC_F8E8M0FNU:
      pack<int32_t, uint8_t>(proto.int32_data(), tensor.data);
      break;
    default:
      break;
    }
  }
  uint64_t expected = static_cast<uint64_t>(tensor.numElements()) * elementSize;
  if (tensor.data.size() != expected) {
    error =
        ("'" + path + "' holds " + llvm::Twine(tensor.data.size()) +
         " bytes of data; its dims and data type need " + llvm::Twine(expected))
            .str();
    return false;
  }
  return true;
}

bool mlir::optc::readTensorFile(llvm::StringRef path, HostTensor &tensor,
                                std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error =
        ("cannot read '" + path + "': " + buffer.getError().message()).str();
    return false;
  }
  llvm::StringRef bytes = (*buffer)->getBuffer();
  if (bytes.starts_with("\x93NUMPY"))
    return readNpy(path, bytes, tensor, error);
  return readTensorProto(path, bytes, tensor, error);
}

bool mlir::optc::writeNpy(llvm::StringRef path, const HostTensor &tensor,
                          std::string &error) {
  const char *descr = nullptr;
  for (const NpyType &type : npyTypes)
    if (type.dtype == tensor.dtype) {
      descr = type.descr;
      break;
    }
  if (!descr) {
    error = "cannot write dtype " + std::string(optc_dtype_name(tensor.dtype));
    return false;
  }
  std::string shape;
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.shape.size() == 1)
    shape.resize(shape.size() - 1);
  bool byteSized = optc_dtype_size(tensor.dtype) == 1;
  std::string header = std::string("{'descr': '") + (byteSized ? "|" : "<") +
                       descr + "', 'fortran_order': False, 'shape': (" + shape +
                       "), }";
  // Pad with spaces so the data starts 64-byte aligned; end with \n.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = ("cannot write '" + path + "': " + ec.message()).str();
    return false;
  }
  os << "\x93NUMPY" << '\x01' << '\x00';
  os << static_cast<char>(header.size() & 0xff)
     << static_cast<char>(header.size() >> 8);
  os << header;
  os.write(tensor.data.data(), tensor.data.size());
  os.close();
  if (os.has_error()) {
    error = ("cannot write '" + path + "'").str();
    os.clear_error();
    return false;
  }
  return true;
}
