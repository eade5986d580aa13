//===- ModelMutatorTest.cpp - unit tests of the fuzzers' model mutator ----===//
//
// The structure-aware mutator must keep models parseable, change them, reach
// into subgraphs and functions, stay deterministic for a seed, decline what
// is not a model and never write past the size libFuzzer allows.
//
//===----------------------------------------------------------------------===//

#include "ModelMutator.h"

#include "onnx/onnx.pb.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using mlir::optc::fuzz::crossOverModels;
using mlir::optc::fuzz::mutateModel;

namespace {

void addTensorInfo(
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
    const std::string &name, std::vector<int64_t> dims) {
  onnx::ValueInfoProto *info = list->Add();
  info->set_name(name);
  onnx::TypeProto::Tensor *type = info->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : dims)
    type->mutable_shape()->add_dim()->set_dim_value(dim);
}

onnx::NodeProto *
addNode(google::protobuf::RepeatedPtrField<onnx::NodeProto> *nodes,
        const std::string &opType, std::vector<std::string> inputs,
        std::vector<std::string> outputs) {
  onnx::NodeProto *node = nodes->Add();
  node->set_op_type(opType);
  for (const std::string &input : inputs)
    node->add_input(input);
  for (const std::string &output : outputs)
    node->add_output(output);
  return node;
}

void addInts(onnx::NodeProto *node, const std::string &name,
             std::vector<int64_t> values) {
  onnx::AttributeProto *attr = node->add_attribute();
  attr->set_name(name);
  attr->set_type(onnx::AttributeProto::INTS);
  for (int64_t value : values)
    attr->add_ints(value);
}

/// An If branch: `opType` applied to the outer graph's R.
onnx::GraphProto branch(const std::string &name, const std::string &opType) {
  onnx::GraphProto graph;
  graph.set_name(name);
  addNode(graph.mutable_node(), opType, {"R"}, {name + "_out"});
  addTensorInfo(graph.mutable_output(), name + "_out", {1, 4, 8, 8});
  return graph;
}

/// Conv + Relu + If (Identity or Neg of the Relu), and a local function.
onnx::ModelProto buildModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(17);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name("main");
  addTensorInfo(graph->mutable_input(), "X", {1, 3, 8, 8});
  addTensorInfo(graph->mutable_output(), "Y", {1, 4, 8, 8});

  onnx::TensorProto *weight = graph->add_initializer();
  weight->set_name("W");
  weight->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : {4, 3, 3, 3})
    weight->add_dims(dim);
  weight->set_raw_data(std::string(4 * 3 * 3 * 3 * sizeof(float), '\0'));
  onnx::TensorProto *cond = graph->add_initializer();
  cond->set_name("cond");
  cond->set_data_type(onnx::TensorProto::BOOL);
  cond->add_int32_data(1);

  onnx::NodeProto *conv =
      addNode(graph->mutable_node(), "Conv", {"X", "W"}, {"C"});
  addInts(conv, "kernel_shape", {3, 3});
  addInts(conv, "pads", {1, 1, 1, 1});
  addNode(graph->mutable_node(), "Relu", {"C"}, {"R"});
  onnx::NodeProto *ifNode =
      addNode(graph->mutable_node(), "If", {"cond"}, {"Y"});
  for (auto [name, opType] :
       {std::pair<const char *, const char *>{"then_branch", "Identity"},
        {"else_branch", "Neg"}}) {
    onnx::AttributeProto *attr = ifNode->add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::GRAPH);
    *attr->mutable_g() = branch(name, opType);
  }

  onnx::FunctionProto *function = model.add_functions();
  function->set_name("Double");
  function->set_domain("local");
  function->add_input("x");
  function->add_output("y");
  function->add_opset_import()->set_version(17);
  addNode(function->mutable_node(), "Add", {"x", "x"}, {"y"});
  return model;
}

std::string serialize(const onnx::ModelProto &model) {
  std::string bytes;
  EXPECT_TRUE(model.SerializeToString(&bytes));
  return bytes;
}

/// Runs the mutator on a copy of `model` with room for `room` more bytes;
/// returns the mutant, or "" when the mutator declined.
std::string mutate(const std::string &model, unsigned seed,
                   size_t room = 4096) {
  std::vector<uint8_t> buffer(model.begin(), model.end());
  buffer.resize(model.size() + room);
  size_t size = mutateModel(buffer.data(), model.size(), buffer.size(), seed);
  EXPECT_LE(size, buffer.size());
  return std::string(buffer.begin(), buffer.begin() + size);
}

const onnx::AttributeProto *findAttribute(const onnx::ModelProto &model,
                                          const std::string &name) {
  for (const onnx::NodeProto &node : model.graph().node())
    for (const onnx::AttributeProto &attr : node.attribute())
      if (attr.name() == name)
        return &attr;
  return nullptr;
}

