// time_test.cpp — after, Timer and Ticker (Go 1.23 semantics, engine time). Only ordering is
// asserted, never how late a timer fired.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace std::chrono_literals;
using gortest::run_ok;

namespace {

class TimeTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(TimeTest);

// expect_panic() runs fn and expects a gor::Panic with exactly `text`.
template <class F>
void expect_panic(F&& fn, const std::string& text) {
  try {
    fn();
    ADD_FAILURE() << "no panic, expected: " << text;
  } catch (const gor::Panic& p) {
    EXPECT_EQ(std::string(p.what()), text);
  }
}

TEST_P(TimeTest, AfterDeliversOnceNoEarlierThanD) {
  run_ok(GetParam(), [] {
    const gor::TimePoint start = gor::now();
    gor::Chan<gor::TimePoint> c = gor::after(5ms);
    EXPECT_EQ(c.cap(), 0u);  // Go 1.23: timer channels are synchronous
    const gor::TimePoint v = c.recv();
    EXPECT_GE(v, start + 5ms);
    EXPECT_GE(gor::now(), v);
    gor::sleep(15ms);
    EXPECT_FALSE(c.try_recv().has_value()) << "after() delivered twice";
  });
}

TEST_P(TimeTest, ShortAfterFiresBeforeLongAfter) {
  run_ok(GetParam(), [] {
    for (int i = 0; i < 5; ++i) {
      auto fast = gor::after(1ms);
      gor::Timer slow(200ms);  // a Timer, so nothing stays pending when the run ends
      EXPECT_EQ(gor::select(gor::on_recv(slow.chan()), gor::on_recv(fast)), 1);
    }
  });
}

TEST_P(TimeTest, ManyConcurrentAfters) {
  run_ok(GetParam(), [] {
    constexpr int kN = 100;
    auto results = gor::make_chan<bool>(kN);
    for (int i = 0; i < kN; ++i) {
      gor::go([results, i] {
        const auto d = std::chrono::microseconds(100 * (i % 17));
        const gor::TimePoint start = gor::now();
        const gor::TimePoint v = gor::after(d).recv();
        results.send(v >= start + d);
      });
    }
    for (int i = 0; i < kN; ++i) EXPECT_TRUE(results.recv());
  });
}

TEST_P(TimeTest, TimerFires) {
  run_ok(GetParam(), [] {
    const gor::TimePoint start = gor::now();
    gor::Timer t(3ms);
    EXPECT_GE(t.chan().recv(), start + 3ms);
  });
}

TEST_P(TimeTest, TimerStopBeforeFireReturnsTrueAndNothingArrives) {
  run_ok(GetParam(), [] {
    gor::Timer t(5ms);
    EXPECT_TRUE(t.stop());
    EXPECT_EQ(gor::select(gor::on_recv(t.chan()), gor::on_recv(gor::after(20ms))), 1);
    EXPECT_FALSE(t.chan().try_recv().has_value());
    EXPECT_FALSE(t.stop()) << "second stop found the timer still pending";
  });
}

TEST_P(TimeTest, TimerStopAfterReceiveReturnsFalse) {
  run_ok(GetParam(), [] {
    gor::Timer t(1ms);
    t.chan().recv();
    EXPECT_FALSE(t.stop());
  });
}

// Go 1.23: a fired but unreceived value counts as undelivered: stop discards it, returns true.
TEST_P(TimeTest, TimerStopAfterFireDiscardsUnreceivedValue) {
  run_ok(GetParam(), [] {
    gor::Timer t(1ms);
    gor::sleep(10ms);
    EXPECT_TRUE(t.stop());
    EXPECT_FALSE(t.chan().try_recv().has_value()) << "stale value received after stop";
  });
}

TEST_P(TimeTest, TimerResetRearms) {
  run_ok(GetParam(), [] {
    gor::Timer t(1h);
    const gor::TimePoint start = gor::now();
    EXPECT_TRUE(t.reset(5ms));
    EXPECT_GE(t.chan().recv(), start + 5ms);
    // Re-arm after a delivered fire: reset returns false, the timer fires again.
    const gor::TimePoint again = gor::now();
    EXPECT_FALSE(t.reset(2ms));
    EXPECT_GE(t.chan().recv(), again + 2ms);
  });
}

TEST_P(TimeTest, TimerResetAfterFireHasNoStaleValue) {
  run_ok(GetParam(), [] {
    gor::Timer t(1ms);
    gor::sleep(10ms);  // fired, value unreceived
    const gor::TimePoint before = gor::now();
    EXPECT_TRUE(t.reset(15ms));
    const gor::TimePoint v = t.chan().recv();
    EXPECT_GE(v, before + 15ms) << "received the stale value of the first fire";
  });
}

TEST_P(TimeTest, TimerReceiverBlockedBeforeFire) {
  run_ok(GetParam(), [] {
    const gor::TimePoint start = gor::now();  // before the timer is armed: its deadline is >= start + 5ms
    gor::Timer t(5ms);
    auto got = gor::make_chan<gor::TimePoint>(1);
    gor::Chan<gor::TimePoint> c = t.chan();
    gor::go([c, got] { got.send(c.recv()); });
    EXPECT_GE(got.recv(), start + 5ms);
    EXPECT_FALSE(t.stop());
  });
}

// Concurrent stop/reset from several goroutines, then a final stop: no value after it.
TEST_P(TimeTest, TimerConcurrentStopReset) {
  run_ok(GetParam(), [] {
    gor::Timer t(1ms);
    auto done = gor::make_chan<int>(4);
    for (int g = 0; g < 4; ++g) {
      gor::go([&t, done, g] {
        for (int i = 0; i < 200; ++i) {
          if ((i + g) % 3 == 0) {
            t.stop();
          } else {
            t.reset(std::chrono::microseconds(i % 50));
          }
          if (i % 16 == 0) gor::yield();
        }
        done.send(g);
      });
    }
    for (int g = 0; g < 4; ++g) done.recv();
    t.stop();
    gor::sleep(5ms);
    EXPECT_FALSE(t.chan().try_recv().has_value());
  });
}

TEST_P(TimeTest, TimerDestructorStops) {
  run_ok(GetParam(), [] {
    const size_t base = gor::pending_timers();
    {
      gor::Timer t(1h);
      EXPECT_EQ(gor::pending_timers(), base + 1);
    }
    EXPECT_EQ(gor::pending_timers(), base);
  });
}

TEST_P(TimeTest, MovedFromTimerPanicsLikeGoZeroTimer) {
  run_ok(GetParam(), [] {
    gor::Timer a(1h);
    gor::Timer b(std::move(a));
    EXPECT_TRUE(a.chan().is_nil());
    expect_panic([&] { a.stop(); }, "time: Stop called on uninitialized Timer");
    expect_panic([&] { a.reset(1ms); }, "time: Reset called on uninitialized Timer");
    EXPECT_TRUE(b.stop());
  });
}

TEST_P(TimeTest, TickerTicksThenStops) {
  run_ok(GetParam(), [] {
    const gor::TimePoint start = gor::now();
    gor::Ticker tk(2ms);
    EXPECT_EQ(tk.chan().cap(), 0u);  // Go 1.23
    gor::TimePoint prev = start;
    for (int k = 1; k <= 5; ++k) {
      const gor::TimePoint v = tk.chan().recv();
      EXPECT_GE(v, start + k * 2ms) << "tick " << k;  // the k-th tick received is never early
      EXPECT_GT(v, prev);
      prev = v;
    }
    tk.stop();
    gor::sleep(10ms);
    EXPECT_FALSE(tk.chan().try_recv().has_value()) << "tick after stop";
  });
}

TEST_P(TimeTest, TickerDropsTicksForSlowReader) {
  run_ok(GetParam(), [] {
    gor::Ticker tk(1ms);
    gor::sleep(20ms);  // ~20 ticks due, the channel holds at most one
    EXPECT_LE(tk.chan().core()->count.load(), 1u);  // inside; len() is 0 (Go 1.23)
    EXPECT_TRUE(tk.chan().try_recv().has_value());
    tk.stop();
    EXPECT_FALSE(tk.chan().try_recv().has_value());
  });
}

TEST_P(TimeTest, TickerReset) {
  run_ok(GetParam(), [] {
    gor::Ticker tk(1h);
    const gor::TimePoint start = gor::now();
    tk.reset(2ms);
    const gor::TimePoint a = tk.chan().recv();
    const gor::TimePoint b = tk.chan().recv();
    EXPECT_GE(a, start + 2ms);
    EXPECT_GE(b, start + 4ms);
    expect_panic([&] { tk.reset(0ms); }, "non-positive interval for Ticker.Reset");
  });
}

TEST(TickerPanic, NonPositiveIntervalPanicsWithGoText) {
  gor::RunResult r = gortest::run_on(1, [] {
    expect_panic([] { gor::Ticker t(-1ms); }, "non-positive interval for NewTicker");
    gor::Ticker t(0s);  // uncaught: ends the run
  });
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "non-positive interval for NewTicker");
}

