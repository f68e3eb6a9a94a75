// chan_mutex_test.cpp — a channel of capacity 1 and a sync.Mutex both make the increments
// exclusive (the count is exact); waiters park in "chan send" on the channel and in
// "sync.Mutex.Lock" on the mutex; with the race detector on neither reports a race.
#include <gor/detail/park.hpp>  // WaitReason, the code in GoBlock events

#include "run_sample.hpp"

namespace goroscope {
namespace {

size_t blocks(const gor::TraceRecorder& rec, gor::detail::WaitReason r) {
  size_t n = 0;
  for (const gor::Event& e : rec.events())
    if (e.kind == gor::EventKind::GoBlock && e.a0 == static_cast<uint64_t>(r)) ++n;
  return n;
}

class ChanMutexSample : public ::testing::TestWithParam<int> {};

TEST_P(ChanMutexSample, BothLocksCountExactlyAndWaitWhereGoWaits) {
  for (const char* variant : {"chan", "mutex"}) {
    SCOPED_TRACE(variant);
    gor::TraceRecorder rec;
    SampleRun r = testing::run("chan-mutex", {{"variant", variant}, {"goroutines", "4"}, {"rounds", "10"}},
                               GetParam(), &rec);
    ASSERT_EQ(r.result.status, gor::RunStatus::Ok) << r.result.message;
    EXPECT_EQ(r.outcome.metric("counter"), 40);
    EXPECT_EQ(r.outcome.metric("expected"), 40);
    using R = gor::detail::WaitReason;
    if (std::string(variant) == "chan") {
      EXPECT_GT(blocks(rec, R::ChanSend), 0u) << "lockers queue as blocked senders";
      EXPECT_EQ(blocks(rec, R::MutexLock), 0u);
    } else {
      EXPECT_GT(blocks(rec, R::MutexLock), 0u);
      EXPECT_EQ(blocks(rec, R::ChanSend), 0u);
    }
    SampleRun raced = testing::run("chan-mutex", {{"variant", variant}, {"goroutines", "3"}, {"rounds", "5"}},
                                   GetParam(), nullptr, /*race=*/true);
    EXPECT_EQ(raced.result.races, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Procs, ChanMutexSample, ::testing::Values(1, 2));

}  // namespace
}  // namespace goroscope
