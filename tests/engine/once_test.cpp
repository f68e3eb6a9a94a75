// once_test.cpp — gor::Once: the intent of Go's sync/once_test.go.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <type_traits>

#include "sync_test_util.hpp"

using namespace std::chrono_literals;
using gortest::ProcsTest;
using gortest::run_ok;

static_assert(!std::is_copy_constructible_v<gor::Once> && !std::is_move_constructible_v<gor::Once>);

class OnceTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(OnceTest);

// Many racers: fn runs once, and every caller sees its effect when call returns.
TEST_P(OnceTest, ExactlyOnceAllSeeResult) {
  std::atomic<int> runs{0}, wrong{0};
  run_ok(GetParam(), [&] {
    gor::Once once;
    int value = 0;  // plain: published by Once
    gor::WaitGroup wg;
    constexpr int kG = 20;
    wg.add(kG);
    for (int i = 0; i < kG; ++i) {
      gor::go([&] {
        once.call([&] {
          runs.fetch_add(1);
          gor::sleep(1ms);  // the others arrive while it runs and must wait
          value = 42;
        });
        if (value != 42) wrong.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
    EXPECT_TRUE(once.done());
  });
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(wrong.load(), 0);
}

// Go's TestOncePanic: a panicking fn counts as done; the panic reaches its caller only.
TEST_P(OnceTest, PanicCountsAsDone) {
  run_ok(GetParam(), [] {
    gor::Once once;
    try {
      once.call([] { throw gor::Panic("failed"); });
      ADD_FAILURE() << "no panic";
    } catch (const gor::Panic& p) {
      EXPECT_STREQ(p.what(), "failed");
    }
    bool ran = false;
    once.call([&] { ran = true; });
    EXPECT_FALSE(ran);
  });
}

// Waiters parked behind a panicking fn are released too.
TEST_P(OnceTest, WaitersReleasedWhenFnThrows) {
  std::atomic<int> released{0};
  run_ok(GetParam(), [&] {
    gor::Once once;
    gor::WaitGroup wg;
    std::atomic<bool> running{false};
    wg.add(4);
    gor::go([&] {
      try {
        once.call([&] {
          running = true;
          gor::sleep(2ms);
          throw std::runtime_error("boom");
        });
      } catch (const std::runtime_error&) {
      }
      wg.done();
    });
    for (int i = 0; i < 3; ++i) {
      gor::go([&] {
        gortest::spin_until([&] { return running.load(); });
        once.call([] { ADD_FAILURE() << "ran twice"; });
        released.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_EQ(released.load(), 3);
}

// A Once destroyed right after call returns, while the runner may still be finishing.
TEST_P(OnceTest, DestroyedRightAfterCall) {
  run_ok(GetParam(), [] {
    gor::WaitGroup wg;
    for (int round = 0; round < 300; ++round) {
      auto* once = new gor::Once;
      std::atomic<int> left{2};
      wg.add(2);
      for (int g = 0; g < 2; ++g) {
        gor::go([&, once] {
          once->call([] { gor::yield(); });
          if (left.fetch_sub(1) == 1) delete once;
          wg.done();
        });
      }
      wg.wait();
    }
  });
}