TEST(ModelMutatorTest, MutantsParseAndDiffer) {
  std::string original = serialize(buildModel());
  int changed = 0;
  const int seeds = 1000;
  for (unsigned seed = 0; seed < seeds; ++seed) {
    std::string mutant = mutate(original, seed);
    ASSERT_FALSE(mutant.empty()) << "seed " << seed;
    onnx::ModelProto parsed;
    ASSERT_TRUE(parsed.ParseFromString(mutant)) << "seed " << seed;
    changed += mutant != original;
  }
  // A few mutations can rewrite a value with itself.
  EXPECT_GT(changed, seeds * 9 / 10);
}

TEST(ModelMutatorTest, SameSeedSameMutant) {
  std::string original = serialize(buildModel());
  for (unsigned seed = 0; seed < 100; ++seed)
    EXPECT_EQ(mutate(original, seed), mutate(original, seed)) << seed;
  EXPECT_NE(mutate(original, 1), mutate(original, 2));
}

TEST(ModelMutatorTest, ReachesSubgraphsAndFunctions) {
  onnx::ModelProto model = buildModel();
  std::string original = serialize(model);
  std::string thenBranch;
  ASSERT_TRUE(
      findAttribute(model, "then_branch")->g().SerializeToString(&thenBranch));
  std::string function;
  ASSERT_TRUE(model.functions(0).SerializeToString(&function));

  int thenChanged = 0, functionChanged = 0;
  for (unsigned seed = 0; seed < 500; ++seed) {
    onnx::ModelProto mutant;
    ASSERT_TRUE(mutant.ParseFromString(mutate(original, seed)));
    const onnx::AttributeProto *attr = findAttribute(mutant, "then_branch");
    std::string bytes;
    if (attr && attr->g().SerializeToString(&bytes) && bytes != thenBranch)
      ++thenChanged;
    if (mutant.functions_size() > 0 &&
        mutant.functions(0).SerializeToString(&bytes) && bytes != function)
      ++functionChanged;
  }
  EXPECT_GT(thenChanged, 0);
  EXPECT_GT(functionChanged, 0);
}

TEST(ModelMutatorTest, DeclinesWhatIsNotAModel) {
  for (std::string garbage :
       {std::string(), std::string("\xff\xff\xff\xff", 4),
        std::string("not a model at all"), std::string(64, '\x0a')}) {
    std::vector<uint8_t> buffer(garbage.begin(), garbage.end());
    buffer.resize(garbage.size() + 1024);
    EXPECT_EQ(mutateModel(buffer.data(), garbage.size(), buffer.size(), 7), 0u)
        << garbage;
  }
}

TEST(ModelMutatorTest, RespectsMaxSize) {
  std::string original = serialize(buildModel());
  for (size_t maxSize : {size_t(0), size_t(10), original.size() / 2,
                         original.size(), original.size() + 8}) {
    for (unsigned seed = 0; seed < 200; ++seed) {
      // Guard bytes past maxSize catch a write beyond it.
      std::vector<uint8_t> buffer(original.begin(), original.end());
      buffer.resize(std::max(original.size(), maxSize) + 64, 0xAB);
      size_t size = mutateModel(buffer.data(), original.size(), maxSize, seed);
      EXPECT_LE(size, maxSize);
      for (size_t i = std::max(original.size(), maxSize); i < buffer.size();
           ++i)
        ASSERT_EQ(buffer[i], 0xAB) << "seed " << seed;
      if (maxSize < 10)
        EXPECT_EQ(size, 0u);
    }
  }
}

TEST(ModelMutatorTest, CrossOverTakesFromTheSecondModel) {
  std::string a = serialize(buildModel());
  onnx::ModelProto modelB = buildModel();
  modelB.mutable_graph()->mutable_node(1)->set_op_type("Hardmax");
  modelB.mutable_graph()->mutable_node(1)->set_name("from_b");
  modelB.mutable_graph()->mutable_initializer(0)->set_name("W_from_b");
  modelB.mutable_functions(0)->set_name("Double_from_b");
  std::string b = serialize(modelB);

  int fromB = 0;
  for (unsigned seed = 0; seed < 100; ++seed) {
    std::vector<uint8_t> out(a.size() + b.size() + 1024);
    size_t size =
        crossOverModels(reinterpret_cast<const uint8_t *>(a.data()), a.size(),
                        reinterpret_cast<const uint8_t *>(b.data()), b.size(),
                        out.data(), out.size(), seed);
    ASSERT_GT(size, 0u) << "seed " << seed;
    std::string bytes(out.begin(), out.begin() + size);
    onnx::ModelProto mutant;
    ASSERT_TRUE(mutant.ParseFromString(bytes)) << "seed " << seed;
    fromB += bytes.find("_from_b") != std::string::npos ||
             bytes.find("Hardmax") != std::string::npos;
  }
  EXPECT_GT(fromB, 0);

  std::string garbage = "\xff\xff\xff\xff";
  std::vector<uint8_t> out(1024);
  EXPECT_EQ(crossOverModels(reinterpret_cast<const uint8_t *>(a.data()),
                            a.size(),
                            reinterpret_cast<const uint8_t *>(garbage.data()),
                            garbage.size(), out.data(), out.size(), 0),
            0u);
}

} // namespace
