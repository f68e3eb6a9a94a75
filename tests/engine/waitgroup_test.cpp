// waitgroup_test.cpp — gor::WaitGroup: the intent of Go's sync/waitgroup_test.go.
#include <atomic>
#include <chrono>
#include <type_traits>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;
using gortest::run_on;

static_assert(!std::is_copy_constructible_v<gor::WaitGroup> && !std::is_move_constructible_v<gor::WaitGroup>);

class WaitGroupTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(WaitGroupTest);

// Go's testWaitGroup: n waiters on wg1 are released only after n done() calls.
TEST_P(WaitGroupTest, WaitsForAll) {
  run_ok(GetParam(), [] {
    constexpr int kN = 16;
    gor::WaitGroup wg1, wg2;
    std::atomic<int> passed{0}, done_calls{0};
    std::atomic<bool> early{false};
    wg1.add(kN);
    wg2.add(kN);
    for (int i = 0; i < kN; ++i) {
      gor::go([&] {
        wg1.done();
        wg2.wait();
        passed.fetch_add(1);
      });
    }
    wg1.wait();
    for (int i = 0; i < kN; ++i) {
      if (passed.load() != 0) early = true;
      done_calls.fetch_add(1);
      wg2.done();
    }
    EXPECT_FALSE(early.load()) << "a waiter passed before the counter reached zero";
    gortest::spin_until([&] { return passed.load() == kN; });
    EXPECT_EQ(passed.load(), kN);
  });
}

TEST_P(WaitGroupTest, ZeroCounterDoesNotBlock) {
  run_ok(GetParam(), [] {
    gor::WaitGroup wg;
    wg.wait();
    wg.add(2);
    wg.done();
    wg.done();
    wg.wait();
  });
}

TEST(WaitGroupPanic, NegativeCounterCatchable) {
  run_ok(1, [] {
    gor::WaitGroup wg;
    wg.add(1);
    wg.done();
    try {
      wg.done();
      ADD_FAILURE() << "no panic";
    } catch (const gor::Panic& p) {
      EXPECT_STREQ(p.what(), "sync: negative WaitGroup counter");
    }
  });
}

TEST(WaitGroupPanic, NegativeCounterEndsRun) {
  gor::RunResult r = run_on(1, [] {
    gor::WaitGroup wg;
    wg.add(-1);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "sync: negative WaitGroup counter");
}

// A WaitGroup on main's stack dies right after wait() returns, round after round, with
// several waiters: done() must not touch it after releasing them (asan checks).
TEST_P(WaitGroupTest, DestroyedRightAfterWait) {
  run_ok(GetParam(), [] {
    for (int round = 0; round < 500; ++round) {
      gor::WaitGroup outer;
      {
        gor::WaitGroup wg;
        wg.add(2);
        outer.add(2);
        gor::go([&] { wg.done(); });
        gor::go([&] { wg.done(); });
        // A second waiter that main waits for before wg dies.
        gor::go([&] {
          wg.wait();
          outer.done();
        });
        gor::go([&] { outer.done(); });
        wg.wait();
        outer.wait();
      }
    }
    // Heap-allocated: the last waiter to return frees it.
    for (int round = 0; round < 500; ++round) {
      auto* wg = new gor::WaitGroup;
      wg->add(1);
      gor::go([wg] { wg->done(); });
      wg->wait();
      delete wg;
    }
  });
}
