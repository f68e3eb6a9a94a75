// work_stealing_test.cpp — a burst spawned on one P is stolen by the idle Ps: the trace has
// steal events and goroutines started on every P.
#include <set>
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class WorkStealingSample : public ::testing::TestWithParam<int> {};

TEST_P(WorkStealingSample, IdlePsStealAndWorkRunsOnEveryP) {
  const int procs = GetParam();
  gor::TraceRecorder rec;
  SampleRun r = testing::run("work-stealing", {{"tasks", "128"}, {"task-us", "2000"}}, procs, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  EXPECT_EQ(r.outcome.metric("done"), 128);
  EXPECT_EQ(r.outcome.metric("procs"), procs);
  EXPECT_GT(rec.count(gor::EventKind::Steal), 0u);
  EXPECT_GT(r.result.steals, 0u);
  std::set<int> ps;
  for (const gor::Event& e : rec.events())
    if (e.kind == gor::EventKind::GoStart && e.p >= 0) ps.insert(e.p);
  EXPECT_EQ(ps.size(), static_cast<size_t>(procs)) << "goroutines started on every P";
  // The sample prints what it measured, not a fixed sentence: the run's steal count and the
  // tasks that ran away from their spawner's thread.
  EXPECT_EQ(r.outcome.metric("steals"), static_cast<double>(r.result.steals));
  EXPECT_GT(r.outcome.metric("moved"), 0);
  bool printed = false;
  for (const std::string& line : r.outcome.lines)
    printed = printed || line == "steals in this run: " + std::to_string(r.result.steals);
  EXPECT_TRUE(printed);
  EXPECT_EQ(r.result.leaked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Procs, WorkStealingSample, ::testing::Values(2, 4));

}  // namespace
}  // namespace goroscope
