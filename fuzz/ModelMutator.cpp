//===- ModelMutator.cpp - structure-aware mutation of ONNX models ---------===//
//
// Each call parses the model, applies one to three mutations from a table of
// small functions and serializes it again. A mutation picks its target at
// random from everything reachable in the model, subgraphs of If/Loop/Scan
// (GRAPH and GRAPHS attributes) and model-local functions included, because
// the importer handles those through separate paths.
//
// The values mutations write are those that found the crashes of issue 15
// (dims and attributes at int32/int64 boundaries, negative sizes, dtypes the
// importer does not know, deleted inputs), plus rewiring that makes cycles,
// dangling references and duplicate definitions.
//
// ONNX's C++ classes are protobuf-lite (no reflection), so every mutation
// names the fields it changes.
//
// This file holds the interesting values, the walk that collects targets,
// the mutation table, the drivers and cross-over; the mutations themselves
// are in MutateStructure.cpp and MutateData.cpp, and MutatorInternal.h is
// what the three share.
//
//===----------------------------------------------------------------------===//

#include "ModelMutator.h"
#include "MutatorInternal.h"

#include "onnx/onnx.pb.h"

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace mlir::optc::fuzz::detail {

//===----------------------------------------------------------------------===//
// Interesting values
//===----------------------------------------------------------------------===//

namespace {

/// Splits a space-separated list: long tables of names stay compact that way.
std::vector<std::string> words(const char *list) {
  std::vector<std::string> result;
  std::istringstream stream(list);
  for (std::string word; stream >> word;)
    result.push_back(word);
  return result;
}

} // namespace

int64_t interestingInt(Rng &rng) {
  // Where int32 truncation, overflowing products, sign checks and off-by-one
  // bounds go wrong; 10^9 is small enough not to overflow anything but large
  // enough to hang a loop.
  static const int64_t values[] = {0,
                                   1,
                                   -1,
                                   -2,
                                   2,
                                   3,
                                   INT32_MAX,
                                   INT64_C(1) << 31,
                                   INT32_MIN,
                                   INT64_C(1) << 32,
                                   INT64_C(1) << 62,
                                   1000000000,
                                   INT64_MAX,
                                   INT64_MIN};
  if (oneIn(rng, 3))
    return std::uniform_int_distribution<int64_t>(-4, 16)(rng);
  return pick(values, rng);
}

float interestingFloat(Rng &rng) {
  static const float values[] = {
      0.0f,    -0.0f,   1.0f,         -1.0f, 0.5f,     1e-30f,   1e30f,
      FLT_MIN, FLT_MAX, FLT_TRUE_MIN, NAN,   INFINITY, -INFINITY};
  if (oneIn(rng, 3))
    return std::uniform_real_distribution<float>(-10.0f, 10.0f)(rng);
  return pick(values, rng);
}

int32_t randomDataType(Rng &rng) {
  // Mostly TensorProto.DataType values, known to the importer or not
  // (strings, 2-, 4- and 8-bit types), sometimes numbers outside the enum.
  static const int32_t invalid[] = {-1, 29, 30, 999, INT32_MAX};
  if (oneIn(rng, 5))
    return pick(invalid, rng);
  return static_cast<int32_t>(below(rng, 29));
}

std::string junkString(Rng &rng) {
  static const char *const values[] = {"",     "x",   "\xff\xfe", "%s%n",
                                       "../x", "a b", "0"};
  if (oneIn(rng, 8))
    return std::string(1000, 'a');
  return pick(values, rng);
}

std::string freshName(Rng &rng) {
  return "fuzz_" + std::to_string(below(rng, 1000));
}

const std::string &randomOpType(Rng &rng) {
  static const std::vector<std::string> ops = words(
      "Abs Add And ArgMax AveragePool BatchNormalization Cast Ceil Clip "
      "Concat Constant ConstantOfShape Conv ConvTranspose CumSum DepthToSpace "
      "Div Dropout Einsum Equal Exp Expand Flatten Gather GatherElements "
      "GatherND Gemm GlobalAveragePool Greater Identity If "
      "InstanceNormalization LayerNormalization LeakyRelu Less Log Loop LRN "
      "LSTM MatMul Max MaxPool Mul Neg NonZero Not OneHot Pad Pow Range "
      "ReduceMax ReduceMean ReduceSum Relu Reshape Resize Scan "
      "ScatterElements ScatterND Shape Sigmoid Slice Softmax SpaceToDepth "
      "Split Sqrt Squeeze Sub Tile TopK Transpose Trilu Unsqueeze Where");
  return pick(ops, rng);
}

const std::string &randomAttributeName(Rng &rng) {
  static const std::vector<std::string> names = words(
      "axis axes perm pads strides kernel_shape dilations group keepdims "
      "blocksize to mode auto_pad alpha beta epsilon transA transB "
      "output_padding output_shape ceil_mode count_include_pad k largest "
      "sorted upper direction hidden_size num_scan_inputs scan_input_axes "
      "batch_dims coordinate_transformation_mode value value_int value_ints "
      "value_float allowzero exclusive reverse noop_with_empty_axes split "
      "num_outputs body then_branch");
  return pick(names, rng);
}

std::string attributeString(Rng &rng) {
  static const std::vector<std::string> values = words(
      "constant reflect edge wrap linear nearest cubic half_pixel asymmetric "
      "align_corners pytorch_half_pixel tf_crop_and_resize round_prefer_floor "
      "floor ceil NOTSET SAME_UPPER SAME_LOWER VALID DCR CRD forward reverse "
      "bidirectional Relu Tanh");
  if (oneIn(rng, 4))
    return junkString(rng);
  return pick(values, rng);
}

} // namespace mlir::optc::fuzz::detail

