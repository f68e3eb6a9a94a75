// mutex_starvation_test.cpp — the mutex switches to starvation mode and back, and every polite
// goroutine gets the lock every time it asks.
#include "run_sample.hpp"

namespace goroscope {
namespace {

class MutexStarvationSample : public ::testing::TestWithParam<int> {};

TEST_P(MutexStarvationSample, SwitchesModesAndPoliteGoroutinesAllGetTheLock) {
  SampleRun r = testing::run("mutex-starvation", {{"polite", "2"}, {"rounds", "10"}, {"hold-ms", "2"}}, GetParam());
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_GE(r.outcome.metric("starving_switches"), 1);
  EXPECT_GE(r.outcome.metric("normal_switches"), 1);
  EXPECT_EQ(r.outcome.metric("polite_locks_min"), 10);
  EXPECT_GE(r.outcome.metric("greedy_locks"), 1);
}

INSTANTIATE_TEST_SUITE_P(Procs, MutexStarvationSample, ::testing::Values(1, 2));

}  // namespace
}  // namespace goroscope
