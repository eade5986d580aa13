//===- MutateStructure.cpp - mutations of types, wiring and interfaces ----===//
//
// The ModelProto mutator's mutations of a model's structure: value types
// (dims, ranks, dtypes), nodes (wiring, op types, order, inserted
// constants) and the model's, graphs' and functions' interfaces (opsets, IR
// version, inputs and outputs). ModelMutator.cpp lists them in its table.
//
//===----------------------------------------------------------------------===//

#include "MutatorInternal.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlir::optc::fuzz::detail {
namespace {

/// A random name: usually an existing value, sometimes a fresh one or ""
/// (an omitted optional input).
std::string someName(Targets &t, Rng &rng) {
  if (t.names.empty() || oneIn(rng, 6))
    return oneIn(rng, 2) ? std::string() : freshName(rng);
  return pick(t.names, rng);
}

} // namespace

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

} // namespace mlir::optc::fuzz::detail
