//===- Formats.cpp - optc._optc.formats: the low-precision formats --------===//
//
// The numerics library (optc/Support/Formats.h, BlockScaling.h) for Python,
// over bytes: python/optc/formats.py turns them into NumPy arrays. The
// tests hold it against ml_dtypes and onnx.reference with it.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Formats.h"
#include "optc/Support/BlockScaling.h"
#include "optc/Support/Sizes.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <string>
#include <vector>

namespace nb = nanobind;
using namespace mlir::optc::formats;

namespace {

Format formatNamed(const std::string &name) {
  std::optional<Format> f = byName(name);
  if (!f)
    throw nb::value_error(("unknown format '" + name + "'").c_str());
  return *f;
}

template <typename T> std::vector<T> valuesOf(nb::bytes data) {
  if (data.size() % sizeof(T))
    throw nb::value_error("the data's length is not a whole number of values");
  std::vector<T> values(data.size() / sizeof(T));
  if (!values.empty())
    std::memcpy(values.data(), data.c_str(), data.size());
  return values;
}

template <typename T> nb::bytes bytesOf(const std::vector<T> &values) {
  return nb::bytes(reinterpret_cast<const char *>(values.data()),
                   values.size() * sizeof(T));
}

/// Codes of a format, one byte each up to 8 bits, else two.
nb::bytes encodeAll(const std::string &name, nb::bytes data, bool saturate) {
  Format f = formatNamed(name);
  std::vector<float> x = valuesOf<float>(data);
  if (f.bits <= 8) {
    std::vector<uint8_t> codes(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      codes[i] = static_cast<uint8_t>(encode(f, x[i], saturate));
    return bytesOf(codes);
  }
  std::vector<uint16_t> codes(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    codes[i] = static_cast<uint16_t>(encode(f, x[i], saturate));
  return bytesOf(codes);
}

nb::bytes decodeAll(const std::string &name, nb::bytes data) {
  Format f = formatNamed(name);
  std::vector<float> out;
  if (f.bits <= 8) {
    for (uint8_t c : valuesOf<uint8_t>(data))
      out.push_back(decode(f, c));
  } else {
    for (uint16_t c : valuesOf<uint16_t>(data))
      out.push_back(decode(f, c));
  }
  return bytesOf(out);
}

nb::bytes encodeScales(nb::bytes data, const std::string &roundMode,
                       bool saturate) {
  ScaleRounding rounding;
  if (roundMode == "up")
    rounding = ScaleRounding::Up;
  else if (roundMode == "nearest")
    rounding = ScaleRounding::Nearest;
  else if (roundMode == "down")
    rounding = ScaleRounding::Down;
  else
    throw nb::value_error(
        ("unknown round_mode '" + roundMode + "' (up, nearest or down)")
            .c_str());
  std::vector<uint8_t> codes;
  for (float x : valuesOf<float>(data))
    codes.push_back(static_cast<uint8_t>(encodeScale(x, rounding, saturate)));
  return bytesOf(codes);
}

void checkBits(int bits) {
  if (bits < 1 || bits > 8)
    throw nb::value_error("codes of 1 to 8 bits are packed");
}

nb::bytes packCodes(nb::bytes data, int bits) {
  checkBits(bits);
  std::vector<uint8_t> codes = valuesOf<uint8_t>(data);
  for (uint8_t c : codes)
    if (c >> bits)
      throw nb::value_error("a code does not fit the bits");
  std::vector<uint8_t> out(*mlir::optc::sizes::packedBytes(codes.size(), bits));
  pack(codes, bits, out);
  return bytesOf(out);
}

nb::bytes unpackCodes(nb::bytes data, int bits, int64_t count) {
  checkBits(bits);
  std::optional<int64_t> need = mlir::optc::sizes::packedBytes(count, bits);
  if (!need || int64_t(data.size()) < *need)
    throw nb::value_error("the packed data is too short for the count");
  std::vector<uint8_t> packed = valuesOf<uint8_t>(data);
  std::vector<uint8_t> out(static_cast<size_t>(count));
  unpack(packed, bits, out);
  return bytesOf(out);
}

Scheme schemeNamed(const std::string &name) {
  llvm::Expected<Scheme> s = schemeByName(name);
  if (!s)
    throw nb::value_error(llvm::toString(s.takeError()).c_str());
  return *s;
}

Blocking blockingOf(const Scheme &s, const std::vector<int64_t> &shape,
                    int64_t axis) {
  llvm::Expected<Blocking> b = blockingFor(shape, axis, s);
  if (!b)
    throw nb::value_error(llvm::toString(b.takeError()).c_str());
  return *b;
}

nb::dict schemeInfo(const std::string &name) {
  Scheme s = schemeNamed(name);
  nb::dict d;
  d["name"] = s.name;
  d["element"] = std::string(s.element.name);
  d["scale"] = std::string(s.scale ? s.scale->name : "f32");
  d["block"] = s.block;
  d["zero_point"] = s.hasZeroPoint();
  d["tensor_scale"] = s.hasTensorScale();
  return d;
}

nb::dict quantizeAll(nb::bytes data, const std::vector<int64_t> &shape,
                     int64_t axis, const std::string &name) {
  Scheme s = schemeNamed(name);
  Blocking b = blockingOf(s, shape, axis);
  std::vector<float> x = valuesOf<float>(data);
  llvm::Expected<Quantized> q = quantize(x, b, s);
  if (!q)
    throw nb::value_error(llvm::toString(q.takeError()).c_str());
  nb::dict d;
  d["codes"] = bytesOf(q->codes);
  d["scales"] = bytesOf(q->scales);
  d["scale_codes"] = bytesOf(q->scaleCodes);
  d["zero_points"] = bytesOf(q->zeroPoints);
  d["tensor_scale"] = q->tensorScale;
  d["scale_shape"] = std::vector<int64_t>{b.outer, b.blocksPerAxis(), b.inner};
  return d;
}

nb::bytes dequantizeAll(nb::bytes codes, nb::bytes scales, nb::bytes zeroPoints,
                        float tensorScale, const std::vector<int64_t> &shape,
                        int64_t axis, const std::string &name) {
  Scheme s = schemeNamed(name);
  Blocking b = blockingOf(s, shape, axis);
  Quantized q;
  q.codes = valuesOf<uint8_t>(codes);
  q.scales = valuesOf<float>(scales);
  q.zeroPoints = valuesOf<uint8_t>(zeroPoints);
  q.tensorScale = tensorScale;
  auto scaleCount = static_cast<size_t>(b.scaleCount());
  if (int64_t(q.codes.size()) != b.elements() ||
      q.scales.size() != scaleCount ||
      (s.hasZeroPoint() && q.zeroPoints.size() != scaleCount))
    throw nb::value_error("codes, scales or zero points of the wrong size");
  std::vector<float> out(q.codes.size());
  dequantize(q, b, s, out);
  return bytesOf(out);
}

} // namespace

void bindFormats(nb::module_ &parent) {
  nb::module_ m = parent.def_submodule(
      "formats", "The low-precision formats: codes, scales, packing.");
  m.def(
      "bits", [](const std::string &name) { return formatNamed(name).bits; },
      nb::arg("format"), "Bits of one code of a format.");
  m.def("encode", &encodeAll, nb::arg("format"), nb::arg("data"),
        nb::arg("saturate") = true,
        "f32 bytes -> codes (uint8, or uint16 for f16/bf16).");
  m.def("decode", &decodeAll, nb::arg("format"), nb::arg("codes"),
        "codes -> f32 bytes.");
  m.def("encode_scale", &encodeScales, nb::arg("data"),
        nb::arg("round_mode") = "up", nb::arg("saturate") = true,
        "f32 bytes -> E8M0 codes, as onnx.reference converts.");
  m.def("pack", &packCodes, nb::arg("codes"), nb::arg("bits"),
        "One code per byte -> a little-endian bit stream.");
  m.def("unpack", &unpackCodes, nb::arg("packed"), nb::arg("bits"),
        nb::arg("count"), "A bit stream -> one code per byte.");
  m.def("scheme", &schemeInfo, nb::arg("name"),
        "What a quantization scheme name stands for.");
  m.def("quantize", &quantizeAll, nb::arg("data"), nb::arg("shape"),
        nb::arg("axis"), nb::arg("scheme"),
        "f32 bytes of a tensor -> codes, scales (and zero points).");
  m.def("dequantize", &dequantizeAll, nb::arg("codes"), nb::arg("scales"),
        nb::arg("zero_points"), nb::arg("tensor_scale"), nb::arg("shape"),
        nb::arg("axis"), nb::arg("scheme"), "The values codes stand for.");
}
