/*===- threadpool.c - the CPU thread pool ----------------------------------===*
 *
 * Kernels split their outer parallel loop into chunks and hand it to
 * optc_parallel_for. The calling thread works on the chunks too, so a pool
 * of N threads starts N-1. Several runs may share a pool at once: each
 * call is a job in a queue, and idle threads take chunks from the oldest
 * job. Every access to a job happens under the pool's mutex, and a job's
 * owner returns only once all its chunks are done, so a job (which lives on
 * its owner's stack) is never touched after it ends. Chunks are few (a few
 * per thread), so the lock is not contended in practice.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Chunks per thread: a few, so a thread slowed by other work is covered. */
enum { kChunksPerThread = 4 };

/* How long an idle worker, or a caller waiting for others' chunks, polls
 * before it sleeps on a condition variable. A model runs its kernels back
 * to back, each a parallel loop a few microseconds to milliseconds long:
 * waking a sleeping thread costs tens of microseconds, more than many of
 * those loops. Polling briefly (like OpenMP runtimes' block time, but
 * 1000x shorter) keeps the pool awake through a run and costs nothing
 * measurable once it ends. */
static const int64_t kSpinNanoseconds = 100 * 1000;

typedef struct Job {
  optc_parallel_body body;
  void *context;
  int64_t n;
  int64_t numChunks;
  int64_t nextChunk; /* the next chunk to claim */
  int64_t doneChunks;
  struct Job *next; /* in the queue while chunks remain to claim */
} Job;

struct optc_thread_pool {
  int size;
  pthread_t *threads; /* size - 1 of them */
  pthread_mutex_t mutex;
  pthread_cond_t workAvailable;
  pthread_cond_t chunkDone;
  Job *queue; /* jobs with unclaimed chunks, oldest first */
  int stopping;
  /* Bumped (under the mutex) whenever a job is queued: pollers read it
   * without the lock to see that there may be work. */
  _Atomic int64_t posted;
};

static int64_t nowNanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline void cpuRelax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Polls, without the mutex, until `done` says so or the spin time is up;
 * returns whether `done` said so. */
static int spinUntil(int (*done)(const void *), const void *argument) {
  int64_t deadline = 0;
  for (int64_t i = 0;; ++i) {
    if (done(argument))
      return 1;
    cpuRelax();
    if ((i & 63) == 63) {
      int64_t now = nowNanoseconds();
      if (!deadline)
        deadline = now + kSpinNanoseconds;
      else if (now >= deadline)
        return 0;
    }
  }
}

typedef struct {
  const optc_thread_pool *pool;
  int64_t seen;
} PostedSince;

static int postedSince(const void *argument) {
  const PostedSince *since = (const PostedSince *)argument;
  return atomic_load_explicit(&since->pool->posted, memory_order_acquire) !=
         since->seen;
}

/* Set while a thread runs a chunk: a nested call runs serially. */
static _Thread_local int inBody;

/* Claims the next chunk of the oldest job, under the mutex; the job leaves
 * the queue when its last chunk is claimed. */
static Job *claimChunk(optc_thread_pool *pool, int64_t *chunk) {
  Job *job = pool->queue;
  if (!job)
    return NULL;
  *chunk = job->nextChunk++;
  if (job->nextChunk == job->numChunks)
    pool->queue = job->next;
  return job;
}

/* Whether every chunk of a job is done; read without the mutex while
 * polling (the count is then re-read under it). */
static int jobDone(const void *argument) {
  const Job *job = (const Job *)argument;
  return __atomic_load_n(&job->doneChunks, __ATOMIC_ACQUIRE) == job->numChunks;
}

/* Runs a claimed chunk outside the mutex, then counts it done. */
static void runChunk(optc_thread_pool *pool, Job *job, int64_t chunk) {
  pthread_mutex_unlock(&pool->mutex);
  int64_t begin = chunk * job->n / job->numChunks;
  int64_t end = (chunk + 1) * job->n / job->numChunks;
  inBody = 1;
  job->body(begin, end, job->context);
  inBody = 0;
  pthread_mutex_lock(&pool->mutex);
  if (__atomic_add_fetch(&job->doneChunks, 1, __ATOMIC_RELEASE) ==
      job->numChunks)
    pthread_cond_broadcast(&pool->chunkDone);
}

static void *workerMain(void *argument) {
  optc_thread_pool *pool = (optc_thread_pool *)argument;
  pthread_mutex_lock(&pool->mutex);
  for (;;) {
    int64_t chunk;
    Job *job = claimChunk(pool, &chunk);
    if (job) {
      runChunk(pool, job, chunk);
      continue;
    }
    if (pool->stopping)
      break;
    /* No work: poll for a new job for a while, then sleep. A job queued
     * after the check below is seen by the condition wait's broadcast. */
    PostedSince since = {pool, atomic_load(&pool->posted)};
    pthread_mutex_unlock(&pool->mutex);
    int woken = spinUntil(postedSince, &since);
    pthread_mutex_lock(&pool->mutex);
    if (!woken && !pool->queue && !pool->stopping &&
        atomic_load(&pool->posted) == since.seen)
      pthread_cond_wait(&pool->workAvailable, &pool->mutex);
  }
  pthread_mutex_unlock(&pool->mutex);
  return NULL;
}

