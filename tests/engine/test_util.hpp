// test_util.hpp — helpers shared by the engine tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "gor/gor.hpp"
#include "gor/trace.hpp"

namespace gortest {

// sanitized_scale() shrinks stress sizes under the sanitizers, whose fiber switches are
// orders of magnitude slower (the counts asserted stay exact). TSan also counts every live
// goroutine as a thread and dies past 8128, so its sizes stay below 5000.
constexpr int sanitized_scale(int n) {
#if defined(GOR_TSAN)
  return n / 20 > 0 ? n / 20 : 1;
#elif defined(GOR_ASAN)
  return n / 10 > 0 ? n / 10 : 1;
#else
  return n;
#endif
}

// race_from_env() is whether GOR_TEST_RACE=1: then run_on() runs every program with the race
// detector on (the sync suites as a check that its hooks change no behaviour and report no
// race in correctly synchronised programs: GOR_TEST_RACE=1 engine_tests).
inline bool race_from_env() {
  const char* e = std::getenv("GOR_TEST_RACE");
  return e != nullptr && e[0] == '1';
}

// run_on() runs main as a program with `procs` Ps and returns the result.
inline gor::RunResult run_on(int procs, std::function<void()> main, uint64_t seed = 1) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = seed;
  cfg.race = race_from_env();
  return gor::run(cfg, std::move(main));
}

// run_ok() runs main and expects the run to end with status Ok (and no race).
inline gor::RunResult run_ok(int procs, std::function<void()> main, uint64_t seed = 1) {
  gor::RunResult r = run_on(procs, std::move(main), seed);
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message << "\n" << r.dump;
  EXPECT_EQ(r.races, 0u) << (r.race_reports.empty() ? "" : r.race_reports[0]);
  return r;
}

// run_traced() runs main with tracing on, every event recorded into rec.
inline gor::RunResult run_traced(int procs, gor::TraceRecorder& rec, std::function<void()> main, uint64_t seed = 7) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = seed;
  cfg.trace = true;
  cfg.observer = &rec;
  return gor::run(cfg, std::move(main));
}

// ProcsTest is the fixture for tests parameterised over procs = 1, 2, 4.
class ProcsTest : public ::testing::TestWithParam<int> {};

}  // namespace gortest

#define GOR_INSTANTIATE_PROCS(Fixture) \
  INSTANTIATE_TEST_SUITE_P(Procs, Fixture, ::testing::Values(1, 2, 4), \
                           [](const ::testing::TestParamInfo<int>& i) { return "P" + std::to_string(i.param); })
