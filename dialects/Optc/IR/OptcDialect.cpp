//===- OptcDialect.cpp - the optc dialect ---------------------------------===//
//
// Registers the optc operations and attributes, materialises folded
// constants, and verifies the discardable optc.* attributes that optc's
// passes put on modules, functions and their arguments.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::optc;

#include "dialects/Optc/IR/OptcDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Optc/IR/OptcAttrs.cpp.inc"

void OptcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Optc/IR/OptcOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Optc/IR/OptcAttrs.cpp.inc"
      >();
}

Operation *OptcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// #optc.port and #optc.interface
//===----------------------------------------------------------------------===//

StringRef optc::runtimeDtypeName(Type element) {
  if (element.isInteger(1))
    return "bool";
  if (auto integer = dyn_cast<IntegerType>(element)) {
    bool isUnsigned = integer.isUnsigned();
    switch (integer.getWidth()) {
    case 2:
      return isUnsigned ? "u2" : "i2";
    case 4:
      return isUnsigned ? "u4" : "i4";
    case 8:
      return isUnsigned ? "u8" : "i8";
    case 16:
      return isUnsigned ? "u16" : "i16";
    case 32:
      return isUnsigned ? "u32" : "i32";
    case 64:
      return isUnsigned ? "u64" : "i64";
    default:
      return "";
    }
  }
  return TypeSwitch<Type, StringRef>(element)
      .Case([](Float16Type) { return "f16"; })
      .Case([](BFloat16Type) { return "bf16"; })
      .Case([](Float32Type) { return "f32"; })
      .Case([](Float64Type) { return "f64"; })
      .Case([](Float8E4M3FNType) { return "f8e4m3fn"; })
      .Case([](Float8E4M3FNUZType) { return "f8e4m3fnuz"; })
      .Case([](Float8E5M2Type) { return "f8e5m2"; })
      .Case([](Float8E5M2FNUZType) { return "f8e5m2fnuz"; })
      .Case([](Float8E8M0FNUType) { return "f8e8m0fnu"; })
      .Case([](Float4E2M1FNType) { return "f4e2m1fn"; })
      .Default([](Type) { return ""; });
}

LogicalResult PortAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               StringAttr name, Type elementType,
                               ArrayRef<int64_t> shape) {
  if (!name)
    return emitError() << "a port needs a name";
  if (!elementType || runtimeDtypeName(elementType).empty())
    return emitError() << "port '" << name.getValue() << "' has element type "
                       << elementType
                       << ", which the runtime cannot exchange (floats, "
                          "bool or 2- to 64-bit integers)";
  for (auto [d, size] : llvm::enumerate(shape))
    if (size < 0)
      return emitError() << "port '" << name.getValue() << "' has dimension "
                         << d << " unknown; a compiled model's shapes are "
                         << "static";
  return checkTensorSize(RankedTensorType::get(shape, elementType), emitError,
                         "port '" + name.getValue() + "'");
}

StringRef PortAttr::getDtypeName() const {
  return runtimeDtypeName(getElementType());
}

int64_t PortAttr::getNumElements() const {
  // A port is within the limits per tensor (verify): no overflow.
  std::optional<int64_t> elements = sizes::numElements(getShape());
  assert(elements && "a port within the limits per tensor");
  return *elements;
}

void PortAttr::printBody(AsmPrinter &printer) const {
  printer.printString(getName().getValue());
  printer << " : ";
  if (!getShape().empty()) {
    printer.printDimensionList(getShape());
    printer << "x";
  }
  printer.printType(getElementType());
}

FailureOr<PortAttr> PortAttr::parseBody(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  std::string name;
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseString(&name) || parser.parseColon() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return failure();
  auto port = parser.getChecked<PortAttr>(
      loc, parser.getContext(), StringAttr::get(parser.getContext(), name),
      elementType, shape);
  if (!port)
    return failure();
  return port;
}

void PortAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printBody(printer);
  printer << ">";
}

Attribute PortAttr::parse(AsmParser &parser, Type) {
  FailureOr<PortAttr> port;
  if (parser.parseLess() || failed(port = parseBody(parser)) ||
      parser.parseGreater())
    return {};
  return *port;
}

LogicalResult
InterfaceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<PortAttr> inputs, ArrayRef<PortAttr> outputs) {
  if (llvm::is_contained(inputs, PortAttr()) ||
      llvm::is_contained(outputs, PortAttr()))
    return emitError() << "an interface's entries are ports";
  // Callers name the inputs they pass (the Python API's keywords).
  llvm::DenseSet<StringAttr> names;
  for (PortAttr input : inputs)
    if (!names.insert(input.getName()).second)
      return emitError() << "two inputs are named '"
                         << input.getName().getValue()
                         << "'; input names must be unique";
  return success();
}

