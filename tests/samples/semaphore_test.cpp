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
