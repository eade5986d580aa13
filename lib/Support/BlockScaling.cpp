//===- BlockScaling.cpp - scaled low-precision tensors, bit-exact ---------===//

#include "optc/Support/BlockScaling.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mlir::optc::formats {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

bool isSignedInteger(const Format &f) { return f.kind == Kind::SignedInt; }

/// Parses "<digits>" fully; std::nullopt otherwise.
std::optional<int64_t> number(llvm::StringRef text) {
  int64_t value;
  if (text.empty() || text.getAsInteger(10, value) || value < 0)
    return std::nullopt;
  return value;
}

} // namespace

int Scheme::elementExponent() const {
  if (element.isInteger())
    return element.bits - 2;
  return std::ilogb(element.largest());
}

double Scheme::bitsPerValue(int64_t axisLength) const {
  double perBlock =
      double(block > 0 ? block : std::max<int64_t>(axisLength, 1));
  double scaleBits = scale ? std::max(8, (scale->bits + 7) / 8 * 8) : 32;
  double zeroBits = hasZeroPoint() ? element.bits : 0;
  return element.bits + (scaleBits + zeroBits) / perBlock;
}

llvm::Error verify(const Scheme &s) {
  if (s.block < 0)
    return fail("a block of " + llvm::Twine(s.block) + " values");
  const Format &e = s.element;
  if (e.kind == Kind::E8M0)
    return fail("E8M0 is a scale format, not an element format");
  if (e.bits > 8)
    return fail(llvm::Twine("elements of ") + e.name +
                " are not low precision (8 bits at most)");
  switch (s.rule) {
  case ScaleRule::AbsMax:
    if (e.kind == Kind::UnsignedInt)
      return fail(llvm::Twine(e.name) + " needs a zero point (MinMax)");
    if (isSignedInteger(e) && e.bits < 2)
      return fail("int1 has no symmetric range: use a zero point");
    if (s.scale && !s.scale->isFloat())
      return fail(llvm::Twine("scales of ") + s.scale->name +
                  " for a symmetric scheme");
    return llvm::Error::success();
  case ScaleRule::MinMax:
    if (!e.isInteger())
      return fail(llvm::Twine("a zero point needs integer elements, not ") +
                  e.name);
    if (s.scale && !s.scale->isFloat())
      return fail(llvm::Twine("scales of ") + s.scale->name +
                  " for a scheme with zero points");
    return llvm::Error::success();
  case ScaleRule::SharedExponent:
    if (!s.scale || s.scale->kind != Kind::E8M0)
      return fail("a shared exponent is stored as E8M0");
    if (e.kind == Kind::UnsignedInt || (isSignedInteger(e) && e.bits < 2))
      return fail(llvm::Twine("a shared exponent needs signed elements of 2 "
                              "bits or more, not ") +
                  e.name);
    return llvm::Error::success();
  case ScaleRule::TwoLevel:
    if (!e.isFloat())
      return fail(llvm::Twine("two-level scaling needs float elements, not ") +
                  e.name);
    if (!s.scale || s.scale->name != llvm::StringRef(kUE4M3.name))
      return fail("two-level scaling stores its block scales as UE4M3");
    return llvm::Error::success();
  }
  return llvm::Error::success();
}

