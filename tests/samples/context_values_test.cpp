// context_values_test.cpp — string keys clash (the library's "user" shadows the handler's in
// every request); keys of the program's own type never do; TODO behaves like Background.
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(ContextValuesSample, StringKeysClashTypedKeysDoNot) {
  SampleRun s = testing::run("context-values", {{"variant", "string-keys"}, {"requests", "5"}});
  ASSERT_EQ(s.result.status, gor::RunStatus::Ok) << s.result.message;
  EXPECT_EQ(s.outcome.metric("clobbered"), 5);
  EXPECT_EQ(s.outcome.metric("right_user"), 0);
  EXPECT_EQ(s.outcome.metric("right_id"), 5);
  SampleRun t = testing::run("context-values", {{"variant", "typed-keys"}, {"requests", "5"}});
  ASSERT_EQ(t.result.status, gor::RunStatus::Ok) << t.result.message;
  EXPECT_EQ(t.outcome.metric("clobbered"), 0);
  EXPECT_EQ(t.outcome.metric("right_user"), 5);
  EXPECT_EQ(t.outcome.metric("right_id"), 5);
  EXPECT_EQ(t.outcome.metric("todo_like_background"), 1);
}

}  // namespace
}  // namespace goroscope
