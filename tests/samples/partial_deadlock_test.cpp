// partial_deadlock_test.cpp — the AB/BA lock cycle is found and named by the partial-deadlock
// detector while the reporter keeps running; one lock order fixes it.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(PartialDeadlockSample, BuggyVariantIsFoundAndNamedWhileTheRestRuns) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("partial-deadlock", {{"variant", "buggy"}, {"ticks", "10"}}, 2, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("ticks"), 10) << "the rest of the program kept working";
  EXPECT_EQ(r.outcome.metric("transfers_done"), 0);
  EXPECT_EQ(r.result.leaked, 2u) << "the two transfers never finish";
  size_t found = 0;
  for (const gor::Event& e : rec.events()) {
    if (e.kind != gor::EventKind::PartialDeadlock) continue;
    ++found;
    EXPECT_EQ(e.a1, 2u) << "a cycle of two goroutines";
    const std::string text = rec.string(e.a2);
    EXPECT_NE(text.find("accounts"), std::string::npos) << text;
    EXPECT_NE(text.find("ledger"), std::string::npos) << text;
  }
  EXPECT_EQ(found, 1u) << "reported once";
}

TEST(PartialDeadlockSample, OneLockOrderFinishesBothTransfers) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("partial-deadlock", {{"variant", "fixed"}, {"ticks", "10"}}, 2, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_EQ(r.outcome.metric("transfers_done"), 2);
  EXPECT_EQ(r.result.leaked, 0u);
  EXPECT_EQ(rec.count(gor::EventKind::PartialDeadlock), 0u);
}

}  // namespace
}  // namespace goroscope
