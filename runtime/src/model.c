/*===- model.c - loading and running compiled models -----------------------===*
 *
 * A compiled library exports a descriptor: metadata text (see
 * runtime_support.h), the entry point of the generated code and, when they
 * are embedded, the weights. Loading parses the metadata, checks the CPU
 * features and maps the weights' side file; running checks every tensor
 * against the metadata before the generated code touches anything, so bad
 * input is an error and never undefined behaviour.
 *
 *===-----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* dladdr, RTLD_NODELETE */
#include "optc/runtime_support.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct optc_model {
  const optc_model_desc *desc;
  int checks; /* the code reports run-time errors: stage the outputs */
  char *name;
  size_t numInputs, numOutputs;
  optc_tensor_info *infos; /* inputs, then outputs */
  uint64_t arenaSize;
  optc_arena_pool *arenas;
  const void *weights;
  void *mapping; /* the mmapped side file, or NULL */
  size_t mappingSize;
};

/* Frees memory this file allocated but keeps behind const pointers. */
static void freeOwned(const void *pointer) { free((void *)(uintptr_t)pointer); }

/*--- Metadata parsing ------------------------------------------------------*/

/* Decodes %XX escapes in place. */
static void percentDecode(char *text) {
  char *out = text;
  for (char *in = text; *in; ++in) {
    if (in[0] == '%' && in[1] && in[2]) {
      char hex[3] = {in[1], in[2], 0};
      *out++ = (char)strtol(hex, NULL, 16);
      in += 2;
    } else {
      *out++ = *in;
    }
  }
  *out = '\0';
}

static char *duplicate(const char *text) {
  size_t length = strlen(text) + 1;
  char *copy = (char *)malloc(length);
  if (copy)
    memcpy(copy, text, length);
  return copy;
}

static optc_status *malformed(const char *what, const char *line) {
  return optc_status_make(
      OPTC_IO_ERROR, "malformed model metadata: %s in line '%s'", what, line);
}

static void formatShape(char *out, size_t size, int32_t rank,
                        const int64_t *shape) {
  size_t used = (size_t)snprintf(out, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? "," : "",
                             (long long)shape[i]);
  if (used < size)
    snprintf(out + used, size - used, "]");
}

/* Checks a shape against optc's limits per tensor (runtime.h), its sizes
 * multiplied with overflow checks: NULL when it is within them, else a
 * status of `code` whose message starts with `what` (names the tensor). */
static optc_status *checkLimits(optc_status_code code, const char *what,
                                int32_t rank, const int64_t *shape,
                                size_t elementSize) {
  int64_t extent = 1, bytes = 0;
  for (int32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0)
      return optc_status_make(code, "%s has size %lld in dimension %d", what,
                              (long long)shape[i], (int)i);
    /* A size 0 counts as 1: the strides of an empty tensor stay bounded. */
    if (__builtin_mul_overflow(extent, shape[i] ? shape[i] : 1, &extent) ||
        extent > OPTC_MAX_TENSOR_ELEMENTS) {
      char text[256];
      formatShape(text, sizeof(text), rank, shape);
      return optc_status_make(code,
                              "%s has shape %s, which exceeds optc's limit "
                              "of 2^40 elements per tensor (a dimension of "
                              "size 0 counts as 1)",
                              what, text);
    }
  }
  if (__builtin_mul_overflow(extent, (int64_t)elementSize, &bytes) ||
      bytes > OPTC_MAX_TENSOR_BYTES) {
    char text[256];
    formatShape(text, sizeof(text), rank, shape);
    return optc_status_make(code,
                            "%s has shape %s of %zu-byte elements, which "
                            "exceeds optc's limit of 2^42 bytes per tensor",
                            what, text, elementSize);
  }
  return NULL;
}