// Go 1.23: an after() whose channel nobody holds is released at once (time.After in a loop no
// longer piles up pending timers); a held one stays pending until it fires. NewTimer+Stop
// releases its timer at once too.
TEST_P(TimeTest, AfterIsReleasedWithItsChannel) {
  run_ok(GetParam(), [] {
    const size_t base = gor::pending_timers();
    std::vector<gor::Chan<gor::TimePoint>> keep;
    for (int i = 0; i < 50; ++i) {
      auto c = gor::after(20ms);
      if (i % 2 == 0) keep.push_back(c);  // the other half is dropped here
    }
    EXPECT_EQ(gor::pending_timers(), base + 25);
    for (int i = 0; i < 50; ++i) {
      gor::Timer t(20ms);
      EXPECT_TRUE(t.stop());
    }
    EXPECT_EQ(gor::pending_timers(), base + 25);
    for (auto& c : keep) (void)c.recv();
    EXPECT_EQ(gor::pending_timers(), base);
    keep.clear();
    for (int i = 0; i < 20; ++i) (void)gor::tick(1h);  // tick() too
    EXPECT_EQ(gor::pending_timers(), base);
  });
}

// Go 1.23: a timer's channel is synchronous, so len and cap are 0, even with a value ready.
TEST_P(TimeTest, TimerChannelsReportLenAndCapZero) {
  run_ok(GetParam(), [] {
    gor::Timer t(1ms);
    gor::Ticker tk(1ms);
    auto a = gor::after(1ms);
    auto k = gor::tick(1ms);
    gor::sleep(10ms);  // each has a value waiting
    const gor::Chan<gor::TimePoint> chans[] = {t.chan(), tk.chan(), a, k};
    for (const auto& c : chans) {
      EXPECT_EQ(c.len(), 0u);
      EXPECT_EQ(c.cap(), 0u);
      EXPECT_TRUE(c.try_recv().has_value()) << "the value was there all along";
    }
    EXPECT_EQ(gor::make_chan<int>(3).cap(), 3u);  // ordinary channels are unchanged
  });
}

