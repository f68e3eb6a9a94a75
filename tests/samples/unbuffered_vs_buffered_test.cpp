// unbuffered_vs_buffered_test.cpp — with a buffer as large as a burst, sends wait far less often.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(UnbufferedVsBufferedSample, SendersWaitFarLessWithABuffer) {
  SampleRun r = testing::run("unbuffered-vs-buffered", {{"items", "24"}, {"burst", "6"}, {"buffer", "6"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  const double unbuffered = r.outcome.metric("unbuffered_waited");
  const double buffered = r.outcome.metric("buffered_waited");
  // Unbuffered: only a send that finds the consumer already parked goes through at once.
  EXPECT_GE(unbuffered, 12) << "at least half of the 24 sends wait without a buffer";
  EXPECT_LE(buffered * 4, unbuffered) << "buffered " << buffered << " vs unbuffered " << unbuffered;
  for (const char* k : {"unbuffered", "buffered"}) {
    EXPECT_EQ(r.outcome.metric(std::string(k) + "_received"), 24) << k;
    EXPECT_EQ(r.outcome.metric(std::string(k) + "_in_order"), 1) << k;
  }
}

}  // namespace
}  // namespace goroscope