namespace mlir::optc::fuzz {
namespace {

using namespace detail;

//===----------------------------------------------------------------------===//
// Collecting targets
//===----------------------------------------------------------------------===//

class Collector {
public:
  explicit Collector(Targets &targets) : t(targets) {}

  void model(onnx::ModelProto &m) {
    t.opsetLists.push_back(m.mutable_opset_import());
    if (m.has_graph())
      graph(*m.mutable_graph());
    for (onnx::FunctionProto &f : *m.mutable_functions())
      function(f);
  }

private:
  void graph(onnx::GraphProto &g) {
    t.graphs.push_back(&g);
    t.nodeLists.push_back(g.mutable_node());
    for (onnx::TensorProto &init : *g.mutable_initializer()) {
      t.names.push_back(init.name());
      tensor(init);
    }
    for (onnx::SparseTensorProto &sparse : *g.mutable_sparse_initializer())
      sparseTensor(sparse);
    valueInfos(*g.mutable_input());
    valueInfos(*g.mutable_output());
    valueInfos(*g.mutable_value_info());
    for (onnx::NodeProto &n : *g.mutable_node())
      node(n);
  }

  void function(onnx::FunctionProto &f) {
    t.functions.push_back(&f);
    t.nodeLists.push_back(f.mutable_node());
    t.opsetLists.push_back(f.mutable_opset_import());
    t.names.insert(t.names.end(), f.input().begin(), f.input().end());
    t.names.insert(t.names.end(), f.output().begin(), f.output().end());
    valueInfos(*f.mutable_value_info());
    for (onnx::AttributeProto &a : *f.mutable_attribute_proto())
      attribute(a);
    for (onnx::NodeProto &n : *f.mutable_node())
      node(n);
  }

  void node(onnx::NodeProto &n) {
    t.nodes.push_back(&n);
    t.names.insert(t.names.end(), n.output().begin(), n.output().end());
    for (onnx::AttributeProto &a : *n.mutable_attribute())
      attribute(a);
  }

