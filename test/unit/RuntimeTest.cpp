//===- RuntimeTest.cpp - unit tests of the C runtime ----------------------===//
//
// The runtime's building blocks alone: statuses, the thread pool, the arena
// allocator, CPU feature checks, and loading and running a model from a
// hand-written descriptor, with every error path a user can reach.
//
//===----------------------------------------------------------------------===//

#include "optc/runtime_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

/// Owns a status, so a failing assertion does not leak it.
struct Status {
  optc_status *status;
  Status(optc_status *status) : status(status) {}
  ~Status() { optc_status_free(status); }
  bool ok() const { return status == nullptr; }
  optc_status_code code() const { return optc_status_get_code(status); }
  std::string message() const { return optc_status_get_message(status); }
};

TEST(RuntimeStatus, CarriesCodeAndFormattedMessage) {
  Status ok(nullptr);
  EXPECT_EQ(ok.code(), OPTC_OK);
  EXPECT_EQ(ok.message(), "ok");
  Status error(
      optc_status_make(OPTC_INVALID_ARGUMENT, "input %d is %s", 3, "wrong"));
  EXPECT_EQ(error.code(), OPTC_INVALID_ARGUMENT);
  EXPECT_EQ(error.message(), "input 3 is wrong");
}

TEST(RuntimeDtype, SizesAndNamesRoundTrip) {
  EXPECT_EQ(optc_dtype_size(OPTC_F32), 4u);
  EXPECT_EQ(optc_dtype_size(OPTC_BOOL), 1u);
  EXPECT_EQ(optc_dtype_size(OPTC_BF16), 2u);
  EXPECT_EQ(optc_dtype_size(OPTC_DTYPE_INVALID), 0u);
  for (optc_dtype dtype :
       {OPTC_F32,        OPTC_U8,       OPTC_I8,         OPTC_U16,
        OPTC_I16,        OPTC_I32,      OPTC_I64,        OPTC_BOOL,
        OPTC_F16,        OPTC_F64,      OPTC_U32,        OPTC_U64,
        OPTC_BF16,       OPTC_F8E4M3FN, OPTC_F8E4M3FNUZ, OPTC_F8E5M2,
        OPTC_F8E5M2FNUZ, OPTC_U4,       OPTC_I4,         OPTC_F4E2M1FN,
        OPTC_F8E8M0FNU,  OPTC_U2,       OPTC_I2})
    EXPECT_EQ(optc_dtype_from_name(optc_dtype_name(dtype)), dtype);
  // The 8-bit and narrower types take one byte per element.
  for (optc_dtype dtype :
       {OPTC_F8E4M3FN, OPTC_F8E4M3FNUZ, OPTC_F8E5M2, OPTC_F8E5M2FNUZ, OPTC_U4,
        OPTC_I4, OPTC_F4E2M1FN, OPTC_F8E8M0FNU, OPTC_U2, OPTC_I2})
    EXPECT_EQ(optc_dtype_size(dtype), 1u);
  EXPECT_STREQ(optc_dtype_name(OPTC_F8E4M3FN), "f8e4m3fn");
  EXPECT_STREQ(optc_dtype_name(OPTC_I4), "i4");
  EXPECT_EQ(optc_dtype_from_name("f128"), OPTC_DTYPE_INVALID);
}

TEST(RuntimeRandom, KeysDifferAcrossCallsAndThreads) {
  std::vector<uint64_t> keys(4000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&keys, t] {
      for (int i = 0; i < 1000; ++i)
        keys[t * 1000 + i] = optc_random_key();
    });
  for (std::thread &thread : threads)
    thread.join();
  std::set<uint64_t> distinct(keys.begin(), keys.end());
  EXPECT_EQ(distinct.size(), keys.size());
  // Scrambled: consecutive keys share about half their bits, not most.
  int flipped = __builtin_popcountll(keys[0] ^ keys[1]);
  EXPECT_GT(flipped, 10);
  EXPECT_LT(flipped, 54);
}