void InterfaceAttr::print(AsmPrinter &printer) const {
  auto printPorts = [&](ArrayRef<PortAttr> ports) {
    printer << "[";
    llvm::interleaveComma(ports, printer.getStream(),
                          [&](PortAttr port) { port.printBody(printer); });
    printer << "]";
  };
  printer << "<inputs = ";
  printPorts(getInputs());
  printer << ", outputs = ";
  printPorts(getOutputs());
  printer << ">";
}

Attribute InterfaceAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  auto parsePorts = [&](StringRef keyword, SmallVectorImpl<PortAttr> &ports) {
    return failure(parser.parseKeyword(keyword) || parser.parseEqual() ||
                   parser.parseCommaSeparatedList(
                       AsmParser::Delimiter::Square, [&]() -> ParseResult {
                         FailureOr<PortAttr> port = PortAttr::parseBody(parser);
                         if (failed(port))
                           return failure();
                         ports.push_back(*port);
                         return success();
                       }));
  };
  SmallVector<PortAttr> inputs, outputs;
  if (parser.parseLess() || failed(parsePorts("inputs", inputs)) ||
      parser.parseComma() || failed(parsePorts("outputs", outputs)) ||
      parser.parseGreater())
    return {};
  return parser.getChecked<InterfaceAttr>(loc, parser.getContext(), inputs,
                                          outputs);
}

//===----------------------------------------------------------------------===//
// #optc.quant
//===----------------------------------------------------------------------===//

LogicalResult QuantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> block, Type scaleType,
                                bool zeroPoint, bool tensorScale) {
  for (int64_t size : block)
    if (size < 1)
      return emitError() << "block sizes are at least 1, found " << size;
  if (!scaleType || !isQuantScaleType(scaleType))
    return emitError() << "scales of " << scaleType
                       << "; expected f32, f16, bf16, f8E8M0FNU or f8E4M3FN";
  if (tensorScale && !isa<Float8E4M3FNType>(scaleType))
    return emitError() << "a tensor scale goes with f8E4M3FN block scales "
                          "(NVFP4), not "
                       << scaleType;
  return success();
}

LogicalResult
QuantAttr::verifyEncoding(ArrayRef<int64_t> shape, Type elementType,
                          function_ref<InFlightDiagnostic()> emitError) const {
  // The parser asks before it has an element type when that fails to parse.
  if (!elementType)
    return emitError() << "a quantized tensor needs an element type";
  if (!isQuantCodeType(elementType))
    return emitError() << "a quantized tensor holds codes of an integer of 1 "
                          "to 8 bits or of f4E2M1FN, f6E2M3FN, f6E3M2FN, "
                          "f8E4M3FN or f8E5M2, not "
                       << elementType;
  if (getBlock().size() != shape.size())
    return emitError() << "#optc.quant has " << getBlock().size()
                       << " block sizes for a tensor of rank " << shape.size();
  if (getZeroPoint() && !isa<IntegerType>(elementType))
    return emitError() << "zero points are for integer codes, not "
                       << elementType;
  return success();
}

SmallVector<int64_t> QuantAttr::getScaleShape(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> scales;
  for (auto [size, block] : llvm::zip_equal(shape, getBlock()))
    scales.push_back(ShapedType::isDynamic(size) ? ShapedType::kDynamic
                                                 : (size + block - 1) / block);
  return scales;
}

void QuantAttr::print(AsmPrinter &printer) const {
  printer << "<block = [";
  llvm::interleaveComma(getBlock(), printer);
  printer << "], scale = ";
  printer.printType(getScaleType());
  if (getZeroPoint())
    printer << ", zero_point";
  if (getTensorScale())
    printer << ", tensor_scale";
  printer << ">";
}

Attribute QuantAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> block;
  Type scale;
  if (parser.parseLess() || parser.parseKeyword("block") ||
      parser.parseEqual() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     [&]() -> ParseResult {
                                       return parser.parseInteger(
                                           block.emplace_back());
                                     }) ||
      parser.parseComma() || parser.parseKeyword("scale") ||
      parser.parseEqual() || parser.parseType(scale))
    return {};
  bool zeroPoint = false, tensorScale = false;
  while (succeeded(parser.parseOptionalComma())) {
    StringRef flag;
    SMLoc flagLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&flag))
      return {};
    if (flag == "zero_point" && !zeroPoint)
      zeroPoint = true;
    else if (flag == "tensor_scale" && !tensorScale)
      tensorScale = true;
    else
      return parser.emitError(flagLoc)
                 << "expected zero_point or tensor_scale (once each), found '"
                 << flag << "'",
             Attribute();
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<QuantAttr>(loc, parser.getContext(), block, scale,
                                      zeroPoint, tensorScale);
}

