// engine_contract_test.cpp — engine promises the other suites left untested or tested too
// weakly to fail: the C++ exception state really travelling to another OS thread with its
// goroutine, time dilation changed while running, Ticker::reset discarding a buffered tick
// (Go 1.23), and runs with non-default stack sizes using much of their stacks.
#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gor/gor.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

// ---------------------------------------------------------------------------------------
// Exception state across Ms

// thread_now() is the calling OS thread. Not inlined and with a barrier: pthread_self() is
// declared __attribute__((const)), so the compiler could otherwise reuse a value read
// before a goroutine blocked and resumed on another thread.
[[gnu::noinline]] std::thread::id thread_now() {
  asm volatile("" ::: "memory");
  return std::this_thread::get_id();
}

// block_until_migrated() blocks (sleep and yield in turn) until the goroutine runs on an OS
// thread other than `from`; false if that did not happen within a bounded number of blocks.
bool block_until_migrated(std::thread::id from) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  for (int i = 0; i < 100000 && std::chrono::steady_clock::now() < deadline; ++i) {
    if (i % 2 == 0) {
      gor::yield();
    } else {
      gor::sleep(20us);
    }
    if (thread_now() != from) return true;
  }
  return false;
}

// current_what() is what() of std::current_exception() ("<none>" / "<not std>").
std::string current_what() {
  std::exception_ptr e = std::current_exception();
  if (!e) return "<none>";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "<not std>";
  }
}

// Busy goroutines keep every M busy (so the traveller's wake-ups land on other threads) and
// each sits in its own catch block, checking that its own exception stays its own.
struct Busy {
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::atomic<int> running{0};
  // start() starts n busy goroutines (counted in wg) and returns once all are running.
  void start(int n, gor::WaitGroup& wg) {
    for (int k = 0; k < n; ++k) {
      wg.add(1);
      gor::go([this, k, &wg] {
        const std::string mine = "busy " + std::to_string(k);
        try {
          throw std::logic_error(mine);
        } catch (const std::logic_error&) {
          running.fetch_add(1);
          while (!stop.load(std::memory_order_relaxed)) {
            const auto until = std::chrono::steady_clock::now() + 50us;
            while (std::chrono::steady_clock::now() < until) {
            }
            gor::yield();
            if (current_what() != mine || std::uncaught_exceptions() != 0) wrong.fetch_add(1);
          }
        }
        wg.done();
      });
    }
    while (running.load() < n) gor::sleep(100us);  // all of them inside their catch block
  }
};

class ExceptionMigrationTest : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(Procs, ExceptionMigrationTest, ::testing::Values(2, 4),
                         [](const ::testing::TestParamInfo<int>& i) { return "P" + std::to_string(i.param); });

// A goroutine blocks inside a catch block until it resumes on another OS thread; there
// std::current_exception() and a rethrow still give the very exception it caught, and
// uncaught_exceptions() is 0. Then the same inside a nested catch (the caught-exception
// stack, two deep, travels), back in the outer catch after the inner one ended, and after
// both ended (no exception).
TEST_P(ExceptionMigrationTest, CaughtExceptionStackTravelsToAnotherThread) {
  std::atomic<int> migrations{0};
  gortest::run_ok(GetParam(), [&] {
    Busy busy;
    gor::WaitGroup wg;
    busy.start(2 * GetParam(), wg);
    gor::WaitGroup traveller;
    traveller.add(1);
    gor::go([&] {
      try {
        throw std::runtime_error("outer");
      } catch (const std::runtime_error& outer) {
        if (block_until_migrated(thread_now())) migrations.fetch_add(1);
        EXPECT_EQ(std::uncaught_exceptions(), 0);
        EXPECT_EQ(current_what(), "outer");
        try {
          throw;  // rethrows the exception this goroutine is handling: the same object
        } catch (const std::runtime_error& again) {
          EXPECT_EQ(&again, &outer);
        }
        try {
          throw std::out_of_range("inner");
        } catch (const std::out_of_range& inner) {
          if (block_until_migrated(thread_now())) migrations.fetch_add(1);
          EXPECT_EQ(std::uncaught_exceptions(), 0);
          EXPECT_EQ(current_what(), "inner");
          try {
            std::rethrow_exception(std::current_exception());
          } catch (const std::out_of_range& again) {
            EXPECT_EQ(&again, &inner);
          }
        }
        // The inner handler ended (on whatever thread): the outer exception is current again.
        if (block_until_migrated(thread_now())) migrations.fetch_add(1);
        EXPECT_EQ(current_what(), "outer");
      }
      if (block_until_migrated(thread_now())) migrations.fetch_add(1);
      EXPECT_EQ(std::current_exception(), nullptr);
      EXPECT_EQ(std::uncaught_exceptions(), 0);
      traveller.done();
    });
    traveller.wait();
    busy.stop.store(true);
    wg.wait();
    EXPECT_EQ(busy.wrong.load(), 0) << "a busy goroutine saw another's exception state";
  });
  EXPECT_EQ(migrations.load(), 4) << "the goroutine did not resume on another OS thread every time";
}

