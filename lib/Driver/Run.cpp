//===- Run.cpp - optc run: load a compiled model and run it
//----------------===//
//
// The command-line face of the runtime: inputs from .npy or .pb files,
// outputs to .npy, a one-line summary per output and the latency. A model
// that is not yet a library is compiled into a temporary directory first,
// through the same driver as `optc -o model.so`.
//
//===----------------------------------------------------------------------===//

#include "optc/Driver.h"

#include "lib/Driver/TensorFiles.h"

#include "optc/Support/Sizes.h"
#include "optc/runtime.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::optc;

/// The value of a narrow float's byte (its bits in the low bits).
static double narrowFloat(const llvm::fltSemantics &semantics, uint8_t byte) {
  unsigned width = llvm::APFloat::semanticsSizeInBits(semantics);
  llvm::APFloat value(semantics,
                      llvm::APInt(width, byte & ((1u << width) - 1)));
  bool lost;
  value.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
  return value.convertToDouble();
}

/// An element of `tensor` as a double, for the summary.
static double elementAsDouble(const HostTensor &tensor, int64_t index) {
  const char *at = tensor.data.data() + index * optc_dtype_size(tensor.dtype);
  uint8_t byte = static_cast<uint8_t>(*at);
  auto read = [&](auto value) {
    std::memcpy(&value, at, sizeof(value));
    return static_cast<double>(value);
  };
  switch (tensor.dtype) {
  case OPTC_F32:
    return read(float());
  case OPTC_F64:
    return read(double());
  case OPTC_I8:
    return read(int8_t());
  case OPTC_U8:
  case OPTC_BOOL:
    return read(uint8_t());
  case OPTC_I16:
    return read(int16_t());
  case OPTC_U16:
    return read(uint16_t());
  case OPTC_I32:
    return read(int32_t());
  case OPTC_U32:
    return read(uint32_t());
  case OPTC_I64:
    return read(int64_t());
  case OPTC_U64:
    return read(uint64_t());
  case OPTC_F8E4M3FN:
    return narrowFloat(llvm::APFloat::Float8E4M3FN(), byte);
  case OPTC_F8E4M3FNUZ:
    return narrowFloat(llvm::APFloat::Float8E4M3FNUZ(), byte);
  case OPTC_F8E5M2:
    return narrowFloat(llvm::APFloat::Float8E5M2(), byte);
  case OPTC_F8E5M2FNUZ:
    return narrowFloat(llvm::APFloat::Float8E5M2FNUZ(), byte);
  case OPTC_F8E8M0FNU:
    return narrowFloat(llvm::APFloat::Float8E8M0FNU(), byte);
  case OPTC_F4E2M1FN:
    return narrowFloat(llvm::APFloat::Float4E2M1FN(), byte);
  case OPTC_U4:
    return byte & 0xF;
  case OPTC_U2:
    return byte & 0x3;
  case OPTC_I4:
    return static_cast<int8_t>(static_cast<uint8_t>(byte << 4)) >> 4;
  case OPTC_I2:
    return static_cast<int8_t>(static_cast<uint8_t>(byte << 6)) >> 6;
  case OPTC_BF16: {
    uint16_t bits;
    std::memcpy(&bits, at, 2);
    uint32_t wide = uint32_t(bits) << 16;
    float value;
    std::memcpy(&value, &wide, 4);
    return value;
  }
  case OPTC_F16: {
    uint16_t bits;
    std::memcpy(&bits, at, 2);
    int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
    double value = exponent == 0 ? std::ldexp(mantissa, -24)
                   : exponent == 31
                       ? (mantissa ? NAN : INFINITY)
                       : std::ldexp(mantissa | 0x400, exponent - 25);
    return (bits & 0x8000) ? -value : value;
  }
  default:
    return NAN;
  }
}