//===----------------------------------------------------------------------===//
// The discardable optc.* attributes
//===----------------------------------------------------------------------===//

namespace {
/// Where an optc.* attribute may sit.
enum Place : unsigned {
  OnModule = 1,
  OnFunction = 2,
  OnArgument = 4,
  OnResult = 8,
  OnMicroKernel = 16, // an op with a library_call (linalg.generic)
  OnDequantize = 32,  // an optc.dequantize
};

struct KnownAttribute {
  StringLiteral name;
  unsigned places;
};
} // namespace

static constexpr KnownAttribute kKnownAttributes[] = {
    {"optc.name", OnArgument | OnResult},
    {"optc.dim_names", OnArgument},
    {"optc.kernel", OnFunction},
    {"optc.in_place", OnFunction},
    {"optc.interface", OnModule},
    {"optc.run_time_checks", OnModule},
    {"optc.arena_size", OnModule},
    {"optc.weights", OnModule},
    {"optc.weights_size", OnModule},
    {"optc.weights_id", OnModule},
    {"optc.qmatmul", OnMicroKernel},
    {"optc.igemm", OnMicroKernel},
    {"optc.int8_activations", OnDequantize},
};

static std::string describePlaces(unsigned places) {
  SmallVector<StringRef> names;
  if (places & OnModule)
    names.push_back("a module");
  if (places & OnFunction)
    names.push_back("a function");
  if (places & OnArgument)
    names.push_back("a function argument");
  if (places & OnResult)
    names.push_back("a function result");
  if (places & OnMicroKernel)
    names.push_back("an op with a library_call");
  if (places & OnDequantize)
    names.push_back("an optc.dequantize");
  if (names.empty())
    return "this operation";
  return llvm::join(names, " or ");
}

/// Checks that the attribute `name` is an optc attribute that may sit at
/// `place`; `error` starts an error about it.
static LogicalResult checkPlace(StringRef name, Place place,
                                function_ref<InFlightDiagnostic()> error) {
  const KnownAttribute *known =
      llvm::find_if(kKnownAttributes, [&](const KnownAttribute &attribute) {
        return attribute.name == name;
      });
  if (known == std::end(kKnownAttributes)) {
    InFlightDiagnostic diag = error();
    diag << "'" << name << "' is not an optc attribute (they are ";
    llvm::interleaveComma(
        kKnownAttributes, diag,
        [&](const KnownAttribute &attribute) { diag << attribute.name; });
    return diag << ")";
  }
  if (!(known->places & place))
    return error() << "'" << name << "' belongs on "
                   << describePlaces(known->places) << ", not on "
                   << describePlaces(place);
  return success();
}

/// Whether `attr` is a 64-bit integer at least 0.
static bool isNonNegativeI64(Attribute attr) {
  auto integer = dyn_cast<IntegerAttr>(attr);
  return integer && integer.getType().isSignlessInteger(64) &&
         integer.getInt() >= 0;
}

/// The side file holds its weights at offsets aligned so (see
/// --optc-externalize-weights).
static constexpr int64_t kWeightsAlignment = 64;

