// trace_test.cpp — the event stream observers get: complete, ordered per M, attributed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>

#include "gor/gor.hpp"
#include "gor/trace.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;
using gor::EventKind;

using gortest::run_traced;

class TraceTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(TraceTest);

TEST_P(TraceTest, EveryGoroutineIsCreatedStartedAndEnded) {
  gor::TraceRecorder rec;
  static constexpr int kN = 300;
  auto r = run_traced(GetParam(), rec, [] {
    gor::WaitGroup wg;
    wg.add(kN);
    for (int i = 0; i < kN; ++i) gor::go([&] { wg.done(); });
    wg.wait();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_EQ(rec.count(EventKind::GoCreate), static_cast<size_t>(kN) + 1);
  EXPECT_EQ(rec.count(EventKind::GoEnd), static_cast<size_t>(kN) + 1);
  EXPECT_GE(rec.count(EventKind::GoStart), static_cast<size_t>(kN) + 1);
  EXPECT_EQ(r.trace_events, rec.events().size());
  auto events = rec.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, EventKind::RunEnd);
  // Creation sites name this file.
  bool site_here = false;
  for (const auto& e : events) {
    if (e.kind == EventKind::GoCreate && e.a0 == 1) {
      site_here = rec.string(e.a1).find("trace_test.cpp") != std::string::npos;
      break;
    }
  }
  EXPECT_TRUE(site_here);
}

TEST_P(TraceTest, EventsOfOneMachineAreInTimeOrder) {
  gor::TraceRecorder rec;
  run_traced(GetParam(), rec, [] {
    auto c = gor::make_chan<int>(4, "numbers");
    gor::go([c] {
      for (int i = 0; i < 2000; ++i) c.send(i);
      c.close();
    });
    long sum = 0;
    for (int v : c) sum += v;
    EXPECT_EQ(sum, 1999L * 2000 / 2);
  });
  // The recorder sorts globally; within one M the drain preserves production order, so a
  // stable sort by time must leave each M's sequence non-decreasing.
  std::map<int, int64_t> last;
  for (const auto& e : rec.events()) {
    auto it = last.find(e.m);
    if (it != last.end()) {
      EXPECT_GE(e.ts, it->second);
    }
    last[e.m] = e.ts;
  }
}

// A goroutine cannot start before it became runnable: every GoStart's time is at or after
// the time of the event that made its goroutine runnable (GoCreate, GoUnblock, GoYield,
// GoPreempted), even when another M made it runnable (the global queue, steals) and the
// starting M had been spinning meanwhile with nothing to record.
TEST_P(TraceTest, GoroutinesStartOnlyAfterBecomingRunnable) {
  gor::TraceRecorder rec;
  run_traced(GetParam(), rec, [] {
    gor::WaitGroup wg;
    constexpr int kYielders = 8;
    wg.add(kYielders);
    for (int i = 0; i < kYielders; ++i) {
      gor::go([&] {
        for (int k = 0; k < 200; ++k) gor::yield();  // through the global queue
        wg.done();
      });
    }
    auto c = gor::make_chan<int>();
    gor::go([c] {
      for (int i = 0; i < 500; ++i) c.send(i);
      c.close();
    });
    for (int v : c) (void)v;
    wg.wait();
  });
  std::map<uint64_t, int64_t> runnable_since;
  size_t starts = 0, early = 0;
  for (const auto& e : rec.events()) {
    switch (e.kind) {
      case EventKind::GoCreate:
      case EventKind::GoUnblock:
      case EventKind::GoYield:
      case EventKind::GoPreempted: runnable_since[e.g] = e.ts; break;
      case EventKind::GoStart: {
        ++starts;
        auto it = runnable_since.find(e.g);
        if (it != runnable_since.end() && e.ts < it->second) ++early;
        break;
      }
      default: break;
    }
  }
  EXPECT_GT(starts, 1000u);
  EXPECT_EQ(early, 0u) << "GoStart stamped before its goroutine became runnable";
}

TEST_P(TraceTest, ChannelOperationsAreCountedWithBufferLevels) {
  gor::TraceRecorder rec;
  static constexpr int kN = 500;
  run_traced(GetParam(), rec, [] {
    auto c = gor::make_chan<int>(8, "jobs");
    gor::go([c] {
      for (int i = 0; i < kN; ++i) c.send(i);
      c.close();
    });
    int n = 0;
    for (int v : c) {
      (void)v;
      ++n;
    }
    EXPECT_EQ(n, kN);
  });
  EXPECT_EQ(rec.count(EventKind::ChanSend), static_cast<size_t>(kN));
  EXPECT_EQ(rec.count(EventKind::ChanRecv), static_cast<size_t>(kN));
  EXPECT_EQ(rec.count(EventKind::ChanClose), 1u);
  for (const auto& e : rec.events()) {
    if (e.kind == EventKind::ChanSend || e.kind == EventKind::ChanRecv) {
      EXPECT_LE(e.a1, 8u);
    }
  }
}

TEST(TraceUnblock, ReadierIsTheOtherGoroutine) {
  gor::TraceRecorder rec;
  std::atomic<uint64_t> ping_id{0}, pong_id{0};
  run_traced(1, rec, [&] {
    auto ping = gor::make_chan<int>(0, "ping");
    auto pong = gor::make_chan<int>(0, "pong");
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&, ping, pong] {
      pong_id = gor::goid();
      for (int i = 0; i < 100; ++i) pong.send(ping.recv());
      wg.done();
    });
    ping_id = gor::goid();
    for (int i = 0; i < 100; ++i) {
      ping.send(i);
      EXPECT_EQ(pong.recv(), i);
    }
    wg.wait();
  });
  size_t unblocks = 0;
  for (const auto& e : rec.events()) {
    if (e.kind != EventKind::GoUnblock) continue;
    ++unblocks;
    if (e.g == ping_id.load()) {
      EXPECT_EQ(e.a0, pong_id.load());
    }
    if (e.g == pong_id.load()) {
      EXPECT_EQ(e.a0, ping_id.load());
    }
  }
  EXPECT_GE(unblocks, 100u);
  // Blocked goroutines say why, in Go's words.
  size_t chan_blocks = 0;
  for (const auto& e : rec.events()) {
    if (e.kind == EventKind::GoBlock) {
      std::string reason = gor::detail::wait_reason_text(static_cast<gor::detail::WaitReason>(e.a0));
      if (reason == "chan receive" || reason == "chan send") ++chan_blocks;
    }
  }
  EXPECT_GE(chan_blocks, 100u);
}