/* Parses "input|output <name> <dtype> <dims>" into `info`. */
static optc_status *parseTensor(char *line, optc_tensor_info *info) {
  char *saved = duplicate(line);
  char *save = NULL;
  strtok_r(line, " ", &save);
  char *name = strtok_r(NULL, " ", &save);
  char *dtype = strtok_r(NULL, " ", &save);
  char *dims = strtok_r(NULL, " ", &save);
  optc_status *status = NULL;
  if (!name || !dtype || !dims) {
    status = malformed("missing fields", saved ? saved : "");
    goto done;
  }
  percentDecode(name);
  info->name = duplicate(name);
  info->dtype = optc_dtype_from_name(dtype);
  if (info->dtype == OPTC_DTYPE_INVALID) {
    status = malformed("unknown dtype", saved ? saved : "");
    goto done;
  }
  info->rank = 0;
  int64_t *shape = NULL;
  if (strcmp(dims, "scalar") != 0) {
    int32_t rank = 1;
    for (const char *c = dims; *c; ++c)
      rank += *c == ',';
    shape = (int64_t *)calloc((size_t)rank, sizeof(int64_t));
    if (!shape) {
      status = optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
      goto done;
    }
    char *dimSave = NULL;
    int32_t i = 0;
    for (char *dim = strtok_r(dims, ",", &dimSave); dim && i < rank;
         dim = strtok_r(NULL, ",", &dimSave)) {
      /* A size is a decimal int64, not negative. */
      char *end = NULL;
      errno = 0;
      long long size = strtoll(dim, &end, 10);
      if (end == dim || *end || errno == ERANGE || size < 0)
        break;
      shape[i++] = (int64_t)size;
    }
    info->shape = shape;
    if (i != rank) {
      status = malformed("a bad dimension size", saved ? saved : "");
      goto done;
    }
    info->rank = rank;
  }
  info->shape = shape;
  /* The sizes the runtime multiplies (elements, bytes, strides) are within
   * optc's limits, as the compiler left them. */
  char what[300];
  snprintf(what, sizeof(what), "the library's %s '%s'", line, info->name);
  status = checkLimits(OPTC_IO_ERROR, what, info->rank, info->shape,
                       optc_dtype_size(info->dtype));
done:
  free(saved);
  return status;
}

static optc_status *parseMetadata(optc_model *model, const char *metadata,
                                  char *weightsFile, size_t weightsFileSize,
                                  uint64_t *weightsSize, char *weightsId,
                                  char *features, size_t featuresSize) {
  char *text = duplicate(metadata);
  if (!text)
    return optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  /* Count the tensors first, to size the info array. */
  size_t numTensors = 0;
  for (const char *c = text; *c; ++c)
    if ((c == text || c[-1] == '\n') &&
        (!strncmp(c, "input ", 6) || !strncmp(c, "output ", 7)))
      ++numTensors;
  model->infos =
      (optc_tensor_info *)calloc(numTensors + 1, sizeof(optc_tensor_info));
  optc_status *status = NULL;
  if (!model->infos) {
    free(text);
    return optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  }
  int sawHeader = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line && !status;
       line = strtok_r(NULL, "\n", &save)) {
    char key[16] = {0};
    sscanf(line, "%15s", key);
    /* The value after the key and one space; "" for a bare key. */
    const char *start = line + strspn(line, " \t");
    size_t keyLength = strlen(key);
    const char *value =
        start[keyLength] == ' ' ? start + keyLength + 1 : start + keyLength;
    if (!strcmp(key, "optc-model")) {
      sawHeader = !strcmp(value, "1");
    } else if (!strcmp(key, "name")) {
      if (model->name)
        status = malformed("a second name", line);
      else if ((model->name = duplicate(value)) != NULL)
        percentDecode(model->name);
    } else if (!strcmp(key, "features")) {
      snprintf(features, featuresSize, "%s", value);
    } else if (!strcmp(key, "checks")) {
      model->checks = atoi(value) != 0;
    } else if (!strcmp(key, "arena")) {
      char *end = NULL;
      errno = 0;
      unsigned long long size = strtoull(value, &end, 10);
      if (end == value || *end || errno || size > OPTC_MAX_ARENA_BYTES)
        status = malformed("an arena size that is not a number of bytes up "
                           "to 2^42",
                           line);
      model->arenaSize = size;
    } else if (!strcmp(key, "weights")) {
      char kind[16] = {0}, file[1024] = {0};
      unsigned long long size = 0;
      if (sscanf(line, "weights %15s", kind) != 1)
        status = malformed("no weights kind", line);
      else if (!strcmp(kind, "embedded"))
        sscanf(line, "weights embedded %llu", &size);
      else if (sscanf(line, "weights file %1023s %llu %16s", file, &size,
                      weightsId) != 3)
        status = malformed("incomplete weights file record", line);
      else {
        percentDecode(file);
        snprintf(weightsFile, weightsFileSize, "%s", file);
      }
      *weightsSize = size;
    } else if ((!strcmp(key, "input") || !strcmp(key, "output")) &&
               model->numInputs + model->numOutputs >= numTensors) {
      /* Counted above by a line's start; a bare key is not counted. */
      status = malformed("a tensor record without fields", line);
    } else if (!strcmp(key, "input")) {
      /* Inputs come before outputs. */
      if (model->numOutputs)
        status = malformed("an input after the outputs", line);
      else
        status = parseTensor(line, &model->infos[model->numInputs++]);
    } else if (!strcmp(key, "output")) {
      status = parseTensor(
          line, &model->infos[model->numInputs + model->numOutputs++]);
    }
  }
  if (!status && !sawHeader)
    status = optc_status_make(OPTC_IO_ERROR,
                              "the model metadata has no 'optc-model 1' line");
  if (!status && !model->name)
    model->name = duplicate("model");
  free(text);
  return status;
}

