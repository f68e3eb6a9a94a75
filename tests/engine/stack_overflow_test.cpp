// stack_overflow_test.cpp — a goroutine that exhausts its stack ends the run with Go's
// "runtime: goroutine stack exceeds N-byte limit" and "fatal error: stack overflow" plus its
// dump, and the process survives to report it (issue 17 item 3). Each case runs in a forked
// child with a time limit: before, the process aborted.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "child_process.hpp"
#include "gor/gor.hpp"

namespace {

using namespace std::chrono_literals;

// descend() recurses, 512 bytes a frame, until the frame is `depth` bytes below `top`, then
// calls into the engine (a yield: a switch, where the engine looks at the stack pointer).
__attribute__((noinline)) int descend(const char* top, size_t depth) {
  volatile char pad[512];
  pad[0] = 1;
  const char* here = static_cast<const char*>(__builtin_frame_address(0));
  if (static_cast<size_t>(top - here) >= depth) {
    gor::yield();
    return pad[0];
  }
  return descend(top, depth) + pad[0];
}

std::string result_text(const gor::RunResult& r) {
  return "status=" + std::to_string(static_cast<int>(r.status)) + " fatal=" + std::to_string(r.fatal) +
         "\nmessage=" + r.message + "\npreamble=" + r.preamble + "\ndump=" + r.dump;
}

TEST(StackOverflow, AtASwitchEndsTheRunWithGosFatalError) {
#if defined(GOR_TSAN) || defined(GOR_ASAN)
  GTEST_SKIP() << "the sanitizers' own frames do not fit the last 2 KiB this test leaves";
#endif
  auto res = gortest::in_child_within(10s, [] {
    gor::Config cfg;
    cfg.procs = 1;
    cfg.stack_size = 64 * 1024;
    cfg.deterministic = false;
    gor::RunResult r = gor::run(cfg, [] {
      gor::go([] {
        const char* top = static_cast<const char*>(__builtin_frame_address(0));
        descend(top, 64 * 1024 - 2048);  // into the last 4 KiB of the stack
      });
      gor::sleep(1h);
    });
    return result_text(r);
  });
  ASSERT_FALSE(res.timed_out) << res.out;
  ASSERT_EQ(res.exit_status, 0) << "the process did not survive the overflow: " << res.out;
  EXPECT_NE(res.out.find("status=1 fatal=1\nmessage=stack overflow\n"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("preamble=runtime: goroutine stack exceeds 65536-byte limit\nruntime: sp="), std::string::npos)
      << res.out;
  EXPECT_NE(res.out.find("goroutine 2 [running]:"), std::string::npos) << res.out;
  EXPECT_NE(res.out.find("goroutine 1 [sleep]:"), std::string::npos) << res.out;  // a fatal error shows all
}

}  // namespace
