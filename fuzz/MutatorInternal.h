//===- MutatorInternal.h - shared by the ModelMutator files -----*- C++ -*-===//
//
// What ModelMutator.cpp (the model walk, the mutation table, the drivers and
// cross-over) and the mutation families in MutateStructure.cpp and
// MutateData.cpp share: the random-choice helpers, the generators of the
// interesting values mutations write, and the targets collected from a model.
// Private to the mutator; harnesses include ModelMutator.h.
//
// Every mutation draws from the one Rng in a fixed order, so that a seed
// gives the same mutant; moving code between these files must not change
// which draws are made or in what order.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_FUZZ_MUTATORINTERNAL_H
#define OPTC_FUZZ_MUTATORINTERNAL_H

#include "onnx/onnx.pb.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mlir::optc::fuzz::detail {

using Rng = std::mt19937;
template <class T> using Repeated = google::protobuf::RepeatedPtrField<T>;

//===----------------------------------------------------------------------===//
// Random choices
//===----------------------------------------------------------------------===//

inline size_t below(Rng &rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}
inline bool oneIn(Rng &rng, size_t n) { return below(rng, n) == 0; }

template <class T> T &pick(std::vector<T> &v, Rng &rng) {
  return v[below(rng, v.size())];
}
template <class T> const T &pick(const std::vector<T> &v, Rng &rng) {
  return v[below(rng, v.size())];
}
template <class T, size_t N> const T &pick(const T (&a)[N], Rng &rng) {
  return a[below(rng, N)];
}

/// A random element of `v`, or null when it is empty.
template <class T> T *pickOrNull(std::vector<T *> &v, Rng &rng) {
  return v.empty() ? nullptr : pick(v, rng);
}

/// Moves element `from` of `list` to position `to`, shifting the others.
template <class List> void moveElement(List &list, size_t from, size_t to) {
  for (int i = static_cast<int>(from); i < static_cast<int>(to); ++i)
    list.SwapElements(i, i + 1);
  for (int i = static_cast<int>(from); i > static_cast<int>(to); --i)
    list.SwapElements(i, i - 1);
}

/// Moves the last element of `list` to a random position.
template <class List> void moveLastAnywhere(List &list, Rng &rng) {
  moveElement(list, list.size() - 1, below(rng, list.size()));
}

//===----------------------------------------------------------------------===//
// Interesting values (ModelMutator.cpp)
//===----------------------------------------------------------------------===//

/// Integers at int32/int64 boundaries, signs and small values.
int64_t interestingInt(Rng &rng);
/// Floats at the ends of the range, denormals, NaN and infinities.
float interestingFloat(Rng &rng);
/// A TensorProto.DataType, sometimes one outside the enum.
int32_t randomDataType(Rng &rng);
/// Empty, non-UTF-8, format-directive, path-like or very long strings.
std::string junkString(Rng &rng);
/// A name fuzz_N, most likely new to the model.
std::string freshName(Rng &rng);
const std::string &randomOpType(Rng &rng);
const std::string &randomAttributeName(Rng &rng);
/// A value some STRING attribute accepts, or junk.
std::string attributeString(Rng &rng);

//===----------------------------------------------------------------------===//
// Everything a mutation can target
//===----------------------------------------------------------------------===//

/// Pointers into the model, valid until the next mutation changes a repeated
/// field; mutateModel collects them again before each mutation.
struct Targets {
  std::vector<onnx::GraphProto *> graphs;
  std::vector<onnx::FunctionProto *> functions;
  std::vector<Repeated<onnx::NodeProto> *> nodeLists;
  std::vector<onnx::NodeProto *> nodes;
  std::vector<onnx::AttributeProto *> attributes;
  /// Tensor types (and unset ones) of values, at any nesting in
  /// sequence/optional/map types.
  std::vector<onnx::TypeProto *> types;
  std::vector<onnx::TensorProto *> tensors;
  std::vector<Repeated<onnx::OperatorSetIdProto> *> opsetLists;
  /// Names of all values, so that rewiring can pick an existing one; the
  /// scope is ignored on purpose (outer-scope and dangling references).
  std::vector<std::string> names;
};

//===----------------------------------------------------------------------===//
// Mutations: each returns false when the model has no target for it
//===----------------------------------------------------------------------===//

// Value types, nodes and interfaces (MutateStructure.cpp).
bool mutateDim(onnx::ModelProto &, Targets &t, Rng &rng);
bool changeRank(onnx::ModelProto &, Targets &t, Rng &rng);
bool changeElemType(onnx::ModelProto &, Targets &t, Rng &rng);
bool wrapType(onnx::ModelProto &, Targets &t, Rng &rng);
bool rewireInput(onnx::ModelProto &, Targets &t, Rng &rng);
bool rewireOutput(onnx::ModelProto &, Targets &t, Rng &rng);
bool changeOpType(onnx::ModelProto &, Targets &t, Rng &rng);
bool reorderNodes(onnx::ModelProto &, Targets &t, Rng &rng);
bool insertConstant(onnx::ModelProto &, Targets &t, Rng &rng);
bool mutateOpset(onnx::ModelProto &, Targets &t, Rng &rng);
bool mutateIrVersion(onnx::ModelProto &model, Targets &, Rng &rng);
bool mutateGraphInterface(onnx::ModelProto &, Targets &t, Rng &rng);
bool mutateFunctionInterface(onnx::ModelProto &, Targets &t, Rng &rng);

// Attributes and tensors (MutateData.cpp).
bool mutateAttributeValue(onnx::ModelProto &, Targets &t, Rng &rng);
bool retypeAttribute(onnx::ModelProto &, Targets &t, Rng &rng);
bool addOrDeleteAttribute(onnx::ModelProto &model, Targets &t, Rng &rng);
bool mutateTensorDims(onnx::ModelProto &, Targets &t, Rng &rng);
bool changeTensorType(onnx::ModelProto &, Targets &t, Rng &rng);
bool resizeRawData(onnx::ModelProto &, Targets &t, Rng &rng);
bool moveTensorData(onnx::ModelProto &, Targets &t, Rng &rng);
bool addExternalData(onnx::ModelProto &, Targets &t, Rng &rng);
bool deleteInitializer(onnx::ModelProto &, Targets &t, Rng &rng);

// Helpers that more than one file uses.

/// The node lists of `t` that have a node (reorderNodes, cross-over).
std::vector<Repeated<onnx::NodeProto> *> nonEmptyNodeLists(Targets &t);

/// A small tensor whose element count matches its dims.
void randomTensor(onnx::TensorProto &tensor, Rng &rng);

} // namespace mlir::optc::fuzz::detail

#endif // OPTC_FUZZ_MUTATORINTERNAL_H