/*--- Loading ---------------------------------------------------------------*/

static optc_status *checkFeatures(char *features) {
  char missing[1024] = {0};
  size_t used = 0;
  char *save = NULL;
  for (char *name = strtok_r(features, ",", &save); name;
       name = strtok_r(NULL, ",", &save)) {
    if (optc_cpu_has_feature(name) != 0)
      continue;
    int written = snprintf(missing + used, sizeof(missing) - used, "%s%s",
                           used ? ", " : "", name);
    if (written > 0 && (size_t)written < sizeof(missing) - used)
      used += (size_t)written;
  }
  if (!used)
    return NULL;
  return optc_status_make(
      OPTC_UNSUPPORTED,
      "this CPU lacks features the model was compiled for: %s; recompile "
      "it for this machine (optc's default) or with a --target-cpu it has",
      missing);
}

/* Maps the side file of weights and checks it belongs to this model. */
static optc_status *mapWeights(optc_model *model, const char *path,
                               uint64_t size, const char *id) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return optc_status_make(OPTC_NOT_FOUND,
                            "cannot open the weights file '%s': %s", path,
                            strerror(errno));
  struct stat info;
  optc_status *status = NULL;
  char header[OPTC_WEIGHTS_HEADER_SIZE];
  if (fstat(fd, &info) != 0) {
    status = optc_status_make(OPTC_IO_ERROR, "cannot stat '%s': %s", path,
                              strerror(errno));
  } else if ((uint64_t)info.st_size != size + OPTC_WEIGHTS_HEADER_SIZE) {
    status = optc_status_make(
        OPTC_IO_ERROR,
        "the weights file '%s' has %lld bytes; the model expects %llu", path,
        (long long)info.st_size,
        (unsigned long long)(size + OPTC_WEIGHTS_HEADER_SIZE));
  } else if (pread(fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
             memcmp(header, OPTC_WEIGHTS_MAGIC, 8) != 0 ||
             memcmp(header + 8, id, 16) != 0) {
    status = optc_status_make(OPTC_IO_ERROR,
                              "the weights file '%s' belongs to another model "
                              "(its header does not carry id %s)",
                              path, id);
  } else {
    void *mapping =
        mmap(NULL, (size_t)info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      status = optc_status_make(OPTC_IO_ERROR, "cannot map '%s': %s", path,
                                strerror(errno));
    } else {
      model->mapping = mapping;
      model->mappingSize = (size_t)info.st_size;
      model->weights = (const char *)mapping + OPTC_WEIGHTS_HEADER_SIZE;
    }
  }
  close(fd);
  return status;
}

optc_status *optc_model_create(const optc_model_desc *desc,
                               const char *weightsPath, optc_model **out) {
  if (!out)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "model pointer is NULL");
  *out = NULL;
  if (!desc)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "descriptor is NULL");
  if (desc->abi_version != OPTC_ABI_VERSION)
    return optc_status_make(OPTC_UNSUPPORTED,
                            "the model was compiled for runtime ABI %u; this "
                            "runtime has ABI %d",
                            desc->abi_version, OPTC_ABI_VERSION);
  optc_model *model = (optc_model *)calloc(1, sizeof(*model));
  if (!model)
    return optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  model->desc = desc;
  char weightsFile[1024] = {0}, weightsId[17] = {0}, features[4096] = {0};
  uint64_t weightsSize = 0;
  optc_status *status =
      parseMetadata(model, desc->metadata, weightsFile, sizeof(weightsFile),
                    &weightsSize, weightsId, features, sizeof(features));
  if (!status)
    status = checkFeatures(features);
  if (!status && weightsFile[0]) {
    char path[4096];
    if (weightsPath) {
      snprintf(path, sizeof(path), "%s", weightsPath);
    } else {
      /* Beside the library that holds the descriptor. */
      Dl_info where;
      const char *library =
          dladdr(desc, &where) && where.dli_fname ? where.dli_fname : "";
      const char *slash = strrchr(library, '/');
      int dirLength = slash ? (int)(slash - library) : 1;
      snprintf(path, sizeof(path), "%.*s/%s", dirLength, slash ? library : ".",
               weightsFile);
    }
    status = mapWeights(model, path, weightsSize, weightsId);
  } else if (!status) {
    model->weights = desc->weights;
  }
  if (!status) {
    model->arenas = optc_arena_pool_create(model->arenaSize);
    if (!model->arenas)
      status = optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  }
  if (status) {
    optc_model_free(model);
    return status;
  }
  *out = model;
  return NULL;
}

