//===- ModelMutator.h - structure-aware mutation of ONNX models -*- C++ -*-===//
//
// libFuzzer's byte-level mutations almost never leave a serialized protobuf
// parseable, so random bytes rarely get past the importer's first step. These
// functions mutate an onnx::ModelProto field by field instead (dims, dtypes,
// node wiring, op types, attributes, initializers, opsets, and the same
// inside If/Loop/Scan bodies and model-local functions), for a harness's
// LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_FUZZ_MODELMUTATOR_H
#define OPTC_FUZZ_MODELMUTATOR_H

#include <cstddef>
#include <cstdint>

namespace mlir::optc::fuzz {

/// Mutates the serialized onnx::ModelProto in data[0, size) in place into at
/// most maxSize bytes and returns the new size, or 0 when `data` is not a
/// ModelProto (or the mutant would not fit): the caller then falls back to
/// libFuzzer's byte-level mutation. Deterministic for a given seed.
size_t mutateModel(uint8_t *data, size_t size, size_t maxSize, unsigned seed);

/// Splices two models: a copy of `a` with nodes, initializers or subgraphs
/// taken from `b`. Same contract as above (0 when either does not parse).
size_t crossOverModels(const uint8_t *a, size_t aSize, const uint8_t *b,
                       size_t bSize, uint8_t *out, size_t maxOutSize,
                       unsigned seed);

} // namespace mlir::optc::fuzz

#endif // OPTC_FUZZ_MODELMUTATOR_H
