// timer_deadlock_test.cpp — Go 1.23's deadlock check with timers: a channel timer (Timer,
// Ticker, after(), tick()) counts as pending only while a goroutine is blocked on its channel,
// so an unstopped Ticker or an abandoned after() does not hide "all goroutines are asleep -
// deadlock!"; a sleep, an after_func and a timer somebody waits on still do. Each run has a
// watchdog that stops it after 10 s, so a regression fails instead of hanging.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gor/control.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

// run_watched() runs main on `procs` Ps; a watchdog stops the run if it lasts 10 s.
gor::RunResult run_watched(int procs, std::function<void()> main) {
  gor::RunControl control;
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = 5;
  cfg.control = &control;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, 10s, [&] { return done; })) control.stop();
  });
  gor::RunResult r = gor::run(cfg, std::move(main));
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();
  return r;
}

constexpr const char* kDeadlock = "all goroutines are asleep - deadlock!";

class TimerDeadlockTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(TimerDeadlockTest);

TEST_P(TimerDeadlockTest, UnstoppedTickerDoesNotHideADeadlock) {
  gor::RunResult r = run_watched(GetParam(), [] {
    gor::Ticker tk(1ms);
    (void)tk.chan().recv();  // one tick: the ticker works
    gor::make_chan<int>().recv();  // nobody will ever send
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock) << r.message;
  EXPECT_EQ(r.message, kDeadlock);
}

TEST_P(TimerDeadlockTest, UnreceivedTimerAfterAndTickDoNotHideADeadlock) {
  gor::RunResult r = run_watched(GetParam(), [] {
    gor::Timer t(1h);
    auto a = gor::after(1h);
    auto k = gor::tick(1h);
    gor::make_chan<int>().recv();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock) << r.message;
}

// A goroutine blocked on the timer's channel (directly or in a select) is woken by it: no
// deadlock, the run ends normally.
TEST_P(TimerDeadlockTest, ATimerSomebodyWaitsOnStillCounts) {
  gor::RunResult r = run_watched(GetParam(), [] {
    gor::Timer t(20ms);
    auto never = gor::make_chan<int>();
    EXPECT_EQ(gor::select(gor::on_recv(never), gor::on_recv(t.chan())), 1);
    gor::Ticker tk(5ms);
    (void)tk.chan().recv();
    (void)gor::after(5ms).recv();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

// An after_func timer is a function timer: pending until it runs, whoever waits.
TEST_P(TimerDeadlockTest, AfterFuncStillCounts) {
  gor::RunResult r = run_watched(GetParam(), [] {
    auto c = gor::make_chan<int>();
    gor::Timer t = gor::after_func(20ms, [c] { c.send(7); });
    EXPECT_EQ(c.recv(), 7);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

}  // namespace
