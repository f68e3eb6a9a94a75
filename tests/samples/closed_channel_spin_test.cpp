// closed_channel_spin_test.cpp — selecting a closed channel spins; a nil channel stops it.
#include "run_sample.hpp"

namespace goroscope {
namespace {

SampleRun spin(const char* variant, int procs) {
  return testing::run("closed-channel-spin", {{"variant", variant}, {"values", "5"}, {"interval-ms", "20"}}, procs);
}

TEST(ClosedChannelSpinSample, BuggyLoopSpinsOrdersOfMagnitudeMoreThanFixed) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    SampleRun buggy = spin("buggy", procs);
    SampleRun fixed = spin("fixed", procs);
    ASSERT_EQ(buggy.result.status, gor::RunStatus::Ok) << buggy.result.message;
    ASSERT_EQ(fixed.result.status, gor::RunStatus::Ok) << fixed.result.message;
    // Both loops receive every value and end when both channels are closed...
    EXPECT_EQ(buggy.outcome.metric("received"), buggy.outcome.metric("expected"));
    EXPECT_EQ(fixed.outcome.metric("received"), fixed.outcome.metric("expected"));
    // ...but the fixed loop runs once per value plus once per close (3 + 5 + 2), while the buggy
    // loop takes the closed channel's case over and over for the ~100 ms the slow one stays open.
    EXPECT_EQ(fixed.outcome.metric("iterations"), 10);
    EXPECT_EQ(fixed.outcome.metric("closed_receives"), 2);
    EXPECT_GE(buggy.outcome.metric("iterations"), 100 * fixed.outcome.metric("iterations"));
    EXPECT_GE(buggy.outcome.metric("closed_receives"), 100 * fixed.outcome.metric("closed_receives"));
  }
}

}  // namespace
}  // namespace goroscope
