/*===- arena.c - the arena allocator ---------------------------------------===*
 *
 * A run of a compiled model needs one block of scratch memory whose size
 * the compiler's memory plan fixed. The pool keeps released blocks and hands
 * them to later runs, so steady-state runs never call the system allocator;
 * concurrent runs each get their own block.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <pthread.h>
#include <stdlib.h>

enum { kArenaAlignment = 64 };

struct optc_arena_pool {
  uint64_t blockSize;
  pthread_mutex_t mutex;
  void **free; /* released blocks, a stack */
  size_t numFree;
  size_t capacity;  /* of `free` */
  size_t numBlocks; /* allocated in all */
};

optc_arena_pool *optc_arena_pool_create(uint64_t blockSize) {
  optc_arena_pool *pool = (optc_arena_pool *)calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  pool->blockSize = blockSize;
  pthread_mutex_init(&pool->mutex, NULL);
  return pool;
}

void optc_arena_pool_free(optc_arena_pool *pool) {
  if (!pool)
    return;
  for (size_t i = 0; i < pool->numFree; ++i)
    free(pool->free[i]);
  free(pool->free);
  pthread_mutex_destroy(&pool->mutex);
  free(pool);
}

void *optc_arena_acquire(optc_arena_pool *pool) {
  pthread_mutex_lock(&pool->mutex);
  if (pool->numFree > 0) {
    void *block = pool->free[--pool->numFree];
    pthread_mutex_unlock(&pool->mutex);
    return block;
  }
  pthread_mutex_unlock(&pool->mutex);
  /* Rounded up to the alignment, as aligned_alloc requires; never 0. */
  uint64_t size = (pool->blockSize + kArenaAlignment - 1) / kArenaAlignment *
                  kArenaAlignment;
  if (size == 0)
    size = kArenaAlignment;
  if (size > (uint64_t)SIZE_MAX)
    return NULL;
  void *block = aligned_alloc(kArenaAlignment, (size_t)size);
  if (!block)
    return NULL;
  pthread_mutex_lock(&pool->mutex);
  ++pool->numBlocks;
  pthread_mutex_unlock(&pool->mutex);
  return block;
}

void optc_arena_release(optc_arena_pool *pool, void *block) {
  if (!block)
    return;
  pthread_mutex_lock(&pool->mutex);
  if (pool->numFree == pool->capacity) {
    size_t capacity = pool->capacity ? 2 * pool->capacity : 4;
    void **grown = (void **)realloc(pool->free, capacity * sizeof(void *));
    if (!grown) {
      /* Cannot keep it: give it back to the system instead. */
      --pool->numBlocks;
      pthread_mutex_unlock(&pool->mutex);
      free(block);
      return;
    }
    pool->free = grown;
    pool->capacity = capacity;
  }
  pool->free[pool->numFree++] = block;
  pthread_mutex_unlock(&pool->mutex);
}

size_t optc_arena_pool_num_blocks(optc_arena_pool *pool) {
  pthread_mutex_lock(&pool->mutex);
  size_t count = pool->numBlocks;
  pthread_mutex_unlock(&pool->mutex);
  return count;
}