TEST(TraceSteal, StealsAreRecordedWithThiefAndVictim) {
  gor::TraceRecorder rec;
  auto r = run_traced(2, rec, [] {
    gor::WaitGroup wg;
    wg.add(200);
    for (int i = 0; i < 200; ++i) {
      gor::go([&] {
        auto until = std::chrono::steady_clock::now() + 50us;
        while (std::chrono::steady_clock::now() < until) {
        }
        wg.done();
      });
    }
    wg.wait();
  });
  size_t steals = 0;
  for (const auto& e : rec.events()) {
    if (e.kind != EventKind::Steal) continue;
    ++steals;
    EXPECT_NE(static_cast<int>(e.a0), e.p);  // a thief never steals from itself
    EXPECT_GE(e.a1, 1u);
  }
  EXPECT_EQ(steals, r.steals);
  EXPECT_GT(steals, 0u);
}

TEST(TraceMutex, StarvationModeSwitchesAreEvents) {
  gor::TraceRecorder rec;
  run_traced(2, rec, [] {
    gor::Mutex mu;
    std::atomic<bool> stop{false};
    gor::WaitGroup wg;
    wg.add(4);
    gor::go([&] {  // greedy: re-locks at once, holds the lock for 2 ms at a time
      while (!stop.load()) {
        mu.lock();
        gor::sleep(2ms);
        mu.unlock();
      }
      wg.done();
    });
    for (int i = 0; i < 3; ++i) {
      gor::go([&] {
        for (int k = 0; k < 5; ++k) {
          mu.lock();
          mu.unlock();
          gor::sleep(1ms);
        }
        wg.done();
      });
    }
    gor::sleep(60ms);
    stop = true;
    wg.wait();
  });
  size_t starving = 0, normal = 0;
  for (const auto& e : rec.events()) {
    if (e.kind != EventKind::MutexMode) continue;
    (e.a1 == 1 ? starving : normal)++;
  }
  EXPECT_GE(starving, 1u);
  EXPECT_GE(normal, 1u);
}

TEST(TraceLog, UserAnnotationsCarryTheirText) {
  gor::TraceRecorder rec;
  run_traced(1, rec, [] {
    gor::log("phase 1: fan out");
    gor::log("phase 2: collect");
  });
  std::vector<std::string> texts;
  for (const auto& e : rec.events()) {
    if (e.kind == EventKind::Log) {
      texts.push_back(rec.string(e.a0));
    }
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"phase 1: fan out", "phase 2: collect"}));
}

TEST(TraceOff, NothingIsRecordedWithoutTrace) {
  gor::TraceRecorder rec;
  gor::Config cfg;
  cfg.procs = 2;
  cfg.observer = &rec;  // ignored: trace is off
  auto r = gor::run(cfg, [] {
    auto c = gor::make_chan<int>(1);
    c.send(1);
    c.recv();
    gor::log("not recorded");
  });
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_EQ(r.trace_events, 0u);
  EXPECT_TRUE(rec.events().empty());
}

TEST(TraceSyscall, HandoffAndSyscallEventsAppear) {
  gor::TraceRecorder rec;
  auto r = run_traced(1, rec, [] {
    gor::WaitGroup wg;
    wg.add(2);
    for (int i = 0; i < 2; ++i) {
      gor::go([&] {
        gor::syscall([] { std::this_thread::sleep_for(20ms); });
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_EQ(rec.count(EventKind::SyscallEnter), 2u);
  EXPECT_EQ(rec.count(EventKind::SyscallExit), 2u);
  EXPECT_EQ(rec.count(EventKind::Handoff), r.syscall_handoffs);
  EXPECT_GT(r.syscall_handoffs, 0u);
}
