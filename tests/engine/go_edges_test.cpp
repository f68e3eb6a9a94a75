// go_edges_test.cpp — scheduler edges where the engine follows current Go: GOMAXPROCS(n) with
// n equal to the current value returns at once, without stopping the world.
#include <vector>

#include "test_util.hpp"

namespace {

TEST(GoEdges, GomaxprocsOfTheCurrentValueDoesNotStopTheWorld) {
  gor::TraceRecorder rec;
  int before = 0, after = 0;
  gor::RunResult r = gortest::run_traced(2, rec, [&] {
    before = gor::gomaxprocs(2);  // the current value: a no-op
    after = gor::gomaxprocs(0);   // a query
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(before, 2);
  EXPECT_EQ(after, 2);
  EXPECT_EQ(rec.count(gor::EventKind::Gomaxprocs), 0u);
  EXPECT_EQ(rec.count(gor::EventKind::StopTheWorld), 0u);
}

}  // namespace

namespace {

// close() readies its waiters as Go's closechan does (a stack: the last waiter first), so on one
// P the first receiver runs next (it lands in runnext) and the others follow from the last
// one back: G2, G4, G3 for receivers queued G2, G3, G4 (what `go run` prints for this program).
TEST(GoEdges, CloseReadiesItsWaitersInGosOrder) {
  std::vector<int> order;
  gor::RunResult r = gortest::run_on(1, [&] {
    auto c = gor::make_chan<int>();
    auto queued = gor::make_chan<int>(3);
    gor::WaitGroup wg;
    for (int i = 0; i < 3; ++i) {
      wg.go([&, c, queued, i] {
        queued.send(i);
        (void)c.recv_ok();
        order.push_back(i);
      });
      (void)queued.recv();  // goroutine i has run up to its receive...
      gor::yield();         // ...and parked in it (one P: it ran while main yielded)
    }
    c.close();
    wg.wait();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(order, (std::vector<int>{0, 2, 1}));
}

}  // namespace

namespace {

// On one P, two goroutines that call Gosched in a loop alternate strictly from the first
// yield, as `go run` of this program prints (1 0 1 0 ...):
//   go func() { for i := 0; i < 6; i++ { print(1); runtime.Gosched() } }()
//   for i := 0; i < 6; i++ { runtime.Gosched(); print(0) }
// By the time Go's main.main runs, runtime.main has already scheduled (gcenable's goroutines),
// so P0's first findRunnable is not a 1-in-61 global-queue-first one; the engine's was, and
// main, just yielded, ran again first (1 1 0 1 ... or 0 1 ... depending on the program).
TEST(GoEdges, GoschedAlternatesStrictlyFromTheFirstYieldOnOneP) {
  std::string out;
  gor::Config cfg;
  cfg.procs = 1;
  cfg.seed = 1;
  gor::RunResult r = gor::run(cfg, [&] {
    gor::go([&] {
      for (int i = 0; i < 6; ++i) {
        out += '1';
        gor::yield();
      }
    });
    for (int i = 0; i < 6; ++i) {
      gor::yield();
      out += '0';
    }
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_EQ(out, "101010101010");
}

}  // namespace