struct Coverage {
  std::vector<std::atomic<int>> hits;
  explicit Coverage(size_t n) : hits(n) {}
  static void body(int64_t begin, int64_t end, void *context) {
    auto *self = static_cast<Coverage *>(context);
    for (int64_t i = begin; i < end; ++i)
      self->hits[i].fetch_add(1);
  }
  bool eachOnce() const {
    for (const auto &hit : hits)
      if (hit.load() != 1)
        return false;
    return true;
  }
};

TEST(RuntimeThreadPool, RunsEveryIterationOnce) {
  for (int threads : {1, 2, 3, 8}) {
    optc_thread_pool *pool = nullptr;
    Status status(optc_thread_pool_create(threads, &pool));
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(optc_thread_pool_size(pool), threads);
    for (int64_t n : {0, 1, 2, 7, 100, 10007}) {
      Coverage coverage(n);
      optc_thread_pool_parallel_for(pool, n, Coverage::body, &coverage);
      EXPECT_TRUE(coverage.eachOnce()) << threads << " threads, n=" << n;
    }
    optc_thread_pool_free(pool);
  }
}

TEST(RuntimeThreadPool, RefusesBadSizes) {
  optc_thread_pool *pool = nullptr;
  Status zero(optc_thread_pool_create(0, &pool));
  EXPECT_EQ(zero.code(), OPTC_INVALID_ARGUMENT);
  EXPECT_EQ(pool, nullptr);
  Status huge(optc_thread_pool_create(1 << 20, &pool));
  EXPECT_EQ(huge.code(), OPTC_INVALID_ARGUMENT);
}

TEST(RuntimeThreadPool, ConcurrentCallersShareOnePool) {
  optc_thread_pool *pool = nullptr;
  Status status(optc_thread_pool_create(4, &pool));
  ASSERT_TRUE(status.ok());
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t)
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        Coverage coverage(257);
        optc_thread_pool_parallel_for(pool, 257, Coverage::body, &coverage);
        failures += !coverage.eachOnce();
      }
    });
  for (auto &caller : callers)
    caller.join();
  EXPECT_EQ(failures.load(), 0);
  optc_thread_pool_free(pool);
}

struct Nested {
  optc_thread_pool *pool;
  std::atomic<int> inner{0};
  static void innerBody(int64_t begin, int64_t end, void *context) {
    static_cast<Nested *>(context)->inner += int(end - begin);
  }
  static void outerBody(int64_t begin, int64_t end, void *context) {
    auto *self = static_cast<Nested *>(context);
    for (int64_t i = begin; i < end; ++i)
      optc_thread_pool_parallel_for(self->pool, 10, innerBody, self);
  }
};

TEST(RuntimeThreadPool, NestedLoopsRunSeriallyWithoutDeadlock) {
  Nested nested;
  Status status(optc_thread_pool_create(3, &nested.pool));
  ASSERT_TRUE(status.ok());
  optc_thread_pool_parallel_for(nested.pool, 20, Nested::outerBody, &nested);
  EXPECT_EQ(nested.inner.load(), 200);
  optc_thread_pool_free(nested.pool);
}

TEST(RuntimeThreadPool, ManyLoopsOfEverySize) {
  // Thousands of loops back to back, of sizes around the chunk counts (a
  // few per thread), empty and negative ones among them: every iteration
  // runs once, and nothing is left running between loops.
  optc_thread_pool *pool = nullptr;
  Status status(optc_thread_pool_create(3, &pool));
  ASSERT_TRUE(status.ok());
  std::mt19937 random(14);
  int failures = 0;
  for (int round = 0; round < 3000; ++round) {
    int64_t n = round < 40 ? round - 2 : int64_t(random() % 300);
    Coverage coverage(n > 0 ? size_t(n) : 0);
    optc_thread_pool_parallel_for(pool, n, Coverage::body, &coverage);
    failures += !coverage.eachOnce();
  }
  EXPECT_EQ(failures, 0);
  optc_thread_pool_free(pool);
}

