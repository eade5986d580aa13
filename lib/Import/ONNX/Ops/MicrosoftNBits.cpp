//===- MicrosoftNBits.cpp - com.microsoft MatMulNBits ---------------------===//
//
// onnxruntime's weight-only quantized matrix product, the int4 format of
// onnxruntime-genai and Olive: Y = A . dequantize(B)^T (+ bias), B an
// [N, K] matrix of `bits`-bit unsigned codes in blocks of `block_size`
// along K, each block with a scale and a zero point (2^(bits - 1) when
// absent).
//
// B arrives as bytes [N, k_blocks, blob_size], the codes of each row as one
// little-endian bit stream (two 4-bit codes a byte, the first in the low
// nibble), each row padded to whole blocks: exactly the packed storage of
// #optc.quant for [N, k_blocks * block_size]. A constant B becomes that
// quantized constant without copying (its blob is reinterpreted); a B
// computed at run time is split into codes and packed by optc ops. Zero
// points are either codes packed the same way, each row padded to a whole
// byte, or floats of the scales' type.
//
// g_idx (act-order) gives each column of K its group; the scales and zero
// points are then gathered per element (blocks of 1).
//
// accuracy_level 4 lets onnxruntime quantize A to int8 per block; it makes
// the product an optc.quantized_matmul with int8_activations, which the
// CPU runs with VNNI dot products where it has them. Other levels compute
// in f32 (onnxruntime's levels 1-3 are f32 or f16/bf16 arithmetic, which
// f32 is at least as accurate as).
//
//===----------------------------------------------------------------------===//

#include "MicrosoftCommon.h"

#include "optc/Support/Formats.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;
using namespace mlir::optc::onnx_import::microsoft;

