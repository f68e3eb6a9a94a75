// timeouts_test.cpp — select with after() times out the slow request only; after() in a loop
// makes a timer per iteration but, as in Go 1.23, does not pile up pending timers.
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

// Go 1.23: the abandoned after() timers are released with their channels, so the pending
// count stays flat in both variants (before Go 1.23 the leaky one reached ~150); the leaky
// variant still arms one after() timer per event, the fixed one none.
TEST(TimeoutsSample, AfterInALoopMakesATimerPerEventButNoLongerLeaks) {
  gor::TraceRecorder leaky_trace, fixed_trace;
  SampleRun leaky = timeouts("leaky", &leaky_trace);
  SampleRun fixed = timeouts("fixed", &fixed_trace);
  ASSERT_EQ(leaky.result.status, gor::RunStatus::Ok) << leaky.result.message;
  ASSERT_EQ(fixed.result.status, gor::RunStatus::Ok) << fixed.result.message;
  EXPECT_EQ(leaky.outcome.metric("handled"), 150);
  EXPECT_EQ(fixed.outcome.metric("handled"), 150);
  EXPECT_EQ(leaky.outcome.metric("idle_timeouts"), 0);
  EXPECT_EQ(fixed.outcome.metric("idle_timeouts"), 0);
  EXPECT_LE(leaky.outcome.metric("pending_timers_max"), 3) << "abandoned after() timers are released";
  EXPECT_LE(fixed.outcome.metric("pending_timers_max"), 2) << "the one Timer (and at most one stray)";
  EXPECT_EQ(leaky.outcome.metric("timers_made"), 151);  // one per receive, the close's included
  EXPECT_EQ(fixed.outcome.metric("timers_made"), 1);
  auto after_adds = [](const gor::TraceRecorder& t) {
    size_t n = 0;
    for (const gor::Event& e : t.events())
      if (e.kind == gor::EventKind::TimerAdd && (e.a2 & 0xff) == static_cast<uint64_t>(gor::TimerCode::After)) ++n;
    return n;
  };
  EXPECT_GE(after_adds(leaky_trace), 150u) << "part 2 arms an after() timer per event";
  EXPECT_LE(after_adds(fixed_trace), 2u) << "only part 1's two after() timers";
}

}  // namespace
}  // namespace goroscope