optc_status *optc_model_open(const char *libraryPath, const char *weightsPath,
                             optc_model **out) {
  if (!out)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "model pointer is NULL");
  *out = NULL;
  if (!libraryPath)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "library path is NULL");
  if (access(libraryPath, R_OK) != 0)
    return optc_status_make(OPTC_NOT_FOUND, "cannot read '%s': %s", libraryPath,
                            strerror(errno));
  /* A bare file name is a file here, not a name for the library search. */
  char path[4096];
  snprintf(path, sizeof(path), "%s%s", strchr(libraryPath, '/') ? "" : "./",
           libraryPath);
  /* A truncated file would raise SIGBUS inside dlopen. */
  optc_status *check = optc_check_library_file(path);
  if (check)
    return check;
  /* Never unloaded: the thread pool's threads live in the library. */
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!library)
    return optc_status_make(OPTC_IO_ERROR, "cannot load '%s': %s", libraryPath,
                            dlerror());
  const optc_model_desc *desc =
      (const optc_model_desc *)dlsym(library, "optc_model_descriptor");
  if (!desc)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "'%s' is not a model compiled by optc (it has no "
                            "optc_model_descriptor)",
                            libraryPath);
  return optc_model_create(desc, weightsPath, out);
}

void optc_model_free(optc_model *model) {
  if (!model)
    return;
  size_t numInfos = model->numInputs + model->numOutputs;
  for (size_t i = 0; model->infos && i <= numInfos; ++i) {
    freeOwned(model->infos[i].name);
    freeOwned(model->infos[i].shape);
  }
  free(model->infos);
  free(model->name);
  optc_arena_pool_free(model->arenas);
  if (model->mapping)
    munmap(model->mapping, model->mappingSize);
  free(model);
}

const char *optc_model_name(const optc_model *model) { return model->name; }
size_t optc_model_num_inputs(const optc_model *model) {
  return model->numInputs;
}
size_t optc_model_num_outputs(const optc_model *model) {
  return model->numOutputs;
}
uint64_t optc_model_arena_size(const optc_model *model) {
  return model->arenaSize;
}

optc_status *optc_model_input_info(const optc_model *model, size_t index,
                                   optc_tensor_info *info) {
  if (!model || !info)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "model or info is NULL");
  if (index >= model->numInputs)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "input %zu does not exist; the model has %zu",
                            index, model->numInputs);
  *info = model->infos[index];
  return NULL;
}

optc_status *optc_model_output_info(const optc_model *model, size_t index,
                                    optc_tensor_info *info) {
  if (!model || !info)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "model or info is NULL");
  if (index >= model->numOutputs)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "output %zu does not exist; the model has %zu",
                            index, model->numOutputs);
  *info = model->infos[model->numInputs + index];
  return NULL;
}

/*--- Running ---------------------------------------------------------------*/

/* The failed check of the current run on this thread, if any, and the
 * index it found when one was noted (optc_note_index). */
static _Thread_local const char *reportedError;
static _Thread_local int haveNotedIndex;
static _Thread_local long long notedIndex;
static _Thread_local char reportedText[512];

void optc_report_error(const char *message) {
  if (!reportedError)
    reportedError = message ? message : "a run-time check failed";
}

void optc_note_index(int64_t index) {
  if (!reportedError && !haveNotedIndex) {
    haveNotedIndex = 1;
    notedIndex = (long long)index;
  }
}

const char *optc_take_reported_error(void) {
  const char *message = reportedError;
  if (message && haveNotedIndex) {
    snprintf(reportedText, sizeof reportedText, "%s: index %lld", message,
             notedIndex);
    message = reportedText;
  }
  reportedError = NULL;
  haveNotedIndex = 0;
  return message;
}