// The value delivered is the time the timer was scheduled for, not the time it was sent:
// a Timer's lies within [before + d, after + d] of its creation, and a Ticker's values are
// exact multiples of the period apart.
TEST_P(TimeTest, DeliveredValueIsTheScheduledTime) {
  run_ok(GetParam(), [] {
    const gor::TimePoint before = gor::now();
    gor::Timer t(5ms);
    const gor::TimePoint after = gor::now();
    gor::sleep(15ms);  // received late: the value is still the scheduled time
    const gor::TimePoint v = t.chan().recv();
    EXPECT_GE(v, before + 5ms);
    EXPECT_LE(v, after + 5ms);

    gor::Ticker tk(2ms);
    gor::TimePoint prev = tk.chan().recv();
    for (int i = 0; i < 5; ++i) {
      const gor::TimePoint next = tk.chan().recv();
      const auto gap = (next - prev).count();
      EXPECT_GT(gap, 0);
      EXPECT_EQ(gap % std::chrono::nanoseconds(2ms).count(), 0) << "gap " << gap << " ns";
      prev = next;
    }
    gor::Timer r(1h);
    const gor::TimePoint rb = gor::now();
    r.reset(3ms);
    const gor::TimePoint ra = gor::now();
    const gor::TimePoint rv = r.chan().recv();
    EXPECT_GE(rv, rb + 3ms);
    EXPECT_LE(rv, ra + 3ms);
  });
}

