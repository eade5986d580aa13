/*===- threadpool.c - the CPU thread pool ----------------------------------===*
 *
 * Kernels split their outer parallel loop into chunks and hand it to
 * optc_parallel_for. The calling thread works on the chunks too, so a pool
 * of N threads starts N-1.
 *
 * Work is shared, not dealt out. A call is a job: a range cut into a fixed
 * number of chunks (a few per thread) that threads claim one at a time from
 * an atomic counter, the caller included. Who runs a chunk changes from run
 * to run; what a chunk computes does not (its bounds depend only on the
 * range and the pool's size), so results are the same bit for bit. A thread
 * that the OS does not schedule holds up nothing it has not claimed: the
 * caller claims the rest and runs it.
 *
 * What the caller cannot take over is a chunk that a worker claimed and was
 * then descheduled in the middle of, which happens when the machine is
 * shared with other busy programs: it waits until the OS runs that worker
 * again, a scheduler time slice (milliseconds) rather than the chunk's
 * microseconds. Two things keep that rare and bounded:
 *
 * - Idle threads poll for new work for a while before they sleep on a
 *   futex (a condition variable where there is none): a model runs its
 *   loops back to back, and waking a sleeping thread costs more than many
 *   of them. But a thread that polls spends its share of a shared core and
 *   is then the first to be descheduled, often in the middle of its next
 *   chunk, while a thread that slept is run promptly when woken. So when a
 *   thread sees that it was descheduled (a gap in its polling, or a job
 *   that waited long for it), the pool counts as contended for a while, and
 *   its idle threads sleep at once and are woken for each job.
 * - A caller that still waits long for a worker's chunk counts a stall, and
 *   the pool stops sharing for a while: callers run every chunk themselves
 *   (the same chunks, so the same results), for an interval that doubles
 *   while stalls keep happening and shrinks again after shared jobs without
 *   one. A pool on cores that other programs keep busy then runs about as
 *   fast as one thread, instead of waiting a time slice per loop.
 *
 * Several threads may call into one pool at once: jobs wait in a queue,
 * oldest first; a job lives on its caller's stack, and the caller returns
 * only once no worker holds it.
 *
 *===-----------------------------------------------------------------------===*/
#include "optc/runtime_support.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#endif

/* Chunks per thread: a few, so that a thread slowed by other work is
 * covered by the others. */
enum { kChunksPerThread = 4 };

/* How long an idle worker polls for a new job before it sleeps, and how
 * long a caller that has run or claimed every chunk polls for the chunks
 * still running on workers (before it sleeps until they are done). */
static const int64_t kIdleSpinNanoseconds = 100 * 1000;
static const int64_t kWaitSpinNanoseconds = 100 * 1000;

/* A thread that sees a gap of kPreemptedNanoseconds between two looks at
 * the clock while it polls, or a worker that enters a job kLateNanoseconds
 * after it was posted (far longer than waking a thread takes, tens of
 * microseconds), was descheduled: the pool is then contended for
 * kContendedNanoseconds from the last such sign, and the polls last
 * kContended*SpinNanoseconds instead. */
static const int64_t kPreemptedNanoseconds = 200 * 1000;
static const int64_t kLateNanoseconds = 1000 * 1000;
static const int64_t kContendedNanoseconds = 50 * 1000 * 1000;
static const int64_t kContendedIdleSpinNanoseconds = 0;
static const int64_t kContendedWaitSpinNanoseconds = 10 * 1000;

/* A caller that waited longer than this for workers after its own chunks
 * (and longer than kStallChunks of its own chunk times) counts a stall: a
 * worker was descheduled in the middle of a chunk. */
static const int64_t kStallNanoseconds = 200 * 1000;
static const int64_t kStallChunks = 2;

/* How long the pool runs jobs on their callers alone after a stall: from
 * the first, doubling with each stall, up to the last; halved after each
 * kCalmJobs shared jobs in a row without one. */
static const int64_t kSoloFirstNanoseconds = 2 * 1000 * 1000;
static const int64_t kSoloLastNanoseconds = 256 * 1000 * 1000;
static const int64_t kCalmJobs = 64;