/* Checks `tensor` against `info`; `what` is "input" or "output". */
static optc_status *checkTensor(const optc_tensor *tensor,
                                const optc_tensor_info *info, const char *what,
                                size_t index) {
  if (tensor->dtype != info->dtype)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "%s %zu ('%s') has dtype %s; the model expects %s",
                            what, index, info->name,
                            optc_dtype_name(tensor->dtype),
                            optc_dtype_name(info->dtype));
  int sameShape = tensor->rank == info->rank;
  for (int32_t i = 0; sameShape && i < info->rank; ++i)
    sameShape = tensor->shape && tensor->shape[i] == info->shape[i];
  if (!sameShape) {
    char got[256] = "?", want[256];
    if (tensor->shape || tensor->rank == 0)
      formatShape(got, sizeof(got), tensor->rank < 0 ? 0 : tensor->rank,
                  tensor->shape);
    formatShape(want, sizeof(want), info->rank, info->shape);
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "%s %zu ('%s') has shape %s; the model expects %s",
                            what, index, info->name, got, want);
  }
  /* The shape is the model's: within optc's limits per tensor, checked
   * again as every size the runtime multiplies is. */
  char named[300];
  snprintf(named, sizeof(named), "%s %zu ('%s')", what, index, info->name);
  size_t elementSize = optc_dtype_size(tensor->dtype);
  optc_status *limits = checkLimits(OPTC_INVALID_ARGUMENT, named, tensor->rank,
                                    tensor->shape, elementSize);
  if (limits)
    return limits;
  int64_t count = optc_tensor_num_elements(tensor);
  if (!tensor->data && count != 0)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "%s has no data", named);
  /* Strides are the caller's: the farthest element they reach, in bytes,
   * must be an int64 (the strided copies compute every offset below it). */
  if (tensor->strides && count != 0) {
    int64_t reach = 0;
    for (int32_t i = 0; i < tensor->rank; ++i) {
      int64_t stride = tensor->strides[i], step = 0;
      if (stride == INT64_MIN ||
          __builtin_mul_overflow(tensor->shape[i] - 1,
                                 stride < 0 ? -stride : stride, &step) ||
          __builtin_add_overflow(reach, step, &reach))
        reach = -1;
      if (reach < 0)
        break;
    }
    if (reach < 0 ||
        __builtin_mul_overflow(reach, (int64_t)elementSize, &reach))
      return optc_status_make(OPTC_INVALID_ARGUMENT,
                              "%s has strides whose farthest element is "
                              "beyond 2^63 bytes",
                              named);
  }
  return NULL;
}

static int isDense(const optc_tensor *tensor) {
  if (!tensor->strides)
    return 1;
  int64_t expected = 1;
  for (int32_t i = tensor->rank - 1; i >= 0; --i) {
    if (tensor->shape[i] != 1 && tensor->strides[i] != expected)
      return 0;
    /* A checked shape (checkTensor): the product cannot overflow. */
    if (__builtin_mul_overflow(expected, tensor->shape[i], &expected))
      return 0;
  }
  return 1;
}

/* The bytes of `tensor` stored densely. Its shape passed checkTensor: the
 * product is at most OPTC_MAX_TENSOR_BYTES (SIZE_MAX, which no malloc
 * gives, were it not). */
static size_t denseBytes(const optc_tensor *tensor) {
  size_t bytes = 0;
  if (__builtin_mul_overflow((size_t)optc_tensor_num_elements(tensor),
                             optc_dtype_size(tensor->dtype), &bytes))
    return SIZE_MAX;
  return bytes;
}

/* Copies between a dense buffer and a strided tensor, either way. */
static void copyStrided(const optc_tensor *tensor, void *dense, int toDense) {
  size_t elementSize = optc_dtype_size(tensor->dtype);
  int64_t count = optc_tensor_num_elements(tensor);
  int64_t index[64] = {0};
  char *strided = (char *)tensor->data;
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (int32_t d = 0; d < tensor->rank; ++d)
      offset += index[d] * tensor->strides[d];
    char *denseAt = (char *)dense + n * (int64_t)elementSize;
    char *stridedAt = strided + offset * (int64_t)elementSize;
    if (toDense)
      memcpy(denseAt, stridedAt, elementSize);
    else
      memcpy(stridedAt, denseAt, elementSize);
    for (int32_t d = tensor->rank - 1; d >= 0; --d) {
      if (++index[d] < tensor->shape[d])
        break;
      index[d] = 0;
    }
  }
}

