// partial_deadlock_test.cpp — the partial-deadlock detector: mutex wait-for cycles and
// goroutines blocked forever, reported once while the rest of the run goes on.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "gor/control.hpp"
#include "gor/gor.hpp"
#include "gor/trace.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

gor::RunResult run_controlled(int procs, gor::RunControl& control, std::function<void()> main,
                              gor::TraceObserver* observer = nullptr) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.control = &control;
  if (observer != nullptr) {
    cfg.trace = true;
    cfg.observer = observer;
  }
  return gor::run(cfg, std::move(main));
}

void wait_active(gor::RunControl& control) {
  while (!control.active()) std::this_thread::sleep_for(1ms);
}

}  // namespace

TEST(PartialDeadlock, TwoMutexCycleIsReportedOnceWhileOthersRun) {
  gor::TraceRecorder rec;
  gor::RunControl control;
  std::atomic<uint64_t> g1{0}, g2{0}, a_id{0}, b_id{0};
  std::atomic<long> progress{0};
  std::atomic<int> locked_first{0};
  // The mutexes outlive the run: the deadlocked goroutines are unwound by stop() while
  // still queued on them (a Mutex must not be destroyed while goroutines wait for it).
  gor::Mutex a{"a"};
  gor::Mutex b{"b"};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      a_id = a.id();
      b_id = b.id();
      gor::go([&] {
        g1 = gor::detail::current_goid();
        a.lock();
        locked_first.fetch_add(1);
        while (locked_first.load() < 2) gor::sleep(100us);
        b.lock();  // never returns
      });
      gor::go([&] {
        g2 = gor::detail::current_goid();
        b.lock();
        locked_first.fetch_add(1);
        while (locked_first.load() < 2) gor::sleep(100us);
        a.lock();  // never returns
      });
      for (;;) {  // the rest of the program keeps going until stopped
        progress.fetch_add(1);
        gor::sleep(1ms);
      }
    }, &rec);
  });
  wait_active(control);
  // sysmon finds it on its own (no snapshot asked for it).
  auto deadline = std::chrono::steady_clock::now() + 60s;  // a fail-safe, not a timing assertion
  std::vector<gor::DeadlockInfo> found;
  while (found.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    found = control.partial_deadlocks();
  }
  ASSERT_EQ(found.size(), 1u);
  const uint64_t lo = std::min(g1.load(), g2.load());
  const uint64_t hi = std::max(g1.load(), g2.load());
  EXPECT_EQ(found[0].cycle, (std::vector<uint64_t>{lo, hi}));
  // lo waits for the mutex hi holds.
  const uint64_t lo_waits = lo == g1.load() ? b_id.load() : a_id.load();
  const uint64_t hi_waits = lo == g1.load() ? a_id.load() : b_id.load();
  EXPECT_EQ(found[0].objects, (std::vector<uint64_t>{lo_waits, hi_waits}));
  EXPECT_NE(found[0].description.find("waits for mutex"), std::string::npos) << found[0].description;
  // The rest of the run goes on.
  const long before = progress.load();
  while (progress.load() < before + 5) std::this_thread::sleep_for(1ms);
  // A snapshot sees it too, and it is still reported once.
  auto snap = control.snapshot();
  ASSERT_TRUE(snap.has_value());
  ASSERT_EQ(snap->deadlocks.size(), 1u);
  EXPECT_EQ(snap->deadlocks[0].cycle, found[0].cycle);
  for (const auto& m : snap->mutexes) {
    if (m.id == a_id.load()) {
      EXPECT_EQ(m.holder, g1.load());
    }
    if (m.id == b_id.load()) {
      EXPECT_EQ(m.holder, g2.load());
    }
  }
  EXPECT_EQ(control.partial_deadlocks().size(), 1u);
  ASSERT_TRUE(control.stop());
  runner.join();
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  size_t events = 0;
  for (const gor::Event& e : rec.events()) {
    if (e.kind != gor::EventKind::PartialDeadlock) continue;
    ++events;
    EXPECT_EQ(e.a0, lo);
    EXPECT_EQ(e.a1, 2u);
    EXPECT_EQ(rec.string(e.a2), found[0].description);
  }
  EXPECT_EQ(events, 1u);
}

TEST(PartialDeadlock, NilChannelReceiverIsBlockedForeverAlone) {
  gor::RunControl control;
  std::atomic<uint64_t> stuck{0};
  std::atomic<bool> started{false};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      gor::go([&] {
        stuck = gor::detail::current_goid();
        started = true;
        gor::Chan<int> nil;
        (void)nil.recv();
      });
      for (;;) gor::sleep(1ms);
    });
  });
  while (!started.load()) std::this_thread::sleep_for(1ms);
  std::optional<gor::Snapshot> snap;
  for (;;) {  // until the goroutine has parked
    snap = control.snapshot();
    if (snap && !snap->deadlocks.empty()) break;
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(snap->deadlocks.size(), 1u);
  EXPECT_EQ(snap->deadlocks[0].cycle, std::vector<uint64_t>{stuck.load()});
  EXPECT_NE(snap->deadlocks[0].description.find("nil chan"), std::string::npos);
  control.stop();
  runner.join();
  EXPECT_TRUE(r.stopped);
}

TEST(PartialDeadlock, NoFalsePositiveUnderHeavyContention) {
  gor::RunControl control;
  std::atomic<bool> finished{false};
  const int kWorkers = 8;
  const int kOps = gortest::sanitized_scale(4000);
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(4, control, [&] {
      gor::Mutex a{"a"}, b{"b"};
      gor::RWMutex rw{"rw"};
      long x = 0, y = 0, z = 0;
      gor::WaitGroup wg;
      wg.add(kWorkers);
      for (int w = 0; w < kWorkers; ++w) {
        gor::go([&, w] {
          for (int k = 0; k < kOps; ++k) {
            if ((k + w) % 3 == 0) {
              rw.rlock();
              volatile long seen = z;  // z is guarded by rw, x and y by a and b
              (void)seen;
              rw.runlock();
            } else {
              std::lock_guard<gor::Mutex> la(a);  // always a before b: no cycle
              ++x;
              if (k % 7 == 0) gor::yield();
              std::lock_guard<gor::Mutex> lb(b);
              ++y;
              if (k % 64 == 0) gor::sleep(200us);  // hold both while parked: waiters pile up
            }
            if (k % 97 == 0) {
              std::lock_guard<gor::RWMutex> lw(rw);
              ++z;
            }
          }
          wg.done();
        });
      }
      wg.wait();
      finished = true;
    });
  });
  wait_active(control);
  int snapshots = 0;
  while (!finished.load()) {
    auto s = control.snapshot();
    if (s) {
      ++snapshots;
      EXPECT_TRUE(s->deadlocks.empty()) << s->deadlocks[0].description;
    }
    std::this_thread::sleep_for(2ms);
  }
  std::vector<gor::DeadlockInfo> found = control.partial_deadlocks();
  EXPECT_TRUE(found.empty()) << found[0].description;
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  (void)snapshots;
}

TEST(PartialDeadlock, GlobalDeadlockIsStillGosFatalError) {
  gor::RunControl control;
  gor::Mutex a{"a"}, b{"b"};  // outlive the goroutines unwound at the end of the run
  gor::RunResult r = run_controlled(2, control, [&] {
    gor::WaitGroup wg;
    wg.add(1);
    gor::go([&] {
      b.lock();
      wg.done();
      a.lock();
    });
    a.lock();
    wg.wait();
    b.lock();
  });
  EXPECT_EQ(r.status, gor::RunStatus::Deadlock) << r.message;
}
