// control_test.cpp — RunControl: pause, snapshot, step, resume, resize, stop from outside.
#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "gor/control.hpp"
#include "gor/trace.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;

namespace {

// A program that keeps every P busy with short CPU slices and channel traffic until told
// to stop, so pauses always find goroutines to stop.
struct Busy {
  std::atomic<bool> stop{false};
  std::atomic<long> progress{0};
  void main() {
    auto c = gor::make_chan<int>(16, "work");
    gor::WaitGroup wg;
    for (int w = 0; w < 4; ++w) {
      wg.add(1);
      gor::go_named("worker " + std::to_string(w), [&, c] {
        for (int v : c) {
          (void)v;
          progress.fetch_add(1);
        }
        wg.done();
      });
    }
    while (!stop.load()) {
      c.send(1);
      gor::sleep(10us);
    }
    c.close();
    wg.wait();
  }
};

gor::RunResult run_controlled(int procs, gor::RunControl& control, std::function<void()> main) {
  gor::Config cfg;
  cfg.procs = procs;
  cfg.control = &control;
  return gor::run(cfg, std::move(main));
}

void wait_active(gor::RunControl& control) {
  while (!control.active()) std::this_thread::sleep_for(1ms);
}

}  // namespace

TEST(RunControl, WithoutARunEverythingReportsNoRun) {
  gor::RunControl control;
  EXPECT_FALSE(control.active());
  EXPECT_FALSE(control.pause().ok);
  EXPECT_FALSE(control.resume());
  EXPECT_FALSE(control.stop());
  EXPECT_FALSE(control.snapshot().has_value());
  EXPECT_EQ(control.dump(), "");
}

TEST(RunControl, PauseFreezesProgressAndEngineTime) {
  gor::RunControl control;
  Busy busy;
  gor::RunResult r;
  std::thread runner([&] { r = run_controlled(2, control, [&] { busy.main(); }); });
  wait_active(control);
  while (busy.progress.load() < 100) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(control.pause().ok);
  EXPECT_TRUE(control.paused());
  long frozen = busy.progress.load();
  auto s1 = control.snapshot();
  std::this_thread::sleep_for(30ms);
  auto s2 = control.snapshot();
  EXPECT_EQ(busy.progress.load(), frozen);  // nothing ran while paused
  ASSERT_TRUE(s1 && s2);
  EXPECT_TRUE(s1->paused);
  EXPECT_EQ(s1->now_ns, s2->now_ns);  // engine time stood still
  EXPECT_EQ(s1->gomaxprocs, 2);
  EXPECT_EQ(s1->procs.size(), 2u);
  for (const auto& p : s1->procs) EXPECT_EQ(p.running, 0u);  // stopped at scheduling points
  // The goroutines are all there, with Go's words for what they wait on.
  ASSERT_GE(s1->goroutines.size(), 5u);
  EXPECT_EQ(s1->goroutines[0].id, 1u);
  int labelled = 0;
  for (const auto& g : s1->goroutines) {
    if (g.label.rfind("worker ", 0) == 0) ++labelled;
    EXPECT_EQ(g.created_at.empty(), g.id == 1) << g.created_at;  // Go's main has no creation site
    if (g.state == "waiting") {
      EXPECT_NE(g.wait_reason, "");
    }
  }
  EXPECT_EQ(labelled, 4);
  EXPECT_NE(control.dump().find("goroutine 1 ["), std::string::npos);
  ASSERT_TRUE(control.resume());
  while (busy.progress.load() < frozen + 100) std::this_thread::sleep_for(1ms);
  busy.stop = true;
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_FALSE(control.active());
}

TEST(RunControl, StepRunsExactlyNGoroutineStarts) {
  gor::RunControl control;
  gor::TraceRecorder rec;
  Busy busy;
  gor::RunResult r;
  std::thread runner([&] {
    gor::Config cfg;
    cfg.procs = 2;
    cfg.control = &control;
    cfg.trace = true;
    cfg.observer = &rec;
    r = gor::run(cfg, [&] { busy.main(); });
  });
  wait_active(control);
  while (busy.progress.load() < 50) std::this_thread::sleep_for(1ms);
  // While paused nothing new is recorded: once the count stops changing, the drain thread
  // has delivered everything so far.
  auto settled_starts = [&] {
    size_t last = rec.count(gor::EventKind::GoStart);
    for (;;) {
      std::this_thread::sleep_for(20ms);
      size_t now = rec.count(gor::EventKind::GoStart);
      if (now == last) return now;
      last = now;
    }
  };
  ASSERT_TRUE(control.pause().ok);
  size_t before = settled_starts();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(control.step(3).ok);
  size_t after = settled_starts();
  EXPECT_EQ(after - before, 15u);
  EXPECT_TRUE(control.paused());
  busy.stop = true;
  control.resume();
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

TEST(RunControl, PausedRunIsNotADeadlock) {
  gor::RunControl control;
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [] {
      auto tick = gor::make_chan<int>(0, "tick");
      gor::go([tick] { tick.send(1); });
      gor::sleep(5ms);
      tick.recv();
    });
  });
  wait_active(control);
  control.pause();
  std::this_thread::sleep_for(20ms);  // every M idle: would look like a deadlock
  control.resume();
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

TEST(RunControl, SetProcsFromOutside) {
  gor::RunControl control;
  Busy busy;
  gor::RunResult r;
  std::atomic<int> seen_procs{0};
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      gor::go([&] {
        while (!busy.stop.load()) {
          seen_procs = gor::gomaxprocs();
          gor::sleep(100us);
        }
      });
      busy.main();
    });
  });
  wait_active(control);
  ASSERT_TRUE(control.set_procs(3));
  EXPECT_FALSE(control.set_procs(0));
  while (seen_procs.load() != 3) std::this_thread::sleep_for(1ms);
  auto snap = control.snapshot();
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->gomaxprocs, 3);
  EXPECT_EQ(snap->procs.size(), 3u);
  ASSERT_TRUE(control.set_procs(1));
  busy.stop = true;
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok) << r.message;
}

