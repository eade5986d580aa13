//===- QuantizeWeights.cpp - weight-only quantization at compile time -----===//
//
// Implements --optc-quantize-weights{policy=...} (optc --quantize=POLICY):
// the constant weights of matrix products are quantized with the numerics
// library's scheme of that name (formats::schemeByName: int<N>[-g<G>]
// [-asym], uint<N>, mxfp4/6/8, mxint8, nvfp4, bfp<M>-b<B>) and packed now,
// in the [N, K] layout with blocks along K that the quantized product's
// kernels read. Each product becomes matmul(x, transpose(dequantize(w)));
// the fusion stage makes it one optc.quantized_matmul.
//
// A weight whose K is not a multiple of the scheme's block is an error
// naming it (no padding), as are values that are not finite.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/BlockScaling.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCQUANTIZEWEIGHTS
#include "passes/Graph/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

namespace {

/// The IR type of a format's codes; null for what the IR cannot hold.
Type codeTypeOf(MLIRContext *context, const formats::Format &f) {
  Builder b(context);
  if (f.isInteger()) {
    if (f.bits == 1 && f.kind == formats::Kind::SignedInt)
      return {}; // i1 is the bools
    return IntegerType::get(context, f.bits,
                            f.kind == formats::Kind::UnsignedInt
                                ? IntegerType::Unsigned
                                : IntegerType::Signless);
  }
  StringRef name = f.name;
  if (name == "f4e2m1")
    return b.getType<Float4E2M1FNType>();
  if (name == "f6e2m3")
    return b.getType<Float6E2M3FNType>();
  if (name == "f6e3m2")
    return b.getType<Float6E3M2FNType>();
  if (name == "f8e4m3fn" || name == "ue4m3")
    return b.getType<Float8E4M3FNType>();
  if (name == "f8e5m2")
    return b.getType<Float8E5M2Type>();
  if (name == "e8m0")
    return b.getType<Float8E8M0FNUType>();
  if (name == "f16")
    return b.getF16Type();
  if (name == "bf16")
    return b.getBF16Type();
  return {};
}

/// The orthonormal Hadamard matrix of order `n` (a power of two, Sylvester's
/// construction), row-major: H[i][j] = (-1)^popcount(i & j) / sqrt(n). It
/// is symmetric and its own inverse.
std::vector<float> hadamard(int64_t n) {
  std::vector<float> h(static_cast<size_t>(n * n));
  float unit = static_cast<float>(1.0 / std::sqrt(static_cast<double>(n)));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      h[i * n + j] =
          llvm::popcount(static_cast<uint64_t>(i & j)) % 2 ? -unit : unit;
  return h;
}

/// The f32 values of a float constant, or nullopt.
std::optional<std::vector<float>> floatValues(ElementsAttr value) {
  if (!value.getElementType().isF32())
    return std::nullopt;
  std::vector<float> out(static_cast<size_t>(value.getNumElements()));
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    size_t i = 0;
    for (float v : dense.getValues<float>())
      out[i++] = v;
    return out;
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || blob->getData().size() != out.size() * sizeof(float))
    return std::nullopt;
  std::memcpy(out.data(), blob->getData().data(), blob->getData().size());
  return out;
}