optc_status *optc_thread_pool_create(int numThreads, optc_thread_pool **out) {
  *out = NULL;
  if (numThreads < 1 || numThreads > 4096)
    return optc_status_make(OPTC_INVALID_ARGUMENT,
                            "thread pool size %d is not in [1, 4096]",
                            numThreads);
  optc_thread_pool *pool = (optc_thread_pool *)calloc(1, sizeof(*pool));
  if (!pool)
    return optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  pool->size = numThreads;
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->workAvailable, NULL);
  pthread_cond_init(&pool->chunkDone, NULL);
  pool->threads = (pthread_t *)calloc((size_t)numThreads, sizeof(pthread_t));
  if (!pool->threads) {
    optc_thread_pool_free(pool);
    return optc_status_make(OPTC_OUT_OF_MEMORY, "out of memory");
  }
  for (int i = 0; i + 1 < numThreads; ++i) {
    int error = pthread_create(&pool->threads[i], NULL, workerMain, pool);
    if (error) {
      pool->size = i + 1; /* the threads started so far, and the caller */
      optc_thread_pool_free(pool);
      return optc_status_make(OPTC_INTERNAL,
                              "could not start thread %d of %d: error %d",
                              i + 1, numThreads, error);
    }
  }
  *out = pool;
  return NULL;
}

void optc_thread_pool_free(optc_thread_pool *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->mutex);
  pool->stopping = 1;
  pthread_cond_broadcast(&pool->workAvailable);
  pthread_mutex_unlock(&pool->mutex);
  if (pool->threads)
    for (int i = 0; i + 1 < pool->size; ++i)
      pthread_join(pool->threads[i], NULL);
  free(pool->threads);
  pthread_cond_destroy(&pool->chunkDone);
  pthread_cond_destroy(&pool->workAvailable);
  pthread_mutex_destroy(&pool->mutex);
  free(pool);
}

int optc_thread_pool_size(const optc_thread_pool *pool) { return pool->size; }

void optc_thread_pool_parallel_for(optc_thread_pool *pool, int64_t n,
                                   optc_parallel_body body, void *context) {
  if (n <= 0)
    return;
  if (pool->size == 1 || n == 1 || inBody) {
    int nested = inBody;
    inBody = 1;
    body(0, n, context);
    inBody = nested;
    return;
  }
  int64_t numChunks = (int64_t)pool->size * kChunksPerThread;
  if (numChunks > n)
    numChunks = n;
  Job job = {body, context, n, numChunks, 0, 0, NULL};
  pthread_mutex_lock(&pool->mutex);
  Job **tail = &pool->queue;
  while (*tail)
    tail = &(*tail)->next;
  *tail = &job;
  atomic_fetch_add_explicit(&pool->posted, 1, memory_order_release);
  pthread_cond_broadcast(&pool->workAvailable);
  /* Work on this job's own chunks, then wait for the ones others took. */
  while (job.nextChunk < job.numChunks) {
    int64_t chunk = job.nextChunk++;
    if (job.nextChunk == job.numChunks) {
      Job **link = &pool->queue;
      while (*link != &job)
        link = &(*link)->next;
      *link = job.next;
    }
    runChunk(pool, &job, chunk);
  }
  if (job.doneChunks < job.numChunks) {
    /* Others still run chunks of this job: poll, then sleep. */
    pthread_mutex_unlock(&pool->mutex);
    spinUntil(jobDone, &job);
    pthread_mutex_lock(&pool->mutex);
  }
  while (job.doneChunks < job.numChunks)
    pthread_cond_wait(&pool->chunkDone, &pool->mutex);
  pthread_mutex_unlock(&pool->mutex);
}

/*--- The process-wide pool -------------------------------------------------*/

static optc_thread_pool *globalPool;
static pthread_once_t globalPoolOnce = PTHREAD_ONCE_INIT;
static int globalThreads;

static int processorCount(void) {
  long count = sysconf(_SC_NPROCESSORS_ONLN);
  return count < 1 ? 1 : count > 4096 ? 4096 : (int)count;
}

static void readThreadCount(void) {
  const char *text = getenv("OPTC_NUM_THREADS");
  globalThreads = processorCount();
  if (!text || !*text)
    return;
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || *end || value < 1 || value > 4096) {
    fprintf(stderr,
            "optc runtime: warning: OPTC_NUM_THREADS='%s' is not a thread "
            "count in [1, 4096]; using %d\n",
            text, globalThreads);
    return;
  }
  globalThreads = (int)value;
}

static void createGlobalPool(void) {
  readThreadCount();
  optc_status *status = optc_thread_pool_create(globalThreads, &globalPool);
  if (status) {
    /* Fall back to running serially rather than failing kernels. */
    fprintf(stderr, "optc runtime: warning: %s; running on one thread\n",
            optc_status_get_message(status));
    optc_status_free(status);
    globalThreads = 1;
  }
}

int optc_num_threads(void) {
  pthread_once(&globalPoolOnce, createGlobalPool);
  return globalThreads;
}

void optc_parallel_for(int64_t n, optc_parallel_body body, void *context) {
  pthread_once(&globalPoolOnce, createGlobalPool);
  if (!globalPool) {
    body(0, n, context);
    return;
  }
  optc_thread_pool_parallel_for(globalPool, n, body, context);
}
