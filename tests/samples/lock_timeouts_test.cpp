// lock_timeouts_test.cpp — opposite lock orders deadlock two transfers (a partial deadlock the
// detector reports while main goes on); TryLock and a select with a timer back off and finish.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(LockTimeoutsSample, PlainLocksDeadlockThePair) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("lock-timeouts", {{"variant", "plain"}, {"rounds", "3"}, {"patience-ms", "400"}}, 2, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;  // main gave up and returned
  EXPECT_EQ(r.outcome.metric("stuck"), 1);
  EXPECT_LT(r.outcome.metric("transfers"), r.outcome.metric("expected"));
  EXPECT_GE(rec.count(gor::EventKind::PartialDeadlock), 1u) << "the detector names the cycle";
  EXPECT_EQ(r.result.leaked, 2u);
}

TEST(LockTimeoutsSample, TryLockAndTimeoutsBackOffAndFinish) {
  for (const char* variant : {"trylock", "timeout"}) {
    for (int procs : {1, 2}) {
      SCOPED_TRACE(std::string(variant) + " procs " + std::to_string(procs));
      SampleRun r = testing::run("lock-timeouts", {{"variant", variant}, {"rounds", "5"}, {"patience-ms", "10000"}},
                                 procs);
      ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
      EXPECT_EQ(r.outcome.metric("stuck"), 0);
      EXPECT_EQ(r.outcome.metric("transfers"), 10);
      EXPECT_EQ(r.outcome.metric("sum"), 200);
      EXPECT_EQ(r.result.leaked, 0u);
    }
  }
}

}  // namespace
}  // namespace goroscope