struct QuantizeWeightsPass
    : public mlir::optc::impl::OptcQuantizeWeightsBase<QuantizeWeightsPass> {
  using OptcQuantizeWeightsBase::OptcQuantizeWeightsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    llvm::Expected<formats::Policy> parsed = formats::policyByName(policy);
    if (!parsed) {
      module.emitError() << "--quantize=" << policy << ": "
                         << llvm::toString(parsed.takeError());
      return signalPassFailure();
    }
    const formats::Scheme *scheme = &parsed->scheme;
    bool int8Activations = parsed->int8Activations;
    Type code = codeTypeOf(context, scheme->element);
    Type scaleType = scheme->scale ? codeTypeOf(context, *scheme->scale)
                                   : Float32Type::get(context);
    if (!code || !scaleType || !isQuantCodeType(code) ||
        !isQuantScaleType(scaleType)) {
      module.emitError() << "--quantize=" << policy
                         << ": optc cannot hold its codes ("
                         << scheme->element.name
                         << ") in a quantized tensor yet";
      return signalPassFailure();
    }
    SmallVector<MatmulOp> products;
    module.walk([&](MatmulOp op) {
      auto weights = op.getRhs().getDefiningOp<ConstantOp>();
      auto type = cast<RankedTensorType>(op.getRhs().getType());
      if (weights && type.getRank() == 2 && type.hasStaticShape() &&
          type.getElementType().isF32() && type.getNumElements() > 0)
        products.push_back(op);
    });
    // Filters: weights whose name matches `exclude`, and with `keepEnds`
    // the first and last products of the program, stay f32.
    llvm::Regex excluded(exclude);
    std::string why;
    if (!exclude.empty() && !excluded.isValid(why)) {
      module.emitError() << "--quantize-exclude=" << exclude
                         << " is not a regular expression: " << why;
      return signalPassFailure();
    }
    for (auto [index, op] : llvm::enumerate(products)) {
      if (keepEnds && (index == 0 || index + 1 == products.size()))
        continue;
      if (!exclude.empty() && excluded.match(weightName(op)))
        continue;
      if (failed(quantize(op, *scheme, code, scaleType, int8Activations)))
        return signalPassFailure();
    }
    if (report)
      printReport(*scheme);
  }

  /// One weight's line of the report.
  struct Row {
    std::string name;
    int64_t k, n;
    double sqnr; // dB
  };
  std::vector<Row> rows;

  /// The table --quantize-report prints: each weight's signal-to-
  /// quantization-noise ratio, 10 log10(sum w^2 / sum (w - w')^2).
  void printReport(const formats::Scheme &scheme) {
    llvm::raw_ostream &os = llvm::errs();
    os << "--quantize=" << scheme.name << ": " << rows.size()
       << " weights quantized\n";
    os << llvm::format("| %-32s | %-11s | %8s |\n", "weight", "[K, N]",
                       "SQNR dB");
    os << "|" << std::string(34, '-') << "|" << std::string(13, '-') << "|"
       << std::string(10, '-') << "|\n";
    for (const Row &row : rows)
      os << llvm::format(
          "| %-32s | %-11s | %8.2f |\n", row.name.c_str(),
          ("[" + std::to_string(row.k) + ", " + std::to_string(row.n) + "]")
              .c_str(),
          row.sqnr);
  }

  /// A weight's name: its blob's key (the initializer's name).
  static std::string weightName(MatmulOp op) {
    auto weights = op.getRhs().getDefiningOp<ConstantOp>();
    auto resource = dyn_cast<DenseResourceElementsAttr>(weights.getValue());
    return resource ? resource.getRawHandle().getKey().str() : "weights";
  }

  LogicalResult quantize(MatmulOp op, const formats::Scheme &scheme, Type code,
                         Type scaleType, bool int8Activations) {
    auto weights = op.getRhs().getDefiningOp<ConstantOp>();
    auto type = cast<RankedTensorType>(op.getRhs().getType());
    int64_t k = type.getDimSize(0), n = type.getDimSize(1);
    std::string name = weightName(op);
    int64_t block = scheme.block ? scheme.block : k;
    if (k % block != 0)
      return op.emitError()
             << "--quantize=" << scheme.name << ": weight '" << name << "' ("
             << type << ") has K = " << k << ", not a multiple of the block of "
             << block << " (optc does not pad)";
    std::optional<std::vector<float>> values = floatValues(weights.getValue());
    if (!values)
      return op.emitError()
             << "--quantize: cannot read weight '" << name << "'";
    // The Hadamard rotation: y = x W = (x H)(H W) with H block-diagonal
    // (orthonormal blocks of `block` along K, its own inverse): H W is
    // quantized, x H computed at run time.
    std::vector<float> h;
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    // The rotation's blocks: the scheme's where they are a power of two of
    // at most 256 values, else (per channel) the largest power of two of at
    // most 128 that divides K.
    int64_t turn = block;
    if (!llvm::isPowerOf2_64(static_cast<uint64_t>(turn)) || turn > 256)
      for (turn = 128; turn > 1 && k % turn != 0;)
        turn /= 2;
    if (rotate) {
      if (turn < 2 || k % turn != 0)
        return op.emitError() << "--quantize-rotate: weight '" << name
                              << "' has K = " << k << " and blocks of " << block
                              << "; the Hadamard rotation needs an even K";
      if (!lhsType.hasStaticShape())
        return op.emitError()
               << "--quantize-rotate: the activations of weight '" << name
               << "' (" << lhsType << ") need static sizes";
      h = hadamard(turn);
      std::vector<float> rotated(values->size(), 0.0f);
      for (int64_t k0 = 0; k0 < k; k0 += turn)
        for (int64_t i = 0; i < turn; ++i)
          for (int64_t j = 0; j < turn; ++j) {
            float c = h[i * turn + j];
            const float *from = values->data() + (k0 + j) * n;
            float *to = rotated.data() + (k0 + i) * n;
            for (int64_t col = 0; col < n; ++col)
              to[col] += c * from[col];
          }
      values = std::move(rotated);
    }
    // [K, N] -> [N, K]: blocks run along K.
    std::vector<float> transposed(values->size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        transposed[j * k + i] = (*values)[i * n + j];
    formats::Blocking blocking;
    blocking.outer = n;
    blocking.axis = k;
    blocking.block = block;
    llvm::Expected<formats::Quantized> q =
        formats::quantize(transposed, blocking, scheme);
    if (!q)
      return op.emitError() << "--quantize=" << scheme.name << ": weight '"
                            << name << "': " << llvm::toString(q.takeError());

    if (report) {
      std::vector<float> back(transposed.size());
      formats::dequantize(*q, blocking, scheme, back);
      double signal = 0, noise = 0;
      for (size_t i = 0; i < back.size(); ++i) {
        signal += double(transposed[i]) * transposed[i];
        noise += (double(transposed[i]) - back[i]) * (transposed[i] - back[i]);
      }
      rows.push_back({name, k, n,
                      noise > 0 ? 10 * std::log10(signal / noise)
                                : std::numeric_limits<double>::infinity()});
    }
    OpBuilder b(op);
    Location loc = weights.getLoc();
    int64_t blocks = k / block;
    auto quant = QuantAttr::get(op.getContext(), {1, block}, scaleType,
                                scheme.hasZeroPoint(), scheme.hasTensorScale());
    auto codesType = RankedTensorType::get({n, k}, code, quant);
    std::vector<uint8_t> packed(
        static_cast<size_t>(*sizes::packedBytes(n * k, scheme.element.bits)));
    formats::pack(q->codes, scheme.element.bits, packed);
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                       packed.size()),
        /*align=*/1);
    Value codes =
        ConstantOp::create(b, loc,
                           DenseResourceElementsAttr::get(
                               codesType, name + ".q", std::move(blob)));
    auto scalesType = RankedTensorType::get({n, blocks}, scaleType);
    ElementsAttr scalesAttr = scaleType.isF32()
                                  ? ElementsAttr(DenseElementsAttr::get(
                                        scalesType, ArrayRef<float>(q->scales)))
                                  : codesConstant(scalesType, q->scaleCodes);
    Value scales = ConstantOp::create(b, loc, scalesAttr);
    Value zeros, tensorScale;
    if (scheme.hasZeroPoint()) {
      std::vector<uint32_t> z(q->zeroPoints.begin(), q->zeroPoints.end());
      zeros = ConstantOp::create(
          b, loc, codesConstant(RankedTensorType::get({n, blocks}, code), z));
    }
    if (scheme.hasTensorScale())
      tensorScale = ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                 ArrayRef<float>(q->tensorScale)));
    auto w = DequantizeOp::create(b, loc,
                                  RankedTensorType::get({n, k}, b.getF32Type()),
                                  codes, scales, zeros, tensorScale);
    if (int8Activations)
      w->setAttr("optc.int8_activations", b.getUnitAttr());
    Value wt = TransposeOp::create(b, loc, w, SmallVector<int64_t>{1, 0});
    op.getRhsMutable().assign(wt);
    if (rotate) {
      // x H: [..., K] -> [M * K / B, B] . H -> [..., K].
      Location at = op.getLoc();
      b.setInsertionPoint(op);
      int64_t rows = lhsType.getNumElements() / turn;
      Value turns = ReshapeOp::create(b, at, op.getLhs(),
                                      SmallVector<int64_t>{rows, turn});
      auto hType = RankedTensorType::get({turn, turn}, b.getF32Type());
      Value hConstant =
          ConstantOp::create(b, at, DenseElementsAttr::get(hType, ArrayRef(h)));
      Value turned = MatmulOp::create(
          b, at, RankedTensorType::get({rows, turn}, b.getF32Type()), turns,
          hConstant);
      op.getLhsMutable().assign(
          ReshapeOp::create(b, at, turned, lhsType.getShape()));
    }
    return success();
  }
};

} // namespace