  void attribute(onnx::AttributeProto &a) {
    t.attributes.push_back(&a);
    if (a.has_t())
      tensor(*a.mutable_t());
    for (onnx::TensorProto &tensorValue : *a.mutable_tensors())
      tensor(tensorValue);
    if (a.has_sparse_tensor())
      sparseTensor(*a.mutable_sparse_tensor());
    if (a.has_g())
      graph(*a.mutable_g());
    for (onnx::GraphProto &g : *a.mutable_graphs())
      graph(g);
    if (a.has_tp())
      type(*a.mutable_tp());
  }

  void valueInfos(Repeated<onnx::ValueInfoProto> &infos) {
    for (onnx::ValueInfoProto &info : infos) {
      t.names.push_back(info.name());
      if (info.has_type())
        type(*info.mutable_type());
    }
  }

  void type(onnx::TypeProto &ty) {
    switch (ty.value_case()) {
    case onnx::TypeProto::kTensorType:
    case onnx::TypeProto::VALUE_NOT_SET:
      t.types.push_back(&ty);
      break;
    case onnx::TypeProto::kSequenceType:
      if (ty.sequence_type().has_elem_type())
        type(*ty.mutable_sequence_type()->mutable_elem_type());
      break;
    case onnx::TypeProto::kOptionalType:
      if (ty.optional_type().has_elem_type())
        type(*ty.mutable_optional_type()->mutable_elem_type());
      break;
    case onnx::TypeProto::kMapType:
      if (ty.map_type().has_value_type())
        type(*ty.mutable_map_type()->mutable_value_type());
      break;
    default:
      break;
    }
  }

  void tensor(onnx::TensorProto &tensorValue) {
    t.tensors.push_back(&tensorValue);
  }

  void sparseTensor(onnx::SparseTensorProto &sparse) {
    if (sparse.has_values())
      tensor(*sparse.mutable_values());
    if (sparse.has_indices())
      tensor(*sparse.mutable_indices());
  }

