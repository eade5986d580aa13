//===- OptcDialect.cpp - the optc dialect ---------------------------------===//
//
// Registers the optc operations and attributes and materialises folded
// constants.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseSet.h"
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
  return success();
}

StringRef PortAttr::getDtypeName() const {
  return runtimeDtypeName(getElementType());
}

int64_t PortAttr::getNumElements() const {
  int64_t elements = 1;
  for (int64_t size : getShape())
    elements *= size;
  return elements;
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
