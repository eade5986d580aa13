//===- RuntimeFuzzer.cpp - the runtime's loading of a compiled model ------===//
//
// libFuzzer harness `optc-fuzz-runtime`: what the runtime reads from files
// a user hands it, before any generated code runs. An input holds up to
// four sections separated by the line `%%optc-fuzz%%`:
//
//   1. the bytes of a model library: optc_check_library_file must accept a
//      whole library for this machine and reject anything else with an
//      error (never read outside the file). The library is not dlopened:
//      that would run the fuzzer's bytes as code.
//   2. the descriptor's metadata text (runtime_support.h), loaded through
//      optc_model_create with a stand-in entry point;
//   3. the bytes of the weights side file the metadata may name;
//   4. bytes choosing how the run's tensors differ from what the model
//      expects (dtype, rank, a size, strides, missing data), to drive the
//      run-time checks of optc_model_run.
//
// The stand-in entry point touches the first and last byte of every buffer
// the runtime hands it (inputs, outputs, arena, weights), so a buffer
// smaller than the metadata promised is a sanitizer report.
//
//===----------------------------------------------------------------------===//

#include "optc/runtime_support.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr char kSeparator[] = "\n%%optc-fuzz%%\n";
/// Runs whose tensors and arena need more than this are not attempted:
/// the limit is the harness's memory, not the runtime's.
constexpr uint64_t kMaxRunBytes = 16 << 20;
/// What the stand-in descriptor embeds as weights.
uint8_t embeddedWeights[256];

/// The sizes of the buffers the current run hands the entry point, in its
/// order: inputs, outputs, arena, weights (0: not touched; the side file's
/// size is checked against the metadata when it is mapped).
std::vector<uint64_t> expectedBytes;

void touchEveryBuffer(void **buffers) {
  for (size_t i = 0; i < expectedBytes.size(); ++i) {
    if (!expectedBytes[i])
      continue;
    volatile uint8_t *bytes = static_cast<uint8_t *>(buffers[i]);
    bytes[0] = bytes[0];
    bytes[expectedBytes[i] - 1] = bytes[expectedBytes[i] - 1];
  }
}

/// An anonymous in-memory file holding `bytes`, named by a /proc path.
class MemoryFile {
public:
  explicit MemoryFile(const std::string &bytes) {
    fd = memfd_create("optc-fuzz", MFD_CLOEXEC);
    if (fd < 0)
      return;
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0)
        break;
      done += static_cast<size_t>(n);
    }
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  ~MemoryFile() {
    if (fd >= 0)
      close(fd);
  }
  MemoryFile(const MemoryFile &) = delete;
  MemoryFile &operator=(const MemoryFile &) = delete;
  std::string path;

private:
  int fd = -1;
};

std::vector<std::string> splitSections(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::vector<std::string> sections;
  size_t start = 0;
  while (sections.size() < 3) {
    size_t at = text.find(kSeparator, start);
    if (at == std::string::npos)
      break;
    sections.push_back(text.substr(start, at - start));
    start = at + sizeof(kSeparator) - 1;
  }
  sections.push_back(text.substr(start));
  sections.resize(4);
  return sections;
}

void checkLibrary(const std::string &bytes) {
  if (bytes.empty())
    return;
  MemoryFile file(bytes);
  if (file.path.empty())
    return;
  optc_status_free(optc_check_library_file(file.path.c_str()));
}

/// One tensor of the run, with the memory behind it.
struct RunTensor {
  std::vector<int64_t> shape, strides;
  std::vector<uint8_t> memory;
  optc_tensor tensor{};
};