typedef struct Job {
  optc_parallel_body body;
  void *context;
  int64_t n;
  int64_t numChunks;
  int64_t postedAt;          /* CLOCK_MONOTONIC nanoseconds */
  _Atomic int64_t nextChunk; /* the next chunk to claim */
  /* Workers that entered the job and have not left it; a worker enters
   * only under the pool's mutex while the job is queued. */
  _Atomic int32_t users;
  struct Job *next; /* in the queue while it is queued (the mutex) */
  int queued;       /* (the mutex) */
} Job;

struct optc_thread_pool {
  int size;
  pthread_t *threads;    /* size - 1 of them */
  pthread_mutex_t mutex; /* guards the queue */
  Job *queue;            /* jobs that may have chunks to claim, oldest first */
  /* Futex words: `posted` changes when a job is queued or the pool stops,
   * `left` when a worker leaves a job last. */
  _Atomic uint32_t posted;
  _Atomic uint32_t left;
  _Atomic int32_t sleepingWorkers; /* blocked on `posted` */
  _Atomic int32_t sleepingCallers; /* blocked on `left` */
  _Atomic int stopping;
  /* Stall handling: jobs run on their callers alone until soloUntil
   * (CLOCK_MONOTONIC nanoseconds); soloLength is the next interval. */
  _Atomic int64_t soloUntil;
  _Atomic int64_t soloLength;
  _Atomic int64_t calmJobs;       /* shared jobs since the last stall */
  _Atomic int64_t contendedUntil; /* see kPreemptedNanoseconds */
  /* Counters for tests and tuning. */
  _Atomic int64_t statJobs, statShared, statStalls, statContended;
#if !defined(__linux__)
  pthread_mutex_t waitMutex;
  pthread_cond_t waitCondition;
#endif
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

/*--- Sleeping and waking ---------------------------------------------------*/

/* Sleeps while *word == value (or until a spurious wake-up). */
static void waitWhileEqual(optc_thread_pool *pool, _Atomic uint32_t *word,
                           uint32_t value) {
#if defined(__linux__)
  (void)pool;
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL,
          0);
#else
  pthread_mutex_lock(&pool->waitMutex);
  if (atomic_load(word) == value)
    pthread_cond_wait(&pool->waitCondition, &pool->waitMutex);
  pthread_mutex_unlock(&pool->waitMutex);
#endif
}

/* Wakes every thread sleeping on `word` (after it changed). */
static void wakeAll(optc_thread_pool *pool, _Atomic uint32_t *word) {
#if defined(__linux__)
  (void)pool;
  syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL,
          NULL, 0);
#else
  (void)word;
  pthread_mutex_lock(&pool->waitMutex);
  pthread_cond_broadcast(&pool->waitCondition);
  pthread_mutex_unlock(&pool->waitMutex);
#endif
}

static void noteContended(optc_thread_pool *pool, int64_t now) {
  atomic_store_explicit(&pool->contendedUntil, now + kContendedNanoseconds,
                        memory_order_relaxed);
  atomic_fetch_add_explicit(&pool->statContended, 1, memory_order_relaxed);
}

/* Polls until `done(argument)`, for `spinNanoseconds` or (while the pool
 * is contended) `contendedNanoseconds`. Returns whether `done` said so. */
static int spinUntil(optc_thread_pool *pool, int (*done)(void *),
                     void *argument, int64_t spinNanoseconds,
                     int64_t contendedNanoseconds) {
  int64_t start = nowNanoseconds(), last = start;
  if (start < atomic_load_explicit(&pool->contendedUntil, memory_order_relaxed))
    spinNanoseconds = contendedNanoseconds;
  for (int64_t i = 0;; ++i) {
    if (done(argument))
      return 1;
    if ((i & 31) != 31) {
      cpuRelax();
      continue;
    }
    int64_t now = nowNanoseconds();
    if (now - last > kPreemptedNanoseconds) {
      noteContended(pool, now);
      return done(argument);
    }
    last = now;
    if (now - start >= spinNanoseconds)
      return 0;
  }
}

/*--- Jobs ------------------------------------------------------------------*/

/* Set while a thread runs a chunk: a nested call runs serially. */
static _Thread_local int inBody;

