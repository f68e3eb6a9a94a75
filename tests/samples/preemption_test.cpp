// preemption_test.cpp — sysmon requests preemption of a goroutine running more than 10 ms; a
// loop with a preemption point (an engine call, or an instrumented function's entry) lets the
// ticker run meanwhile, one with none keeps its only P to itself.
#include "run_sample.hpp"

namespace goroscope {
namespace {

class PreemptionSample : public ::testing::TestWithParam<int> {};

TEST_P(PreemptionSample, CooperativeLoopIsPreemptedAndOthersRunDuringIt) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("preemption", {{"variant", "cooperative"}, {"hog-ms", "80"}}, GetParam(), &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_GT(r.outcome.metric("iterations"), 0);
  EXPECT_GT(r.outcome.metric("ticks_during_hog"), 0) << "the ticker ran while the hog was looping";
  if (GetParam() == 1) {
    // One P: the ticker could only run because the hog was preempted.
    EXPECT_GT(r.result.preempt_requests, 0u);
    EXPECT_GT(rec.count(gor::EventKind::PreemptRequest), 0u);
    EXPECT_GT(rec.count(gor::EventKind::GoPreempted), 0u);
  }
  EXPECT_EQ(r.result.leaked, 0u);
}

TEST(PreemptionSampleNever, RequestsAreMadeButTheHogKeepsItsOnlyP) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("preemption", {{"variant", "never"}, {"hog-ms", "60"}}, 1, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_GT(r.result.preempt_requests, 0u) << "sysmon asks even if nobody listens";
  EXPECT_GT(rec.count(gor::EventKind::PreemptRequest), 0u);
  EXPECT_EQ(r.outcome.metric("ticks_during_hog"), 0) << "with one P the ticker starves until the loop ends";
  EXPECT_GT(r.outcome.metric("ticks"), 0);
}

// The `calls` variant is plain C++ (a loop calling a function of the sample, no engine call):
// the samples are compiled with -finstrument-functions, so the function's entry honours
// sysmon's request, and with one P the ticker still ticks while the hog loops (Go >= 1.14
// preempts even that loop; before prologue checks it starved the ticker as `never` does).
TEST(PreemptionSampleCalls, PlainCodeIsPreemptedAtFunctionEntries) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("preemption", {{"variant", "calls"}, {"hog-ms", "200"}}, 1, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_GT(r.outcome.metric("iterations"), 0);
  EXPECT_GT(r.result.preempt_requests, 0u);
  EXPECT_GT(rec.count(gor::EventKind::GoPreempted), 0u) << "the hog was preempted at a function entry";
  EXPECT_GT(r.outcome.metric("ticks_during_hog"), 1) << "the ticker ran on the only P while the hog looped";
  EXPECT_EQ(r.result.leaked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Procs, PreemptionSample, ::testing::Values(1, 2));

}  // namespace
}  // namespace goroscope
