/*===- memref.c - support routines generated code calls --------------------===*
 *
 * MLIR lowers a copy between strided memrefs that are not both contiguous to
 * a call of `memrefCopy` (the name and ABI of MLIR's C runner utilities).
 * Compiled models must not depend on MLIR's libraries, so the runtime
 * provides it: a strided copy of any rank.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <string.h>

/* An unranked memref: its rank and a pointer to the ranked descriptor
 * { allocated, aligned, offset, sizes[rank], strides[rank] }. */
typedef struct {
  int64_t rank;
  void *descriptor;
} UnrankedMemRef;

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[]; /* sizes[rank], then strides[rank] */
} StridedDescriptor;

void memrefCopy(int64_t elementSize, UnrankedMemRef *source,
                UnrankedMemRef *target);

void memrefCopy(int64_t elementSize, UnrankedMemRef *source,
                UnrankedMemRef *target) {
  int64_t rank = source->rank;
  const StridedDescriptor *src = (const StridedDescriptor *)source->descriptor;
  const StridedDescriptor *dst = (const StridedDescriptor *)target->descriptor;
  const int64_t *sizes = src->sizesAndStrides;
  const int64_t *srcStrides = src->sizesAndStrides + rank;
  const int64_t *dstStrides = dst->sizesAndStrides + rank;
  /* Nothing to copy when a size is 0 (no product of the sizes is formed:
   * the others may be large). */
  for (int64_t d = 0; d < rank; ++d)
    if (sizes[d] == 0)
      return;
  const char *from = src->aligned + src->offset * elementSize;
  char *to = dst->aligned + dst->offset * elementSize;
  if (rank == 0) {
    memcpy(to, from, (size_t)elementSize);
    return;
  }
  /* Odometer over all dimensions but the last, which is a strided run. */
  int64_t index[64] = {0};
  if (rank > 64)
    return; /* no tensor of optc has this rank */
  int64_t inner = sizes[rank - 1];
  int64_t srcInner = srcStrides[rank - 1] * elementSize;
  int64_t dstInner = dstStrides[rank - 1] * elementSize;
  for (;;) {
    const char *s = from;
    char *t = to;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      s += index[d] * srcStrides[d] * elementSize;
      t += index[d] * dstStrides[d] * elementSize;
    }
    if (srcInner == elementSize && dstInner == elementSize) {
      memcpy(t, s, (size_t)(inner * elementSize));
    } else {
      for (int64_t i = 0; i < inner; ++i)
        memcpy(t + i * dstInner, s + i * srcInner, (size_t)elementSize);
    }
    int64_t d = rank - 2;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}
