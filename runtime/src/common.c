/*===- common.c - status objects, dtypes and tensor helpers ---------------===*
 *
 * The small shared pieces of the runtime: how errors travel (a status with
 * a code and a message, NULL for success), what each dtype is, and the
 * keys of unseeded random draws.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct optc_status {
  optc_status_code code;
  char *message;
};

/* Handed out when even a status cannot be allocated. */
static char outOfMemoryText[] = "out of memory";
static optc_status outOfMemory = {OPTC_OUT_OF_MEMORY, outOfMemoryText};

optc_status *optc_status_make(optc_status_code code, const char *format, ...) {
  optc_status *status = (optc_status *)malloc(sizeof(optc_status));
  if (!status)
    return &outOfMemory;
  va_list args;
  va_start(args, format);
  int length = vsnprintf(NULL, 0, format, args);
  va_end(args);
  status->code = code;
  status->message = (char *)malloc(length < 0 ? 1 : (size_t)length + 1);
  if (!status->message) {
    free(status);
    return &outOfMemory;
  }
  status->message[0] = '\0';
  va_start(args, format);
  if (length >= 0)
    vsnprintf(status->message, (size_t)length + 1, format, args);
  va_end(args);
  return status;
}

optc_status_code optc_status_get_code(const optc_status *status) {
  return status ? status->code : OPTC_OK;
}

const char *optc_status_get_message(const optc_status *status) {
  return status ? status->message : "ok";
}

void optc_status_free(optc_status *status) {
  if (!status || status == &outOfMemory)
    return;
  free(status->message);
  free(status);
}

static const struct {
  optc_dtype dtype;
  const char *name;
  size_t size;
} dtypes[] = {{OPTC_F32, "f32", 4},
              {OPTC_U8, "u8", 1},
              {OPTC_I8, "i8", 1},
              {OPTC_U16, "u16", 2},
              {OPTC_I16, "i16", 2},
              {OPTC_I32, "i32", 4},
              {OPTC_I64, "i64", 8},
              {OPTC_BOOL, "bool", 1},
              {OPTC_F16, "f16", 2},
              {OPTC_F64, "f64", 8},
              {OPTC_U32, "u32", 4},
              {OPTC_U64, "u64", 8},
              {OPTC_BF16, "bf16", 2},
              {OPTC_F8E4M3FN, "f8e4m3fn", 1},
              {OPTC_F8E4M3FNUZ, "f8e4m3fnuz", 1},
              {OPTC_F8E5M2, "f8e5m2", 1},
              {OPTC_F8E5M2FNUZ, "f8e5m2fnuz", 1},
              {OPTC_U4, "u4", 1},
              {OPTC_I4, "i4", 1},
              {OPTC_F4E2M1FN, "f4e2m1fn", 1},
              {OPTC_F8E8M0FNU, "f8e8m0fnu", 1},
              {OPTC_U2, "u2", 1},
              {OPTC_I2, "i2", 1}};

size_t optc_dtype_size(optc_dtype dtype) {
  for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); ++i)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].size;
  return 0;
}

const char *optc_dtype_name(optc_dtype dtype) {
  for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); ++i)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].name;
  return "invalid";
}

optc_dtype optc_dtype_from_name(const char *name) {
  for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); ++i)
    if (strcmp(dtypes[i].name, name) == 0)
      return dtypes[i].dtype;
  return OPTC_DTYPE_INVALID;
}

int64_t optc_tensor_num_elements(const optc_tensor *tensor) {
  int64_t count = 1;
  for (int32_t i = 0; i < tensor->rank; ++i)
    if (tensor->shape[i] < 0 ||
        __builtin_mul_overflow(count, tensor->shape[i], &count))
      return -1;
  return count;
}

/* Keys for unseeded random draws. The counter starts from the clock once;
 * each call takes the next value and scrambles it (splitmix64), so keys
 * differ from call to call, from run to run and from process to process. */
static _Atomic uint64_t random_counter;
static _Atomic int random_started;

uint64_t optc_random_key(void) {
  if (!atomic_load_explicit(&random_started, memory_order_acquire)) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t start = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    uint64_t expected = 0;
    atomic_compare_exchange_strong(&random_counter, &expected, start);
    atomic_store_explicit(&random_started, 1, memory_order_release);
  }
  uint64_t z = atomic_fetch_add(&random_counter, 1) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