// Blocking in a destructor run by stack unwinding: std::uncaught_exceptions() is 1 there,
// before and after the goroutine moved to another thread, and the exception is then caught
// intact.
TEST_P(ExceptionMigrationTest, UncaughtCountTravelsDuringUnwinding) {
  std::atomic<int> migrated{0};
  std::atomic<int> uncaught_before{-1}, uncaught_after{-1};
  std::atomic<bool> caught{false};
  gortest::run_ok(GetParam(), [&] {
    Busy busy;
    gor::WaitGroup wg;
    busy.start(2 * GetParam(), wg);
    gor::WaitGroup traveller;
    traveller.add(1);
    gor::go([&] {
      struct BlockInDestructor {
        std::atomic<int>& migrated;
        std::atomic<int>& before;
        std::atomic<int>& after;
        ~BlockInDestructor() {
          before.store(std::uncaught_exceptions());
          if (block_until_migrated(thread_now())) migrated.fetch_add(1);
          after.store(std::uncaught_exceptions());
        }
      };
      try {
        BlockInDestructor b{migrated, uncaught_before, uncaught_after};
        throw std::runtime_error("unwinding");
      } catch (const std::runtime_error& e) {
        caught.store(std::string(e.what()) == "unwinding");
        EXPECT_EQ(std::uncaught_exceptions(), 0);
      }
      traveller.done();
    });
    traveller.wait();
    busy.stop.store(true);
    wg.wait();
    EXPECT_EQ(busy.wrong.load(), 0);
  });
  EXPECT_EQ(migrated.load(), 1) << "the goroutine did not resume on another OS thread";
  EXPECT_EQ(uncaught_before.load(), 1);
  EXPECT_EQ(uncaught_after.load(), 1);
  EXPECT_TRUE(caught.load());
}

// ---------------------------------------------------------------------------------------
// Dilation changed at runtime (gor::set_dilation). Only lower bounds on wall time, plus the
// exact relation engine elapsed * k <= wall elapsed around it (engine time is derived from
// the wall clock), which does not depend on load.

using Wall = std::chrono::steady_clock;