optc_status *optc_model_run(optc_model *model, const optc_tensor *inputs,
                            size_t numInputs, optc_tensor *outputs,
                            size_t numOutputs) {
  if (!model)
    return optc_status_make(OPTC_INVALID_ARGUMENT, "model is NULL");
  if (numInputs != model->numInputs || (numInputs && !inputs))
    return optc_status_make(
        OPTC_INVALID_ARGUMENT, "%zu inputs given; model '%s' takes %zu",
        inputs ? numInputs : 0, model->name, model->numInputs);
  if (numOutputs != model->numOutputs || (numOutputs && !outputs))
    return optc_status_make(
        OPTC_INVALID_ARGUMENT, "%zu outputs given; model '%s' gives %zu",
        outputs ? numOutputs : 0, model->name, model->numOutputs);
  for (size_t i = 0; i < numInputs; ++i) {
    optc_status *status = checkTensor(&inputs[i], &model->infos[i], "input", i);
    if (status)
      return status;
  }
  for (size_t i = 0; i < numOutputs; ++i) {
    optc_status *status =
        checkTensor(&outputs[i], &model->infos[numInputs + i], "output", i);
    if (status)
      return status;
  }

  /* The buffer lists live on the stack for models of up to 32 tensors, so
   * a run allocates nothing but what strided or checked tensors need. */
  enum { kStackTensors = 32 };
  void *stackBuffers[kStackTensors + 2], *stackStaged[kStackTensors];
  size_t numTensors = numInputs + numOutputs;
  int onHeap = numTensors > kStackTensors;
  void **buffers =
      onHeap ? (void **)calloc(numTensors + 2, sizeof(void *)) : stackBuffers;
  void **staged =
      onHeap ? (void **)calloc(numTensors, sizeof(void *)) : stackStaged;
  if (staged && !onHeap)
    memset(staged, 0, sizeof(stackStaged));
  optc_status *status = NULL;
  void *arena = NULL;
  if (!buffers || !staged)
    status = optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  else if (!(arena = optc_arena_acquire(model->arenas)))
    status = optc_status_make(OPTC_OUT_OF_MEMORY,
                              "cannot allocate the %llu-byte arena",
                              (unsigned long long)model->arenaSize);
  /* Strided tensors go through dense copies. */
  for (size_t i = 0; !status && i < numInputs + numOutputs; ++i) {
    const optc_tensor *tensor =
        i < numInputs ? &inputs[i] : &outputs[i - numInputs];
    buffers[i] = tensor->data;
    /* With run-time checks, outputs are computed aside and copied out only
     * when every check passed. */
    int stageOutput = model->checks && i >= numInputs;
    if (isDense(tensor) && !stageOutput)
      continue;
    if (!isDense(tensor) && tensor->rank > 64) {
      status = optc_status_make(OPTC_INVALID_ARGUMENT,
                                "strided tensors of rank %d are not supported "
                                "(at most 64)",
                                (int)tensor->rank);
      break;
    }
    size_t bytes = denseBytes(tensor);
    staged[i] = malloc(bytes ? bytes : 1);
    if (!staged[i]) {
      status = optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
      break;
    }
    if (i < numInputs) /* inputs are staged only when strided */
      copyStrided(tensor, staged[i], 1);
    buffers[i] = staged[i];
  }
  if (!status) {
    buffers[numInputs + numOutputs] = arena;
    buffers[numInputs + numOutputs + 1] = (void *)(uintptr_t)model->weights;
    const char *(*takeError)(void) = model->desc->take_error;
    if (takeError)
      takeError(); /* nothing left over from an earlier run */
    model->desc->entry(buffers);
    const char *error = takeError ? takeError() : NULL;
    if (error)
      status = optc_status_make(OPTC_INVALID_ARGUMENT,
                                "model '%s' rejected its inputs: %s",
                                model->name, error);
    for (size_t i = numInputs; !status && i < numInputs + numOutputs; ++i) {
      if (!staged[i])
        continue;
      const optc_tensor *out = &outputs[i - numInputs];
      /* An empty output may have no data (checkTensor). */
      if (isDense(out) && denseBytes(out))
        memcpy(out->data, staged[i], denseBytes(out));
      else if (!isDense(out))
        copyStrided(out, staged[i], 0);
    }
  }
  if (arena)
    optc_arena_release(model->arenas, arena);
  for (size_t i = 0; staged && i < numTensors; ++i)
    free(staged[i]);
  if (onHeap) {
    free(staged);
    free(buffers);
  }
  return status;
}