/// optc.weights: [[offset, elements], ...] at increasing aligned offsets
/// that do not overlap, within optc.weights_size.
static LogicalResult verifyWeights(Operation *op, ArrayAttr weights) {
  auto size = op->getAttrOfType<IntegerAttr>("optc.weights_size");
  int64_t end = 0;
  for (auto [i, entry] : llvm::enumerate(weights)) {
    auto pair = dyn_cast<ArrayAttr>(entry);
    auto elements =
        pair && pair.size() == 2 ? dyn_cast<ElementsAttr>(pair[1]) : nullptr;
    if (!elements || !isNonNegativeI64(pair[0]))
      return op->emitOpError()
             << "'optc.weights' entry " << i
             << " must be a pair [offset : i64, elements], not " << entry;
    int64_t offset = cast<IntegerAttr>(pair[0]).getInt();
    if (offset % kWeightsAlignment != 0)
      return op->emitOpError()
             << "'optc.weights' entry " << i << " is at offset " << offset
             << ", which is not a multiple of " << kWeightsAlignment;
    if (offset < end)
      return op->emitOpError()
             << "'optc.weights' entry " << i << " is at offset " << offset
             << ", inside the previous weight (which ends at " << end << ")";
    Type element = elements.getElementType();
    if (!element.isIntOrFloat() || element.isInteger(1))
      return op->emitOpError()
             << "'optc.weights' entry " << i << " has elements of type "
             << element << "; weights are integers of 2 or more bits or "
             << "floats";
    if (failed(checkTensorSize(
            elements.getShapedType(), [&] { return op->emitOpError(); },
            "'optc.weights' entry " + Twine(i))))
      return failure();
    // Within the limits, the bytes cannot overflow; the offset may.
    std::optional<int64_t> bytes = sizes::storageBytes(
        elements.getNumElements(), element.getIntOrFloatBitWidth());
    std::optional<int64_t> next =
        bytes ? sizes::add(offset, *bytes) : std::nullopt;
    if (!next)
      return op->emitOpError() << "'optc.weights' entry " << i << " at offset "
                               << offset << " ends beyond 2^63 bytes";
    end = *next;
  }
  if (size && end > size.getInt())
    return op->emitOpError()
           << "'optc.weights' ends at byte " << end
           << ", beyond 'optc.weights_size' (" << size.getInt() << ")";
  return success();
}

LogicalResult OptcDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  Place place = isa<ModuleOp>(op)              ? OnModule
                : isa<FunctionOpInterface>(op) ? OnFunction
                : isa<DequantizeOp>(op)        ? OnDequantize
                : op->getInherentAttr("library_call").value_or(nullptr)
                    ? OnMicroKernel
                    : Place(0);
  auto error = [&]() { return op->emitOpError(); };
  if (failed(checkPlace(name, place, error)))
    return failure();
  auto expected = [&](StringRef what) {
    return op->emitOpError()
           << "'" << name << "' must be " << what << ", not " << value;
  };

  if (name == "optc.qmatmul") {
    // The parameters of optc_qmatmul_f32 (QuantizedMatmul.cpp).
    auto params = dyn_cast<DictionaryAttr>(value);
    auto integer = [&](StringRef key) {
      return params && isNonNegativeI64(params.get(key));
    };
    auto flag = [&](StringRef key) {
      return params && isa_and_nonnull<BoolAttr>(params.get(key));
    };
    auto table = [&](StringRef key) {
      return params ? dyn_cast_or_null<DenseF32ArrayAttr>(params.get(key))
                    : DenseF32ArrayAttr();
    };
    const char *what =
        "{bits, block, scale_kind : i64, signed, zero_points, tensor_scale, "
        "straddles, int8_activations : bool[, code_values : array<f32> of "
        "2^bits "
        "values][, scale_values : array<f32> of 256 values, with scale_kind "
        "1]}";
    if (!integer("bits") || !integer("block") || !integer("scale_kind") ||
        !flag("signed") || !flag("zero_points") || !flag("tensor_scale") ||
        !flag("straddles") || !flag("int8_activations"))
      return expected(what);
    int64_t bits = cast<IntegerAttr>(params.get("bits")).getInt();
    int64_t scaleKind = cast<IntegerAttr>(params.get("scale_kind")).getInt();
    DenseF32ArrayAttr codes = table("code_values"),
                      scales = table("scale_values");
    if (bits < 1 || bits > 8 || scaleKind > 3 ||
        (params.get("code_values") &&
         (!codes || codes.size() != (int64_t(1) << bits))) ||
        (scaleKind == 1) != bool(scales) || (scales && scales.size() != 256) ||
        params.size() != 8u + bool(codes) + bool(scales))
      return expected(what);
    return success();
  }
  if (name == "optc.igemm") {
    // The parameters of optc_igemm_i32 (QuantizedMatmul.cpp).
    auto params = dyn_cast<DictionaryAttr>(value);
    auto flag = [&](StringRef key) {
      return params && isa_and_nonnull<BoolAttr>(params.get(key));
    };
    auto upToTwo = [&](StringRef key) { // an i64 0, 1 or 2
      auto i = params ? dyn_cast_or_null<IntegerAttr>(params.get(key))
                      : IntegerAttr();
      return i && i.getType().isInteger(64) && i.getInt() >= 0 &&
             i.getInt() <= 2;
    };
    if (!flag("a_signed") || !flag("b_signed") || !upToTwo("b_layout") ||
        !upToTwo("a_zero") || !upToTwo("b_zero") || params.size() != 5)
      return expected("{a_signed, b_signed : bool, b_layout : i64 0 ([K, "
                      "N]), 1 ([N, K]) or 2 (panels), a_zero, b_zero : i64 "
                      "0 (none), 1 (one) or 2 (one a row)}");
    return success();
  }
  if (name == "optc.kernel" || name == "optc.run_time_checks" ||
      name == "optc.int8_activations") {
    if (!isa<UnitAttr>(value))
      return expected("a unit attribute");
    return success();
  }
  if (name == "optc.in_place") {
    auto indices = dyn_cast<DenseI64ArrayAttr>(value);
    if (!indices)
      return expected("an array<i64> of argument indices");
    unsigned numArguments = cast<FunctionOpInterface>(op).getNumArguments();
    int64_t previous = -1;
    for (int64_t index : indices.asArrayRef()) {
      if (index <= previous || index >= int64_t(numArguments))
        return op->emitOpError()
               << "'optc.in_place' must list argument indices (below "
               << numArguments << ") in increasing order, not " << value;
      previous = index;
    }
    return success();
  }
  if (name == "optc.interface") {
    if (!isa<InterfaceAttr>(value))
      return expected("an #optc.interface attribute");
    return success();
  }
  if (name == "optc.arena_size") {
    if (!isNonNegativeI64(value))
      return expected("a non-negative i64");
    return success();
  }

  // The side file of weights: its contents, size and hash come together.
  for (StringRef other :
       {"optc.weights", "optc.weights_size", "optc.weights_id"})
    if (!op->hasAttr(other))
      return op->emitOpError() << "has '" << name << "' but not '" << other
                               << "': 'optc.weights', 'optc.weights_size' and "
                                  "'optc.weights_id' come together";
  if (name == "optc.weights") {
    auto weights = dyn_cast<ArrayAttr>(value);
    if (!weights)
      return expected("an array of [offset, elements] pairs");
    return verifyWeights(op, weights);
  }
  if (name == "optc.weights_size") {
    if (!isNonNegativeI64(value) ||
        cast<IntegerAttr>(value).getInt() % kWeightsAlignment != 0)
      return expected("a non-negative i64 multiple of 64");
    return success();
  }
  // optc.weights_id: the FNV-1a hash the side file's header repeats.
  auto id = dyn_cast<StringAttr>(value);
  if (!id || id.size() != 16 || !llvm::all_of(id.getValue(), [](char c) {
        return llvm::isDigit(c) || (c >= 'a' && c <= 'f');
      }))
    return expected("a string of 16 lower-case hex digits");
  return success();
}