  Targets &t;
};

Targets collect(onnx::ModelProto &model) {
  Targets targets;
  Collector(targets).model(model);
  return targets;
}

using Mutation = bool (*)(onnx::ModelProto &, Targets &, Rng &);

// Dims, wiring and attribute values, which the probe found most productive,
// come twice.
const Mutation mutations[] = {
    mutateDim,
    mutateDim,
    changeRank,
    changeElemType,
    wrapType,
    rewireInput,
    rewireInput,
    rewireOutput,
    changeOpType,
    reorderNodes,
    insertConstant,
    mutateAttributeValue,
    mutateAttributeValue,
    retypeAttribute,
    addOrDeleteAttribute,
    mutateTensorDims,
    changeTensorType,
    resizeRawData,
    moveTensorData,
    addExternalData,
    deleteInitializer,
    mutateOpset,
    mutateIrVersion,
    mutateGraphInterface,
    mutateFunctionInterface,
};

/// Parses a model; one without a graph counts as not a model, because short
/// random byte strings often parse as an empty ModelProto.
bool parseModel(const uint8_t *data, size_t size, onnx::ModelProto &model) {
  return size <= static_cast<size_t>(INT32_MAX) &&
         model.ParseFromArray(data, static_cast<int>(size)) &&
         model.has_graph();
}

size_t serialize(const onnx::ModelProto &model, uint8_t *out, size_t maxSize) {
  std::string bytes;
  if (!model.SerializeToString(&bytes) || bytes.empty() ||
      bytes.size() > maxSize)
    return 0;
  std::memcpy(out, bytes.data(), bytes.size());
  return bytes.size();
}

//===----------------------------------------------------------------------===//
// Cross-over: each splice returns false when `b` has nothing for it
//===----------------------------------------------------------------------===//

/// Inserts one to four consecutive nodes of `b` into a node list of `a`.
bool spliceNodes(onnx::ModelProto &, Targets &a, Targets &b, Rng &rng) {
  std::vector<Repeated<onnx::NodeProto> *> sources = nonEmptyNodeLists(b);
  Repeated<onnx::NodeProto> *source = pickOrNull(sources, rng);
  Repeated<onnx::NodeProto> *target = pickOrNull(a.nodeLists, rng);
  if (!source || !target)
    return false;
  size_t begin = below(rng, source->size());
  size_t count = 1 + below(rng, std::min<size_t>(4, source->size() - begin));
  size_t at = below(rng, target->size() + 1);
  for (size_t i = 0; i < count; ++i) {
    *target->Add() = (*source)[static_cast<int>(begin + i)];
    moveElement(*target, target->size() - 1, at + i);
  }
  return true;
}

bool spliceInitializers(onnx::ModelProto &, Targets &a, Targets &b, Rng &rng) {
  std::vector<onnx::TensorProto *> sources;
  for (onnx::GraphProto *graph : b.graphs)
    for (onnx::TensorProto &init : *graph->mutable_initializer())
      sources.push_back(&init);
  onnx::GraphProto *target = pickOrNull(a.graphs, rng);
  if (sources.empty() || !target)
    return false;
  for (size_t i = 0, e = 1 + below(rng, 3); i < e; ++i)
    *target->add_initializer() = *pick(sources, rng);
  return true;
}

/// Replaces a subgraph of `a` (a GRAPH or GRAPHS attribute's) by any graph
/// of `b`, main graph included.
bool spliceSubgraph(onnx::ModelProto &, Targets &a, Targets &b, Rng &rng) {
  std::vector<onnx::GraphProto *> subgraphs;
  for (onnx::AttributeProto *attr : a.attributes) {
    if (attr->has_g())
      subgraphs.push_back(attr->mutable_g());
    for (onnx::GraphProto &g : *attr->mutable_graphs())
      subgraphs.push_back(&g);
  }
  onnx::GraphProto *target = pickOrNull(subgraphs, rng);
  if (!target || b.graphs.empty())
    return false;
  *target = *pick(b.graphs, rng);
  return true;
}

bool spliceFunction(onnx::ModelProto &a, Targets &, Targets &b, Rng &rng) {
  onnx::FunctionProto *function = pickOrNull(b.functions, rng);
  if (!function)
    return false;
  *a.add_functions() = *function;
  return true;
}

using Splice = bool (*)(onnx::ModelProto &, Targets &, Targets &, Rng &);
const Splice splices[] = {spliceNodes, spliceInitializers, spliceSubgraph,
                          spliceFunction};

} // namespace

size_t mutateModel(uint8_t *data, size_t size, size_t maxSize, unsigned seed) {
  onnx::ModelProto model;
  if (!parseModel(data, size, model))
    return 0;
  Rng rng(seed);
  for (size_t i = 0, count = 1 + below(rng, 3); i < count; ++i) {
    // Retry when a mutation finds no target (a model without functions,
    // say), so that every call changes something when anything can change.
    // Targets are collected again each time: a mutation invalidates them.
    for (int attempt = 0; attempt < 16; ++attempt) {
      Targets targets = collect(model);
      if (pick(mutations, rng)(model, targets, rng))
        break;
    }
  }
  return serialize(model, data, maxSize);
}

size_t crossOverModels(const uint8_t *a, size_t aSize, const uint8_t *b,
                       size_t bSize, uint8_t *out, size_t maxOutSize,
                       unsigned seed) {
  onnx::ModelProto modelA, modelB;
  if (!parseModel(a, aSize, modelA) || !parseModel(b, bSize, modelB))
    return 0;
  Rng rng(seed);
  Targets targetsA = collect(modelA);
  Targets targetsB = collect(modelB);
  // The first splice, in a random rotation of the table, that applies.
  size_t first = below(rng, std::size(splices));
  for (size_t k = 0; k < std::size(splices); ++k)
    if (splices[(first + k) % std::size(splices)](modelA, targetsA, targetsB,
                                                  rng))
      break;
  return serialize(modelA, out, maxOutSize);
}

} // namespace mlir::optc::fuzz
