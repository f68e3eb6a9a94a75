// sysmon_test.cpp — sysmon's pace, as Go's: its back-off (20 us, doubling after 50 idle ticks up
// to 10 ms) is reset only when it retakes a P from a syscall, not by preemption requests, and
// it sleeps deeply while every P is idle (issue 17 item 6). RunResult::sysmon_ticks counts its
// wakeups.
#include <chrono>

#include "test_util.hpp"

namespace {

using namespace std::chrono_literals;

// Two hogs on one P for 300 ms get a preemption request every 10 ms. If each reset the back-off,
// sysmon would tick every 20 us (~15,000 ticks); Go's sysmon backs off to 10 ms: ~100 ticks.
TEST(Sysmon, PreemptionRequestsDoNotResetItsBackOff) {
  gor::Config cfg;
  cfg.procs = 1;
  cfg.deterministic = false;
  gor::RunResult r = gor::run(cfg, [] {
    gor::WaitGroup wg;
    for (int i = 0; i < 2; ++i) wg.go([] { gor::work(150ms); });  // they take turns at 10 ms
    wg.wait();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_GT(r.preempt_requests, 10u);
  EXPECT_LT(r.sysmon_ticks, 1000u) << "sysmon kept ticking every 20 us";
}

// While main sleeps and nothing else runs, every P is idle: sysmon sleeps until the timer
// (Go: until the next timer or forcegcperiod/2) instead of backing off to a tick every 10 ms
// (50 ticks of 20 us, 9 doublings, then 100 ticks in this second: ~160). Once the timer is
// due it ticks as usual until an M runs it (at most the 50 short ticks and a few more).
TEST(Sysmon, SleepsDeeplyWhileEveryPIsIdle) {
  gor::Config cfg;
  cfg.procs = 2;
  cfg.deterministic = false;
  gor::RunResult r = gor::run(cfg, [] { gor::sleep(1s); });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_LT(r.sysmon_ticks, 100u);
}

// A P blocked in a syscall is still retaken within a few ticks after a deep sleep.
TEST(Sysmon, RetakesASyscallAfterSleepingDeeply) {
  gor::Config cfg;
  cfg.procs = 1;
  cfg.deterministic = false;
  int ran = 0;
  gor::RunResult r = gor::run(cfg, [&] {
    gor::sleep(50ms);  // every P idle: sysmon deep asleep
    gor::go([&] { ran = 1; });
    gor::syscall([] { std::this_thread::sleep_for(50ms); });  // the P must be handed off
    gor::sleep(1ms);
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(ran, 1);
  EXPECT_GE(r.syscall_handoffs, 1u);
}

}  // namespace