TEST(RuntimeThreadPool, NestedEmptyAndSingleLoops) {
  struct Inner {
    optc_thread_pool *pool;
    std::atomic<int64_t> iterations{0};
    static void body(int64_t begin, int64_t end, void *context) {
      static_cast<Inner *>(context)->iterations += end - begin;
    }
    static void outer(int64_t begin, int64_t end, void *context) {
      auto *self = static_cast<Inner *>(context);
      for (int64_t i = begin; i < end; ++i) {
        optc_thread_pool_parallel_for(self->pool, 0, body, self);
        optc_thread_pool_parallel_for(self->pool, 1, body, self);
        optc_thread_pool_parallel_for(self->pool, i % 5, body, self);
      }
    }
  } inner;
  Status status(optc_thread_pool_create(4, &inner.pool));
  ASSERT_TRUE(status.ok());
  optc_thread_pool_parallel_for(inner.pool, 100, Inner::outer, &inner);
  // 100 single iterations and 0 + 1 + 2 + 3 + 4 per five outer ones.
  EXPECT_EQ(inner.iterations.load(), 100 + 20 * 10);
  optc_thread_pool_free(inner.pool);
}

/// Records which thread ran which chunk. While `delay` is set, the caller
/// pauses in the first chunk it runs (so that a worker gets to claim one)
/// and a worker (any other thread) sleeps for `workerDelay` in the first
/// chunk it runs.
struct Chunks {
  std::thread::id caller = std::this_thread::get_id();
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::map<std::thread::id, int> perThread;
  std::atomic<bool> delay{false};
  std::atomic<bool> callerPaused{false};
  std::atomic<bool> delayed{false};
  std::chrono::milliseconds workerDelay{30};
  std::vector<std::atomic<int>> hits;
  explicit Chunks(size_t n) : hits(n) {}
  static void body(int64_t begin, int64_t end, void *context) {
    auto *self = static_cast<Chunks *>(context);
    std::thread::id me = std::this_thread::get_id();
    if (self->delay && me == self->caller && !self->callerPaused.exchange(true))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (self->delay && me != self->caller && !self->delayed.exchange(true))
      std::this_thread::sleep_for(self->workerDelay);
    for (int64_t i = begin; i < end; ++i)
      self->hits[i].fetch_add(1);
    std::lock_guard<std::mutex> lock(self->mutex);
    self->ranges.emplace_back(begin, end);
    ++self->perThread[me];
  }
  int byCaller() { return perThread.count(caller) ? perThread[caller] : 0; }
  std::vector<std::pair<int64_t, int64_t>> sortedRanges() {
    auto sorted = ranges;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
  bool eachOnce() const {
    for (const auto &hit : hits)
      if (hit.load() != 1)
        return false;
    return true;
  }
};

TEST(RuntimeThreadPool, CallerFinishesTheWorkOfADelayedWorker) {
  // A worker that stops in the middle of a chunk (as one the OS does not
  // schedule does) holds up that chunk only: the caller claims and runs
  // every other one, and the loop completes.
  optc_thread_pool *pool = nullptr;
  Status status(optc_thread_pool_create(2, &pool));
  ASSERT_TRUE(status.ok());
  const int64_t n = 1000;
  bool sawDelay = false;
  // The worker may not take part in a given loop (it may not be running
  // when the loop starts); try until it does.
  for (int attempt = 0; attempt < 200 && !sawDelay; ++attempt) {
    Chunks chunks(n);
    chunks.delay = true;
    optc_thread_pool_parallel_for(pool, n, Chunks::body, &chunks);
    ASSERT_TRUE(chunks.eachOnce());
    if (!chunks.delayed)
      continue;
    sawDelay = true;
    // 2 threads x 4 chunks: the worker ran the one it slept in.
    EXPECT_EQ(chunks.ranges.size(), 8u);
    EXPECT_EQ(chunks.byCaller(), 7);
  }
  EXPECT_TRUE(sawDelay) << "the worker never took a chunk";
  optc_thread_pool_free(pool);
}

TEST(RuntimeThreadPool, ChunksAreTheSameWhoeverRunsThem) {
  // Results must not depend on scheduling: a loop is cut into the same
  // chunks whether workers share it, a worker stalls in it, or (after a
  // stall) the caller runs it alone.
  optc_thread_pool *pool = nullptr;
  Status status(optc_thread_pool_create(3, &pool));
  ASSERT_TRUE(status.ok());
  const int64_t n = 103;
  Chunks reference(n);
  optc_thread_pool_parallel_for(pool, n, Chunks::body, &reference);
  auto expected = reference.sortedRanges();
  EXPECT_EQ(expected.size(), 12u);
  bool ranAlone = false;
  // 300 rounds, and more (up to 3000) until the caller has run a loop
  // alone: on a loaded machine the stalls that lead to it are rare.
  for (int round = 0; round < 300 || (!ranAlone && round < 3000); ++round) {
    Chunks chunks(n);
    chunks.delay = round % 3 == 0;
    chunks.workerDelay = std::chrono::milliseconds(1);
    optc_thread_pool_parallel_for(pool, n, Chunks::body, &chunks);
    EXPECT_TRUE(chunks.eachOnce());
    EXPECT_EQ(chunks.sortedRanges(), expected) << "round " << round;
    ranAlone |= chunks.byCaller() == int(expected.size()) && !chunks.delayed;
  }
  // Workers that stalled (in a delayed chunk) are left out for a while.
  EXPECT_TRUE(ranAlone);
  optc_thread_pool_free(pool);
}

TEST(RuntimeThreadPool, GlobalPoolHasThreads) {
  EXPECT_GE(optc_num_threads(), 1);
  Coverage coverage(1000);
  optc_parallel_for(1000, Coverage::body, &coverage);
  EXPECT_TRUE(coverage.eachOnce());
}

TEST(RuntimeArena, ReusesReleasedBlocksAndAligns) {
  optc_arena_pool *pool = optc_arena_pool_create(1000);
  ASSERT_NE(pool, nullptr);
  void *a = optc_arena_acquire(pool);
  void *b = optc_arena_acquire(pool);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  std::memset(a, 1, 1000); // the whole block is usable
  EXPECT_EQ(optc_arena_pool_num_blocks(pool), 2u);
  optc_arena_release(pool, a);
  EXPECT_EQ(optc_arena_acquire(pool), a);
  EXPECT_EQ(optc_arena_pool_num_blocks(pool), 2u);
  optc_arena_release(pool, a);
  optc_arena_release(pool, b);
  optc_arena_pool_free(pool);
}

TEST(RuntimeArena, ConcurrentRunsGetDistinctBlocks) {
  optc_arena_pool *pool = optc_arena_pool_create(4096);
  std::vector<std::thread> runs;
  std::atomic<int> clashes{0};
  for (int t = 0; t < 4; ++t)
    runs.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        auto *block = static_cast<unsigned char *>(optc_arena_acquire(pool));
        std::memset(block, t, 4096);
        std::this_thread::yield();
        for (int i = 0; i < 4096; i += 512)
          clashes += block[i] != t;
        optc_arena_release(pool, block);
      }
    });
  for (auto &run : runs)
    run.join();
  EXPECT_EQ(clashes.load(), 0);
  EXPECT_LE(optc_arena_pool_num_blocks(pool), 4u);
  optc_arena_pool_free(pool);
}

TEST(RuntimeArena, ZeroSizeGivesAPointer) {
  optc_arena_pool *pool = optc_arena_pool_create(0);
  void *block = optc_arena_acquire(pool);
  EXPECT_NE(block, nullptr);
  optc_arena_release(pool, block);
  optc_arena_pool_free(pool);
}

TEST(RuntimeCpu, KnowsBasicFeatures) {
#if defined(__x86_64__)
  EXPECT_EQ(optc_cpu_has_feature("sse2"), 1);
#endif
  EXPECT_EQ(optc_cpu_has_feature("no-such-feature"), -1);
}

//===--- Models from hand-written descriptors ----------------------------===//

/// out[i] = in[i] + weights[i] + (arena used as scratch), for 4 floats.
void addWeightsEntry(void **buffers) {
  auto *in = static_cast<float *>(buffers[0]);
  auto *out = static_cast<float *>(buffers[1]);
  auto *arena = static_cast<float *>(buffers[2]);
  auto *weights = static_cast<const float *>(buffers[3]);
  for (int i = 0; i < 4; ++i)
    arena[i] = in[i] + weights[i];
  std::memcpy(out, arena, 4 * sizeof(float));
}

const float kWeights[4] = {10, 20, 30, 40};

std::string metadata(const std::string &weights,
                     const std::string &features = "sse2") {
  return "optc-model 1\nname add%20weights\nfeatures " + features +
         "\narena 16\nweights " + weights +
         "\ninput x f32 2,2\noutput y f32 2,2\n";
}

struct Model {
  std::string text;
  optc_model_desc desc{};
  optc_model *model = nullptr;
  explicit Model(std::string metadataText, const void *weights = kWeights)
      : text(std::move(metadataText)) {
    desc.abi_version = OPTC_ABI_VERSION;
    desc.metadata = text.c_str();
    desc.entry = addWeightsEntry;
    desc.weights = weights;
    desc.weights_size = 16;
  }
  Status load(const char *weightsPath = nullptr) {
    return Status(optc_model_create(&desc, weightsPath, &model));
  }
  ~Model() { optc_model_free(model); }
};

TEST(RuntimeModel, LoadsDescribesAndRuns) {
  Model m(metadata("embedded 16"));
  Status status = m.load();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_STREQ(optc_model_name(m.model), "add weights");
  ASSERT_EQ(optc_model_num_inputs(m.model), 1u);
  ASSERT_EQ(optc_model_num_outputs(m.model), 1u);
  optc_tensor_info info;
  Status infoStatus(optc_model_input_info(m.model, 0, &info));
  ASSERT_TRUE(infoStatus.ok());
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, OPTC_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], 2);
  Status missing(optc_model_output_info(m.model, 1, &info));
  EXPECT_EQ(missing.code(), OPTC_INVALID_ARGUMENT);

  float x[4] = {1, 2, 3, 4}, y[4] = {};
  int64_t shape[2] = {2, 2};
  optc_tensor in{OPTC_F32, 2, shape, nullptr, x};
  optc_tensor out{OPTC_F32, 2, shape, nullptr, y};
  Status run(optc_model_run(m.model, &in, 1, &out, 1));
  ASSERT_TRUE(run.ok()) << run.message();
  EXPECT_EQ(y[0], 11);
  EXPECT_EQ(y[3], 44);
}

TEST(RuntimeModel, StridedTensorsAreStaged) {
  Model m(metadata("embedded 16"));
  ASSERT_TRUE(m.load().ok());
  // A transposed view of x and of y.
  float x[4] = {1, 3, 2, 4}, y[4] = {};
  int64_t shape[2] = {2, 2}, strides[2] = {1, 2};
  optc_tensor in{OPTC_F32, 2, shape, strides, x};
  optc_tensor out{OPTC_F32, 2, shape, strides, y};
  Status run(optc_model_run(m.model, &in, 1, &out, 1));
  ASSERT_TRUE(run.ok()) << run.message();
  // y viewed through the strides is {11, 22, 33, 44}.
  EXPECT_EQ(y[0], 11);
  EXPECT_EQ(y[2], 22);
  EXPECT_EQ(y[1], 33);
  EXPECT_EQ(y[3], 44);
}

TEST(RuntimeModel, BadRunsAreErrorsAndLeaveOutputsAlone) {
  Model m(metadata("embedded 16"));
  ASSERT_TRUE(m.load().ok());
  float x[4] = {1, 2, 3, 4}, y[4] = {-1, -1, -1, -1};
  int64_t shape[2] = {2, 2}, wrongShape[2] = {4, 1};
  optc_tensor in{OPTC_F32, 2, shape, nullptr, x};
  optc_tensor out{OPTC_F32, 2, shape, nullptr, y};

  Status count(optc_model_run(m.model, &in, 0, &out, 1));
  EXPECT_EQ(count.code(), OPTC_INVALID_ARGUMENT);
  EXPECT_NE(count.message().find("0 inputs given"), std::string::npos);

  optc_tensor wrongDtype = in;
  wrongDtype.dtype = OPTC_I32;
  Status dtype(optc_model_run(m.model, &wrongDtype, 1, &out, 1));
  EXPECT_NE(dtype.message().find("has dtype i32; the model expects f32"),
            std::string::npos)
      << dtype.message();

  optc_tensor badShape = in;
  badShape.shape = wrongShape;
  Status shapeStatus(optc_model_run(m.model, &badShape, 1, &out, 1));
  EXPECT_NE(shapeStatus.message().find("shape [4,1]; the model expects [2,2]"),
            std::string::npos)
      << shapeStatus.message();

  optc_tensor noData = in;
  noData.data = nullptr;
  Status data(optc_model_run(m.model, &noData, 1, &out, 1));
  EXPECT_EQ(data.code(), OPTC_INVALID_ARGUMENT);

  optc_tensor badOut = out;
  badOut.rank = 1;
  Status outShape(optc_model_run(m.model, &in, 1, &badOut, 1));
  EXPECT_EQ(outShape.code(), OPTC_INVALID_ARGUMENT);

  for (float value : y)
    EXPECT_EQ(value, -1);
}

TEST(RuntimeModel, RefusesOtherAbisAndMalformedMetadata) {
  Model abi(metadata("embedded 16"));
  abi.desc.abi_version = 99;
  Status status = abi.load();
  EXPECT_EQ(status.code(), OPTC_UNSUPPORTED);
  EXPECT_NE(status.message().find("ABI 99"), std::string::npos);

  Model noHeader("name x\n");
  EXPECT_EQ(noHeader.load().code(), OPTC_IO_ERROR);
  Model badDtype("optc-model 1\ninput x f7 2\n");
  Status dtype = badDtype.load();
  EXPECT_NE(dtype.message().find("unknown dtype"), std::string::npos);
}

// Metadata the runtime fuzzer (fuzz/RuntimeFuzzer.cpp) found mishandled:
// each is an error naming the line, never a read past it or a leak.
TEST(RuntimeModel, RefusesMetadataTheFuzzerFound) {
  auto message = [](const std::string &text) {
    Model m(text);
    return m.load().message();
  };
  // A bare "output" was not counted but was parsed: a write past the infos.
  EXPECT_NE(message("optc-model 1\ninput x f32 2\noutput\n")
                .find("a tensor record without fields in line 'output'"),
            std::string::npos);
  // A second name leaked the first.
  EXPECT_NE(message("optc-model 1\nname a\nname b\n")
                .find("a second name in line 'name b'"),
            std::string::npos);
  // Bare keys were read past their line's end.
  EXPECT_NE(message("optc-model\n").find("no 'optc-model 1' line"),
            std::string::npos);
  Model bareName("optc-model 1\nname\n");
  EXPECT_EQ(bareName.load().code(), OPTC_OK);
  EXPECT_STREQ(optc_model_name(bareName.model), "");
  // Arena sizes that are no number of bytes up to 2^42.
  for (const char *arena :
       {"arena", "arena x", "arena -1", "arena 12x",
        "arena 99999999999999999999999", "arena 4398046511105"})
    EXPECT_NE(message(std::string("optc-model 1\n") + arena + "\n")
                  .find("an arena size that is not a number of bytes"),
              std::string::npos)
        << arena;
  Model largest("optc-model 1\narena 4398046511104\n");
  EXPECT_EQ(largest.load().code(), OPTC_OK);
}

// Found by the runtime fuzzer: with run-time checks, outputs are staged and
// copied out, and an empty output without data was copied to NULL.
TEST(RuntimeModel, EmptyStagedOutputsNeedNoData) {
  Model m("optc-model 1\nchecks 1\narena 0\ninput x f32 0,3\n"
          "output y f32 3,0\n");
  m.desc.entry = [](void **) {};
  ASSERT_EQ(m.load().code(), OPTC_OK);
  int64_t inShape[] = {0, 3}, outShape[] = {3, 0};
  optc_tensor in{OPTC_F32, 2, inShape, nullptr, nullptr};
  optc_tensor out{OPTC_F32, 2, outShape, nullptr, nullptr};
  EXPECT_EQ(Status(optc_model_run(m.model, &in, 1, &out, 1)).code(), OPTC_OK);
}

TEST(RuntimeModel, RefusesSizesBeyondTheLimits) {
  auto load = [](const std::string &tensor) {
    Model m("optc-model 1\nname big\n" + tensor + "\noutput y f32 2\n");
    Status status = m.load();
    return std::make_pair(status.code(), status.message());
  };
  // 2^32 x 2^32 elements wrap to 0 in int64.
  auto [code, message] = load("input x f32 4294967296,4294967296");
  EXPECT_EQ(code, OPTC_IO_ERROR);
  EXPECT_EQ(message, "the library's input 'x' has shape "
                     "[4294967296,4294967296], which exceeds optc's limit of "
                     "2^40 elements per tensor (a dimension of size 0 counts "
                     "as 1)");
  // No elements, but strides beyond int64.
  EXPECT_NE(load("input x f32 0,4611686018427387904,4")
                .second.find("exceeds optc's limit of 2^40 elements"),
            std::string::npos);
  // 2^40 elements are allowed, 2^43 bytes of them are not.
  EXPECT_NE(load("input x f64 1099511627776")
                .second.find(
                    "shape [1099511627776] of 8-byte elements, which exceeds "
                    "optc's limit of 2^42 bytes per tensor"),
            std::string::npos);
  EXPECT_EQ(load("input x i8 0,1099511627776").first, OPTC_OK);
  // Sizes that are no int64 or are negative are malformed.
  for (const char *bad :
       {"input x f32 2,-3", "input x f32 99999999999999999999",
        "input x f32 2,x", "input x f32 2,,3"})
    EXPECT_NE(load(bad).second.find("a bad dimension size"), std::string::npos)
        << bad;
}

TEST(RuntimeModel, CountsElementsWithoutOverflow) {
  int64_t empty[3] = {0, INT64_MAX, INT64_MAX};
  int64_t huge[2] = {int64_t(1) << 32, int64_t(1) << 32};
  int64_t negative[2] = {2, -3};
  int64_t normal[2] = {3, 5};
  optc_tensor t{OPTC_F32, 3, empty, nullptr, nullptr};
  EXPECT_EQ(optc_tensor_num_elements(&t), 0);
  t = {OPTC_F32, 2, huge, nullptr, nullptr};
  EXPECT_EQ(optc_tensor_num_elements(&t), -1);
  t = {OPTC_F32, 2, negative, nullptr, nullptr};
  EXPECT_EQ(optc_tensor_num_elements(&t), -1);
  t = {OPTC_F32, 2, normal, nullptr, nullptr};
  EXPECT_EQ(optc_tensor_num_elements(&t), 15);
}

TEST(RuntimeModel, RefusesStridesBeyondInt64) {
  Model m(metadata("embedded 16"));
  ASSERT_TRUE(m.load().ok());
  float x[4] = {1, 2, 3, 4}, y[4] = {-1, -1, -1, -1};
  int64_t shape[2] = {2, 2};
  int64_t farStrides[2] = {INT64_MAX / 2, 1}, minStrides[2] = {INT64_MIN, 1};
  optc_tensor out{OPTC_F32, 2, shape, nullptr, y};
  for (const int64_t *strides : {farStrides, minStrides}) {
    optc_tensor in{OPTC_F32, 2, shape, strides, x};
    Status run(optc_model_run(m.model, &in, 1, &out, 1));
    EXPECT_EQ(run.code(), OPTC_INVALID_ARGUMENT);
    EXPECT_EQ(run.message(), "input 0 ('x') has strides whose farthest "
                             "element is beyond 2^63 bytes");
  }
  for (float value : y)
    EXPECT_EQ(value, -1);
}

