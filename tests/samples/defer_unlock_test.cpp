// defer_unlock_test.cpp — manual Unlock skipped by an early return deadlocks the program with
// the workers in sync.Mutex.Lock; the deferred unlock (std::lock_guard) survives early
// returns and recovered panics.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(DeferUnlockSample, ManualUnlockSkippedByAnEarlyReturnDeadlocks) {
  SampleRun r = testing::run("defer-unlock", {{"variant", "manual"}, {"workers", "3"}, {"amounts", "20"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Deadlock) << r.result.message;
  EXPECT_EQ(r.result.message, "all goroutines are asleep - deadlock!");
  EXPECT_NE(r.result.dump.find("[sync.Mutex.Lock]"), std::string::npos) << r.result.dump;
  EXPECT_NE(r.result.dump.find("[sync.WaitGroup.Wait]"), std::string::npos) << r.result.dump;
}

TEST(DeferUnlockSample, DeferredUnlockSurvivesReturnsAndPanics) {
  for (int procs : {1, 2}) {
    SampleRun r = testing::run("defer-unlock", {{"variant", "defer"}, {"workers", "3"}, {"amounts", "20"}}, procs);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
    // Amounts 1..60: multiples of 7 rejected (8), multiples of 11 but not 7 panic (5: 11..55).
    EXPECT_EQ(r.outcome.metric("rejected"), 8);
    EXPECT_EQ(r.outcome.metric("recovered"), 5);
    int64_t total = 0;
    for (int64_t x = 1; x <= 60; ++x)
      if (x % 7 != 0 && x % 11 != 0) total += x;
    EXPECT_EQ(r.outcome.metric("total"), static_cast<double>(total));
  }
}

}  // namespace
}  // namespace goroscope
