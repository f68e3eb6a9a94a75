// gomaxprocs_test.cpp — the goroutines running at once never outnumber the Ps of the current
// phase (nor the largest GOMAXPROCS set), and the trace records each GOMAXPROCS change.
#include <set>
#include <string>

#include "run_sample.hpp"

namespace goroscope {
namespace {

class GomaxprocsSample : public ::testing::TestWithParam<std::string> {};

TEST_P(GomaxprocsSample, RunningGoroutinesNeverExceedProcs) {
  gor::TraceRecorder rec;
  SampleRun r = testing::run("gomaxprocs", {{"schedule", GetParam()}, {"workers", "6"}, {"phase-ms", "60"},
                                            {"slice-us", "100"}},
                             0, &rec);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message << "\n" << r.result.dump;
  ASSERT_EQ(r.outcome.metric("phases"), 3);
  for (int i = 1; i <= 3; ++i) {
    const std::string ph = "phase" + std::to_string(i);
    EXPECT_LE(r.outcome.metric(ph + "_max_running"), r.outcome.metric(ph + "_procs")) << ph;
    EXPECT_GE(r.outcome.metric(ph + "_max_running"), 1) << ph << ": some work ran";
    EXPECT_GE(r.outcome.metric(ph + "_slices"), 1) << ph;
  }
  EXPECT_EQ(r.outcome.metric("violations"), 0);
  EXPECT_LE(r.outcome.metric("max_running"), r.outcome.metric("max_procs"));
  EXPECT_EQ(r.outcome.metric("max_procs"), 4);

  // Every phase's GOMAXPROCS appears as the new value of a Gomaxprocs event.
  EXPECT_GE(rec.count(gor::EventKind::Gomaxprocs), 2u);
  std::set<uint64_t> set_to;
  for (const gor::Event& e : rec.events())
    if (e.kind == gor::EventKind::Gomaxprocs) set_to.insert(e.a1);
  for (int i = 1; i <= 3; ++i) {
    const auto n = static_cast<uint64_t>(r.outcome.metric("phase" + std::to_string(i) + "_procs"));
    if (i > 1 || n != 1) EXPECT_TRUE(set_to.count(n)) << "no Gomaxprocs event setting " << n;
  }
  EXPECT_EQ(r.result.leaked, 0u);
}

INSTANTIATE_TEST_SUITE_P(Schedules, GomaxprocsSample, ::testing::Values("1,2,4", "4,2,1", "1,4,1"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == ',') c = '_';
                           return "procs_" + s;
                         });

}  // namespace
}  // namespace goroscope
