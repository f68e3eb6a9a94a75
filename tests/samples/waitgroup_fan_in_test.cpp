// waitgroup_fan_in_test.cpp — every fetcher's result is aggregated; Done on the wrong counter
// leaves main waiting forever, reported as a global deadlock.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(WaitGroupFanInSample, ResultsComplete) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    SampleRun r = testing::run("waitgroup-fan-in", {{"variant", "fixed"}, {"fetchers", "10"}, {"latency-ms", "2"}}, procs);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
    EXPECT_EQ(r.outcome.metric("complete"), 10);
    EXPECT_EQ(r.outcome.metric("total"), r.outcome.metric("expected_total"));
    EXPECT_EQ(r.result.leaked, 0u);
  }
}

TEST(WaitGroupFanInSample, WrongCounterDeadlocks) {
  gor::TraceRecorder trace;
  SampleRun r =
      testing::run("waitgroup-fan-in", {{"variant", "wrong-counter"}, {"fetchers", "10"}, {"latency-ms", "2"}}, 0, &trace);
  EXPECT_EQ(r.result.status, gor::RunStatus::Deadlock);
  EXPECT_EQ(r.result.message, "all goroutines are asleep - deadlock!");
  EXPECT_NE(r.result.dump.find("goroutine 1 [sync.WaitGroup.Wait]"), std::string::npos) << r.result.dump;
  bool run_end_deadlock = false;
  for (const gor::Event& e : trace.events())
    if (e.kind == gor::EventKind::RunEnd && e.a0 == static_cast<uint64_t>(gor::RunStatus::Deadlock)) run_end_deadlock = true;
  EXPECT_TRUE(run_end_deadlock) << "the trace ends with the deadlock";
}

}  // namespace
}  // namespace goroscope
