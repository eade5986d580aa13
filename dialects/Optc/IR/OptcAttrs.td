//===- OptcAttrs.td - optc attributes and enumerations ---------*- tablegen -*-===//
//
// Enumerations used as operation attributes of the optc dialect. They are
// integer enum attributes, so operations print them as bare keywords
// (`optc.compare lt, ...`).
//
// And the dialect's own attributes: `#optc.interface`, the inputs and
// outputs of a compiled model.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD

include "dialects/Optc/IR/OptcDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/TensorEncoding.td"

def Optc_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "comparison predicate", [
      I32EnumAttrCase<"eq", 0>,
      I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>,
      I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>,
      I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::optc";
}

def Optc_PadMode : I32EnumAttr<"PadMode", "padding mode", [
      I32EnumAttrCase<"constant", 0>,
      I32EnumAttrCase<"reflect", 1>,
      I32EnumAttrCase<"edge", 2>,
      I32EnumAttrCase<"wrap", 3>]> {
  let cppNamespace = "::mlir::optc";
}

def Optc_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scatter combines an update with the existing element", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"add", 1>,
      I32EnumAttrCase<"mul", 2>,
      I32EnumAttrCase<"max", 3>,
      I32EnumAttrCase<"min", 4>]> {
  let cppNamespace = "::mlir::optc";
}

//===----------------------------------------------------------------------===//
// The interface of a compiled model
//===----------------------------------------------------------------------===//

class Optc_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Optc_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Optc_PortAttr : Optc_Attr<"Port", "port"> {
  let summary = "An input or output of a compiled model";
  let description = [{
    One tensor a compiled model takes or gives: its name (the ONNX name,
    any bytes), its element type and its static shape, written like a
    vector type's (`2x16xf32`; a scalar is its element type alone):

    ```mlir
    #optc.port<"images" : 1x3x224x224xf32>
    #optc.port<"flag" : i1>
    ```

    The element type must be one the runtime exchanges (an `optc_dtype`
    of runtime.h): `f16`, `bf16`, `f32`, `f64`, the `f8` formats
    `f8E4M3FN`, `f8E4M3FNUZ`, `f8E5M2`, `f8E5M2FNUZ`, `f8E8M0FNU`,
    `f4E2M1FN`, `i1` (bool), and integers of 2, 4, 8, 16, 32 or 64 bits
    (`uiN` unsigned, otherwise signed). Every dimension is known.
  }];
  let parameters = (ins
    AttrParameter<"::mlir::StringAttr", "the ONNX name">:$name,
    AttrParameter<"::mlir::Type", "element type">:$elementType,
    ArrayRefParameter<"int64_t", "static shape">:$shape
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The runtime's name of the element type: "f32", "u8", "bool" (the
    /// metadata's dtype names; runtime.h's enumerator is OPTC_ and it in
    /// upper case).
    ::llvm::StringRef getDtypeName() const;
    /// The number of elements: the product of the shape.
    int64_t getNumElements() const;

    /// `"name" : 2x3xf32`, the port inside `<>` or a list of ports.
    void printBody(::mlir::AsmPrinter &printer) const;
    static ::mlir::FailureOr<PortAttr> parseBody(::mlir::AsmParser &parser);
  }];
}

def Optc_InterfaceAttr : Optc_Attr<"Interface", "interface"> {
  let summary = "The inputs and outputs of a compiled model";
  let description = [{
    The tensor signature of `@main` as users of the compiled library see
    it, in order: `--optc-record-interface` stores it in the module
    attribute `optc.interface` before bufferisation and the LLVM
    conversion change the signature, and the generated header and the
    library's metadata are written from it. Each entry is a port (see
    `#optc.port`):

    ```mlir
    module attributes {optc.interface = #optc.interface<
        inputs = ["x" : 2x16xf32, "ids in" : 7xui8, "flag" : i1],
        outputs = ["y" : 2xi64]>} { ... }
    ```

    Input names are unique: the runtime's callers pass inputs by name.
  }];
  let parameters = (ins
    ArrayRefParameter<"::mlir::optc::PortAttr", "the inputs, in order">:$inputs,
    ArrayRefParameter<"::mlir::optc::PortAttr", "the outputs, in order">:$outputs
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Quantized storage
//===----------------------------------------------------------------------===//

def Optc_QuantAttr : Optc_Attr<"Quant", "quant", [
    DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "The encoding of a quantized tensor: packed codes and their blocks";
  let description = [{
    A tensor type with this encoding holds the codes of a quantized tensor,
    stored packed: codes of fewer than 8 bits share bytes as one
    little-endian bit stream (two 4-bit codes a byte, the first in the low
    nibble; four 6-bit codes in three bytes), ONNX's layout. The element
    type is the code's format: a signless (signed) or unsigned integer of 1
    to 8 bits, or `f4E2M1FN`, `f6E2M3FN`, `f6E3M2FN`, `f8E4M3FN`,
    `f8E5M2`.

    The values it stands for are given by `optc.dequantize`, which takes
    the scales (and zero points) as operands: `block` says how many
    consecutive positions along each dimension share one scale, so the
    scales have shape `ceil(dim_i / block_i)` (the last block of a
    dimension may be short). Per tensor, every block size is its
    dimension; per channel of a `[K, N]` weight, `[K, 1]`; groups of 32
    along K of an `[N, K]` weight, `[1, 32]`.

    `scale` is the scales' element type: `f32`, `f16`, `bf16`,
    `f8E8M0FNU` (MX, block floating point) or `f8E4M3FN` (NVFP4, whose
    scales are non-negative). `zero_point` (integers only): one zero point
    per block, of the codes' type. `tensor_scale` (with `f8E4M3FN` scales):
    a second, f32 scale for the whole tensor (NVFP4's two levels).

    ```mlir
    tensor<4096x4096xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>
    tensor<4096x4096xui4, #optc.quant<block = [1, 128], scale = f16, zero_point>>
    tensor<64x3x3x3xi8, #optc.quant<block = [1, 3, 3, 3], scale = f32>>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "positions per block along each dimension">:$block,
    AttrParameter<"::mlir::Type", "the scales' element type">:$scaleType,
    DefaultValuedParameter<"bool", "false", "a zero point per block">:$zeroPoint,
    DefaultValuedParameter<"bool", "false", "an f32 scale for the whole tensor">:$tensorScale
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The shape of the scales of a tensor of `shape`: ceil(shape / block),
    /// an unknown size staying unknown.
    ::llvm::SmallVector<int64_t> getScaleShape(::llvm::ArrayRef<int64_t> shape) const;
  }];
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD
