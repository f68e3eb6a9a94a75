// semaphore_test.cpp — with each way of bounding concurrency, never more than `limit` jobs run
// at once and every job runs exactly once.
#include <string>
#include <tuple>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class SemaphoreSample : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(SemaphoreSample, ConcurrencyNeverExceedsTheLimitAndEveryJobRunsOnce) {
  const auto& [variant, procs] = GetParam();
  SampleRun r = testing::run("semaphore", {{"variant", variant}, {"limit", "3"}, {"jobs", "30"}, {"job-ms", "2"}},
                             procs);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_LE(r.outcome.metric("max_concurrent"), 3);
  EXPECT_GE(r.outcome.metric("max_concurrent"), 1);
  EXPECT_EQ(r.outcome.metric("jobs"), 30);
  EXPECT_EQ(r.outcome.metric("missing"), 0);
  EXPECT_EQ(r.outcome.metric("duplicated"), 0);
  EXPECT_EQ(r.result.leaked, 0u);
}

TEST_P(SemaphoreSample, LimitOfOneSerialisesTheJobs) {
  const auto& [variant, procs] = GetParam();
  SampleRun r = testing::run("semaphore", {{"variant", variant}, {"limit", "1"}, {"jobs", "12"}, {"job-ms", "0"}},
                             procs);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("max_concurrent"), 1);
  EXPECT_EQ(r.outcome.metric("missing"), 0);
  EXPECT_EQ(r.outcome.metric("duplicated"), 0);
}

// What each variant costs in goroutines: the pool keeps `limit` workers (plus main); the
// channel semaphore starts a job's goroutine only with a token (at most `limit` running, plus
// those just releasing theirs); gor::Semaphore starts every job's goroutine at once and parks
// them in acquire().
TEST_P(SemaphoreSample, GoroutineCountsPerVariant) {
  const auto& [variant, procs] = GetParam();
  SampleRun r = testing::run("semaphore", {{"variant", variant}, {"limit", "3"}, {"jobs", "30"}, {"job-ms", "2"}},
                             procs);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  const double most = r.outcome.metric("max_goroutines");
  if (variant == "pool") {
    EXPECT_LE(most, 3 + 1) << "three workers and main";
    EXPECT_LE(r.result.goroutines_created, 3u + 1u) << "no goroutine per job";
  } else if (variant == "chan-semaphore") {
    EXPECT_LE(most, 2 * 3 + 1) << "three token holders, at most three leaving, and main";
  } else {
    EXPECT_GE(most, 30 / 2) << "every job's goroutine exists from the start";
  }
  if (variant != "pool") EXPECT_GE(r.result.goroutines_created, 31u) << "a goroutine per job, and main";
}

INSTANTIATE_TEST_SUITE_P(Variants, SemaphoreSample,
                         ::testing::Combine(::testing::Values("pool", "chan-semaphore", "semaphore"),
                                            ::testing::Values(1, 2, 4)),
                         [](const auto& info) {
                           std::string s = std::get<0>(info.param);
                           for (char& c : s)
                             if (c == '-') c = '_';
                           return s + "_procs" + std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace goroscope
