// program_end_test.cpp — a run ends within 100 ms of main returning, panicking or deadlocking,
// whatever its other goroutines do (issue 17 item 1). Each test runs in a forked child with a
// time limit: before the engine gave up on threads, every one of them hung. Real mode only:
// in a deterministic run a goroutine that never reaches an engine call keeps the world's only
// thread (docs/go-fidelity.md).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "gor/gor.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// g_forever is never set: a loop on it runs until the process ends (read, so not optimised out).
std::atomic<bool> g_forever{false};

// spin_forever() is a loop with no engine call, Go's `for {}` with a counter.
void spin_forever() {
  unsigned long n = 0;
  while (!g_forever.load(std::memory_order_relaxed)) ++n;
  asm volatile("" ::"r"(n));
}

// ended() formats what the tests compare: the status, ms from main's end to run()'s return,
// and the abandoned threads' reports.
std::string ended(const gor::RunResult& r, Clock::time_point main_end) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - main_end).count();
  std::string out = "status=" + std::to_string(static_cast<int>(r.status)) + " ms=" + std::to_string(ms) +
                    " abandoned=" + std::to_string(r.abandoned.size()) + "\n";
  for (const std::string& line : r.abandoned) out += line + "\n";
  return out;
}

long ms_of(const std::string& out) {
  const size_t at = out.find("ms=");
  return at == std::string::npos ? -1 : std::stol(out.substr(at + 3));
}

TEST(ProgramEnd, MainReturnsWhileAGoroutineLoopsWithoutEngineCalls) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(5s, [] {
    gor::Config cfg;
    cfg.procs = 2;
    cfg.deterministic = false;  // real threads (a deterministic world cannot leave an actor behind)
    Clock::time_point main_end;
    gor::RunResult r = gor::run(cfg, [&] {
      gor::go(spin_forever);
      gor::sleep(5ms);  // the loop has started on the other P
      main_end = Clock::now();
    });
    return ended(r, main_end);
  });
  ASSERT_FALSE(res.timed_out) << "the run never ended: " << res.out;
  EXPECT_NE(res.out.find("status=0 "), std::string::npos) << res.out;
  EXPECT_LT(ms_of(res.out), 100) << res.out;
  EXPECT_NE(res.out.find("abandoned=1"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("[running] created at tests/engine/program_end_test.cpp:"), std::string::npos) << res.out;
}

TEST(ProgramEnd, MainReturnsWhileAGoroutineIsBlockedInASyscall) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(5s, [] {
    gor::Config cfg;
    cfg.procs = 2;
    cfg.deterministic = false;  // real threads (a deterministic world cannot leave an actor behind)
    Clock::time_point main_end;
    gor::RunResult r = gor::run(cfg, [&] {
      gor::go([] { gor::syscall([] { std::this_thread::sleep_for(1h); }); });
      gor::sleep(5ms);
      main_end = Clock::now();
    });
    return ended(r, main_end);
  });
  ASSERT_FALSE(res.timed_out) << "the run never ended: " << res.out;
  EXPECT_NE(res.out.find("status=0 "), std::string::npos) << res.out;
  EXPECT_LT(ms_of(res.out), 100) << res.out;
  EXPECT_NE(res.out.find("[syscall] at tests/engine/program_end_test.cpp:"), std::string::npos) << res.out;
}

TEST(ProgramEnd, PanicWhileAGoroutineLoopsEndsTheRun) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(5s, [] {
    gor::Config cfg;
    cfg.procs = 2;
    cfg.deterministic = false;  // real threads (a deterministic world cannot leave an actor behind)
    Clock::time_point main_end;
    gor::RunResult r = gor::run(cfg, [&] {
      gor::go(spin_forever);
      gor::sleep(5ms);
      main_end = Clock::now();
      throw std::runtime_error("boom");
    });
    return ended(r, main_end) + r.message + "\n";
  });
  ASSERT_FALSE(res.timed_out) << "the run never ended: " << res.out;
  EXPECT_NE(res.out.find("status=1 "), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("boom"), std::string::npos) << res.out;
  EXPECT_LT(ms_of(res.out), 100) << res.out;
}

// An abandoned thread parks for good at its next engine call: it runs nothing more, and the
// next run in the same process is unaffected.
TEST(ProgramEnd, AnAbandonedThreadParksAtItsNextEngineCall) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(5s, [] {
    static std::atomic<bool> release{false}, after{false};
    gor::Config cfg;
    cfg.procs = 2;
    cfg.deterministic = false;  // real threads (a deterministic world cannot leave an actor behind)
    gor::RunResult r = gor::run(cfg, [&] {
      gor::go([] {
        while (!release.load()) {
        }
        gor::yield();  // the run is over: the thread parks here for good
        after.store(true);
      });
      gor::sleep(5ms);
    });
    release.store(true);
    std::this_thread::sleep_for(50ms);
    int sum = 0;
    gor::RunResult again = gor::run(cfg, [&] {
      auto c = gor::make_chan<int>();
      gor::go([c] { c.send(41); });
      sum = c.recv() + 1;
    });
    std::this_thread::sleep_for(20ms);
    return "abandoned=" + std::to_string(r.abandoned.size()) + " after=" + std::to_string(after.load()) +
           " again=" + std::to_string(static_cast<int>(again.status)) + " sum=" + std::to_string(sum);
  });
  ASSERT_FALSE(res.timed_out) << "the run never ended: " << res.out;
  EXPECT_EQ(res.out, "abandoned=1 after=0 again=0 sum=42");
}

// Ending normally abandons nothing: every M stopped in time and was joined.
TEST(ProgramEnd, AnOrdinaryRunAbandonsNothing) {
  gor::Config cfg;
  cfg.procs = 4;
  gor::RunResult r = gor::run(cfg, [] {
    for (int i = 0; i < 8; ++i) gor::go([] { gor::work(1ms); });
    gor::sleep(2ms);
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_TRUE(r.abandoned.empty());
}

}  // namespace
