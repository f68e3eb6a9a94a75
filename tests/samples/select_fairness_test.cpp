// select_fairness_test.cpp — with both channels always ready, each side wins 40-60% of selects.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(SelectFairnessSample, EachSideNearHalf) {
  SampleRun r = testing::run("select-fairness", {{"rounds", "4000"}});
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("left") + r.outcome.metric("right"), 4000);
  EXPECT_GE(r.outcome.metric("left_percent"), 40);
  EXPECT_LE(r.outcome.metric("left_percent"), 60);
  EXPECT_LT(r.outcome.metric("longest_streak"), 40) << "a fair coin rarely repeats 40 times";
}

}  // namespace
}  // namespace goroscope