llvm::Expected<Scheme> schemeByName(llvm::StringRef name) {
  auto unknown = [&]() {
    return fail("unknown quantization scheme '" + name +
                "' (expected int<N>[-g<G>][-asym], uint<N>[-g<G>], mxfp4, "
                "mxfp6, mxfp6e3m2, mxfp8, mxfp8e5m2, mxint8, nvfp4, "
                "bfp<M>-b<B>, bfp12 or bfp16)");
  };
  Scheme s;
  s.name = name.str();
  auto mx = [&](const Format &element) {
    s.element = element;
    s.scale = kE8M0;
    s.rule = ScaleRule::SharedExponent;
    s.block = 32;
  };
  if (name == "mxfp4")
    mx(kF4E2M1);
  else if (name == "mxfp6" || name == "mxfp6e2m3")
    mx(kF6E2M3);
  else if (name == "mxfp6e3m2")
    mx(kF6E3M2);
  else if (name == "mxfp8" || name == "mxfp8e4m3")
    mx(kF8E4M3FN);
  else if (name == "mxfp8e5m2")
    mx(kF8E5M2);
  else if (name == "mxint8")
    mx(integer(8, true));
  else if (name == "nvfp4") {
    s.element = kF4E2M1;
    s.scale = kUE4M3;
    s.rule = ScaleRule::TwoLevel;
    s.block = 16;
  } else if (name.starts_with("bfp")) {
    llvm::StringRef rest = name.drop_front(3);
    if (rest == "12")
      rest = "4-b16";
    else if (rest == "16")
      rest = "8-b8";
    auto [bitsText, blockText] = rest.split("-b");
    std::optional<int64_t> bits = number(bitsText), block = number(blockText);
    if (!bits || !block)
      return unknown();
    if (*bits < 2 || *bits > 8)
      return fail("block floating point '" + name +
                  "' needs elements of 2 to 8 bits, not " + llvm::Twine(*bits));
    if (*block < 8 || *block > 128)
      return fail("block floating point '" + name +
                  "' needs blocks of 8 to 128 values, not " +
                  llvm::Twine(*block));
    s.element = integer(int(*bits), true);
    s.scale = kE8M0;
    s.rule = ScaleRule::SharedExponent;
    s.block = *block;
  } else if (name.starts_with("int") || name.starts_with("uint")) {
    llvm::StringRef rest = name;
    bool isUnsigned = rest.consume_front("u");
    rest.consume_front("int");
    bool asym = rest.consume_back("-asym");
    auto [bitsText, groupText] = rest.split("-g");
    std::optional<int64_t> bits = number(bitsText);
    if (!bits || (rest.contains("-g") && !number(groupText)))
      return unknown();
    if (*bits < 1 || *bits > 8)
      return fail("integer scheme '" + name + "' needs 1 to 8 bits, not " +
                  llvm::Twine(*bits));
    if (rest.contains("-g")) {
      s.block = *number(groupText);
      if (s.block < 1)
        return fail("integer scheme '" + name + "' has a group of 0");
    }
    if (isUnsigned || asym) {
      s.element = integer(int(*bits), /*isSigned=*/false);
      s.rule = ScaleRule::MinMax;
    } else {
      if (*bits < 2)
        return fail("'" + name +
                    "' has no symmetric range: use int1-asym (a zero point)");
      s.element = integer(int(*bits), /*isSigned=*/true);
      s.rule = ScaleRule::AbsMax;
    }
  } else {
    return unknown();
  }
  if (llvm::Error error = verify(s))
    return std::move(error);
  return s;
}

llvm::Expected<Policy> policyByName(llvm::StringRef name) {
  Policy policy;
  llvm::StringRef weights = name;
  policy.int8Activations = weights.consume_back("-a8");
  llvm::Expected<Scheme> scheme = schemeByName(weights);
  if (!scheme)
    return fail(llvm::toString(scheme.takeError()) +
                "; a policy is a scheme's name, then -a8 for int8 "
                "activations where the scheme allows");
  policy.scheme = std::move(*scheme);
  policy.scheme.name = name.str();
  const Format &element = policy.scheme.element;
  if (!policy.int8Activations)
    return policy;
  if (element.bits != 4 ||
      !(element.isInteger() || llvm::StringRef(element.name) == kF4E2M1.name))
    return fail(llvm::Twine("int8 activations (-a8) run with 4-bit integer or "
                            "FP4 weights only, not ") +
                element.name);
  if (policy.scheme.block != 32 && policy.scheme.block % 64 != 0)
    return fail("int8 activations (-a8) need blocks of 32 or a multiple of "
                "64, not " +
                llvm::Twine(policy.scheme.block));
  return policy;
}

