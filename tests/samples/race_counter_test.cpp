// race_counter_test.cpp — the unsynchronised counter loses updates when a worker is switched
// out between its read and its write, and the race detector reports it; the Mutex and channel
// versions lose none and are reported race-free. (tests/explore: exploration finds the loss.)
#include <memory>
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

SampleRun counter(const char* variant, int procs, gor::TraceObserver* trace = nullptr, bool race = false) {
  return testing::run("race-counter", {{"variant", variant}, {"workers", "4"}, {"increments", "50"}}, procs, trace,
                      race);
}

// AlwaysPreempt forces a preemption at every goroutine scheduling point of a deterministic run
// (Config::preemption_points): each worker is switched out between its read and its write.
class AlwaysPreempt : public gor::Strategy {
 public:
  uint32_t choose(const gor::ChoicePoint& p) override { return p.kind == gor::ChoiceKind::Preempt ? 1 : 0; }
};

SampleRun switched_between_read_and_write(const char* variant) {
  const Sample* s = find_sample("race-counter");
  SampleParams params(s->info);
  params.parse("variant", variant);
  params.parse("workers", "4");
  params.parse("increments", "50");
  gor::Config cfg = sample_config(*s);
  cfg.procs = 1;
  cfg.seed = 1;
  cfg.deterministic = true;
  cfg.preemption_points = true;
  cfg.strategy = std::make_shared<AlwaysPreempt>();
  return run_sample(*s, params, cfg);
}

TEST(RaceCounterSample, RacyVariantLosesUpdatesWhenSwitchedBetweenReadAndWrite) {
  SampleRun r = switched_between_read_and_write("racy");
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("expected"), 200);
  EXPECT_GT(r.outcome.metric("lost"), 0);
  EXPECT_EQ(r.outcome.metric("counter") + r.outcome.metric("lost"), 200);
  ASSERT_EQ(r.outcome.failed_checks.size(), 1u);
  EXPECT_EQ(r.outcome.failed_checks[0].invariant, "counter == workers x increments");
}

TEST(RaceCounterSample, MutexAndChannelVariantsLoseNothing) {
  for (const char* variant : {"mutex", "channel"}) {
    SCOPED_TRACE(variant);
    SampleRun forced = switched_between_read_and_write(variant);
    ASSERT_EQ(forced.result.status, gor::RunStatus::Ok) << forced.result.message;
    EXPECT_EQ(forced.outcome.metric("lost"), 0);
    EXPECT_TRUE(forced.outcome.failed_checks.empty());
    for (int procs : {1, 2}) {
      SCOPED_TRACE(procs);
      SampleRun r = counter(variant, procs);
      ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
      EXPECT_EQ(r.outcome.metric("counter"), 200);
      EXPECT_EQ(r.outcome.metric("lost"), 0);
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
