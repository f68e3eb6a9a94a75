// prologue_test.cpp — the engine's -finstrument-functions hook (engine/src/preempt.cpp). This
// file is compiled with -finstrument-functions (tests/CMakeLists.txt), as the samples are:
// every entry to one of its functions may yield to a preemption request and checks the stack.
// Each case runs in a forked child with a time limit: without the hook the first one hangs and
// the second one overwrites the stack below its own.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>

#include "child_process.hpp"
#include "gor/gor.hpp"

namespace {

using namespace std::chrono_literals;

// step() is a plain function of this (instrumented) file: its entry is a preemption point.
__attribute__((noinline)) unsigned step(unsigned x) { return x * 2654435761u + 1; }

TEST(PrologueCheck, ALoopCallingAFunctionIsPreemptedOnOneP) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(10s, [] {
    static std::atomic<bool> stop{false};
    gor::Config cfg;
    cfg.procs = 1;
    cfg.deterministic = false;  // a deterministic run yields at engine calls only
    gor::RunResult r = gor::run(cfg, [] {
      gor::WaitGroup wg;
      wg.add(2);
      gor::go([&] {
        unsigned x = 1;
        while (!stop.load(std::memory_order_relaxed)) x = step(x);  // no engine call
        asm volatile("" ::"r"(x));
        wg.done();
      });
      gor::sleep(1ms);  // the loop runs; main wakes only if the loop is preempted (one P)
      gor::go([&] {
        stop.store(true);
        wg.done();
      });
      wg.wait();
    });
    return "status=" + std::to_string(static_cast<int>(r.status)) +
           " preempt_requests>0=" + std::to_string(r.preempt_requests > 0);
  });
  ASSERT_FALSE(res.timed_out) << "the loop kept the only P: " << res.out;
  EXPECT_EQ(res.out, "status=0 preempt_requests>0=1");
}

// Canary is a goroutine's local that its destructor checks: teardown unwinds the parked
// goroutines that hold one, and a stack overflow from a neighbour would have overwritten it.
struct Canary {
  char bytes[2048];
  Canary() { std::memset(bytes, 0x5a, sizeof bytes); }
  ~Canary() {
    for (char c : bytes) {
      if (c != 0x5a) {
        corrupted.store(true);
        break;
      }
    }
  }
  static std::atomic<bool> corrupted;
};
std::atomic<bool> Canary::corrupted{false};

__attribute__((noinline)) int recurse(int n) {
  volatile char frame[256];
  frame[0] = static_cast<char>(n);
  return recurse(n + 1) + frame[0];
}

TEST(PrologueCheck, RunawayRecursionEndsInStackOverflowWithoutTouchingOtherStacks) {
  GORTEST_SKIP_IF_FORK_UNSUPPORTED();
  auto res = gortest::in_child_within(10s, [] {
    gor::Config cfg;
    cfg.procs = 1;
    cfg.stack_size = 64 * 1024;
    gor::RunResult r = gor::run(cfg, [] {
      auto never = gor::make_chan<int>();
      for (int i = 0; i < 16; ++i) {
        gor::go([never] {  // parked neighbours, each with a canary on its stack
          Canary c;
          never.recv();
        });
      }
      gor::sleep(1ms);
      gor::go([] { recurse(0); });
      never.recv();
    });
    return "status=" + std::to_string(static_cast<int>(r.status)) + " fatal=" + std::to_string(r.fatal) +
           " corrupted=" + std::to_string(Canary::corrupted.load()) + "\n" + r.preamble + "fatal error: " + r.message +
           "\n";
  });
  ASSERT_FALSE(res.timed_out) << res.out;
  ASSERT_EQ(res.exit_status, 0) << "the process did not survive: " << res.out;
  EXPECT_NE(res.out.find("status=1 fatal=1 corrupted=0\n"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("runtime: goroutine stack exceeds 65536-byte limit\n"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("fatal error: stack overflow\n"), std::string::npos) << res.out;
}

}  // namespace
