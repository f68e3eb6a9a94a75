// hold_at_end_test.cpp — RunControl::hold_at_end: a run ending in a panic or Go's global
// deadlock stops at that instant (paused, nothing unwound, snapshot and dump of that moment)
// until resume() or stop() lets it end exactly as it would have; other endings never wait.
#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "gor/control.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

gor::RunResult run_with(gor::RunControl& control, std::function<void()> main) {
  gor::Config cfg;
  cfg.procs = 2;
  cfg.control = &control;
  return gor::run(cfg, std::move(main));
}

// wait_held() is the held ending once the run reaches it (nullopt after 10 s).
std::optional<gor::HeldEnd> wait_held(gor::RunControl& control) {
  for (int i = 0; i < 10000; ++i) {
    if (auto h = control.held()) return h;
    std::this_thread::sleep_for(1ms);
  }
  return std::nullopt;
}

void send_on_closed() {
  auto c = gor::make_chan<int>(1, "c");
  gor::WaitGroup wg{"wg"};
  wg.add(1);
  gor::go_named("bystander", [&wg] {
    wg.done();
    gor::sleep(std::chrono::hours(1));
  });
  wg.wait();
  c.close();
  c.send(1);  // panic: send on closed channel
}

void all_asleep() {
  auto never = gor::make_chan<int>(0, "never");
  gor::go_named("stuck sender", [never] { never.send(1); });
  auto other = gor::make_chan<int>(0, "other");
  other.recv();
}

}  // namespace

TEST(HoldAtEnd, APanicWaitsForResumeThenEndsAsItWould) {
  gor::RunControl control;
  control.hold_at_end(/*panic=*/true, /*deadlock=*/false);
  gor::RunResult r;
  std::thread runner([&] { r = run_with(control, send_on_closed); });
  const std::optional<gor::HeldEnd> held = wait_held(control);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, gor::RunStatus::Panic);
  EXPECT_EQ(held->message, "send on closed channel");
  EXPECT_EQ(held->goroutine, 1u);  // main sent on the closed channel
  EXPECT_TRUE(control.paused());
  EXPECT_TRUE(control.active());  // still attached: the run has not ended
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(control.held().has_value());  // it waits as long as nobody resumes
  const std::optional<gor::Snapshot> s = control.snapshot();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->paused);
  bool bystander_alive = false;
  for (const auto& g : s->goroutines) bystander_alive = bystander_alive || (g.label == "bystander" && g.wait_reason == "sleep");
  EXPECT_TRUE(bystander_alive);  // nothing unwound yet
  for (const auto& m : s->machines) EXPECT_EQ(m.state, "stopped");
  EXPECT_NE(control.dump().find("goroutine "), std::string::npos);
  EXPECT_TRUE(control.resume());
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "send on closed channel");
  EXPECT_FALSE(r.stopped);
  EXPECT_FALSE(control.active());
  ASSERT_TRUE(control.final_snapshot().has_value());
}

TEST(HoldAtEnd, ADeadlockIsHeldAndStopLetsItEnd) {
  gor::RunControl control;
  control.hold_at_end(/*panic=*/false, /*deadlock=*/true);
  gor::RunResult r;
  std::thread runner([&] { r = run_with(control, all_asleep); });
  const std::optional<gor::HeldEnd> held = wait_held(control);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->status, gor::RunStatus::Deadlock);
  EXPECT_EQ(held->message, "all goroutines are asleep - deadlock!");
  const std::optional<gor::Snapshot> s = control.snapshot();
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->goroutines.size(), 2u);
  EXPECT_TRUE(control.stop());
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock);  // it ends as it would have
}

TEST(HoldAtEnd, OtherEndingsNeverWait) {
  gor::RunControl control;
  control.hold_at_end(/*panic=*/false, /*deadlock=*/true);  // a panic is not asked for
  gor::RunResult r = run_with(control, send_on_closed);
  EXPECT_EQ(r.status, gor::RunStatus::Panic);
  control.hold_at_end(true, true);
  r = run_with(control, [] { gor::sleep(1ms); });
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_FALSE(control.held().has_value());
  // A run stopped from outside is not held either (its status stays Ok).
  std::atomic<bool> started{false};
  std::thread runner([&] {
    r = run_with(control, [&] {
      started = true;
      auto never = gor::make_chan<int>(0, "never");
      gor::go([never] { never.recv(); });
      gor::sleep(std::chrono::hours(1));
    });
  });
  while (!started.load() || !control.active()) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(control.stop());
  runner.join();
  EXPECT_TRUE(r.stopped);
  EXPECT_FALSE(control.held().has_value());
}
