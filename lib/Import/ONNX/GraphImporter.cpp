//===- GraphImporter.cpp - an ONNX graph into a func.func -----------------===//
//
// The importer's entry points and the graph walker. The main graph's inputs
// become arguments (with --input-shape overrides and symbolic dimensions
// named), initializers constants, nodes ops in topological order, outputs
// the returned values; subgraphs (If, Loop, Scan bodies) are walked the
// same way in a scope that sees the enclosing graphs' values, and calls of
// model-local functions are inlined. Every node is converted by the
// converter the OpRegistry has for its domain, type and opset; all
// diagnostics raised while a node is imported name the node.
//
// Elsewhere: the NodeContext API the converters use is NodeContext.cpp;
// value types, initializers and --input-value constants are GraphValues.cpp.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <deque>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

static OwningOpRef<ModuleOp> importLoaded(FailureOr<LoadedModel> model,
                                          MLIRContext &context,
                                          const ImportOptions &options) {
  if (failed(model))
    return nullptr;
  context.loadDialect<OptcDialect, func::FuncDialect, scf::SCFDialect,
                      tensor::TensorDialect, arith::ArithDialect,
                      cf::ControlFlowDialect, ub::UBDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context, model->name, 0, 0));
  GraphImporter importer(*model, options, builder);
  if (failed(importer.importMain(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> optc::importONNXBytes(llvm::StringRef bytes,
                                            llvm::StringRef baseDir,
                                            llvm::StringRef name,
                                            MLIRContext &context,
                                            const ImportOptions &options) {
  Location loc = FileLineColLoc::get(&context, name, 0, 0);
  return importLoaded(loadModel(bytes.str(), name, baseDir, loc), context,
                      options);
}

OwningOpRef<ModuleOp> optc::importONNXFile(llvm::StringRef path,
                                           MLIRContext &context,
                                           const ImportOptions &options) {
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false);
  if (!buffer) {
    emitError(loc) << "cannot read '" << path
                   << "': " << buffer.getError().message();
    return nullptr;
  }
  llvm::SmallString<256> baseDir(path == "-" ? "." : path);
  llvm::sys::path::remove_filename(baseDir);
  if (baseDir.empty())
    baseDir = ".";
  return importLoaded(
      loadModel((*buffer)->getBuffer().str(), path, baseDir, loc), context,
      options);
}

std::string optc::parseInputShape(llvm::StringRef spec,
                                  ImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || !spec.contains('='))
    return "--input-shape expects NAME=DIMS such as input=1x3x224x224, got '" +
           spec.str() + "'";
  SmallVector<int64_t> shape;
  if (dims != "scalar") {
    SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part == "?") {
        shape.push_back(-1);
      } else if (part.getAsInteger(10, d) || d < 0) {
        return "--input-shape " + spec.str() + ": '" + part.str() +
               "' is not a dimension (a size >= 0 or ?)";
      } else {
        shape.push_back(d);
      }
    }
  }
  options.inputShapes[name] = shape;
  return "";
}

//===----------------------------------------------------------------------===//
// GraphImporter: the main graph
//===----------------------------------------------------------------------===//

static std::string functionKey(llvm::StringRef domain, llvm::StringRef name) {
  return (canonicalDomain(domain) + "::" + name).str();
}

GraphImporter::GraphImporter(const LoadedModel &model,
                             const ImportOptions &options, OpBuilder &builder)
    : model(model), options(options), builder(builder),
      modelLoc(FileLineColLoc::get(builder.getContext(), model.name, 0, 0)) {
  for (const onnx::FunctionProto &f : model.proto->functions())
    functions[functionKey(f.domain(), f.name())] = &f;
}

