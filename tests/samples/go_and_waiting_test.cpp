// go_and_waiting_test.cpp — main returning early leaks its workers; waiting for them does not.
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(GoAndWaitingSample, BuggyMainReturnsEarlyAndLeaksItsWorkers) {
  gor::TraceRecorder trace;
  SampleRun r = testing::run("go-and-waiting", {{"variant", "buggy"}, {"workers", "4"}, {"work-ms", "20"}}, 0, &trace);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_GT(r.result.leaked, 0u) << "the workers were still asleep when main returned";
  EXPECT_LT(r.outcome.metric("finished"), 4) << "main did not wait, so not all work was done";
  // The trace tells the same story: main's annotation, and no worker ever reached its end.
  bool returned_early = false;
  for (const gor::Event& e : trace.events())
    if (e.kind == gor::EventKind::Log && trace.string(e.a0) == "main returns without waiting") returned_early = true;
  EXPECT_TRUE(returned_early);
  EXPECT_GE(trace.count(gor::EventKind::GoCreate), 4u);
}

class GoAndWaitingFixed : public ::testing::TestWithParam<const char*> {};

TEST_P(GoAndWaitingFixed, MainWaitsForEveryWorker) {
  for (int procs : {1, 2}) {
    SampleRun r = testing::run("go-and-waiting", {{"variant", GetParam()}, {"workers", "6"}, {"work-ms", "2"}}, procs);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.result.leaked, 0u) << "procs " << procs;
    EXPECT_EQ(r.outcome.metric("finished"), 6) << "procs " << procs;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, GoAndWaitingFixed, ::testing::Values("fixed-waitgroup", "fixed-done-channel"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace goroscope
