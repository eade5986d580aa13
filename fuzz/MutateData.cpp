//===- MutateData.cpp - mutations of attributes and tensors ---------------===//
//
// The ModelProto mutator's mutations of the data a model carries: attribute
// values and types, and tensors (initializers and tensor attributes): dims,
// dtypes, payloads and external data. ModelMutator.cpp lists them in its
// table.
//
//===----------------------------------------------------------------------===//

#include "MutatorInternal.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace mlir::optc::fuzz::detail {
namespace {

void fillInts(google::protobuf::RepeatedField<int64_t> *list, Rng &rng) {
  list->Clear();
  for (size_t i = 0, e = below(rng, 9); i < e; ++i)
    list->Add(interestingInt(rng));
}

} // namespace

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

namespace {

/// Appends the bytes of `raw` to `field` as values of its element type,
/// dropping a partial last one.
template <class Field> void appendAs(Field &field, const std::string &raw) {
  typename Field::value_type value;
  for (size_t i = 0; i + sizeof(value) <= raw.size(); i += sizeof(value)) {
    std::memcpy(&value, raw.data() + i, sizeof(value));
    field.Add(value);
  }
}

} // namespace

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

} // namespace mlir::optc::fuzz::detail