namespace {

/// The bytes of a constant of whole-byte elements (a blob or dense<...>),
/// or nullopt when `v` is not a constant.
std::optional<std::vector<uint8_t>> constantBytes(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr value = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::vector<uint8_t>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseIntElementsAttr>(value);
  if (!dense)
    return std::nullopt;
  std::vector<uint8_t> bytes;
  for (const APInt &byte : dense.getValues<APInt>())
    bytes.push_back(static_cast<uint8_t>(byte.getZExtValue()));
  return bytes;
}

/// Bytes [rows, bytesPerRow] (uint8) split into `count` codes of `bits`
/// bits per row (the low bits first), as a ui<bits> tensor [rows, count]:
/// optc ops, for bytes known only at run time.
FailureOr<Value> splitBytes(NodeContext &ctx, Value bytes, int64_t rows,
                            int64_t bytesPerRow, unsigned bits, int64_t count) {
  Type u8 = IntegerType::get(ctx.b.getContext(), 8, IntegerType::Unsigned);
  Value b = ctx.reshape(ctx.castTo(bytes, u8), {rows, bytesPerRow, 1});
  if (!b)
    return failure();
  SmallVector<Value> parts;
  int64_t perByte = 8 / bits;
  for (int64_t j = 0; j < perByte; ++j) {
    OPTC_TRY(shifted, ctx.create<ShiftRightOp>(b, ctx.scalar(u8, j * bits)));
    OPTC_TRY(part, ctx.create<BitwiseAndOp>(shifted,
                                            ctx.scalar(u8, (1 << bits) - 1)));
    parts.push_back(part);
  }
  Value codes = parts.front();
  if (parts.size() > 1) {
    OPTC_TRY(joined, ctx.create<ConcatOp>(parts, 2));
    codes = joined;
  }
  Value flat = ctx.reshape(codes, {rows, bytesPerRow * perByte});
  if (!flat)
    return failure();
  if (bytesPerRow * perByte != count) {
    OPTC_TRY(sliced, lastAxisSlice(ctx, flat, 0, count));
    flat = sliced;
  }
  auto code = IntegerType::get(ctx.b.getContext(), bits, IntegerType::Unsigned);
  return ctx.castTo(flat, code);
}

/// The packed codes of B as the quantized tensor `type`: the constant's
/// bytes as they are, or the bytes split and packed at run time.
FailureOr<Value> packedWeights(NodeContext &ctx, Value b, RankedTensorType type,
                               unsigned bits) {
  int64_t n = type.getDimSize(0), k = type.getDimSize(1);
  int64_t bytesPerRow = k * bits / 8;
  if (auto constant = b.getDefiningOp<ConstantOp>()) {
    // The blob's bytes are the packed storage: share them.
    if (auto resource =
            dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      return Value(ConstantOp::create(
          ctx.b, ctx.loc,
          DenseResourceElementsAttr::get(type, resource.getRawHandle())));
    std::optional<std::vector<uint8_t>> bytes = constantBytes(b);
    if (bytes) {
      std::vector<uint8_t> codes(static_cast<size_t>(n * k));
      formats::unpack(*bytes, static_cast<int>(bits), codes);
      return Value(ConstantOp::create(
          ctx.b, ctx.loc,
          codesConstant(type,
                        std::vector<uint32_t>(codes.begin(), codes.end()))));
    }
  }
  OPTC_TRY(codes, splitBytes(ctx, b, n, bytesPerRow, bits, k));
  return ctx.finish(PackOp::create(ctx.b, ctx.loc, type, codes));
}

/// Zero-point codes [N, kBlocks] of ui<bits>: the default 2^(bits - 1), or
/// ONNX Runtime's packing (each row padded to a byte), unpacked at compile
/// time when constant.
FailureOr<Value> zeroPointCodes(NodeContext &ctx, Value zp, int64_t n,
                                int64_t kBlocks, unsigned bits) {
  auto code = IntegerType::get(ctx.b.getContext(), bits, IntegerType::Unsigned);
  auto type = RankedTensorType::get({n, kBlocks}, code);
  if (!zp)
    return ctx.splat(type, double(1 << (bits - 1)));
  int64_t rowBytes = llvm::divideCeil(kBlocks * bits, 8);
  std::optional<int64_t> count = sizes::numElements(ctx.typeOf(zp).getShape());
  if (!count || *count != n * rowBytes)
    return ctx.error() << "zero_points of uint8 must hold N * ceil(k_blocks * "
                          "bits / 8) = "
                       << n * rowBytes << " bytes, found " << ctx.typeOf(zp);
  if (std::optional<std::vector<uint8_t>> bytes = constantBytes(zp)) {
    std::vector<uint32_t> codes;
    std::vector<uint8_t> row(static_cast<size_t>(kBlocks));
    for (int64_t r = 0; r < n; ++r) {
      formats::unpack(ArrayRef<uint8_t>(*bytes).slice(r * rowBytes, rowBytes),
                      static_cast<int>(bits), row);
      codes.insert(codes.end(), row.begin(), row.end());
    }
    return Value(
        ConstantOp::create(ctx.b, ctx.loc, codesConstant(type, codes)));
  }
  return splitBytes(ctx, zp, n, rowBytes, bits, kBlocks);
}

LogicalResult matmulNBits(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(scalesIn, ctx.requiredInput(2, "scales"));
  if (failed(checkScales(ctx, scalesIn, "scales")))
    return failure();
  Value zp = ctx.input(3), gIdx = ctx.input(4), bias = ctx.input(5);
  OPTC_TRY(k, ctx.intAttr("K", -1));
  OPTC_TRY(n, ctx.intAttr("N", -1));
  OPTC_TRY(bitsAttr, ctx.intAttr("bits", 4));
  OPTC_TRY(blockSize, ctx.intAttr("block_size", -1));
  if (k < 1 || n < 1)
    return ctx.error() << "needs attributes K and N of at least 1, found K = "
                       << k << ", N = " << n;
  if (bitsAttr != 2 && bitsAttr != 4 && bitsAttr != 8)
    return ctx.error() << "bits must be 2, 4 or 8 (onnxruntime's packings), "
                          "found "
                       << bitsAttr;
  if (blockSize < 16 || !llvm::isPowerOf2_64(static_cast<uint64_t>(blockSize)))
    return ctx.error() << "block_size must be a power of 2 of at least 16, "
                          "found "
                       << blockSize;
  auto bits = static_cast<unsigned>(bitsAttr);
  int64_t kBlocks = llvm::divideCeil(k, blockSize);
  int64_t kPadded = kBlocks * blockSize;
  int64_t blobSize = blockSize * bits / 8;
  RankedTensorType at = ctx.typeOf(a);
  Type floatType = at.getElementType();
  if (at.getRank() < 1 || (!at.isDynamicDim(at.getRank() - 1) &&
                           at.getDimSize(at.getRank() - 1) != k))
    return ctx.error() << "A must end in K = " << k << ", found " << at;
  std::optional<int64_t> bCount = sizes::numElements(ctx.typeOf(b).getShape());
  if (!ctx.typeOf(b).getElementType().isUnsignedInteger(8) || !bCount ||
      *bCount != n * kBlocks * blobSize)
    return ctx.error() << "B must be uint8 [N, k_blocks, blob_size] = [" << n
                       << ", " << kBlocks << ", " << blobSize << "], found "
                       << ctx.typeOf(b);
  RankedTensorType st = ctx.typeOf(scalesIn);
  std::optional<int64_t> sCount = sizes::numElements(st.getShape());
  if (st.getElementType() != floatType || !sCount || *sCount != n * kBlocks)
    return ctx.error() << "scales must hold N * k_blocks = " << n * kBlocks
                       << " values of A's type " << floatType << ", found "
                       << st;
  Value scales = ctx.reshape(scalesIn, {n, kBlocks});
  if (!scales)
    return failure();

  // Float zero points: (q - zp) * s = q * s - zp * s, the second term per
  // block; code zero points go into the encoding.
  Value floatZero;
  if (zp && isa<FloatType>(ctx.typeOf(zp).getElementType())) {
    RankedTensorType zt = ctx.typeOf(zp);
    std::optional<int64_t> zCount = sizes::numElements(zt.getShape());
    if (zt.getElementType() != floatType || !zCount || *zCount != n * kBlocks)
      return ctx.error() << "float zero_points must hold N * k_blocks = "
                         << n * kBlocks << " values of A's type, found " << zt;
    floatZero = ctx.reshape(zp, {n, kBlocks});
    if (!floatZero)
      return failure();
    zp = Value();
  } else if (zp && !ctx.typeOf(zp).getElementType().isUnsignedInteger(8)) {
    return ctx.error() << "zero_points must be uint8 codes or floats of A's "
                          "type, found "
                       << ctx.typeOf(zp);
  }
  Value zeroCodes;
  if (!floatZero) {
    OPTC_TRY(z, zeroPointCodes(ctx, zp, n, kBlocks, bits));
    zeroCodes = z;
  }

  // act-order: a group per column of K, gathered per element.
  SmallVector<int64_t> block = {1, blockSize};
  if (gIdx) {
    RankedTensorType gt = ctx.typeOf(gIdx);
    if (gt.getRank() != 1 || gt.getDimSize(0) != k || kPadded != k)
      return ctx.error() << "g_idx must be [K] = [" << k
                         << "] with K a multiple of block_size, found " << gt;
    OPTC_TRY(gs, ctx.create<GatherOp>(scales, gIdx, 1));
    scales = gs;
    if (zeroCodes) {
      OPTC_TRY(gz, ctx.create<GatherOp>(zeroCodes, gIdx, 1));
      zeroCodes = gz;
    }
    if (floatZero) {
      OPTC_TRY(gf, ctx.create<GatherOp>(floatZero, gIdx, 1));
      floatZero = gf;
    }
    block = {1, 1};
  }

  auto code = IntegerType::get(ctx.b.getContext(), bits, IntegerType::Unsigned);
  auto quant = QuantAttr::get(ctx.b.getContext(), block, floatType,
                              bool(zeroCodes), /*tensorScale=*/false);
  auto packedType = RankedTensorType::get({n, kPadded}, code, quant);
  OPTC_TRY(packed, packedWeights(ctx, b, packedType, bits));
  // accuracy_level 4 is the model's consent to int8 activations: one
  // quantized product that says so (when it is the whole operator).
  OPTC_TRY(accuracyLevel, ctx.intAttr("accuracy_level", 0));
  if (accuracyLevel == 4 && !floatZero && !gIdx && kPadded == k) {
    SmallVector<int64_t> shape(at.getShape());
    shape.back() = n;
    OPTC_TRY(y, ctx.finish(QuantizedMatmulOp::create(
                    ctx.b, ctx.loc, RankedTensorType::get(shape, floatType), a,
                    packed, scales, zeroCodes, Value(),
                    /*rhs_transposed=*/true, /*int8_activations=*/true)));
    if (bias) {
      OPTC_TRY(biased, ctx.create<AddOp>(y, bias));
      y = biased;
    }
    ctx.outputs = {y};
    return success();
  }
  OPTC_TRY(w,
           ctx.finish(DequantizeOp::create(
               ctx.b, ctx.loc, RankedTensorType::get({n, kPadded}, floatType),
               packed, scales, zeroCodes, Value())));
  if (floatZero) {
    // zp * s, repeated over each block's positions.
    OPTC_TRY(offset, ctx.create<MulOp>(floatZero, scales));
    if (!gIdx) {
      Value e = ctx.reshape(offset, {n, kBlocks, 1});
      if (!e)
        return failure();
      OPTC_TRY(rep, ctx.create<BroadcastOp>(
                        e, SmallVector<int64_t>{n, kBlocks, blockSize}));
      offset = ctx.reshape(rep, {n, kPadded});
      if (!offset)
        return failure();
    }
    OPTC_TRY(shifted, ctx.create<SubOp>(w, offset));
    w = shifted;
  }
  if (kPadded != k) {
    OPTC_TRY(cut, lastAxisSlice(ctx, w, 0, k));
    w = cut;
  }
  OPTC_TRY(wt, ctx.create<TransposeOp>(w, SmallVector<int64_t>{1, 0}));
  OPTC_TRY(y, ctx.create<MatmulOp>(a, wt));
  if (bias) {
    OPTC_TRY(biased, ctx.create<AddOp>(y, bias));
    y = biased;
  }
  ctx.outputs = {y};
  return success();
}

} // namespace

void microsoft::registerMicrosoftNBitsOps(OpRegistry &r) {
  r.add("com.microsoft", "MatMulNBits", matmulNBits);
}
