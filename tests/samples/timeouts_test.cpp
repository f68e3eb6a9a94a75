// timeouts_test.cpp — select with after() times out the slow request only; after() in a loop
// piles up pending timers, a reused Timer keeps them bounded.
#include "run_sample.hpp"

namespace goroscope {
namespace {

// A long idle timeout and no pause between events: nothing fires during the loop, so the leaky
// loop's timers are all still pending at its end, however slowly the machine runs.
SampleRun timeouts(const char* variant, gor::TraceObserver* trace = nullptr) {
  return testing::run("timeouts",
                      {{"variant", variant}, {"timeout-ms", "20"}, {"messages", "150"}, {"interval-ms", "0"},
                       {"idle-ms", "60000"}},
                      0, trace);
}

TEST(TimeoutsSample, SelectWithAfterGivesUpOnTheSlowRequestOnly) {
  SampleRun r = timeouts("fixed");
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("fast_answered"), 1);
  EXPECT_EQ(r.outcome.metric("slow_answered"), 0);
}

TEST(TimeoutsSample, AfterInALoopLeaksTimersAndAReusedTimerDoesNot) {
  gor::TraceRecorder leaky_trace;
  SampleRun leaky = timeouts("leaky", &leaky_trace);
  SampleRun fixed = timeouts("fixed");
  ASSERT_EQ(leaky.result.status, gor::RunStatus::Ok) << leaky.result.message;
  ASSERT_EQ(fixed.result.status, gor::RunStatus::Ok) << fixed.result.message;
  EXPECT_EQ(leaky.outcome.metric("handled"), 150);
  EXPECT_EQ(fixed.outcome.metric("handled"), 150);
  EXPECT_EQ(leaky.outcome.metric("idle_timeouts"), 0);
  EXPECT_EQ(fixed.outcome.metric("idle_timeouts"), 0);
  EXPECT_GE(leaky.outcome.metric("pending_timers_max"), 100) << "one abandoned timer per event";
  EXPECT_LE(fixed.outcome.metric("pending_timers_max"), 2) << "the one Timer (and at most one stray)";
  // None of the leaked timers fired during the run: they were released when it ended.
  EXPECT_LE(leaky_trace.count(gor::EventKind::TimerFire), 10u);
}

}  // namespace
}  // namespace goroscope