/// Names that `graph` (a subgraph) uses without defining them: values of
/// the enclosing graphs it captures.
static void collectCaptures(const onnx::GraphProto &graph,
                            llvm::StringSet<> &captures) {
  llvm::StringSet<> defined;
  for (const auto &v : graph.input())
    defined.insert(v.name());
  for (const auto &t : graph.initializer())
    defined.insert(t.name());
  for (const auto &node : graph.node())
    for (const auto &o : node.output())
      defined.insert(o);
  for (const auto &node : graph.node()) {
    for (const auto &i : node.input())
      if (!i.empty() && !defined.contains(i))
        captures.insert(i);
    for (const auto &a : node.attribute()) {
      llvm::StringSet<> inner;
      if (a.has_g())
        collectCaptures(a.g(), inner);
      for (const auto &g : a.graphs())
        collectCaptures(g, inner);
      for (const auto &name : inner)
        if (!defined.contains(name.getKey()))
          captures.insert(name.getKey());
    }
  }
  for (const auto &o : graph.output())
    if (!defined.contains(o.name()))
      captures.insert(o.name());
}

LogicalResult GraphImporter::importMain(ModuleOp module) {
  this->module = module;
  MLIRContext *context = builder.getContext();
  onnx::GraphProto &graph = *model.proto->mutable_graph();
  auto fail = [&](const Twine &why) {
    emitError(modelLoc) << why;
    return failure();
  };

  if (graph.sparse_initializer_size() > 0)
    return fail("sparse initializers are not supported (initializer '" +
                graph.sparse_initializer(0).values().name() + "')");

  // Initializers, by name.
  llvm::StringMap<onnx::TensorProto *> initializers;
  for (onnx::TensorProto &t : *graph.mutable_initializer()) {
    if (t.name().empty())
      return fail("an initializer has no name");
    if (!initializers.try_emplace(t.name(), &t).second)
      return fail("initializer '" + t.name() + "' is defined twice");
  }

  // Inputs with an initializer stay constants (their default), unless
  // --initializer-input makes them arguments.
  llvm::StringSet<> overridden;
  for (const std::string &name : options.initializerInputs) {
    if (name == "*") {
      for (const onnx::ValueInfoProto &input : graph.input())
        if (initializers.count(input.name()))
          overridden.insert(input.name());
      continue;
    }
    bool isInput = llvm::any_of(
        graph.input(), [&](const auto &input) { return input.name() == name; });
    if (!isInput || !initializers.count(name))
      return fail("--initializer-input names '" + name +
                  "', which is not a graph input with an initializer");
    overridden.insert(name);
  }
  if (!overridden.empty() && model.proto->ir_version() < 4)
    return fail("--initializer-input: in IR version " +
                std::to_string(model.proto->ir_version()) +
                " every initializer is listed as an input and none is "
                "overridable (from IR version 4 on)");
  for (const auto &name : overridden)
    initializers.erase(name.getKey());

  // Inputs that are not initializers become arguments, unless
  // --input-value fixes them.
  llvm::StringSet<> inputNames;
  SmallVector<const onnx::ValueInfoProto *> argInfos;
  SmallVector<Type> argTypes;
  SmallVector<SmallVector<std::string>> argDimNames;
  SmallVector<std::pair<const onnx::ValueInfoProto *, const InputValue *>>
      fixedInputs;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (!inputNames.insert(input.name()).second)
      return fail("graph input '" + input.name() + "' is declared twice");
    auto fixed = options.inputValues.find(input.name());
    if (fixed != options.inputValues.end()) {
      if (options.inputShapes.count(input.name()))
        return fail("input '" + input.name() +
                    "' has both --input-shape and --input-value; its value "
                    "gives its shape");
      fixedInputs.push_back({&input, &fixed->second});
      continue;
    }
    if (initializers.count(input.name()))
      continue; // An input with an initializer is a constant (its default).
    SmallVector<std::string> dimNames;
    FailureOr<RankedTensorType> type =
        valueInfoType(input, /*applyInputShapes=*/true, dimNames);
    if (failed(type) || failed(checkTensorSize(
                            *type, [&] { return emitError(modelLoc); },
                            "graph input '" + input.name() + "'")))
      return failure();
    argInfos.push_back(&input);
    argTypes.push_back(*type);
    argDimNames.push_back(dimNames);
  }
  auto inputList = [&] {
    std::string names;
    for (const onnx::ValueInfoProto &input : graph.input())
      if (!initializers.count(input.name()))
        names += (names.empty() ? "" : ", ") + input.name();
    return names.empty() ? std::string("none") : names;
  };
  for (const auto &entry : options.inputShapes) {
    if (inputNames.contains(entry.getKey()) &&
        !initializers.count(entry.getKey()))
      continue;
    return fail(
        "--input-shape names '" + entry.getKey().str() +
        "', which is not an input of the model (inputs: " + inputList() + ")");
  }
  for (const auto &entry : options.inputValues)
    if (!inputNames.contains(entry.getKey()))
      return fail("--input-value names '" + entry.getKey().str() +
                  "', which is not an input of the model (inputs: " +
                  inputList() + ")");

  // The sizes the outputs declare, before any node is imported.
  for (const onnx::ValueInfoProto &output : graph.output())
    if (failed(checkDeclaredSize(output, "graph output")))
      return failure();

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, modelLoc, "main",
                                   FunctionType::get(context, argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(argInfos)) {
    values[info->name()] = entry->getArgument(i);
    func.setArgAttr(i, "optc.name", builder.getStringAttr(info->name()));
    if (llvm::any_of(argDimNames[i],
                     [](const std::string &n) { return !n.empty(); })) {
      SmallVector<Attribute> names;
      for (const std::string &n : argDimNames[i])
        names.push_back(builder.getStringAttr(n));
      func.setArgAttr(i, "optc.dim_names", builder.getArrayAttr(names));
    }
  }
  builder.setInsertionPointToStart(entry);

  for (auto &entry : initializers) {
    Location loc =
        NameLoc::get(builder.getStringAttr(entry.getKey()), modelLoc);
    FailureOr<Value> constant = importTensor(*entry.getValue(), loc);
    if (failed(constant))
      return failure();
    values[entry.getKey()] = *constant;
  }
  // Fixed inputs are constants too (and replace an initializer's default).
  for (auto [info, value] : fixedInputs) {
    FailureOr<Value> constant = importInputValue(*info, *value);
    if (failed(constant))
      return failure();
    values[info->name()] = *constant;
  }

  if (failed(importNodes(graph, values, model.opsets, 0)))
    return failure();

  // Outputs.
  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end())
      return fail("graph output '" + output.name() +
                  "' is not produced by any node, input or initializer");
    Value value = it->second;
    if (!value)
      return fail("graph output '" + output.name() +
                  "' is an output optc does not produce");
    if (output.has_type() && output.type().has_tensor_type() &&
        output.type().tensor_type().elem_type() != 0) {
      std::string why;
      FailureOr<Type> element = convertElementType(
          output.type().tensor_type().elem_type(), context, why);
      Type actual = cast<RankedTensorType>(value.getType()).getElementType();
      if (failed(element))
        return fail("graph output '" + output.name() + "': " + why);
      if (*element != actual) {
        std::string message;
        llvm::raw_string_ostream os(message);
        os << "graph output '" << output.name() << "' is declared "
           << dataTypeName(output.type().tensor_type().elem_type())
           << " but the graph computes " << actual;
        return fail(message);
      }
    }
    results.push_back(value);
    resultTypes.push_back(value.getType());
  }
  func::ReturnOp::create(builder, modelLoc, results);
  func.setFunctionType(FunctionType::get(context, argTypes, resultTypes));
  // Converters fold as they build, which leaves constants (and the odd
  // op) that nothing reads any more: drop them, users first.
  SmallVector<Operation *> ops;
  func.walk<WalkOrder::PostOrder>([&](Operation *op) { ops.push_back(op); });
  for (Operation *op : llvm::reverse(ops))
    if (op != func && isOpTriviallyDead(op))
      op->erase();
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "optc.name", builder.getStringAttr(output.name()));
  return success();
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importNodes(const onnx::GraphProto &graph,
                                         llvm::StringMap<Value> &scope,
                                         const llvm::StringMap<int64_t> &opsets,
                                         unsigned depth) {
  // Order the nodes topologically (ONNX asks for it, not every exporter
  // does) and reject cycles, duplicate outputs and dangling inputs.
  int numNodes = graph.node_size();
  llvm::StringMap<int> producer;
  for (int n = 0; n < numNodes; ++n) {
    for (const std::string &out : graph.node(n).output()) {
      if (out.empty())
        continue;
      if (scope.count(out) || !producer.try_emplace(out, n).second) {
        emitError(modelLoc)
            << "value '" << out << "' is defined twice (by "
            << "node #" << n << " '" << graph.node(n).name() << "' and before)";
        return failure();
      }
    }
  }
  std::vector<SmallVector<int>> users(numNodes);
  std::vector<int> pending(numNodes, 0);
  for (int n = 0; n < numNodes; ++n) {
    const onnx::NodeProto &node = graph.node(n);
    llvm::StringSet<> deps;
    for (const std::string &in : node.input())
      if (!in.empty())
        deps.insert(in);
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectCaptures(a.g(), deps);
      for (const auto &g : a.graphs())
        collectCaptures(g, deps);
    }
    for (const auto &dep : deps) {
      auto it = producer.find(dep.getKey());
      if (it != producer.end()) {
        users[it->second].push_back(n);
        ++pending[n];
      } else if (!scope.count(dep.getKey())) {
        emitError(modelLoc)
            << "node #" << n << " '" << node.name() << "' (" << node.op_type()
            << ") uses '" << dep.getKey()
            << "', which is not a graph input, an initializer or the output "
               "of any node";
        return failure();
      }
    }
  }
  std::deque<int> ready;
  for (int n = 0; n < numNodes; ++n)
    if (pending[n] == 0)
      ready.push_back(n);
  SmallVector<int> order;
  while (!ready.empty()) {
    int n = ready.front();
    ready.pop_front();
    order.push_back(n);
    for (int user : users[n])
      if (--pending[user] == 0)
        ready.push_back(user);
  }
  if (static_cast<int>(order.size()) != numNodes) {
    for (int n = 0; n < numNodes; ++n)
      if (pending[n] > 0) {
        emitError(modelLoc)
            << "the graph has a cycle through node #" << n << " '"
            << graph.node(n).name() << "' (" << graph.node(n).op_type() << ")";
        return failure();
      }
  }

  // value_info: declared types of intermediate values, checked below.
  llvm::StringMap<const onnx::ValueInfoProto *> valueInfo;
  for (const onnx::ValueInfoProto &info : graph.value_info()) {
    if (failed(checkDeclaredSize(info, "value_info")))
      return failure();
    valueInfo[info.name()] = &info;
  }

  for (int n : order) {
    if (failed(importNode(graph.node(n), n, scope, opsets, depth)))
      return failure();
    for (const std::string &out : graph.node(n).output()) {
      auto info = valueInfo.find(out);
      auto value = scope.find(out);
      if (info == valueInfo.end() || value == scope.end() || !value->second)
        continue;
      const onnx::TypeProto &declared = info->second->type();
      if (!declared.has_tensor_type() || !declared.tensor_type().elem_type())
        continue;
      std::string why;
      FailureOr<Type> element = convertElementType(
          declared.tensor_type().elem_type(), builder.getContext(), why);
      Type actual =
          cast<RankedTensorType>(value->second.getType()).getElementType();
      if (succeeded(element) && *element != actual) {
        emitError(modelLoc)
            << "value '" << out << "' is declared "
            << dataTypeName(declared.tensor_type().elem_type())
            << " in value_info, but node #" << n << " '" << graph.node(n).name()
            << "' (" << graph.node(n).op_type() << ") produces " << actual;
        return failure();
      }
    }
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        unsigned index,
                                        llvm::StringMap<Value> &scope,
                                        const llvm::StringMap<int64_t> &opsets,
                                        unsigned depth) {
  // The main graph's nodes are bounded by the file; nested ones are not:
  // a subgraph may be imported more than once (a probe, then the body; a
  // Loop unrolled), and a function is inlined at every call, so a small
  // file can nest its way to billions of imports.
  if (depth > 0 && ++nestedNodeImports > kMaxNestedNodeImports)
    return emitError(modelLoc)
           << "subgraphs and functions expand to more than "
           << kMaxNestedNodeImports
           << " node imports (bodies imported more than once, Loops "
              "unrolled, functions inlined at every call)";
  llvm::StringRef domain = canonicalDomain(node.domain());
  llvm::StringRef domainName = domain.empty() ? "ai.onnx" : domain;
  auto opsetIt = opsets.find(domain);
  int64_t opset = opsetIt == opsets.end() ? 0 : opsetIt->second;
  std::string description =
      llvm::formatv("node '{0}' (#{1}, op {2}, domain {3}, opset {4})",
                    node.name(), index, node.op_type(), domainName, opset)
          .str();

  // Every error raised while this node is imported says which node it is.
  bool reemitting = false;
  ScopedDiagnosticHandler prefix(
      builder.getContext(), [&](Diagnostic &diag) -> LogicalResult {
        if (reemitting || diag.getSeverity() != DiagnosticSeverity::Error)
          return failure();
        reemitting = true;
        InFlightDiagnostic d = emitError(diag.getLocation())
                               << description << ": " << diag.str();
        for (Diagnostic &note : diag.getNotes())
          d.attachNote(note.getLocation()) << note.str();
        d.report();
        reemitting = false;
        return success();
      });

  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      continue;
    }
    auto it = scope.find(name);
    if (it == scope.end())
      return emitError(modelLoc) << "input '" << name << "' is not defined";
    if (!it->second)
      return emitError(modelLoc)
             << "input '" << name
             << "' is an output that optc does not produce for its node";
    inputs.push_back(it->second);
  }

  // A model-local function is inlined.
  auto function = functions.find(functionKey(domain, node.op_type()));
  if (function != functions.end())
    return inlineFunction(node, *function->second, inputs, scope, opsets,
                          depth);

  if (opsetIt == opsets.end())
    return emitError(modelLoc) << "the model does not import the domain '"
                               << domainName << "' of this node";
  const OpRegistry::Entry *entry =
      OpRegistry::get().lookup(domain, node.op_type());
  if (!entry)
    return emitError(modelLoc) << "optc does not support this op";
  if (opset < entry->minOpset && domain.empty()) {
    // An old version of the op: name it and the opsets it covers.
    if (auto version = legacyOpVersion(node.op_type(), opset))
      return emitError(modelLoc)
             << "optc does not support " << node.op_type() << "-"
             << version->first << " (the version of opsets " << version->first
             << " to " << version->second << "); it reads " << node.op_type()
             << " from opset " << entry->minOpset;
    if (opset < kMinOpset)
      return emitError(modelLoc)
             << node.op_type() << " is not an op of opset " << opset
             << " (ONNX added it later); optc reads it from opset "
             << entry->minOpset;
  }
  if (opset < entry->minOpset || opset > entry->maxOpset)
    return emitError(modelLoc)
           << "optc supports " << node.op_type() << " from opset "
           << entry->minOpset << " to " << entry->maxOpset;

  std::string locName =
      node.name().empty() ? ("#" + std::to_string(index)) : node.name();
  Location loc = NameLoc::get(builder.getStringAttr(locName), modelLoc);
  NodeContext ctx(*this, node, index, opset, builder, loc, std::move(inputs));
  ctx.scope = &scope;
  ctx.opsets = &opsets;
  ctx.depth = depth;
  if (failed(entry->convert(ctx)))
    return failure();
  // Converters may produce optional outputs the node does not name; those
  // are dropped (dead code for the canonicaliser).
  if (ctx.outputs.size() > static_cast<size_t>(node.output_size()))
    ctx.outputs.resize(node.output_size());
  for (auto [i, name] : llvm::enumerate(node.output())) {
    if (name.empty())
      continue;
    Value output = i < ctx.outputs.size() ? ctx.outputs[i] : Value();
    // Outputs built without an op's verifier (a constant a converter
    // makes) are held to the limits per tensor here, by name.
    if (auto shaped =
            output ? dyn_cast<ShapedType>(output.getType()) : ShapedType();
        shaped &&
        failed(checkTensorSize(
            shaped, [&] { return emitError(loc); }, "output '" + name + "'")))
      return failure();
    scope[name] = output;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Subgraphs and functions
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> GraphImporter::importSubgraph(
    const onnx::GraphProto &graph, const llvm::StringMap<Value> &outer,
    ArrayRef<Value> inputs, const llvm::StringMap<int64_t> &opsets,
    unsigned depth) {
  if (depth >= 32)
    return emitError(modelLoc) << "subgraphs nest more than 32 deep";
  if (static_cast<size_t>(graph.input_size()) != inputs.size())
    return emitError(modelLoc)
           << "the subgraph '" << graph.name() << "' takes "
           << graph.input_size() << " inputs, " << inputs.size() << " given";
  llvm::StringMap<Value> scope = outer;
  for (auto [i, input] : llvm::enumerate(graph.input()))
    scope[input.name()] = inputs[i];
  for (const onnx::TensorProto &t : graph.initializer()) {
    onnx::TensorProto copy = t;
    FailureOr<Value> constant = importTensor(copy, modelLoc);
    if (failed(constant))
      return failure();
    scope[t.name()] = *constant;
  }
  if (failed(importNodes(graph, scope, opsets, depth + 1)))
    return failure();
  SmallVector<Value> outputs;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    auto it = scope.find(output.name());
    if (it == scope.end() || !it->second)
      return emitError(modelLoc)
             << "the subgraph '" << graph.name()
             << "' does not compute its output '" << output.name() << "'";
    outputs.push_back(it->second);
  }
  return outputs;
}

