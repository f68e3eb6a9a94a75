// send_on_closed_test.cpp — buggy: the run panics "send on closed channel" with the send on the
// panicking goroutine's entry; recover: the panic is recovered and the run goes on; double-close:
// "close of closed channel"; fixed: all values arrive.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(SendOnClosedSample, BuggyVariantPanics) {
  SampleRun r = testing::run("send-on-closed", {{"variant", "buggy"}, {"values", "2"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.result.message, "send on closed channel");
  EXPECT_NE(r.result.panicking_goid, 1u) << "a producer panics, not main";
  // The dump points at the send (the sample's text promises it).
  EXPECT_EQ(r.result.dump.find("goroutine " + std::to_string(r.result.panicking_goid) + " [running]"), 0u)
      << r.result.dump;
  EXPECT_NE(r.result.dump.find("\tsamples/send_on_closed.cpp:"), std::string::npos) << r.result.dump;
}

TEST(SendOnClosedSample, RecoverVariantRecoversAndTheRunGoesOn) {
  SampleRun r = testing::run("send-on-closed", {{"variant", "recover"}, {"values", "2"}, {"producers", "3"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_GE(r.outcome.metric("recovered"), 1) << "producers 2 and 3 send after producer 1 closed";
  EXPECT_LT(r.outcome.metric("received"), r.outcome.metric("expected"));
}

TEST(SendOnClosedSample, DoubleCloseVariantPanicsAtTheSecondClose) {
  SampleRun r = testing::run("send-on-closed", {{"variant", "double-close"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.result.message, "close of closed channel");
  EXPECT_NE(r.result.dump.find("\tsamples/send_on_closed.cpp:"), std::string::npos) << r.result.dump;
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
