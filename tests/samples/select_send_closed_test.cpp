// select_send_closed_test.cpp — default never saves a send on a closed channel (every such
// select panics); with another ready case about half do; uncaught, the run panics at the select.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(SelectSendClosedSample, DefaultNeverRunsAndAReadyReceiveRunsAboutHalfTheTime) {
  SampleRun r = testing::run("select-send-closed", {{"variant", "recovered"}, {"tries", "200"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("panics_with_default"), 200);
  EXPECT_EQ(r.outcome.metric("defaults"), 0);
  EXPECT_EQ(r.outcome.metric("panics_with_other") + r.outcome.metric("others"), 200);
  // A fair coin 200 times: 60..140 holds with probability 1 - 1e-8.
  EXPECT_GE(r.outcome.metric("panics_with_other"), 60);
  EXPECT_LE(r.outcome.metric("panics_with_other"), 140);
}

TEST(SelectSendClosedSample, UncaughtPanicsAtTheSelect) {
  SampleRun r = testing::run("select-send-closed", {{"variant", "uncaught"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.result.message, "send on closed channel");
  EXPECT_NE(r.result.dump.find("\tsamples/select_send_closed.cpp:"), std::string::npos) << r.result.dump;
}

}  // namespace
}  // namespace goroscope