/// Checks an optc.* attribute on argument or result `index` of `op`.
static LogicalResult verifyValueAttribute(Operation *op, Place place,
                                          unsigned index, NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto function = dyn_cast<FunctionOpInterface>(op);
  StringRef what = place == OnArgument ? "argument " : "result ";
  auto error = [&]() { return op->emitOpError() << what << index << ": "; };
  if (failed(checkPlace(name, function ? place : Place(0), error)))
    return failure();
  auto expected = [&](StringRef expectation) {
    return error() << "'" << name << "' must be " << expectation << ", not "
                   << value;
  };
  if (name == "optc.name") {
    if (!isa<StringAttr>(value))
      return expected("a string");
    return success();
  }
  // optc.dim_names: one name per dimension.
  auto names = dyn_cast<ArrayAttr>(value);
  if (!names || !llvm::all_of(names, llvm::IsaPred<StringAttr>))
    return expected("an array of strings");
  auto shaped = dyn_cast<ShapedType>(function.getArgumentTypes()[index]);
  if (shaped && shaped.hasRank() && int64_t(names.size()) != shaped.getRank())
    return error() << "'optc.dim_names' has " << names.size()
                   << " names for the " << shaped.getRank() << " dimensions of "
                   << shaped;
  return success();
}

LogicalResult OptcDialect::verifyRegionArgAttribute(Operation *op,
                                                    unsigned regionIndex,
                                                    unsigned argIndex,
                                                    NamedAttribute attr) {
  return verifyValueAttribute(op, OnArgument, argIndex, attr);
}

LogicalResult OptcDialect::verifyRegionResultAttribute(Operation *op,
                                                       unsigned regionIndex,
                                                       unsigned resultIndex,
                                                       NamedAttribute attr) {
  return verifyValueAttribute(op, OnResult, resultIndex, attr);
}
