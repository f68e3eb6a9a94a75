// happens_before_test.cpp — a plain flag written after the data: interleavings show no stale
// data, but the race detector reports the flag variant (the flag and the data); a channel
// publishes without a race.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(HappensBeforeSample, FlagPublishingWritesDataFirstSoInterleavingsShowNoStaleData) {
  // Data, then flag, as in the Go memory model document: every interleaving is sequentially
  // consistent here, so the reader never reads stale data (the bug is the race, below).
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    SampleRun r = testing::run("happens-before", {{"variant", "flag"}, {"rounds", "20"}}, procs);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.outcome.metric("stale"), 0);
    EXPECT_TRUE(r.outcome.failed_checks.empty());
  }
}

TEST(HappensBeforeSample, ChannelPublishingNeverDoes) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    gor::TraceRecorder trace;
    SampleRun r = testing::run("happens-before", {{"variant", "channel"}, {"rounds", "20"}}, procs, &trace);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.outcome.metric("stale"), 0);
    EXPECT_EQ(trace.count(gor::EventKind::ChanClose), 20u) << "one publication per round";
  }
}

TEST(HappensBeforeSample, FlagVariantEndsOnSeveralProcs) {
  SampleRun r = testing::run("happens-before", {{"variant", "flag"}, {"rounds", "20"}}, 2);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("rounds"), 20);
}

TEST(HappensBeforeSample, RaceDetectorReportsTheFlagAndTheData) {
  for (int procs : {1, 2, 4}) {
    SCOPED_TRACE(procs);
    SampleRun r = testing::run("happens-before", {{"variant", "flag"}, {"rounds", "10"}}, procs, nullptr, true);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    // Two distinct races, each reported once over all rounds: the reader's load of `ready`
    // against the writer's store, and its load of `data` against the writer's store.
    ASSERT_EQ(r.result.races, 2u);
    std::string all;
    for (const std::string& rep : r.result.race_reports) all += rep;
    EXPECT_NE(all.find("Location is Shared \"ready\" of size 1"), std::string::npos) << all;
    EXPECT_NE(all.find("Location is Shared \"data\" of size 8"), std::string::npos) << all;
    EXPECT_NE(all.find("happens_before.cpp:"), std::string::npos) << all;
  }
}

TEST(HappensBeforeSample, RaceDetectorFindsNothingWhenTheChannelPublishes) {
  for (int procs : {1, 2, 4}) {
    SCOPED_TRACE(procs);
    SampleRun r = testing::run("happens-before", {{"variant", "channel"}, {"rounds", "10"}}, procs, nullptr, true);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.result.races, 0u) << (r.result.race_reports.empty() ? "" : r.result.race_reports[0]);
    EXPECT_EQ(r.outcome.metric("stale"), 0);
  }
}

}  // namespace
}  // namespace goroscope
