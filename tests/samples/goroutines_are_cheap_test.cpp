// goroutines_are_cheap_test.cpp — all goroutines run and were alive at once; the memory figure
// is measured (from VmRSS), not assumed.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(GoroutinesAreCheapSample, AllFinishAndMemoryIsMeasured) {
  SampleRun r = testing::run("goroutines-are-cheap", {{"count", "5000"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("ran"), 5000);
  EXPECT_EQ(r.outcome.metric("alive_at_once"), 5000);
  EXPECT_GE(r.result.goroutines_created, 5001u);
  EXPECT_EQ(r.result.leaked, 0u);
  ASSERT_EQ(r.outcome.metric("memory_measured"), 1) << "VmRSS should be readable on Linux";
  EXPECT_GT(r.outcome.metric("bytes_per_goroutine"), 0);
  // Cheap means a few KiB of memory each (the stack is virtual and committed lazily; Go starts
  // at 2 KiB), far below a thread's default 8 MiB stack; and goroutines are not threads: the
  // run used about one OS thread per P (plus sysmon and a spare), not one per goroutine.
  EXPECT_LT(r.outcome.metric("bytes_per_goroutine"), 16 * 1024);
  EXPECT_LE(r.result.max_threads, 2 + 3) << "threads ~ procs (2), not goroutines (5000)";
  EXPECT_GT(r.outcome.metric("spawn_ns_per_goroutine"), 0);
}

}  // namespace
}  // namespace goroscope
