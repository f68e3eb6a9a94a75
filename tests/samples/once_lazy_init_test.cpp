// once_lazy_init_test.cpp — with Once the initialiser runs exactly once and every caller sees its
// value; the naive check-then-act runs it several times.
#include <gor/detail/park.hpp>  // WaitReason, the code in GoBlock events

#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(OnceLazyInitSample, InitialiserRunsExactlyOnceAndEveryCallerSeesIt) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE(procs);
    gor::TraceRecorder trace;
    SampleRun r = testing::run("once-lazy-init", {{"variant", "once"}, {"callers", "30"}, {"load-ms", "10"}}, procs, &trace);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.outcome.metric("loads"), 1);
    EXPECT_EQ(r.outcome.metric("saw_none"), 0);
    EXPECT_EQ(r.outcome.metric("distinct_configs"), 1);
    EXPECT_EQ(r.outcome.metric("final_config"), 1);
    // The load sleeps, so callers arriving meanwhile park until it finishes, in Once's mutex
    // ("sync.Mutex.Lock", as in Go 1.26; the sample has no other mutex).
    size_t once_waits = 0;
    for (const gor::Event& e : trace.events())
      if (e.kind == gor::EventKind::GoBlock && e.a0 == static_cast<uint64_t>(gor::detail::WaitReason::MutexLock)) ++once_waits;
    EXPECT_GE(once_waits, 1u);
  }
}

TEST(OnceLazyInitSample, NaiveCheckThenActLoadsMoreThanOnce) {
  SampleRun r = testing::run("once-lazy-init", {{"variant", "naive"}, {"callers", "30"}, {"load-ms", "10"}}, 1);
  ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
  EXPECT_GT(r.outcome.metric("loads"), 1);
  EXPECT_GT(r.outcome.metric("distinct_configs"), 1);
}

}  // namespace
}  // namespace goroscope
