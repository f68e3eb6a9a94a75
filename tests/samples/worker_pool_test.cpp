// worker_pool_test.cpp — every job is done exactly once and every result comes back.
#include "run_sample.hpp"

namespace goroscope {
namespace {

void expect_complete(const SampleRun& r, double jobs) {
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("jobs"), jobs);
  EXPECT_EQ(r.outcome.metric("results"), jobs);
  EXPECT_EQ(r.outcome.metric("missing"), 0);
  EXPECT_EQ(r.outcome.metric("duplicated"), 0);
  EXPECT_EQ(r.outcome.metric("wrong"), 0);
  EXPECT_EQ(r.result.leaked, 0u) << "the pool's goroutines all end before main";
}

TEST(WorkerPoolSample, EveryJobDoneOnceWithBufferedChannels) {
  expect_complete(testing::run("worker-pool", {{"workers", "3"}, {"jobs", "30"}, {"buffer", "4"}}), 30);
}

TEST(WorkerPoolSample, EveryJobDoneOnceWithUnbufferedChannels) {
  expect_complete(testing::run("worker-pool", {{"workers", "5"}, {"jobs", "25"}, {"buffer", "0"}}, 1), 25);
}

TEST(WorkerPoolSample, SingleWorker) {
  expect_complete(testing::run("worker-pool", {{"workers", "1"}, {"jobs", "7"}}), 7);
}

// The sample's point: the jobs wait (I/O-like), so more workers finish sooner, even on one P.
// Four workers take about a quarter of one worker's time; asserted with a 2x margin.
TEST(WorkerPoolSample, MoreWorkersFinishSooner) {
  SampleRun one = testing::run("worker-pool", {{"workers", "1"}, {"jobs", "16"}, {"buffer", "4"}}, 1);
  SampleRun four = testing::run("worker-pool", {{"workers", "4"}, {"jobs", "16"}, {"buffer", "4"}}, 1);
  expect_complete(one, 16);
  expect_complete(four, 16);
  EXPECT_GE(one.outcome.metric("elapsed_ms"), 16 * 5) << "one worker waits for every job in turn";
  EXPECT_LT(four.outcome.metric("elapsed_ms") * 2, one.outcome.metric("elapsed_ms"));
}

}  // namespace
}  // namespace goroscope
