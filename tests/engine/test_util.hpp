// test_util.hpp — helpers shared by the engine tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "gor/gor.hpp"

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

// run_on() runs main as a program with `procs` Ps and returns the result.
inline gor::RunResult run_on(int procs, std::function<void()> main, uint64_t seed = 1) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = seed;
  return gor::run(cfg, std::move(main));
}

// run_ok() runs main and expects the run to end with status Ok.
inline gor::RunResult run_ok(int procs, std::function<void()> main, uint64_t seed = 1) {
  gor::RunResult r = run_on(procs, std::move(main), seed);
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message << "\n" << r.dump;
  return r;
}

// ProcsTest is the fixture for tests parameterised over procs = 1, 2, 4.
class ProcsTest : public ::testing::TestWithParam<int> {};

}  // namespace gortest

#define GOR_INSTANTIATE_PROCS(Fixture) \
  INSTANTIATE_TEST_SUITE_P(Procs, Fixture, ::testing::Values(1, 2, 4), \
                           [](const ::testing::TestParamInfo<int>& i) { return "P" + std::to_string(i.param); })
