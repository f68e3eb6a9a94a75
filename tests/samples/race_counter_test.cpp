// race_counter_test.cpp — the unsynchronised counter loses updates; the Mutex and channel
// versions lose none. (Until the race detector exists, lost updates are what is counted.)
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

SampleRun counter(const char* variant, int procs, gor::TraceObserver* trace = nullptr) {
  return testing::run("race-counter", {{"variant", variant}, {"workers", "4"}, {"increments", "50"}}, procs, trace);
}

TEST(RaceCounterSample, RacyVariantLosesUpdates) {
  gor::TraceRecorder trace;
  SampleRun r = counter("racy", 1, &trace);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("expected"), 200);
  EXPECT_GT(r.outcome.metric("lost"), 0);
  EXPECT_EQ(r.outcome.metric("counter") + r.outcome.metric("lost"), 200);
  EXPECT_GE(trace.count(gor::EventKind::GoYield), 200u) << "a yield between every read and its write";
}

TEST(RaceCounterSample, MutexAndChannelVariantsLoseNothing) {
  for (const char* variant : {"mutex", "channel"}) {
    for (int procs : {1, 2}) {
      SCOPED_TRACE(std::string(variant) + " procs " + std::to_string(procs));
      gor::TraceRecorder trace;
      SampleRun r = counter(variant, procs, &trace);
      ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
      EXPECT_EQ(r.outcome.metric("counter"), 200);
      EXPECT_EQ(r.outcome.metric("lost"), 0);
      if (std::string(variant) == "mutex") {
        // The same yield inside the critical section: the gap is there, yet nothing is lost.
        EXPECT_GE(trace.count(gor::EventKind::GoYield), 200u);
      }
    }
  }
}

}  // namespace
}  // namespace goroscope