static std::string shapeString(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

static void printSummary(llvm::raw_ostream &os, llvm::StringRef name,
                         const HostTensor &tensor) {
  os << "  " << name << "  " << optc_dtype_name(tensor.dtype)
     << shapeString(tensor.shape);
  int64_t count = tensor.numElements();
  if (count == 0) {
    os << "  (empty)\n";
    return;
  }
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  int64_t nans = 0;
  for (int64_t i = 0; i < count; ++i) {
    double value = elementAsDouble(tensor, i);
    if (std::isnan(value)) {
      ++nans;
      continue;
    }
    lo = std::min(lo, value);
    hi = std::max(hi, value);
    sum += value;
  }
  os << "  min " << llvm::format("%.6g", lo) << "  max "
     << llvm::format("%.6g", hi) << "  mean "
     << llvm::format("%.6g", count > nans ? sum / double(count - nans) : NAN);
  if (nans)
    os << "  NaN " << nans;
  os << "  first";
  for (int64_t i = 0; i < std::min<int64_t>(count, 4); ++i)
    os << " " << llvm::format("%.6g", elementAsDouble(tensor, i));
  os << (count > 4 ? " ...\n" : "\n");
}

/// A file name for output `name` (ONNX names may hold any character).
static std::string fileNameFor(llvm::StringRef name) {
  std::string file;
  for (char c : name)
    file += llvm::isAlnum(static_cast<unsigned char>(c)) || c == '_' ||
                    c == '-' || c == '.'
                ? c
                : '_';
  if (file.empty() || file[0] == '.')
    file = "output" + file;
  return file + ".npy";
}

LogicalResult optc::runModel(const RunOptions &options, MLIRContext &context) {
  Location cli = NameLoc::get(StringAttr::get(&context, "optc run"));
  auto fail = [&](const llvm::Twine &message) {
    emitError(cli) << message;
    return failure();
  };
  if (options.repeat == 0)
    return fail("--repeat must be at least 1");

  // Compile first unless given a library.
  std::string library = options.modelPath;
  llvm::SmallString<128> tempDir;
  llvm::scope_exit removeTemp([&] {
    if (!tempDir.empty())
      llvm::sys::fs::remove_directories(tempDir);
  });
  if (llvm::sys::path::extension(options.modelPath) != ".so") {
    if (std::error_code ec =
            llvm::sys::fs::createUniqueDirectory("optc-run", tempDir))
      return fail("cannot create a temporary directory: " + ec.message());
    DriverOptions compile = options.compile;
    compile.inputPath = options.modelPath;
    llvm::SmallString<128> output(tempDir);
    // The library is named after the model, and so is the model.
    llvm::sys::path::append(output,
                            llvm::sys::path::stem(options.modelPath) + ".so");
    compile.outputPath = std::string(output);
    compile.emit = "lib";
    compile.emitAfter.clear();
    if (failed(runDriver(compile, context)))
      return failure();
    library = std::string(output);
  }

  optc_model *model = nullptr;
  optc_status *status = optc_model_open(
      library.c_str(),
      options.weightsPath.empty() ? nullptr : options.weightsPath.c_str(),
      &model);
  llvm::scope_exit freeModel([&] { optc_model_free(model); });
  if (status) {
    std::string message = optc_status_get_message(status);
    optc_status_free(status);
    return fail(message);
  }

  // Inputs: by name, or in order for the ones not named.
  size_t numInputs = optc_model_num_inputs(model);
  size_t numOutputs = optc_model_num_outputs(model);
  std::vector<optc_tensor_info> inputInfos(numInputs), outputInfos(numOutputs);
  std::string inputNames;
  for (size_t i = 0; i < numInputs; ++i) {
    optc_status_free(optc_model_input_info(model, i, &inputInfos[i]));
    inputNames += (i ? ", " : "") + std::string(inputInfos[i].name);
  }
  for (size_t i = 0; i < numOutputs; ++i)
    optc_status_free(optc_model_output_info(model, i, &outputInfos[i]));
  std::vector<std::string> files(numInputs);
  size_t nextUnnamed = 0;
  for (const std::string &spec : options.inputs) {
    llvm::StringRef text(spec);
    size_t index = numInputs;
    llvm::StringRef file = text;
    if (text.contains('=') && !llvm::sys::fs::exists(text)) {
      auto [name, path] = text.split('=');
      file = path;
      for (size_t i = 0; i < numInputs; ++i)
        if (name == inputInfos[i].name)
          index = i;
      if (index == numInputs)
        return fail("--input names '" + name +
                    "', which is not an input of the model (inputs: " +
                    (inputNames.empty() ? "none" : inputNames) + ")");
    } else {
      while (nextUnnamed < numInputs && !files[nextUnnamed].empty())
        ++nextUnnamed;
      if (nextUnnamed == numInputs)
        return fail("--input " + spec + " is one more input than the model's " +
                    llvm::Twine(numInputs) + " (" + inputNames + ")");
      index = nextUnnamed;
    }
    if (!files[index].empty())
      return fail("input '" + llvm::Twine(inputInfos[index].name) +
                  "' is given twice");
    files[index] = file.str();
  }
  std::vector<HostTensor> inputs(numInputs);
  std::vector<optc_tensor> inputViews;
  for (size_t i = 0; i < numInputs; ++i) {
    if (files[i].empty())
      return fail("input '" + llvm::Twine(inputInfos[i].name) +
                  "' is not given; pass --input " + inputInfos[i].name +
                  "=FILE (.npy or .pb)");
    std::string error;
    if (!readTensorFile(files[i], inputs[i], error))
      return fail(error);
    if (inputs[i].untyped && optc_dtype_size(inputs[i].dtype) ==
                                 optc_dtype_size(inputInfos[i].dtype))
      inputs[i].dtype = inputInfos[i].dtype;
    inputViews.push_back(inputs[i].view());
  }
  std::vector<HostTensor> outputs(numOutputs);
  std::vector<optc_tensor> outputViews;
  for (size_t i = 0; i < numOutputs; ++i) {
    outputs[i].dtype = outputInfos[i].dtype;
    outputs[i].shape.assign(outputInfos[i].shape,
                            outputInfos[i].shape + outputInfos[i].rank);
    // The runtime checked the model's shapes against the limits per
    // tensor: the bytes cannot overflow.
    std::optional<int64_t> bytes = sizes::storageBytes(
        outputs[i].numElements(), 8 * optc_dtype_size(outputs[i].dtype));
    assert(bytes && "a tensor within the limits per tensor");
    outputs[i].data.resize(*bytes);
    outputViews.push_back(outputs[i].view());
  }

  // Run; with --repeat, the first run warms up and the median is reported.
  std::vector<double> times;
  unsigned runs = options.repeat > 1 ? options.repeat + 1 : 1;
  for (unsigned r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    status = optc_model_run(model, inputViews.data(), inputViews.size(),
                            outputViews.data(), outputViews.size());
    auto end = std::chrono::steady_clock::now();
    if (status) {
      std::string message = optc_status_get_message(status);
      optc_status_free(status);
      return fail(message);
    }
    if (runs == 1 || r > 0)
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];

  llvm::outs() << "optc run: model '" << optc_model_name(model) << "', "
               << numInputs << " input" << (numInputs == 1 ? "" : "s") << ", "
               << numOutputs << " output" << (numOutputs == 1 ? "" : "s")
               << ", " << optc_num_threads() << " thread"
               << (optc_num_threads() == 1 ? "" : "s") << "\n";
  for (size_t i = 0; i < numOutputs; ++i)
    printSummary(llvm::outs(), outputInfos[i].name, outputs[i]);
  // Sub-millisecond latencies read better in microseconds.
  auto time = [](double ms) {
    return ms < 1.0 ? llvm::formatv("{0:F1} us", ms * 1000.0).str()
                    : llvm::formatv("{0:F3} ms", ms).str();
  };
  llvm::outs() << "  latency " << time(median);
  if (times.size() > 1)
    llvm::outs() << " (median of " << times.size() << " runs, min "
                 << time(times.front()) << ")";
  llvm::outs() << "\n";

  if (!options.outputDir.empty()) {
    if (std::error_code ec =
            llvm::sys::fs::create_directories(options.outputDir))
      return fail("cannot create '" + options.outputDir + "': " + ec.message());
    for (size_t i = 0; i < numOutputs; ++i) {
      llvm::SmallString<256> path(options.outputDir);
      llvm::sys::path::append(path, fileNameFor(outputInfos[i].name));
      std::string error;
      if (!writeNpy(path, outputs[i], error))
        return fail(error);
      llvm::outs() << "  wrote " << path << "\n";
    }
  }
  return success();
}