TEST(RunControl, StopEndsTheRunAndUnwindsEveryone) {
  gor::RunControl control;
  std::atomic<int> unwound{0};
  std::atomic<int> started{0};
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [&] {
      struct Guard {
        std::atomic<int>* n;
        ~Guard() { n->fetch_add(1); }
      };
      for (int i = 0; i < 5; ++i) {
        gor::go([&] {
          Guard g{&unwound};
          started.fetch_add(1);
          gor::Chan<int> never = gor::make_chan<int>();
          never.recv();
        });
      }
      gor::go([&] {  // a ticking goroutine keeps the run from being a deadlock
        Guard g{&unwound};
        started.fetch_add(1);
        for (;;) gor::sleep(1ms);
      });
      Guard g{&unwound};
      started.fetch_add(1);
      gor::select();  // main blocks forever too
    });
  });
  wait_active(control);
  // Every goroutine has started (holds a Guard) and the receivers are parked.
  while (true) {
    auto s = control.snapshot();
    int waiting = 0;
    if (s) {
      for (const auto& g : s->goroutines) waiting += g.wait_reason == "chan receive" ? 1 : 0;
    }
    if (started.load() == 7 && waiting == 5) break;
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(control.pause().ok);
  ASSERT_TRUE(control.stop());
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(unwound.load(), 7);
}

TEST(RunControl, DilationFromOutsideSlowsEngineTime) {
  gor::RunControl control;
  gor::RunResult r;
  gor::Duration engine{};
  std::thread runner([&] {
    r = run_controlled(1, control, [&] {
      auto t0 = gor::now();
      gor::sleep(20ms);
      engine = gor::now() - t0;
    });
  });
  wait_active(control);
  EXPECT_TRUE(control.set_dilation(2.0));
  EXPECT_FALSE(control.set_dilation(0));
  runner.join();
  EXPECT_EQ(r.status, gor::RunStatus::Ok);
  EXPECT_GE(engine, 20ms);
}

// A stopped run unwinds the newest goroutines first: a child resumed at a yield point keeps
// running until its next blocking call, so the locals of its creator (main here) must still
// be alive then. (Unwinding main first let children spin on a destroyed Mutex.)
TEST(RunControl, StopUnwindsChildrenBeforeTheirCreator) {
  for (int round = 0; round < 5; ++round) {
    gor::RunControl control;
    gor::RunResult r;
    std::atomic<int> saw_dead_local{0};
    std::atomic<int> yields{0};
    struct Local {
      std::atomic<bool> alive{true};
      ~Local() { alive.store(false); }
    };
    std::thread runner([&] {
      r = run_controlled(1, control, [&] {
        Local local;
        for (int child = 0; child < 2; ++child) {  // two, so that goyield really switches
          gor::go([&] {
            for (int n = 1;; ++n) {
              if (!local.alive.load()) saw_dead_local.fetch_add(1);
              yields.fetch_add(1);
              gor::detail::goyield();  // a switch point that returns normally while unwinding
              if (n % 1000 == 0) gor::sleep(1us);  // one that throws ForcedUnwind: the child ends
            }
          });
        }
        gor::select();  // main blocks forever
      });
    });
    wait_active(control);
    while (yields.load() < 100) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(control.pause().ok);  // the children stop at a scheduling point: mostly a goyield
    ASSERT_TRUE(control.stop());
    runner.join();
    EXPECT_TRUE(r.stopped);
    EXPECT_EQ(saw_dead_local.load(), 0) << "a child ran after its creator's frame was unwound";
  }
}

// The final snapshot is the state the run ended in: for a deadlock, every goroutine blocked
// where it was (nothing unwound yet), taken after every M stopped.
TEST(RunControl, FinalSnapshotShowsTheDeadlockedGoroutines) {
  gor::RunControl control;
  EXPECT_FALSE(control.final_snapshot().has_value());
  gor::RunResult r;
  std::thread runner([&] {
    r = run_controlled(2, control, [] {
      auto never = gor::make_chan<int>(0, "never");
      gor::go_named("stuck sender", [never] { never.send(1); });
      gor::Mutex mu{"mu"};
      mu.lock();
      gor::go_named("stuck locker", [&mu] { mu.lock(); });
      auto other = gor::make_chan<int>(0, "other");
      other.recv();
    });
  });
  runner.join();
  ASSERT_EQ(r.status, gor::RunStatus::Deadlock);
  const std::optional<gor::Snapshot> s = control.final_snapshot();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->ended);
  for (const auto& m : s->machines) EXPECT_EQ(m.state, "exited");
  ASSERT_EQ(s->goroutines.size(), 3u);
  std::map<std::string, std::string> reason_by_label;
  for (const auto& g : s->goroutines) reason_by_label[g.label] = g.wait_reason;
  EXPECT_EQ(reason_by_label["main"], "chan receive");
  EXPECT_EQ(reason_by_label["stuck sender"], "chan send");
  EXPECT_EQ(reason_by_label["stuck locker"], "sync.Mutex.Lock");
  bool saw_mu = false;
  for (const auto& m : s->mutexes) saw_mu = saw_mu || (m.name == "mu" && m.holder == 1 && m.waiters.size() == 1);
  EXPECT_TRUE(saw_mu);
}