TEST(Dilation, SetDilationChangesTheEngineToWallRatioWhileRunning) {
  gor::Config cfg;
  cfg.procs = 2;
  cfg.dilation = 1.0;
  gor::RunResult r = gor::run(cfg, [] {
    // k = 1: a 20 ms sleep is 20 ms of wall time and of engine time.
    {
      const auto w0 = Wall::now();
      const auto e0 = gor::now();
      gor::sleep(20ms);
      EXPECT_GE(gor::now() - e0, 20ms);
      EXPECT_GE(Wall::now() - w0, 20ms);
    }
    const gor::TimePoint before_change = gor::now();
    gor::set_dilation(4.0);
    EXPECT_GE(gor::now(), before_change);  // engine time is continuous across the change
    // k = 4: a 20 ms engine sleep takes 80 ms of wall time (>= 60 asserted).
    {
      const auto w0 = Wall::now();
      const auto e0 = gor::now();
      gor::sleep(20ms);
      EXPECT_GE(gor::now() - e0, 20ms);
      EXPECT_GE(Wall::now() - w0, 60ms);
    }
    // k = 4: 40 ms of wall time spent outside the scheduler advance engine time by ~10 ms.
    {
      const auto w0 = Wall::now();
      const auto e0 = gor::now();
      gor::syscall([] { std::this_thread::sleep_for(40ms); });
      const auto e = gor::now() - e0;
      const auto w = Wall::now() - w0;
      EXPECT_GE(e, 9ms);
      EXPECT_LE(e * 4, w + 1ms) << "engine time ran faster than wall / 4";
    }
    const gor::TimePoint before_back = gor::now();
    gor::set_dilation(1.0);
    EXPECT_GE(gor::now(), before_back);
    // k = 1 again: 20 ms of wall time are 20 ms of engine time (5 ms if still at k = 4).
    {
      const auto w0 = Wall::now();
      const auto e0 = gor::now();
      gor::syscall([] { std::this_thread::sleep_for(20ms); });
      const auto e = gor::now() - e0;
      EXPECT_GE(e, 19ms);
      EXPECT_LE(e, Wall::now() - w0 + 1ms);
    }
    // Below 1: engine time runs faster than wall time (k = 0.5: 20 ms of wall are 40 ms).
    gor::set_dilation(0.5);
    {
      const auto e0 = gor::now();
      gor::syscall([] { std::this_thread::sleep_for(20ms); });
      EXPECT_GE(gor::now() - e0, 39ms);
    }
    gor::set_dilation(1.0);
    EXPECT_THROW(gor::set_dilation(0.001), std::invalid_argument);
    EXPECT_THROW(gor::set_dilation(0.0), std::invalid_argument);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_THROW(gor::set_dilation(2.0), std::logic_error);  // outside any run
}

// A goroutine asleep when the dilation goes down is woken by the new, faster clock: sleeping
// 2 ms of engine time at k = 1000 (2 s of wall time), it wakes a few ms after k drops to 1,
// well before the main goroutine's 400 ms wall-time check (a bound 100x the expected delay,
// so it cannot flake; only an M still waiting out the old 2 s deadline fails it).
TEST(Dilation, LoweringDilationWakesASleeperByTheNewClock) {
  for (int procs : {1, 2}) {
    SCOPED_TRACE("procs " + std::to_string(procs));
    gor::Config cfg;
    cfg.procs = procs;
    cfg.dilation = 1000.0;
    std::atomic<bool> woke{false};
    std::atomic<bool> woke_by_check{false};
    gor::RunResult r = gor::run(cfg, [&] {
      gor::WaitGroup wg;
      wg.add(1);
      gor::go([&] {
        gor::sleep(2ms);
        woke.store(true);
        wg.done();
      });
      gor::syscall([] { std::this_thread::sleep_for(20ms); });  // let the sleeper's M park
      EXPECT_FALSE(woke.load());
      gor::set_dilation(1.0);
      gor::syscall([] { std::this_thread::sleep_for(400ms); });
      woke_by_check.store(woke.load());
      wg.wait();
    });
    EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
    EXPECT_TRUE(woke_by_check.load()) << "the sleeper slept by the old dilation";
  }
}

// ---------------------------------------------------------------------------------------
// Ticker::reset with a tick already buffered (Go 1.23: no stale tick after reset returns).

class TickerResetTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(TickerResetTest);

// buffered() is how many values the timer channel's internal slot holds (its len() is 0, as
// Go 1.23's synchronous timer channels report).
size_t buffered(const gor::Chan<gor::TimePoint>& c) { return c.core()->count.load(); }

TEST_P(TickerResetTest, ResetDiscardsTheBufferedTick) {
  gortest::run_ok(GetParam(), [] {
    gor::Ticker tk(1ms);
    while (buffered(tk.chan()) == 0) gor::sleep(500us);
    ASSERT_EQ(buffered(tk.chan()), 1u);  // a tick from before the reset is buffered
    tk.reset(1h);
    // The next tick is an hour away: anything received now would be stale.
    EXPECT_EQ(buffered(tk.chan()), 0u);
    EXPECT_FALSE(tk.chan().try_recv().has_value());
    gor::sleep(5ms);  // and the old 1 ms schedule is gone too
    EXPECT_FALSE(tk.chan().try_recv().has_value());
  });
}

TEST_P(TickerResetTest, FirstTickAfterResetIsANewOne) {
  gortest::run_ok(GetParam(), [] {
    gor::Ticker tk(1ms);
    while (buffered(tk.chan()) == 0) gor::sleep(500us);
    const gor::TimePoint reset_at = gor::now();
    tk.reset(5ms);
    const gor::TimePoint first = tk.chan().recv();
    EXPECT_GE(first, reset_at + 5ms) << "received a tick sent before the reset";
    const gor::TimePoint second = tk.chan().recv();
    EXPECT_GE(second, reset_at + 10ms);  // the new period holds
    tk.stop();
  });
}

// reset racing with the ticker's own firing: after every reset(1h) nothing is received.
TEST_P(TickerResetTest, ResetRacingWithTicksNeverLeavesAStaleTick) {
  std::atomic<int> stale{0};
  gortest::run_ok(GetParam(), [&] {
    gor::Ticker tk(50us);
    for (int i = 0; i < gortest::sanitized_scale(300); ++i) {
      if (i % 3 != 0) gor::sleep(std::chrono::microseconds(i % 120));
      tk.reset(1h);
      if (tk.chan().try_recv().has_value()) stale.fetch_add(1);
      tk.reset(std::chrono::microseconds(20 + i % 60));
    }
    tk.stop();
  });
  EXPECT_EQ(stale.load(), 0);
}

// ---------------------------------------------------------------------------------------
// Non-default stack sizes.

// use_stack() fills an N-byte local array with a pattern, blocks with it live (other
// goroutines run on neighbouring stacks meanwhile), then checks the pattern is intact.
template <size_t N>
[[gnu::noinline]] bool use_stack(int seed, const gor::Chan<int>& gate) {
  volatile unsigned char buf[N];
  for (size_t i = 0; i < N; ++i) buf[i] = static_cast<unsigned char>((seed * 131 + i * 7) & 0xff);
  (void)gate.recv();  // closed by main once every goroutine filled its array
  for (size_t i = 0; i < N; ++i) {
    if (buf[i] != static_cast<unsigned char>((seed * 131 + i * 7) & 0xff)) return false;
  }
  return true;
}

template <size_t Array>
void check_stack_size(size_t stack_size, int procs) {
  SCOPED_TRACE("stack " + std::to_string(stack_size / 1024) + " KiB, array " + std::to_string(Array / 1024) +
               " KiB, procs " + std::to_string(procs));
  constexpr int kG = 48;
  std::atomic<int> intact{0};
  gor::Config cfg;
  cfg.procs = procs;
  cfg.stack_size = stack_size;
  gor::RunResult r = gor::run(cfg, [&] {
    auto gate = gor::make_chan<int>();
    gor::WaitGroup filled, done;
    for (int i = 0; i < kG; ++i) {
      filled.add(1);
      done.add(1);
      gor::go([&, i, gate] {
        filled.done();  // counted before the fill; main also waits for the goroutines to block
        if (use_stack<Array>(i, gate)) intact.fetch_add(1);
        done.done();
      });
    }
    filled.wait();
    gor::sleep(5ms);  // every goroutine reaches its receive with its array filled
    gate.close();
    done.wait();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message << "\n" << r.dump;
  EXPECT_EQ(intact.load(), kG);
}

TEST(StackSize, SixtyFourKiBStacksHoldA32KiBArray) {
  for (int procs : {1, 2}) check_stack_size<32 * 1024>(64 * 1024, procs);
}

// 128 KiB of locals would overflow the default 128 KiB stack: this needs the 256 KiB.
TEST(StackSize, TwoHundredFiftySixKiBStacksHoldA160KiBArray) {
  for (int procs : {1, 2}) check_stack_size<160 * 1024>(256 * 1024, procs);
}

// Stacks are reused across runs of different sizes (the pool keys them by size).
TEST(StackSize, AlternatingSizesAcrossRuns) {
  check_stack_size<32 * 1024>(64 * 1024, 2);
  check_stack_size<160 * 1024>(256 * 1024, 2);
  check_stack_size<32 * 1024>(64 * 1024, 2);
}

}  // namespace