LogicalResult GraphImporter::inlineFunction(
    const onnx::NodeProto &call, const onnx::FunctionProto &function,
    SmallVectorImpl<Value> &inputs, llvm::StringMap<Value> &scope,
    const llvm::StringMap<int64_t> &callerOpsets, unsigned depth) {
  if (depth >= 32)
    return emitError(modelLoc) << "functions nest more than 32 deep (is '"
                               << function.name() << "' recursive?)";
  if (inputs.size() > static_cast<size_t>(function.input_size()))
    return emitError(modelLoc)
           << "passes " << inputs.size() << " inputs to function '"
           << function.name() << "', which takes " << function.input_size();
  // The function's own opsets, falling back to the caller's.
  llvm::StringMap<int64_t> opsets = callerOpsets;
  for (const onnx::OperatorSetIdProto &o : function.opset_import())
    opsets[canonicalDomain(o.domain())] = o.version();
  // Its values live in a scope of their own.
  llvm::StringMap<Value> local;
  for (auto [i, name] : llvm::enumerate(function.input()))
    local[name] = i < inputs.size() ? inputs[i] : Value();
  // Attribute values: the call's, else the function's defaults.
  llvm::StringMap<const onnx::AttributeProto *> attrs;
  for (const onnx::AttributeProto &a : function.attribute_proto())
    attrs[a.name()] = &a;
  for (const onnx::AttributeProto &a : call.attribute())
    attrs[a.name()] = &a;
  for (auto [n, inner] : llvm::enumerate(function.node())) {
    onnx::NodeProto node = inner;
    // Attributes that refer to the function's attributes take their values
    // (and are dropped when the call does not give them).
    auto *list = node.mutable_attribute();
    for (int a = list->size() - 1; a >= 0; --a) {
      onnx::AttributeProto &attr = (*list)[a];
      if (attr.ref_attr_name().empty())
        continue;
      auto it = attrs.find(attr.ref_attr_name());
      if (it == attrs.end()) {
        list->DeleteSubrange(a, 1);
        continue;
      }
      std::string name = attr.name();
      attr = *it->second;
      attr.set_name(name);
    }
    if (failed(importNode(node, n, local, opsets, depth + 1)))
      return failure();
  }
  for (auto [i, name] : llvm::enumerate(call.output())) {
    if (name.empty())
      continue;
    if (static_cast<int>(i) >= function.output_size())
      return emitError(modelLoc) << "has more outputs than function '"
                                 << function.name() << "' returns";
    auto it = local.find(function.output(i));
    if (it == local.end() || !it->second)
      return emitError(modelLoc)
             << "function '" << function.name()
             << "' does not compute its output '" << function.output(i) << "'";
    scope[name] = it->second;
  }
  return success();
}
