// producer_consumer_test.cpp — every value arrives exactly once, in the order it was sent.
#include "run_sample.hpp"

namespace goroscope {
namespace {

void expect_all_in_order(const SampleRun& r, double values) {
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("received"), values);
  EXPECT_EQ(r.outcome.metric("out_of_order"), 0);
  EXPECT_EQ(r.outcome.metric("last"), values);
  EXPECT_EQ(r.outcome.metric("sum"), values * (values + 1) / 2);
  EXPECT_EQ(r.result.leaked, 0u);
}

TEST(ProducerConsumerSample, EveryValueArrivesOnceInOrderUnbuffered) {
  gor::TraceRecorder trace;
  SampleRun r = testing::run("producer-consumer", {{"values", "30"}, {"produce-ms", "1"}, {"consume-ms", "0"}}, 0, &trace);
  expect_all_in_order(r, 30);
  // The run's only channel is `numbers`: one send and one receive event per value handed over.
  EXPECT_EQ(trace.count(gor::EventKind::ChanSend), 30u);
  EXPECT_EQ(trace.count(gor::EventKind::ChanRecv), 30u);
  EXPECT_EQ(trace.count(gor::EventKind::ChanClose), 1u);
}

TEST(ProducerConsumerSample, EveryValueArrivesOnceInOrderBuffered) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    expect_all_in_order(testing::run("producer-consumer",
                                     {{"values", "200"}, {"buffer", "16"}, {"produce-ms", "0"}, {"consume-ms", "0"}},
                                     procs),
                        200);
  }
}

}  // namespace
}  // namespace goroscope
