// context_cancellation_test.cpp — cancelling the root stops every goroutine of the tree, none
// starts work after cancel() returned; a timed-out root stops them all with DeadlineExceeded.
#include <set>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class ContextCancellationSample : public ::testing::TestWithParam<int> {};

TEST_P(ContextCancellationSample, CancellingTheRootStopsEveryWorker) {
  SampleRun r = testing::run("context-cancellation",
                             {{"workers", "5"}, {"helpers", "3"}, {"cancel-after-ms", "60"}, {"timeout-ms", "5000"},
                              {"step-ms", "5"}},
                             GetParam());
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("goroutines"), 20);
  EXPECT_EQ(r.outcome.metric("stopped"), 20) << "every goroutine of the tree returns";
  EXPECT_EQ(r.outcome.metric("canceled"), 20) << "each saw err() == Canceled";
  EXPECT_EQ(r.outcome.metric("deadline_exceeded"), 0);
  EXPECT_EQ(r.outcome.metric("late_steps"), 0) << "no goroutine started work after cancel() returned";
  EXPECT_GE(r.outcome.metric("steps"), 20) << "each did at least one step before the cancel";
  EXPECT_EQ(r.result.leaked, 0u);
}

// Each goroutine waits on one Ticker, not on a new after() per step (the pattern the timeouts
// sample warns about): the trace arms no after() timer at all, and one ticker per goroutine.
TEST(ContextCancellationSampleTimers, WorkersWaitOnATickerNotOnAfterInALoop) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("context-cancellation",
                             {{"workers", "3"}, {"helpers", "2"}, {"cancel-after-ms", "40"}, {"timeout-ms", "5000"},
                              {"step-ms", "5"}},
                             2, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  size_t after_adds = 0;
  std::set<uint64_t> tickers;
  for (const gor::Event& e : rec.events()) {
    if (e.kind != gor::EventKind::TimerAdd) continue;
    if ((e.a2 & 0xff) == static_cast<uint64_t>(gor::TimerCode::After)) ++after_adds;
    if ((e.a2 & 0x100) != 0) tickers.insert(e.a0);
  }
  EXPECT_EQ(after_adds, 0u);
  EXPECT_EQ(tickers.size(), static_cast<size_t>(r.outcome.metric("goroutines")));
}

TEST_P(ContextCancellationSample, TimedOutRootStopsEveryWorkerWithDeadlineExceeded) {
  SampleRun r = testing::run("context-cancellation",
                             {{"workers", "3"}, {"helpers", "2"}, {"ending", "timeout"}, {"timeout-ms", "60"},
                              {"step-ms", "5"}},
                             GetParam());
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("stopped"), 9);
  EXPECT_EQ(r.outcome.metric("deadline_exceeded"), 9) << "the root's deadline reaches the leaves despite their 1 s";
  EXPECT_EQ(r.outcome.metric("canceled"), 0);
  EXPECT_EQ(r.result.leaked, 0u);
}

TEST(ContextCancellationSampleDefaults, EndsWithEveryWorkerStopped) {
  SampleRun r = testing::run("context-cancellation");
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("stopped"), r.outcome.metric("goroutines"));
  EXPECT_EQ(r.outcome.metric("late_steps"), 0);
}

INSTANTIATE_TEST_SUITE_P(Procs, ContextCancellationSample, ::testing::Values(1, 2, 4));

}  // namespace
}  // namespace goroscope
