// blocking_syscalls_test.cpp — Ps stuck in blocking calls are handed off to other Ms: handoff
// events, and more OS threads than Ps during the calls; every call returns.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class BlockingSyscallsSample : public ::testing::TestWithParam<int> {};

TEST_P(BlockingSyscallsSample, PsAreHandedOffAndThreadsExceedProcs) {
  const int procs = GetParam();
  gor::TraceRecorder rec;
  SampleRun r = testing::run("blocking-syscalls", {{"callers", "4"}, {"calls", "2"}, {"call-ms", "30"}}, procs, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("calls"), 8);
  EXPECT_EQ(r.outcome.metric("procs"), procs);
  EXPECT_GT(r.result.syscall_handoffs, 0u);
  EXPECT_GT(rec.count(gor::EventKind::Handoff), 0u);
  EXPECT_GT(rec.count(gor::EventKind::SyscallEnter), 0u);
  EXPECT_GT(r.result.max_threads, procs) << "threads blocked in calls hold no P";
  EXPECT_GE(r.outcome.metric("beats"), 1);
  EXPECT_GE(r.outcome.metric("beats_during_calls"), 1) << "the heartbeat ticks while the calls block";
  // The sample prints the handoffs and the thread count (the text promises them).
  EXPECT_EQ(r.outcome.metric("syscall_handoffs"), static_cast<double>(r.result.syscall_handoffs));
  EXPECT_EQ(r.outcome.metric("max_threads"), r.result.max_threads);
  bool printed = false;
  for (const std::string& line : r.outcome.lines)
    printed = printed || line.rfind("P handoffs from blocked system calls: " + std::to_string(r.result.syscall_handoffs), 0) == 0;
  EXPECT_TRUE(printed);
  EXPECT_EQ(r.result.leaked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Procs, BlockingSyscallsSample, ::testing::Values(1, 2));

}  // namespace
}  // namespace goroscope
