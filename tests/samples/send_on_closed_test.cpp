// send_on_closed_test.cpp — buggy: the run panics "send on closed channel"; fixed: all values arrive.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(SendOnClosedSample, BuggyVariantPanics) {
  SampleRun r = testing::run("send-on-closed", {{"variant", "buggy"}, {"values", "2"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.result.message, "send on closed channel");
  EXPECT_NE(r.result.panicking_goid, 1u) << "a producer panics, not main";
}

TEST(SendOnClosedSample, FixedVariantDeliversEverything) {
  SampleRun r = testing::run("send-on-closed", {{"variant", "fixed"}, {"values", "2"}, {"producers", "4"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("expected"), 2 * (1 + 2 + 3 + 4));
  EXPECT_EQ(r.outcome.metric("received"), r.outcome.metric("expected"));
  EXPECT_EQ(r.result.leaked, 0u);
}

}  // namespace
}  // namespace goroscope
