// mutex_starvation_test.cpp — the mutex switches to starvation mode and back, every polite
// goroutine gets the lock every time it asks, and starvation mode bounds its waits.
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
  // The wait bound (engine time): the holder and the waiters ahead, each holding `hold`. The
  // factor 3 leaves room for scheduling delays on a loaded machine; without starvation mode the
  // greedy goroutine, always running, would win nearly every time and waits would grow with the
  // rounds (tens of ms here).
  EXPECT_LE(r.outcome.metric("wait_p50_ms"), r.outcome.metric("wait_p99_ms"));
  EXPECT_LE(r.outcome.metric("wait_p99_ms"), r.outcome.metric("longest_wait_ms"));
  EXPECT_LE(r.outcome.metric("longest_wait_ms"), 3 * r.outcome.metric("wait_bound_ms"));
}

INSTANTIATE_TEST_SUITE_P(Procs, MutexStarvationSample, ::testing::Values(1, 2));

}  // namespace
}  // namespace goroscope
