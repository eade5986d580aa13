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
//===----------------------------------------------------------------------===//

#include "ModelMutator.h"

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

namespace optc::fuzz {
namespace {

using Rng = std::mt19937;
template <class T> using Repeated = google::protobuf::RepeatedPtrField<T>;

//===----------------------------------------------------------------------===//
// Random choices
//===----------------------------------------------------------------------===//

size_t below(Rng &rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}
bool oneIn(Rng &rng, size_t n) { return below(rng, n) == 0; }

template <class T> T &pick(std::vector<T> &v, Rng &rng) {
  return v[below(rng, v.size())];
}
template <class T> const T &pick(const std::vector<T> &v, Rng &rng) {
  return v[below(rng, v.size())];
}
template <class T, size_t N> const T &pick(const T (&a)[N], Rng &rng) {
  return a[below(rng, N)];
}

/// Splits a space-separated list: long tables of names stay compact that way.
std::vector<std::string> words(const char *list) {
  std::vector<std::string> result;
  std::istringstream stream(list);
  for (std::string word; stream >> word;)
    result.push_back(word);
  return result;
}

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

/// A random name: usually an existing value, sometimes a fresh one or ""
/// (an omitted optional input).
std::string someName(Targets &t, Rng &rng) {
  if (t.names.empty() || oneIn(rng, 6))
    return oneIn(rng, 2) ? std::string() : freshName(rng);
  return pick(t.names, rng);
}

void fillInts(google::protobuf::RepeatedField<int64_t> *list, Rng &rng) {
  list->Clear();
  for (size_t i = 0, e = below(rng, 9); i < e; ++i)
    list->Add(interestingInt(rng));
}

/// A small tensor whose element count matches its dims.
void randomTensor(onnx::TensorProto &tensor, Rng &rng) {
  tensor.Clear();
  bool isFloat = oneIn(rng, 2);
  tensor.set_data_type(isFloat ? onnx::TensorProto::FLOAT
                               : onnx::TensorProto::INT64);
  int64_t count = 1;
  for (size_t i = 0, rank = below(rng, 3); i < rank; ++i) {
    tensor.add_dims(static_cast<int64_t>(below(rng, 4)));
    count *= tensor.dims(static_cast<int>(i));
  }
  for (int64_t i = 0; i < count; ++i) {
    if (isFloat)
      tensor.add_float_data(interestingFloat(rng));
    else
      tensor.add_int64_data(interestingInt(rng));
  }
}

//===----------------------------------------------------------------------===//
// Mutations: each returns false when the model has no target for it
//===----------------------------------------------------------------------===//

using Mutation = bool (*)(onnx::ModelProto &, Targets &, Rng &);

// --- Value types ---

bool mutateDim(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TypeProto *type = pickOrNull(t.types, rng);
  if (!type)
    return false;
  onnx::TensorShapeProto *shape = type->mutable_tensor_type()->mutable_shape();
  if (shape->dim_size() == 0)
    shape->add_dim();
  onnx::TensorShapeProto::Dimension *dim =
      shape->mutable_dim(below(rng, shape->dim_size()));
  if (oneIn(rng, 4))
    dim->set_dim_param(oneIn(rng, 2) ? "N" : junkString(rng));
  else
    dim->set_dim_value(interestingInt(rng));
  return true;
}

bool changeRank(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TypeProto *type = pickOrNull(t.types, rng);
  if (!type)
    return false;
  onnx::TypeProto::Tensor *tensorType = type->mutable_tensor_type();
  Repeated<onnx::TensorShapeProto::Dimension> &dims =
      *tensorType->mutable_shape()->mutable_dim();
  if (oneIn(rng, 3))
    tensorType->clear_shape(); // Unranked.
  else if (!dims.empty() && oneIn(rng, 2))
    dims.DeleteSubrange(below(rng, dims.size()), 1);
  else {
    dims.Add()->set_dim_value(static_cast<int64_t>(below(rng, 4)));
    moveLastAnywhere(dims, rng);
  }
  return true;
}

bool changeElemType(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TypeProto *type = pickOrNull(t.types, rng);
  if (!type)
    return false;
  type->mutable_tensor_type()->set_elem_type(randomDataType(rng));
  return true;
}

/// Turns a tensor type into a sequence or optional of it, which the importer
/// does not support and must reject cleanly.
bool wrapType(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TypeProto *type = pickOrNull(t.types, rng);
  if (!type)
    return false;
  onnx::TypeProto inner = *type;
  type->Clear();
  if (oneIn(rng, 2))
    *type->mutable_sequence_type()->mutable_elem_type() = std::move(inner);
  else
    *type->mutable_optional_type()->mutable_elem_type() = std::move(inner);
  return true;
}

// --- Nodes ---

bool rewireInput(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::NodeProto *node = pickOrNull(t.nodes, rng);
  if (!node)
    return false;
  Repeated<std::string> &inputs = *node->mutable_input();
  if (inputs.empty() || oneIn(rng, 5)) {
    *inputs.Add() = someName(t, rng);
    return true;
  }
  int i = static_cast<int>(below(rng, inputs.size()));
  switch (below(rng, 4)) {
  case 0:
    inputs.DeleteSubrange(i, 1);
    break;
  case 1:
    inputs.SwapElements(i, static_cast<int>(below(rng, inputs.size())));
    break;
  case 2: // An omitted optional input.
    inputs[i].clear();
    break;
  default: // May read a later node's output (a cycle) or nothing.
    inputs[i] = someName(t, rng);
    break;
  }
  return true;
}

bool rewireOutput(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::NodeProto *node = pickOrNull(t.nodes, rng);
  if (!node)
    return false;
  Repeated<std::string> &outputs = *node->mutable_output();
  if (outputs.empty() || oneIn(rng, 3))
    *outputs.Add() = freshName(rng);
  else if (oneIn(rng, 2))
    outputs.DeleteSubrange(below(rng, outputs.size()), 1);
  else // A second definition of a value, or an omitted output.
    outputs[below(rng, outputs.size())] = someName(t, rng);
  return true;
}

bool changeOpType(onnx::ModelProto &, Targets &t, Rng &rng) {
  static const char *const domains[] = {"", "ai.onnx", "ai.onnx.ml",
                                        "com.microsoft", "junk"};
  onnx::NodeProto *node = pickOrNull(t.nodes, rng);
  if (!node)
    return false;
  if (oneIn(rng, 4))
    node->set_domain(pick(domains, rng));
  else
    node->set_op_type(randomOpType(rng));
  return true;
}

std::vector<Repeated<onnx::NodeProto> *> nonEmptyNodeLists(Targets &t) {
  std::vector<Repeated<onnx::NodeProto> *> lists;
  for (Repeated<onnx::NodeProto> *list : t.nodeLists)
    if (!list->empty())
      lists.push_back(list);
  return lists;
}

/// Deletes, duplicates or moves a node; moving it can put a use before its
/// definition.
bool reorderNodes(onnx::ModelProto &, Targets &t, Rng &rng) {
  std::vector<Repeated<onnx::NodeProto> *> lists = nonEmptyNodeLists(t);
  Repeated<onnx::NodeProto> *list = pickOrNull(lists, rng);
  if (!list)
    return false;
  size_t i = below(rng, list->size());
  switch (below(rng, 3)) {
  case 0:
    list->DeleteSubrange(static_cast<int>(i), 1);
    break;
  case 1: {
    onnx::NodeProto copy = (*list)[static_cast<int>(i)];
    *list->Add() = std::move(copy);
    moveLastAnywhere(*list, rng);
    break;
  }
  default:
    moveElement(*list, i, below(rng, list->size()));
    break;
  }
  return true;
}

bool insertConstant(onnx::ModelProto &, Targets &t, Rng &rng) {
  Repeated<onnx::NodeProto> *list = pickOrNull(t.nodeLists, rng);
  if (!list)
    return false;
  onnx::NodeProto *node = list->Add();
  node->set_op_type("Constant");
  node->add_output(oneIn(rng, 2) ? freshName(rng) : someName(t, rng));
  onnx::AttributeProto *value = node->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  randomTensor(*value->mutable_t(), rng);
  moveLastAnywhere(*list, rng);
  return true;
}

// --- Attributes ---

/// Writes a new value into the field that the attribute's type selects.
bool mutateAttributeValue(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::AttributeProto *attr = pickOrNull(t.attributes, rng);
  if (!attr)
    return false;
  switch (attr->type()) {
  case onnx::AttributeProto::FLOAT:
    attr->set_f(interestingFloat(rng));
    break;
  case onnx::AttributeProto::FLOATS:
    attr->clear_floats();
    for (size_t i = 0, e = below(rng, 9); i < e; ++i)
      attr->add_floats(interestingFloat(rng));
    break;
  case onnx::AttributeProto::INTS:
    fillInts(attr->mutable_ints(), rng);
    break;
  case onnx::AttributeProto::STRING:
    attr->set_s(attributeString(rng));
    break;
  case onnx::AttributeProto::STRINGS:
    *attr->add_strings() = attributeString(rng);
    moveLastAnywhere(*attr->mutable_strings(), rng);
    break;
  case onnx::AttributeProto::TENSOR:
    randomTensor(*attr->mutable_t(), rng);
    break;
  default:
    attr->set_i(interestingInt(rng));
    break;
  }
  return true;
}

/// Gives an attribute a value of another kind (a scalar where a list is
/// expected, say), or changes only its type so that it disagrees with the
/// field that is set.
bool retypeAttribute(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::AttributeProto *attr = pickOrNull(t.attributes, rng);
  if (!attr)
    return false;
  if (oneIn(rng, 2)) {
    attr->set_type(
        static_cast<onnx::AttributeProto::AttributeType>(below(rng, 15)));
    return true;
  }
  std::string name = attr->name();
  attr->Clear();
  attr->set_name(name);
  switch (below(rng, 4)) {
  case 0:
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(interestingInt(rng));
    break;
  case 1:
    attr->set_type(onnx::AttributeProto::INTS);
    fillInts(attr->mutable_ints(), rng);
    break;
  case 2:
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(interestingFloat(rng));
    break;
  default:
    attr->set_type(onnx::AttributeProto::STRING);
    attr->set_s(attributeString(rng));
    break;
  }
  return true;
}

/// Deletes an attribute, or adds one with a known name (which may duplicate
/// an existing one) and a random value.
bool addOrDeleteAttribute(onnx::ModelProto &model, Targets &t, Rng &rng) {
  onnx::NodeProto *node = pickOrNull(t.nodes, rng);
  if (!node)
    return false;
  if (node->attribute_size() > 0 && oneIn(rng, 2)) {
    node->mutable_attribute()->DeleteSubrange(
        static_cast<int>(below(rng, node->attribute_size())), 1);
    return true;
  }
  Targets added;
  added.attributes.push_back(node->add_attribute());
  added.attributes[0]->set_name(randomAttributeName(rng));
  retypeAttribute(model, added, rng);
  return true;
}

// --- Tensors: initializers and tensor attributes ---

bool mutateTensorDims(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TensorProto *tensor = pickOrNull(t.tensors, rng);
  if (!tensor)
    return false;
  google::protobuf::RepeatedField<int64_t> &dims = *tensor->mutable_dims();
  if (dims.empty() || oneIn(rng, 4))
    dims.Add(oneIn(rng, 2) ? interestingInt(rng) : 1);
  else if (oneIn(rng, 3))
    dims.erase(dims.begin() + below(rng, dims.size()));
  else
    dims.Set(static_cast<int>(below(rng, dims.size())), interestingInt(rng));
  return true;
}

bool changeTensorType(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TensorProto *tensor = pickOrNull(t.tensors, rng);
  if (!tensor)
    return false;
  tensor->set_data_type(randomDataType(rng));
  return true;
}

bool resizeRawData(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TensorProto *tensor = pickOrNull(t.tensors, rng);
  if (!tensor)
    return false;
  std::string *raw = tensor->mutable_raw_data();
  if (!raw->empty() && oneIn(rng, 2))
    raw->resize(below(rng, raw->size()));
  else
    raw->append(1 + below(rng, 16), static_cast<char>(below(rng, 256)));
  return true;
}

/// Appends the bytes of `raw` to `field` as values of its element type,
/// dropping a partial last one.
template <class Field> void appendAs(Field &field, const std::string &raw) {
  typename Field::value_type value;
  for (size_t i = 0; i + sizeof(value) <= raw.size(); i += sizeof(value)) {
    std::memcpy(&value, raw.data() + i, sizeof(value));
    field.Add(value);
  }
}

/// Moves the payload between raw_data and a typed field, reinterpreting the
/// bytes, so that the field used, the element count and the data type may
/// disagree.
bool moveTensorData(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::TensorProto *tensor = pickOrNull(t.tensors, rng);
  if (!tensor)
    return false;
  if (tensor->has_raw_data()) {
    std::string raw = tensor->raw_data();
    tensor->clear_raw_data();
    switch (below(rng, 3)) {
    case 0:
      appendAs(*tensor->mutable_float_data(), raw);
      break;
    case 1:
      appendAs(*tensor->mutable_int32_data(), raw);
      break;
    default:
      appendAs(*tensor->mutable_int64_data(), raw);
      break;
    }
    return true;
  }
  std::string raw;
  auto take = [&raw](auto *field) {
    for (auto value : *field)
      raw.append(reinterpret_cast<const char *>(&value), sizeof(value));
    field->Clear();
  };
  take(tensor->mutable_float_data());
  take(tensor->mutable_int32_data());
  take(tensor->mutable_int64_data());
  take(tensor->mutable_double_data());
  take(tensor->mutable_uint64_data());
  tensor->set_raw_data(raw);
  return true;
}

bool addExternalData(onnx::ModelProto &, Targets &t, Rng &rng) {
  // Paths that leave the model's directory, special files and missing
  // files: loading must refuse them or fail cleanly, never read past a
  // file's end.
  static const char *const locations[] = {"weights.bin",
                                          "",
                                          "../../../../etc/hostname",
                                          "/dev/zero",
                                          "/nonexistent",
                                          "a/../../b",
                                          "."};
  onnx::TensorProto *tensor = pickOrNull(t.tensors, rng);
  if (!tensor)
    return false;
  tensor->set_data_location(oneIn(rng, 4) ? onnx::TensorProto::DEFAULT
                                          : onnx::TensorProto::EXTERNAL);
  auto add = [tensor](const std::string &key, const std::string &value) {
    onnx::StringStringEntryProto *entry = tensor->add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  if (!oneIn(rng, 4))
    add("location", pick(locations, rng));
  if (oneIn(rng, 2))
    add("offset", std::to_string(interestingInt(rng)));
  if (oneIn(rng, 2))
    add("length",
        oneIn(rng, 4) ? junkString(rng) : std::to_string(interestingInt(rng)));
  if (oneIn(rng, 4))
    add(junkString(rng), junkString(rng));
  return true;
}

bool deleteInitializer(onnx::ModelProto &, Targets &t, Rng &rng) {
  std::vector<onnx::GraphProto *> graphs;
  for (onnx::GraphProto *graph : t.graphs)
    if (graph->initializer_size() > 0)
      graphs.push_back(graph);
  onnx::GraphProto *graph = pickOrNull(graphs, rng);
  if (!graph)
    return false;
  graph->mutable_initializer()->DeleteSubrange(
      static_cast<int>(below(rng, graph->initializer_size())), 1);
  return true;
}

// --- Model, graph and function interfaces ---

bool mutateOpset(onnx::ModelProto &, Targets &t, Rng &rng) {
  static const int64_t unusual[] = {0, -1, 26, 1000, INT64_MAX};
  Repeated<onnx::OperatorSetIdProto> &opsets = *pick(t.opsetLists, rng);
  if (opsets.empty() || oneIn(rng, 5)) {
    onnx::OperatorSetIdProto *opset = opsets.Add();
    opset->set_domain(oneIn(rng, 2) ? "" : "ai.onnx.ml");
    opset->set_version(static_cast<int64_t>(1 + below(rng, 25)));
    return true;
  }
  int i = static_cast<int>(below(rng, opsets.size()));
  switch (below(rng, 4)) {
  case 0:
    opsets[i].set_version(pick(unusual, rng));
    break;
  case 1:
    opsets[i].set_domain(oneIn(rng, 2) ? "com.microsoft" : junkString(rng));
    break;
  case 2:
    opsets.DeleteSubrange(i, 1);
    break;
  default:
    opsets[i].set_version(static_cast<int64_t>(1 + below(rng, 25)));
    break;
  }
  return true;
}

bool mutateIrVersion(onnx::ModelProto &model, Targets &, Rng &rng) {
  static const int64_t unusual[] = {0, -1, 12, 1000, INT64_MAX};
  model.set_ir_version(oneIn(rng, 3)
                           ? pick(unusual, rng)
                           : static_cast<int64_t>(1 + below(rng, 11)));
  return true;
}

/// Deletes, duplicates or adds a graph input or output.
bool mutateGraphInterface(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::GraphProto *graph = pickOrNull(t.graphs, rng);
  if (!graph)
    return false;
  Repeated<onnx::ValueInfoProto> &list =
      oneIn(rng, 2) ? *graph->mutable_input() : *graph->mutable_output();
  if (!list.empty() && oneIn(rng, 3)) {
    list.DeleteSubrange(static_cast<int>(below(rng, list.size())), 1);
    return true;
  }
  if (!list.empty() && oneIn(rng, 2)) {
    onnx::ValueInfoProto copy = list[static_cast<int>(below(rng, list.size()))];
    *list.Add() = std::move(copy);
  } else {
    onnx::ValueInfoProto *info = list.Add();
    info->set_name(someName(t, rng));
    onnx::TypeProto::Tensor *type = info->mutable_type()->mutable_tensor_type();
    type->set_elem_type(oneIn(rng, 2) ? onnx::TensorProto::FLOAT
                                      : randomDataType(rng));
    for (size_t i = 0, rank = below(rng, 5); i < rank; ++i)
      type->mutable_shape()->add_dim()->set_dim_value(
          oneIn(rng, 3) ? interestingInt(rng)
                        : static_cast<int64_t>(1 + below(rng, 4)));
  }
  moveLastAnywhere(list, rng);
  return true;
}

bool mutateFunctionInterface(onnx::ModelProto &, Targets &t, Rng &rng) {
  onnx::FunctionProto *function = pickOrNull(t.functions, rng);
  if (!function)
    return false;
  Repeated<std::string> &list =
      oneIn(rng, 2) ? *function->mutable_input() : *function->mutable_output();
  if (!list.empty() && oneIn(rng, 2))
    list.DeleteSubrange(static_cast<int>(below(rng, list.size())), 1);
  else
    *list.Add() = someName(t, rng);
  return true;
}

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

} // namespace optc::fuzz