static void runChunk(const Job *job, int64_t chunk) {
  int64_t begin = chunk * job->n / job->numChunks;
  int64_t end = (chunk + 1) * job->n / job->numChunks;
  inBody = 1;
  job->body(begin, end, job->context);
  inBody = 0;
}

/* Claims and runs chunks until none is left; returns how many it ran. */
static int64_t runChunks(Job *job) {
  int64_t ran = 0;
  for (;;) {
    int64_t chunk =
        atomic_fetch_add_explicit(&job->nextChunk, 1, memory_order_relaxed);
    if (chunk >= job->numChunks)
      return ran;
    runChunk(job, chunk);
    ++ran;
  }
}

/* Takes a job out of the queue (the mutex held). */
static void unqueue(optc_thread_pool *pool, Job *job) {
  if (!job->queued)
    return;
  Job **link = &pool->queue;
  while (*link != job)
    link = &(*link)->next;
  *link = job->next;
  job->queued = 0;
}

/* Enters the oldest queued job that has chunks to claim; NULL if none.
 * Jobs whose chunks are all claimed leave the queue on the way. */
static Job *enterJob(optc_thread_pool *pool) {
  pthread_mutex_lock(&pool->mutex);
  Job *job = pool->queue;
  while (job && atomic_load_explicit(&job->nextChunk, memory_order_relaxed) >=
                    job->numChunks) {
    Job *next = job->next;
    unqueue(pool, job);
    job = next;
  }
  if (job)
    atomic_fetch_add_explicit(&job->users, 1, memory_order_relaxed);
  pthread_mutex_unlock(&pool->mutex);
  return job;
}

/* Leaves a job entered with enterJob. The job may be gone right after the
 * decrement (its caller returns): only the pool is touched after it. */
static void leaveJob(optc_thread_pool *pool, Job *job) {
  if (atomic_fetch_sub(&job->users, 1) != 1)
    return;
  atomic_fetch_add(&pool->left, 1);
  if (atomic_load(&pool->sleepingCallers) > 0)
    wakeAll(pool, &pool->left);
}

typedef struct {
  optc_thread_pool *pool;
  uint32_t seen;
} PostedSince;

static int postedSince(void *argument) {
  PostedSince *since = (PostedSince *)argument;
  return atomic_load_explicit(&since->pool->posted, memory_order_acquire) !=
         since->seen;
}

static void *workerMain(void *argument) {
  optc_thread_pool *pool = (optc_thread_pool *)argument;
  for (;;) {
    /* Read before looking at the queue: a job queued after the look
     * changes it, so the waits below do not miss that job. */
    uint32_t seen = atomic_load(&pool->posted);
    Job *job = enterJob(pool);
    if (job) {
      /* A job that waited long for this worker: it was not running. */
      int64_t now = nowNanoseconds();
      if (now - job->postedAt > kLateNanoseconds)
        noteContended(pool, now);
      runChunks(job);
      leaveJob(pool, job);
      continue;
    }
    if (atomic_load(&pool->stopping))
      break;
    PostedSince since = {pool, seen};
    if (spinUntil(pool, postedSince, &since, kIdleSpinNanoseconds,
                  kContendedIdleSpinNanoseconds))
      continue;
    atomic_fetch_add(&pool->sleepingWorkers, 1);
    if (atomic_load(&pool->posted) == seen)
      waitWhileEqual(pool, &pool->posted, seen);
    atomic_fetch_sub(&pool->sleepingWorkers, 1);
  }
  return NULL;
}

static int noUsers(void *argument) {
  return atomic_load_explicit(&((Job *)argument)->users,
                              memory_order_acquire) == 0;
}

/* Waits until no worker holds `job` (it is out of the queue, so none can
 * enter it any more); then every chunk is done. */
static void waitForWorkers(optc_thread_pool *pool, Job *job) {
  if (spinUntil(pool, noUsers, job, kWaitSpinNanoseconds,
                kContendedWaitSpinNanoseconds))
    return;
  for (;;) {
    uint32_t seen = atomic_load(&pool->left);
    if (noUsers(job))
      return;
    atomic_fetch_add(&pool->sleepingCallers, 1);
    if (!noUsers(job))
      waitWhileEqual(pool, &pool->left, seen);
    atomic_fetch_sub(&pool->sleepingCallers, 1);
  }
}

