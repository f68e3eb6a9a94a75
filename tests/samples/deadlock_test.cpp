// deadlock_test.cpp — buggy: a global deadlock reported as Go does; fixed: the range loop ends.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(DeadlockSample, BuggyVariantIsAGlobalDeadlock) {
  SampleRun r = testing::run("deadlock", {{"variant", "buggy"}, {"values", "3"}});
  EXPECT_EQ(r.result.status, gor::RunStatus::Deadlock);
  EXPECT_EQ(r.result.message, "all goroutines are asleep - deadlock!");
  EXPECT_NE(r.result.dump.find("goroutine 1 [chan receive]"), std::string::npos) << r.result.dump;
}

TEST(DeadlockSample, FixedVariantEnds) {
  SampleRun r = testing::run("deadlock", {{"variant", "fixed"}, {"values", "4"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("received"), 4);
  EXPECT_EQ(r.outcome.metric("sum"), 1 + 2 + 3 + 4);
}

}  // namespace
}  // namespace goroscope
