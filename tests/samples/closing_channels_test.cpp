// closing_channels_test.cpp — no panic; every job reaches a receiver; a done channel stops every
// sender and each value sent was consumed.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(ClosingChannelsSample, RangeDrainsAndDoneStopsEverySender) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    SampleRun r = testing::run("closing-channels", {{"receivers", "3"}, {"jobs", "25"}, {"senders", "4"}, {"wanted", "12"}},
                               procs);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
    // Part 1: the single sender's close ends every receiver's range loop after the last job.
    EXPECT_EQ(r.outcome.metric("part1_received"), 25);
    EXPECT_EQ(r.outcome.metric("part1_sum"), 25 * 26 / 2);
    // Part 2: the receiver got what it wanted; every successful send was a consumed value
    // (the channel is unbuffered), and every sender returned after done was closed.
    EXPECT_EQ(r.outcome.metric("part2_consumed"), 12);
    EXPECT_EQ(r.outcome.metric("part2_sent"), 12);
    EXPECT_EQ(r.outcome.metric("part2_senders_stopped"), 4);
    EXPECT_EQ(r.result.leaked, 0u);
  }
}

TEST(ClosingChannelsSample, CloseIsTracedOncePerChannel) {
  gor::TraceRecorder trace;
  SampleRun r = testing::run("closing-channels", {{"receivers", "2"}, {"jobs", "5"}, {"senders", "2"}, {"wanted", "3"}}, 0,
                             &trace);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(trace.count(gor::EventKind::ChanClose), 2u) << "jobs by its sender, done by the receiver";
}

}  // namespace
}  // namespace goroscope