/* After a shared job: a stall starts a solo interval and lengthens the
 * next; a run of jobs without one shortens it. (Several callers may race
 * here; the worst outcome is an interval of another length.) */
static void noteSharedJob(optc_thread_pool *pool, int stalled, int64_t now) {
  int64_t length =
      atomic_load_explicit(&pool->soloLength, memory_order_relaxed);
  if (stalled) {
    atomic_fetch_add_explicit(&pool->statStalls, 1, memory_order_relaxed);
    atomic_store_explicit(&pool->calmJobs, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->soloUntil, now + length, memory_order_relaxed);
    if (length < kSoloLastNanoseconds)
      atomic_store_explicit(&pool->soloLength, 2 * length,
                            memory_order_relaxed);
  } else if (atomic_fetch_add_explicit(&pool->calmJobs, 1,
                                       memory_order_relaxed) +
                     1 >=
                 kCalmJobs &&
             length > kSoloFirstNanoseconds) {
    atomic_store_explicit(&pool->calmJobs, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->soloLength, length / 2, memory_order_relaxed);
  }
}

/*--- The pool --------------------------------------------------------------*/

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
#if !defined(__linux__)
  pthread_mutex_init(&pool->waitMutex, NULL);
  pthread_cond_init(&pool->waitCondition, NULL);
#endif
  atomic_store(&pool->soloLength, kSoloFirstNanoseconds);
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
  atomic_store(&pool->stopping, 1);
  atomic_fetch_add(&pool->posted, 1);
  wakeAll(pool, &pool->posted);
  if (pool->threads)
    for (int i = 0; i + 1 < pool->size; ++i)
      pthread_join(pool->threads[i], NULL);
  if (getenv("OPTC_POOL_STATS"))
    fprintf(stderr,
            "optc pool: %lld jobs, %lld shared, %lld stalls, %lld contended\n",
            (long long)pool->statJobs, (long long)pool->statShared,
            (long long)pool->statStalls, (long long)pool->statContended);
  free(pool->threads);
#if !defined(__linux__)
  pthread_cond_destroy(&pool->waitCondition);
  pthread_mutex_destroy(&pool->waitMutex);
#endif
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
  int64_t start = nowNanoseconds();
  Job job = {body, context, n, numChunks, start, 0, 0, NULL, 0};
  atomic_fetch_add_explicit(&pool->statJobs, 1, memory_order_relaxed);
  if (start < atomic_load_explicit(&pool->soloUntil, memory_order_relaxed)) {
    /* Workers stalled recently: the same chunks, on this thread alone. */
    runChunks(&job);
    return;
  }
  atomic_fetch_add_explicit(&pool->statShared, 1, memory_order_relaxed);
  pthread_mutex_lock(&pool->mutex);
  Job **tail = &pool->queue;
  while (*tail)
    tail = &(*tail)->next;
  *tail = &job;
  job.queued = 1;
  pthread_mutex_unlock(&pool->mutex);
  atomic_fetch_add(&pool->posted, 1);
  if (atomic_load(&pool->sleepingWorkers) > 0)
    wakeAll(pool, &pool->posted);
  /* Work on the chunks too, then close the job to workers that have not
   * entered it, and wait for those that did. */
  int64_t ran = runChunks(&job);
  int64_t ownDone = nowNanoseconds();
  pthread_mutex_lock(&pool->mutex);
  unqueue(pool, &job);
  pthread_mutex_unlock(&pool->mutex);
  if (atomic_load(&job.users) == 0) {
    noteSharedJob(pool, 0, ownDone);
    return;
  }
  waitForWorkers(pool, &job);
  int64_t end = nowNanoseconds();
  int64_t waited = end - ownDone;
  int64_t chunkTime = ran ? (ownDone - start) / ran : 0;
  noteSharedJob(pool,
                ran > 0 && waited > kStallNanoseconds &&
                    waited > kStallChunks * chunkTime,
                end);
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