// after_func (time.AfterFunc) runs f in a goroutine of its own after d; stop() before then
// keeps it from running and says so; reset() re-arms it; dropping the handle does not stop it.
TEST_P(TimeTest, AfterFuncRunsInItsOwnGoroutine) {
  run_ok(GetParam(), [] {
    auto ran = gor::make_chan<uint64_t>(4);
    {
      gor::Timer t = gor::after_func(2ms, [ran] { ran.send(gor::goid()); });
      EXPECT_TRUE(t.chan().is_nil());
      const uint64_t id = ran.recv();
      EXPECT_NE(id, gor::goid());
      EXPECT_FALSE(t.stop()) << "f already started";
    }
    gor::Timer s = gor::after_func(1h, [ran] { ran.send(1); });
    EXPECT_TRUE(s.stop());
    EXPECT_FALSE(s.stop());
    EXPECT_FALSE(s.reset(1ms)) << "it was stopped";
    EXPECT_EQ(ran.recv(), 1u);
    (void)gor::after_func(1ms, [ran] { ran.send(2); });  // handle dropped at once
    EXPECT_EQ(ran.recv(), 2u);
    gor::sleep(5ms);
    EXPECT_EQ(ran.len(), 0u) << "each f ran once";
  });
}

// tick() delivers every period for as long as its channel is held; tick(d <= 0) is nil.
TEST_P(TimeTest, TickDeliversRepeatedly) {
  run_ok(GetParam(), [] {
    auto k = gor::tick(1ms);
    gor::TimePoint prev = k.recv();
    for (int i = 0; i < 3; ++i) {
      const gor::TimePoint next = k.recv();
      EXPECT_GT(next, prev);
      prev = next;
    }
    EXPECT_TRUE(gor::tick(0ms).is_nil());
    EXPECT_TRUE(gor::tick(-1ms).is_nil());
  });
}

TEST(TimeDilation, SleepAndTimersHonourDilation) {
  gor::Config cfg;
  cfg.procs = 2;
  cfg.dilation = 4;
  gor::RunResult r = gor::run(cfg, [] {
    gor::TimePoint t0 = gor::now();
    gor::sleep(20ms);
    EXPECT_GE(gor::now() - t0, 20ms);
    t0 = gor::now();
    EXPECT_GE(gor::after(10ms).recv(), t0 + 10ms);
    t0 = gor::now();
    gor::Timer t(10ms);
    t.chan().recv();
    EXPECT_GE(gor::now() - t0, 10ms);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

}  // namespace

namespace {

// A Timer, a Ticker and a deadline context on the stack of a goroutine still blocked when main
// returns are released when the engine unwinds that goroutine.
TEST(TimeUnwind, TimersOfLeakedGoroutinesAreReleased) {
  gor::RunResult r = gortest::run_on(2, [] {
    auto started = gor::make_chan<int>();
    gor::go([started] {
      gor::Timer t(1h);
      gor::Ticker tk(1h);
      auto [ctx, cancel] = gor::with_timeout(gor::background(), 1h);
      started.send(1);
      gor::Chan<int> never;
      never.recv();  // blocks forever; unwound at the end of the run
    });
    started.recv();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(r.leaked, 1u);
}

TEST(TimeOutsideRun, ThrowsLogicError) {
  EXPECT_THROW(gor::after(1ms), std::logic_error);
  EXPECT_THROW(gor::Timer(1ms), std::logic_error);
  EXPECT_THROW(gor::Ticker(1ms), std::logic_error);
}

}  // namespace

// A time.After still pending when main returns is released with the run (LeakSanitizer in
// the asan preset fails this test if it is not).
TEST(TimeRunEnd, PendingAfterIsReleasedWhenTheRunEnds) {
  auto r = gortest::run_on(2, [] {
    // Held by a goroutine still blocked when main returns, so they are pending at the end.
    auto held = std::make_shared<std::vector<gor::Chan<gor::TimePoint>>>();
    for (int i = 0; i < 10; ++i) held->push_back(gor::after(std::chrono::hours(1)));
    static std::vector<gor::Chan<gor::TimePoint>> outlive_the_run;  // destroyed after the run
    outlive_the_run.push_back(gor::after(std::chrono::hours(1)));
    gor::go([held] { gor::make_chan<int>().recv(); });
    gor::yield();
    EXPECT_EQ(gor::pending_timers(), 11u);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
}