TEST(RuntimeModel, RefusesMissingCpuFeatures) {
  if (optc_cpu_has_feature("amx-tile") != 0)
    GTEST_SKIP() << "this machine has AMX";
  Model m(metadata("embedded 16", "sse2,amx-tile,no-such-feature"));
  Status status = m.load();
  EXPECT_EQ(status.code(), OPTC_UNSUPPORTED);
  EXPECT_NE(status.message().find("lacks features the model was compiled "
                                  "for: amx-tile"),
            std::string::npos)
      << status.message();
}

std::string writeWeights(const std::string &name, const char *id,
                         size_t floats) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream file(path, std::ios::binary);
  char header[OPTC_WEIGHTS_HEADER_SIZE] = {};
  std::memcpy(header, OPTC_WEIGHTS_MAGIC, 8);
  std::memcpy(header + 8, id, 16);
  file.write(header, sizeof(header));
  std::vector<float> values(floats, 0.5f);
  file.write(reinterpret_cast<const char *>(values.data()),
             std::streamsize(floats * sizeof(float)));
  return path;
}

TEST(RuntimeModel, MapsSideFileAndChecksIt) {
  const char *id = "0123456789abcdef";
  std::string weights = "file w.bin 16 " + std::string(id);
  std::string good = writeWeights("optc-good.bin", id, 4);
  {
    Model m(metadata(weights), nullptr);
    Status status = m.load(good.c_str());
    ASSERT_TRUE(status.ok()) << status.message();
    float x[4] = {1, 2, 3, 4}, y[4] = {};
    int64_t shape[2] = {2, 2};
    optc_tensor in{OPTC_F32, 2, shape, nullptr, x};
    optc_tensor out{OPTC_F32, 2, shape, nullptr, y};
    Status run(optc_model_run(m.model, &in, 1, &out, 1));
    ASSERT_TRUE(run.ok());
    EXPECT_EQ(y[0], 1.5f);
  }
  {
    Model m(metadata(weights), nullptr);
    Status status = m.load("/nonexistent/w.bin");
    EXPECT_EQ(status.code(), OPTC_NOT_FOUND);
    EXPECT_NE(status.message().find("/nonexistent/w.bin"), std::string::npos);
  }
  {
    std::string shortFile = writeWeights("optc-short.bin", id, 3);
    Model m(metadata(weights), nullptr);
    Status status = m.load(shortFile.c_str());
    EXPECT_EQ(status.code(), OPTC_IO_ERROR);
    EXPECT_NE(status.message().find("has 76 bytes; the model expects 80"),
              std::string::npos)
        << status.message();
  }
  {
    std::string other = writeWeights("optc-other.bin", "fedcba9876543210", 4);
    Model m(metadata(weights), nullptr);
    Status status = m.load(other.c_str());
    EXPECT_NE(status.message().find("belongs to another model"),
              std::string::npos);
  }
}

TEST(RuntimeModel, OpenReportsMissingAndForeignLibraries) {
  optc_model *model = nullptr;
  Status missing(optc_model_open("/nonexistent/model.so", nullptr, &model));
  EXPECT_EQ(missing.code(), OPTC_NOT_FOUND);
  EXPECT_EQ(model, nullptr);
  // libm is a shared library, but not a model.
  Status foreign(optc_model_open("libm.so.6", nullptr, &model));
  EXPECT_NE(foreign.code(), OPTC_OK);
}

} // namespace

TEST(RuntimeChecks, FirstReportWinsAndCarriesTheNotedIndex) {
  // A failed index check notes the index, then reports its message.
  optc_note_index(7);
  optc_report_error("node 'g' (Gather): input 'i' holds an index out of range");
  optc_note_index(9); // later checks of the same run do not overwrite
  optc_report_error("another check");
  const char *message = optc_take_reported_error();
  ASSERT_NE(message, nullptr);
  EXPECT_STREQ(message, "node 'g' (Gather): input 'i' holds an index out of "
                        "range: index 7");
  // Taken: the next run starts clean, and a report without an index has
  // none.
  EXPECT_EQ(optc_take_reported_error(), nullptr);
  optc_report_error("axes out of range");
  EXPECT_STREQ(optc_take_reported_error(), "axes out of range");
}