/// Makes the tensor for `info`, changed as `choice` says; false when it
/// would need more than `budget` bytes (which it then lowers).
bool makeTensor(const optc_tensor_info &info, uint8_t choice, RunTensor &run,
                uint64_t &budget) {
  run.shape.assign(info.shape, info.shape + info.rank);
  optc_dtype dtype = info.dtype;
  int32_t rank = info.rank;
  int64_t stretch = 1;
  switch (choice % 8) {
  case 1:
    dtype = static_cast<optc_dtype>(choice >> 3);
    break;
  case 2:
    rank = rank > 0 ? rank - 1 : 1;
    run.shape.resize(static_cast<size_t>(rank), 1);
    break;
  case 3:
    if (rank > 0)
      run.shape[choice % rank] += (choice & 0x80) ? -1 : 1;
    break;
  case 4:
  case 5:
    stretch = choice % 8 == 4 ? 2 : -1; // sparse, or reversed
    break;
  default:
    break;
  }
  uint64_t count = 1;
  for (int64_t size : run.shape) {
    if (size < 0 || size > int64_t(kMaxRunBytes) ||
        __builtin_mul_overflow(count, uint64_t(size ? size : 1), &count) ||
        count > kMaxRunBytes)
      return false;
  }
  size_t elementSize = optc_dtype_size(dtype) ? optc_dtype_size(dtype) : 1;
  uint64_t bytes = count * elementSize * uint64_t(stretch < 0 ? 1 : stretch);
  if (bytes > budget)
    return false;
  budget -= bytes;
  run.memory.assign(bytes ? bytes : 1, 0x5a);
  run.tensor.dtype = dtype;
  run.tensor.rank = rank;
  run.tensor.shape = run.shape.data();
  run.tensor.data = choice % 8 == 6 ? nullptr : run.memory.data();
  if (stretch != 1 && rank > 0) {
    run.strides.assign(static_cast<size_t>(rank), 0);
    int64_t stride = stretch < 0 ? 1 : stretch;
    for (int32_t d = rank - 1; d >= 0; --d) {
      run.strides[d] = stride;
      stride *= run.shape[d] ? run.shape[d] : 1;
    }
    if (stretch < 0) { // the last dimension backwards from its end
      int64_t last = run.shape.back() ? run.shape.back() - 1 : 0;
      run.tensor.data = run.memory.data() + last * int64_t(elementSize);
      run.strides.back() = -1;
    }
    run.tensor.strides = run.strides.data();
  }
  return true;
}

void runModel(optc_model *model, const std::string &choices) {
  size_t numInputs = optc_model_num_inputs(model);
  size_t numOutputs = optc_model_num_outputs(model);
  uint64_t arena = optc_model_arena_size(model);
  if (arena > kMaxRunBytes)
    return;
  uint64_t budget = kMaxRunBytes - arena;
  std::vector<RunTensor> tensors(numInputs + numOutputs);
  expectedBytes.assign(numInputs + numOutputs + 2, 0);
  for (size_t i = 0; i < tensors.size(); ++i) {
    optc_tensor_info info;
    optc_status *status =
        i < numInputs ? optc_model_input_info(model, i, &info)
                      : optc_model_output_info(model, i - numInputs, &info);
    if (status) {
      optc_status_free(status);
      return;
    }
    uint8_t choice = i < choices.size() ? uint8_t(choices[i]) : 0;
    if (!makeTensor(info, choice, tensors[i], budget))
      return;
    // What the model's code may touch: the tensor the metadata describes.
    uint64_t count = 1;
    for (int32_t d = 0; d < info.rank; ++d)
      count *= uint64_t(info.shape[d]);
    expectedBytes[i] = count * optc_dtype_size(info.dtype);
  }
  expectedBytes[numInputs + numOutputs] = arena;
  std::vector<optc_tensor> inputs, outputs;
  for (size_t i = 0; i < tensors.size(); ++i)
    (i < numInputs ? inputs : outputs).push_back(tensors[i].tensor);
  optc_status_free(optc_model_run(model, inputs.data(), inputs.size(),
                                  outputs.data(), outputs.size()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<std::string> sections = splitSections(data, size);
  checkLibrary(sections[0]);

  const std::string &metadata = sections[1];
  if (metadata.empty() || metadata.find('\0') != std::string::npos)
    return 0;
  MemoryFile weights(sections[2]);
  optc_model_desc desc{};
  desc.abi_version = OPTC_ABI_VERSION;
  desc.metadata = metadata.c_str();
  desc.entry = touchEveryBuffer;
  desc.weights = embeddedWeights;
  desc.weights_size = sizeof(embeddedWeights);
  desc.take_error = optc_take_reported_error;
  optc_model *model = nullptr;
  // Always a path: without one, the runtime looks beside this executable.
  optc_status *status = optc_model_create(&desc, weights.path.c_str(), &model);
  if (status) {
    optc_status_free(status);
    return 0;
  }
  runModel(model, sections[3]);
  optc_model_free(model);
  return 0;
}