llvm::Expected<Blocking> blockingFor(llvm::ArrayRef<int64_t> shape,
                                     int64_t axis, const Scheme &scheme) {
  int64_t rank = static_cast<int64_t>(shape.size());
  if (rank == 0)
    return Blocking{1, 1, 1, 1};
  if (axis < 0 || axis >= rank)
    return fail("axis " + llvm::Twine(axis) + " of a tensor of rank " +
                llvm::Twine(rank));
  Blocking b;
  auto multiply = [](int64_t &into, int64_t size) {
    return size < 0 || __builtin_mul_overflow(into, size, &into);
  };
  for (int64_t i = 0; i < rank; ++i) {
    int64_t &part = i < axis ? b.outer : i == axis ? b.axis : b.inner;
    if (multiply(part, shape[i]))
      return fail("the tensor's sizes overflow");
  }
  int64_t total = b.outer;
  if (multiply(total, b.axis) || multiply(total, b.inner))
    return fail("the tensor's sizes overflow");
  b.block = scheme.block > 0 ? scheme.block : std::max<int64_t>(b.axis, 1);
  return b;
}

namespace {

/// Quantizes the blocks one at a time: `visit(scaleIndex, indices)` over
/// the flat indices of each block.
template <typename Fn> void forEachBlock(const Blocking &b, Fn visit) {
  std::vector<int64_t> indices;
  indices.reserve(static_cast<size_t>(std::min(b.block, b.axis)));
  int64_t blocks = b.blocksPerAxis();
  for (int64_t o = 0; o < b.outer; ++o)
    for (int64_t k = 0; k < blocks; ++k)
      for (int64_t i = 0; i < b.inner; ++i) {
        indices.clear();
        int64_t end = std::min(b.axis, (k + 1) * b.block);
        for (int64_t a = k * b.block; a < end; ++a)
          indices.push_back((o * b.axis + a) * b.inner + i);
        visit((o * blocks + k) * b.inner + i, indices);
      }
}

uint32_t floatBits(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

/// `s` rounded to the scheme's scale format, and its code. A positive
/// scale that would round to 0 becomes the format's smallest.
std::pair<float, uint32_t> storeScale(const Scheme &scheme, double s) {
  if (!scheme.scale) {
    float f = static_cast<float>(s);
    if (f == 0 && s > 0)
      f = std::numeric_limits<float>::denorm_min();
    return {f, floatBits(f)};
  }
  const Format &format = *scheme.scale;
  uint32_t code = encode(format, static_cast<float>(s), /*saturate=*/true);
  float value = decode(format, code);
  if (value == 0 && s > 0) {
    value = static_cast<float>(format.smallestPositive());
    code = encode(format, value, true);
  }
  return {value, code};
}

/// The code of `x` (already divided by the scale) in a symmetric scheme.
uint8_t encodeSymmetric(const Scheme &scheme, float x) {
  if (isSignedInteger(scheme.element)) {
    float limit = static_cast<float>(scheme.element.largest());
    x = std::clamp(x, -limit, limit);
  }
  return static_cast<uint8_t>(encode(scheme.element, x, /*saturate=*/true));
}

} // namespace

llvm::Expected<Quantized> quantize(llvm::ArrayRef<float> values,
                                   const Blocking &blocking,
                                   const Scheme &scheme) {
  if (llvm::Error error = verify(scheme))
    return std::move(error);
  if (int64_t(values.size()) != blocking.elements())
    return fail(llvm::Twine(values.size()) + " values for a tensor of " +
                llvm::Twine(blocking.elements()));
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      return fail("value #" + llvm::Twine(i) + " is " +
                  (std::isnan(values[i]) ? "NaN" : "infinite") +
                  ", which cannot be quantized");

  Quantized q;
  size_t scales = static_cast<size_t>(blocking.scaleCount());
  q.codes.assign(values.size(), 0);
  q.scales.assign(scales, 0);
  q.scaleCodes.assign(scales, 0);
  if (scheme.hasZeroPoint())
    q.zeroPoints.assign(scales, 0);
  if (scheme.hasTensorScale()) {
    float absmax = 0;
    for (float v : values)
      absmax = std::max(absmax, std::fabs(v));
    float t = absmax / static_cast<float>(kF8E4M3FN.largest() *
                                          scheme.element.largest());
    q.tensorScale = t > 0 ? t : 1;
  }

  forEachBlock(blocking, [&](int64_t s, llvm::ArrayRef<int64_t> block) {
    float lo = 0, hi = 0, absmax = 0;
    for (int64_t i : block) {
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
    }
    absmax = std::max(-lo, hi);
    switch (scheme.rule) {
    case ScaleRule::AbsMax: {
      double wanted = absmax > 0 ? absmax / scheme.element.largest() : 1.0;
      auto [scale, code] = storeScale(scheme, wanted);
      q.scales[s] = scale;
      q.scaleCodes[s] = code;
      for (int64_t i : block)
        q.codes[i] = encodeSymmetric(scheme, values[i] / scale);
      break;
    }
    case ScaleRule::MinMax: {
      const Format &e = scheme.element;
      double range = e.largest() - e.lowest();
      double wanted = hi > lo ? (double(hi) - double(lo)) / range : 1.0;
      auto [scale, code] = storeScale(scheme, wanted);
      q.scales[s] = scale;
      q.scaleCodes[s] = code;
      float zero = static_cast<float>(
          std::clamp(std::nearbyint(e.lowest() - double(lo / scale)),
                     e.lowest(), e.largest()));
      q.zeroPoints[s] = static_cast<uint8_t>(encode(e, zero));
      for (int64_t i : block)
        q.codes[i] = static_cast<uint8_t>(
            encode(e, std::nearbyint(values[i] / scale) + zero));
      break;
    }
    case ScaleRule::SharedExponent: {
      int exponent =
          absmax > 0 ? std::ilogb(absmax) - scheme.elementExponent() : -127;
      exponent = std::clamp(exponent, -127, 127);
      q.scaleCodes[s] = static_cast<uint32_t>(exponent + 127);
      q.scales[s] = static_cast<float>(std::ldexp(1.0, exponent));
      for (int64_t i : block)
        q.codes[i] = encodeSymmetric(
            scheme,
            static_cast<float>(std::ldexp(double(values[i]), -exponent)));
      break;
    }
    case ScaleRule::TwoLevel: {
      float wanted =
          absmax / static_cast<float>(scheme.element.largest()) / q.tensorScale;
      uint32_t code = encode(*scheme.scale, wanted, /*saturate=*/true);
      float scale = decode(*scheme.scale, code);
      q.scales[s] = scale;
      q.scaleCodes[s] = code;
      float denominator = scale * q.tensorScale;
      for (int64_t i : block)
        q.codes[i] = denominator > 0
                         ? encodeSymmetric(scheme, values[i] / denominator)
                         : static_cast<uint8_t>(encode(scheme.element, 0));
      break;
    }
    }
  });
  return q;
}

void dequantize(const Quantized &q, const Blocking &blocking,
                const Scheme &scheme, llvm::MutableArrayRef<float> out) {
  forEachBlock(blocking, [&](int64_t s, llvm::ArrayRef<int64_t> block) {
    float zero =
        scheme.hasZeroPoint() ? decode(scheme.element, q.zeroPoints[s]) : 0.0f;
    // NVFP4 in ONNX is DequantizeLinear(codes, DequantizeLinear(block
    // scales, tensor scale)): the two scales multiply first.
    float scale =
        scheme.hasTensorScale() ? q.scales[s] * q.tensorScale : q.scales[s];
    for (int64_t i : block) {
      out[i] = (decode(scheme.element, q.codes[i]) - zero) * scale;
    }
  });
}

} // namespace mlir::optc::formats
