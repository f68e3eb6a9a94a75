// race_counter_test.cpp — the unsynchronised counter loses updates and the race detector
// reports it; the Mutex and channel versions lose none and are reported race-free.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

SampleRun counter(const char* variant, int procs, gor::TraceObserver* trace = nullptr, bool race = false) {
  return testing::run("race-counter", {{"variant", variant}, {"workers", "4"}, {"increments", "50"}}, procs, trace,
                      race);
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

TEST(RaceCounterSample, RaceDetectorReportsTheRacyCounterOnce) {
  for (int procs : {1, 2, 4}) {
    SCOPED_TRACE(procs);
    gor::TraceRecorder trace;
    SampleRun r = counter("racy", procs, &trace, /*race=*/true);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    // The load and the store of `counter++` are two sites: read/write and write/write races
    // between workers pair them as (load, store) and (store, store).
    ASSERT_EQ(r.result.races, 2u);
    ASSERT_EQ(r.result.race_reports.size(), 2u);
    EXPECT_EQ(trace.count(gor::EventKind::Race), 2u);
    for (const std::string& rep : r.result.race_reports) {
      EXPECT_NE(rep.find("WARNING: DATA RACE"), std::string::npos) << rep;
      EXPECT_NE(rep.find("Location is Shared \"counter\" of size 8"), std::string::npos) << rep;
      EXPECT_NE(rep.find("race_counter.cpp:"), std::string::npos) << rep;
      EXPECT_NE(rep.find(") created at:"), std::string::npos) << rep;
    }
    if (procs == 1) {
      EXPECT_GT(r.outcome.metric("lost"), 0);  // the detector changes nothing in the program
    }
  }
}

TEST(RaceCounterSample, RaceDetectorFindsNothingInTheFixedVariants) {
  for (const char* variant : {"mutex", "channel"}) {
    for (int procs : {1, 2, 4}) {
      SCOPED_TRACE(std::string(variant) + " procs " + std::to_string(procs));
      SampleRun r = counter(variant, procs, nullptr, /*race=*/true);
      ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
      EXPECT_EQ(r.result.races, 0u) << (r.result.race_reports.empty() ? "" : r.result.race_reports[0]);
      EXPECT_EQ(r.outcome.metric("lost"), 0);
    }
  }
}

}  // namespace
}  // namespace goroscope
