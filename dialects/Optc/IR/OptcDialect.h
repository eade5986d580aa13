//===- OptcDialect.h - the optc dialect -------------------------*- C++ -*-===//
//
// Declares the optc dialect class and its attributes (#optc.interface,
// #optc.port).
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
#define OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TensorEncoding.h"

#include <optional>
#include <vector>

#include "dialects/Optc/IR/OptcDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Optc/IR/OptcAttrs.h.inc"

namespace mlir::optc {

/// Whether `element` can be the code of a quantized tensor (#optc.quant):
/// a signless (signed) integer of 2 to 8 bits, an unsigned one of 1 to 8,
/// f4E2M1FN, f6E2M3FN, f6E3M2FN, f8E4M3FN or f8E5M2.
bool isQuantCodeType(Type element);
/// Whether `element` can be a quantized tensor's scale: f32, f16, bf16,
/// f8E8M0FNU or f8E4M3FN.
bool isQuantScaleType(Type element);
/// The #optc.quant encoding of `type`, or null.
QuantAttr getQuantEncoding(Type type);
/// The codes of a constant of code type, one per byte (the code's bits in
/// the low bits), from a dense<...> value or a blob stored one per byte or
/// packed; nullopt for anything else.
std::optional<std::vector<uint8_t>> quantCodesOf(ElementsAttr value);
/// The packed bytes of a constant of code type (see `#optc.quant`).
std::optional<std::vector<uint8_t>> packedCodesOf(ElementsAttr value);
/// A dense<...> constant of `type` (integer or float elements of up to 32
/// bits, any encoding) whose element i has the bits `codes[i]`.
DenseElementsAttr codesConstant(ShapedType type, ArrayRef<uint32_t> codes);

/// The f32 values of a constant of float elements (dense, or a blob of
/// any float type, f8E8M0FNU included), or nullopt.
std::optional<std::vector<float>> constantFloatsOf(Attribute value);
/// The f32 value of every code of the narrow float type `element` (a float
/// code type, or an 8-bit scale type: f8E8M0FNU, f8E4M3FN), in code order,
/// as the numerics library (optc::formats) decodes them; nullopt for other
/// types. Kernels read float codes and scales through such tables.
std::optional<std::vector<float>> codeValuesOf(Type element);

class DequantizeOp;
/// The f32 values `op` gives for the constant codes `input` (a dense<...>
/// value or a blob) and the constant `scales`, `zeros` and `tensorScale`
/// (null where `op` has none), as the numerics library decodes them;
/// nullopt when one cannot be read.
std::optional<std::vector<float>>
dequantizedValues(DequantizeOp op, Attribute input, Attribute scales,
                  Attribute zeros, Attribute tensorScale);

/// The runtime's name of `element` as a tensor's element type ("f32",
/// "u8", "bool": the dtype names of the model metadata), or "" for a type
/// the runtime cannot exchange.
llvm::StringRef runtimeDtypeName(Type element);

} // namespace mlir::optc

#endif // OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
