// trace_vocabulary_test.cpp — the events for timers, select, context cancellation and
// regions: each fact appears exactly as often as it happened, with the documented arguments.
#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

#include "gor/gor.hpp"
#include "gor/trace.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;
using gor::EventKind;

namespace {

gor::RunResult run_traced(int procs, gor::TraceRecorder& rec, std::function<void()> main) {
  return gortest::run_traced(procs, rec, std::move(main), /*seed=*/11);
}

std::vector<gor::Event> of_kind(const gor::TraceRecorder& rec, EventKind k) {
  std::vector<gor::Event> out;
  for (const gor::Event& e : rec.events()) {
    if (e.kind == k) out.push_back(e);
  }
  return out;
}

uint64_t timer_code(gor::TimerCode c, bool periodic = false) {
  return static_cast<uint64_t>(c) | (periodic ? 1u << 8 : 0u);
}

}  // namespace

class TraceVocabularyTest : public gortest::ProcsTest {};
GOR_INSTANTIATE_PROCS(TraceVocabularyTest);

TEST_P(TraceVocabularyTest, TimerStartStopAndFireCarryOneTimerId) {
  gor::TraceRecorder rec;
  bool stopped_pending = false, stopped_fired = true;
  auto r = run_traced(GetParam(), rec, [&] {
    gor::Timer never(1h);
    stopped_pending = never.stop();  // armed: stopping it prevents the fire
    gor::Timer soon(1ms);
    soon.chan().recv();
    stopped_fired = soon.stop();  // already fired
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  EXPECT_TRUE(stopped_pending);
  EXPECT_FALSE(stopped_fired);

  auto adds = of_kind(rec, EventKind::TimerAdd);
  auto stops = of_kind(rec, EventKind::TimerStop);
  auto fires = of_kind(rec, EventKind::TimerFire);
  ASSERT_EQ(adds.size(), 2u);
  ASSERT_EQ(fires.size(), 1u);
  ASSERT_GE(stops.size(), 2u);
  const uint64_t never_id = adds[0].a0, soon_id = adds[1].a0;
  EXPECT_NE(never_id, 0u);
  EXPECT_NE(never_id, soon_id);
  for (const auto& a : adds) {
    EXPECT_EQ(a.a2, timer_code(gor::TimerCode::Timer));
    EXPECT_NE(a.g, 0u);  // armed by main
  }
  EXPECT_GT(adds[0].a1, adds[1].a1);  // the hour-long timer is due later
  EXPECT_EQ(fires[0].a1, soon_id);
  EXPECT_EQ(fires[0].a0, adds[1].a1);  // fired for the `when` it was armed with
  // The first stop of each timer says whether it was still armed.
  auto first_stop = [&](uint64_t id) {
    auto it = std::find_if(stops.begin(), stops.end(), [&](const gor::Event& e) { return e.a0 == id; });
    EXPECT_NE(it, stops.end());
    return it == stops.end() ? 99u : it->a1;
  };
  EXPECT_EQ(first_stop(never_id), 1u);
  EXPECT_EQ(first_stop(soon_id), 0u);
}

TEST_P(TraceVocabularyTest, TickerAndSleepTimersAreTaggedByKind) {
  gor::TraceRecorder rec;
  auto r = run_traced(GetParam(), rec, [] {
    gor::Ticker t(1ms);
    for (int i = 0; i < 3; ++i) t.chan().recv();
    t.stop();
    gor::sleep(1ms);
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  size_t ticker_adds = 0, sleep_adds = 0, ticker_fires = 0;
  for (const auto& e : rec.events()) {
    if (e.kind == EventKind::TimerAdd && e.a2 == timer_code(gor::TimerCode::Timer, true)) ++ticker_adds;
    if (e.kind == EventKind::TimerAdd && e.a2 == timer_code(gor::TimerCode::Sleep)) ++sleep_adds;
    if (e.kind == EventKind::TimerFire && e.a2 == timer_code(gor::TimerCode::Timer, true)) ++ticker_fires;
  }
  EXPECT_EQ(ticker_adds, 1u);  // a ticker is armed once and re-arms itself
  EXPECT_GE(ticker_fires, 3u);
  EXPECT_EQ(sleep_adds, 1u);
}

TEST_P(TraceVocabularyTest, SelectReportsCasesAndTheWinnerInArgumentOrder) {
  gor::TraceRecorder rec;
  uint64_t ready_id = 0;
  auto r = run_traced(GetParam(), rec, [&] {
    auto empty = gor::make_chan<int>(1, "empty");
    auto ready = gor::make_chan<int>(1, "ready");
    ready_id = ready.id();
    ready.send(1);
    int won = gor::select(gor::on_recv(empty), gor::on_recv(ready), gor::on_default());
    EXPECT_EQ(won, 1);
    won = gor::select(gor::on_recv(empty), gor::on_default());
    EXPECT_EQ(won, 1);
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto sels = of_kind(rec, EventKind::Select);
  ASSERT_EQ(sels.size(), 2u);
  EXPECT_EQ(sels[0].a0, 3u | (1u << 16));
  EXPECT_EQ(sels[0].a1, 1u);
  EXPECT_EQ(sels[0].a2, ready_id);
  EXPECT_EQ(sels[1].a0, 2u | (1u << 16));
  EXPECT_EQ(sels[1].a1, 1u);
  EXPECT_EQ(sels[1].a2, 0u);  // the default case has no channel
}

TEST_P(TraceVocabularyTest, BlockingSelectIsReportedOnceWhenItCompletes) {
  gor::TraceRecorder rec;
  static constexpr int kRounds = 50;
  auto r = run_traced(GetParam(), rec, [] {
    auto a = gor::make_chan<int>(0, "a");
    auto b = gor::make_chan<int>(0, "b");
    gor::go([=] {
      for (int i = 0; i < kRounds; ++i) (i % 2 ? a : b).send(i);
    });
    for (int i = 0; i < kRounds; ++i) gor::select(gor::on_recv(a), gor::on_recv(b));
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto sels = of_kind(rec, EventKind::Select);
  ASSERT_EQ(sels.size(), static_cast<size_t>(kRounds));
  for (const auto& e : sels) {
    EXPECT_EQ(e.a0, 2u);
    EXPECT_LT(e.a1, 2u);
    EXPECT_NE(e.a2, 0u);
  }
}

TEST_P(TraceVocabularyTest, CancellingARootReportsTheWholeSubtreeParentsFirst) {
  gor::TraceRecorder rec;
  uint64_t root_done = 0, child_done = 0, grandchild_done = 0, sibling_done = 0;
  auto r = run_traced(GetParam(), rec, [&] {
    auto [root, cancel_root] = gor::with_cancel(gor::background());
    auto [child, cancel_child] = gor::with_cancel(root);
    auto valued = gor::with_value(child, "k", 1);
    auto [grandchild, cancel_grandchild] = gor::with_cancel(valued);
    auto [sibling, cancel_sibling] = gor::with_cancel(gor::background());
    root_done = root.done().id();
    child_done = child.done().id();
    grandchild_done = grandchild.done().id();
    sibling_done = sibling.done().id();
    cancel_root();
    cancel_child();  // already cancelled: no second event
    cancel_grandchild();
    cancel_sibling();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto cancels = of_kind(rec, EventKind::ContextCancel);
  ASSERT_EQ(cancels.size(), 4u);
  std::vector<uint64_t> order;
  for (const auto& e : cancels) order.push_back(e.a0);
  EXPECT_EQ(order, (std::vector<uint64_t>{root_done, child_done, grandchild_done, sibling_done}));
  EXPECT_EQ(cancels[0].a2, 0u);                // the root has no cancellable ancestor
  EXPECT_EQ(cancels[1].a2, root_done);
  EXPECT_EQ(cancels[2].a2, child_done);        // through the value node
  EXPECT_EQ(cancels[3].a2, 0u);
  for (const auto& e : cancels) EXPECT_EQ(e.a1, static_cast<uint64_t>(gor::CtxErr::Canceled));
}

TEST_P(TraceVocabularyTest, ADeadlineCancelIsReportedAsDeadlineExceeded) {
  gor::TraceRecorder rec;
  uint64_t done_id = 0;
  auto r = run_traced(GetParam(), rec, [&] {
    auto [ctx, cancel] = gor::with_timeout(gor::background(), 1ms);
    done_id = ctx.done().id();
    ctx.done().recv();
    cancel();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto cancels = of_kind(rec, EventKind::ContextCancel);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].a0, done_id);
  EXPECT_EQ(cancels[0].a1, static_cast<uint64_t>(gor::CtxErr::DeadlineExceeded));
  // Its deadline timer is a Context timer.
  size_t ctx_timers = 0;
  for (const auto& e : of_kind(rec, EventKind::TimerAdd)) ctx_timers += e.a2 == timer_code(gor::TimerCode::Context);
  EXPECT_EQ(ctx_timers, 1u);
}

TEST_P(TraceVocabularyTest, RegionsNestPerGoroutineWithTheirNames) {
  gor::TraceRecorder rec;
  static constexpr int kWorkers = 4;
  auto r = run_traced(GetParam(), rec, [] {
    gor::Region whole("main phase");
    gor::WaitGroup wg;
    wg.add(kWorkers);
    for (int i = 0; i < kWorkers; ++i) {
      gor::go([&] {
        gor::region_begin("work");
        gor::yield();
        gor::region_end("work");
        wg.done();
      });
    }
    wg.wait();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  auto begins = of_kind(rec, EventKind::RegionBegin);
  auto ends = of_kind(rec, EventKind::RegionEnd);
  ASSERT_EQ(begins.size(), static_cast<size_t>(kWorkers) + 1);
  ASSERT_EQ(ends.size(), static_cast<size_t>(kWorkers) + 1);
  std::set<uint64_t> workers;
  for (const auto& e : begins) {
    if (rec.string(e.a0) == "work") workers.insert(e.g);
  }
  EXPECT_EQ(workers.size(), static_cast<size_t>(kWorkers));
  // main's region is the first to begin and the last to end.
  EXPECT_EQ(rec.string(begins.front().a0), "main phase");
  EXPECT_EQ(rec.string(ends.back().a0), "main phase");
  EXPECT_EQ(begins.front().g, ends.back().g);
}

TEST(TraceVocabulary, RegionsOutsideATracedRunDoNothing) {
  gor::region_begin("nowhere");
  gor::region_end("nowhere");
  auto r = gortest::run_ok(1, [] { gor::Region r("untraced"); });
  EXPECT_EQ(r.trace_events, 0u);
}

// A steal names the goroutines it moved: after each Steal (p = thief, a0 = victim, a1 = count)
// and before the thief's next steal come exactly a1 StealMove events from that P, each naming
// the victim and a distinct goroutine the run created; there are no others. (Runs again until
// one steals: on a busy machine a run may finish without any.)
TEST(TraceVocabulary, EachStealNamesTheGoroutinesItMoved) {
  size_t steals = 0, moves = 0;
  for (int attempt = 0; attempt < 20 && steals == 0; ++attempt) {
    gor::TraceRecorder rec;
    auto r = run_traced(4, rec, [] {
      gor::WaitGroup wg;
      wg.add(300);
      for (int i = 0; i < 300; ++i) {
        gor::go([&] {
          auto until = std::chrono::steady_clock::now() + 30us;
          while (std::chrono::steady_clock::now() < until) {
          }
          wg.done();
        });
      }
      wg.wait();
    });
    ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
    std::set<uint64_t> created;
    for (const gor::Event& e : rec.events())
      if (e.kind == EventKind::GoCreate) created.insert(e.g);
    struct Open {
      gor::Event steal;
      std::set<uint64_t> moved;
      bool active = false;
    };
    std::vector<Open> open(4);
    size_t run_steals = 0;
    auto close = [&](Open& o) {
      if (!o.active) return;
      EXPECT_EQ(o.moved.size(), o.steal.a1) << "steal at " << o.steal.ts << " by P" << o.steal.p;
      o.active = false;
    };
    for (const gor::Event& e : rec.events()) {
      if (e.kind == EventKind::Steal) {
        ASSERT_GE(e.p, 0);
        ASSERT_LT(e.p, 4);
        close(open[static_cast<size_t>(e.p)]);
        open[static_cast<size_t>(e.p)] = Open{e, {}, true};
        ++run_steals;
      } else if (e.kind == EventKind::StealMove) {
        ++moves;
        ASSERT_GE(e.p, 0);
        ASSERT_LT(e.p, 4);
        Open& o = open[static_cast<size_t>(e.p)];
        ASSERT_TRUE(o.active) << "a StealMove with no steal before it on P" << e.p;
        EXPECT_EQ(e.a0, o.steal.a0);
        EXPECT_TRUE(created.count(e.g)) << "G" << e.g;
        EXPECT_TRUE(o.moved.insert(e.g).second) << "G" << e.g << " named twice";
      }
    }
    for (Open& o : open) close(o);
    EXPECT_EQ(run_steals, r.steals);
    steals += run_steals;
  }
  EXPECT_GT(steals, 0u);
  EXPECT_GE(moves, steals);
}
