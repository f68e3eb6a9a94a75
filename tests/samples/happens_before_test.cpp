// happens_before_test.cpp — a plain flag lets the reader see stale data; a channel never does.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(HappensBeforeSample, FlagPublishingLetsTheReaderSeeStaleData) {
  // On one P the interleaving is forced: the writer's yield between flag and data lets the
  // reader run in between.
  SampleRun r = testing::run("happens-before", {{"variant", "flag"}, {"rounds", "20"}}, 1);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_GT(r.outcome.metric("stale"), 0);
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

}  // namespace
}  // namespace goroscope
