// race_edges_test.cpp — race_hb_edges() on traces that carry the race detector's own edges
// (EventKind::RaceSync): it replays them as the detector applied them, so it shows edges that
// the guess from other events misses (an RWMutex read lock, a WaitGroup wait() that did not
// block, Once's fast path, a buffered channel's receive -> the send cap later), ignores
// wake-ups that are no happens-before edge, and falls back to guessing without RaceSync events.
#include <QtTest>

#include <algorithm>
#include <atomic>

#include <gor/gor.hpp>
#include <gor/trace.hpp>

#include "model/race_edges.hpp"

using namespace goroscope::gui;
using gor::EventKind;

namespace {

gor::Event ev(int64_t ts, EventKind kind, uint64_t g, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, int p = 0) {
  gor::Event e;
  e.ts = ts;
  e.kind = kind;
  e.g = g;
  e.a0 = a0;
  e.a1 = a1;
  e.a2 = a2;
  e.p = static_cast<int16_t>(p);
  return e;
}

// RaceSync's a2: op | edge << 8 | sub << 16.
uint64_t code(uint64_t op, uint64_t edge, uint64_t sub = 0) { return op | (edge << 8) | (sub << 16); }
enum : uint64_t { Acquire = 1, Release = 2, Merge = 3, ReleaseAcquire = 4, Handoff = 5 };
enum : uint64_t { ChanSlot = 2, RWUnlock = 5, RWRunlock = 6, WaitGroup = 7, Once = 8 };

gor::Event sync(int64_t ts, uint64_t g, uint64_t from, uint64_t object, uint64_t c) {
  return ev(ts, EventKind::RaceSync, g, from, object, c);
}

bool has_edge(const RaceEdges& r, HbKind kind, uint64_t from, uint64_t to) {
  return std::any_of(r.edges.begin(), r.edges.end(),
                     [&](const HbEdge& e) { return e.kind == kind && e.from_g == from && e.to_g == to; });
}

bool any_edge_between(const RaceEdges& r, uint64_t a, uint64_t b) {
  return std::any_of(r.edges.begin(), r.edges.end(), [&](const HbEdge& e) {
    return e.kind != HbKind::Create && ((e.from_g == a && e.to_g == b) || (e.from_g == b && e.to_g == a));
  });
}

}  // namespace

class RaceEdgesTest : public QObject {
  Q_OBJECT
 private slots:
  void read_lock_edge_and_no_guessed_wake() {
    // G2 unlocks rw (object 7) at 40; G3's rlock at 50 acquires it; G4 wakes G3 at 60 (a
    // wake-up alone orders nothing for the detector); G3's access at 80 races with G2's.
    const std::vector<gor::Event> events = {
        ev(10, EventKind::GoCreate, 2, 1),
        ev(11, EventKind::GoCreate, 3, 1),
        ev(12, EventKind::GoCreate, 4, 1),
        sync(40, 2, 0, 7, code(Release, RWUnlock)),
        sync(50, 3, 2, 7, code(Acquire, RWUnlock)),
        ev(55, EventKind::GoStart, 2),
        ev(60, EventKind::GoUnblock, 3, 2),  // would be a guessed "woke" edge G2 -> G3
        ev(80, EventKind::Race, 3, 2, 0, 0, 1),
    };
    const RaceEdges r = race_hb_edges(events, events.back());
    QVERIFY(r.from_detector);
    QCOMPARE(r.other_ordered_until, int64_t{40});
    QCOMPARE(r.g_ordered_until, int64_t{-1});
    QVERIFY(has_edge(r, HbKind::Mutex, 2, 3));
    QVERIFY(!has_edge(r, HbKind::Wake, 2, 3));
    QCOMPARE(r.edges.size(), size_t{3});  // the two `go` edges and the read lock
    const auto m = std::find_if(r.edges.begin(), r.edges.end(), [](const HbEdge& e) { return e.kind == HbKind::Mutex; });
    QCOMPARE(m->from_ts, int64_t{40});
    QCOMPARE(m->to_ts, int64_t{50});
    QCOMPARE(m->object, uint64_t{7});
  }

  void runlock_merge_waitgroup_and_once() {
    // G2 runlocks at 20 (merged into the runlock clock), G3 at 30; main's lock at 40 acquires
    // both, from the later merge that raised what it knows of each. G3's done() at 45 and a
    // wait() that did not block at 50; Once run by G2 at 60, main's fast path at 70.
    const std::vector<gor::Event> events = {
        ev(5, EventKind::GoCreate, 2, 1),
        ev(6, EventKind::GoCreate, 3, 1),
        sync(20, 2, 0, 7, code(Merge, RWRunlock)),
        sync(30, 3, 0, 7, code(Merge, RWRunlock)),
        sync(40, 1, 3, 7, code(Acquire, RWRunlock)),
        sync(45, 3, 0, 8, code(Merge, WaitGroup)),
        sync(50, 1, 3, 8, code(Acquire, WaitGroup)),
        sync(60, 2, 0, 9, code(Merge, Once)),
        sync(70, 1, 2, 9, code(Acquire, Once)),
        ev(80, EventKind::Race, 1, 3),
    };
    const RaceEdges r = race_hb_edges(events, events.back());
    QCOMPARE(r.other_ordered_until, int64_t{45});  // G3 up to its done()
    QVERIFY(has_edge(r, HbKind::WaitGroup, 3, 1));
    QVERIFY(!has_edge(r, HbKind::Once, 2, 1));  // real, but it orders nothing of G3 or G1
    const RaceEdges r2 = race_hb_edges(events, ev(80, EventKind::Race, 1, 2));
    QCOMPARE(r2.other_ordered_until, int64_t{60});  // G2 up to its Once function's end
    QVERIFY(has_edge(r2, HbKind::Once, 2, 1));
    QVERIFY(!has_edge(r2, HbKind::RUnlock, 2, 1));  // superseded by the Once edge for G2
  }

  void buffered_slot_receive_orders_the_send_cap_later() {
    // cap 1: main sends at 10 (slot sub 1), G2 receives at 20, main sends again at 30: the
    // release-acquire of the slot orders G2's receive before the second send.
    const std::vector<gor::Event> events = {
        ev(5, EventKind::GoCreate, 2, 1),
        sync(10, 1, 0, 5, code(ReleaseAcquire, ChanSlot, 1)),
        sync(20, 2, 1, 5, code(ReleaseAcquire, ChanSlot, 1)),
        sync(30, 1, 2, 5, code(ReleaseAcquire, ChanSlot, 1)),
        ev(40, EventKind::Race, 1, 2),
    };
    const RaceEdges r = race_hb_edges(events, events.back());
    QCOMPARE(r.other_ordered_until, int64_t{20});
    QCOMPARE(r.g_ordered_until, int64_t{10});
    QVERIFY(has_edge(r, HbKind::Channel, 2, 1));  // receive -> the (1+cap)-th send
    QVERIFY(has_edge(r, HbKind::Channel, 1, 2));  // send -> its receive
  }

  void handoff_orders_both_ways() {
    const std::vector<gor::Event> events = {
        ev(5, EventKind::GoCreate, 2, 1),
        ev(6, EventKind::GoCreate, 3, 1),
        sync(20, 3, 2, 4, code(Handoff, 1)),
        ev(40, EventKind::Race, 3, 2),
    };
    const RaceEdges r = race_hb_edges(events, events.back());
    QCOMPARE(r.other_ordered_until, int64_t{20});
    QCOMPARE(r.g_ordered_until, int64_t{20});
    QVERIFY(has_edge(r, HbKind::Channel, 2, 3));
    QVERIFY(has_edge(r, HbKind::Channel, 3, 2));
  }

  void real_run_shows_the_rwmutex_edge_the_guess_misses() {
    // G2 and G3 each take rw (one for writing, one for reading) and write x after unlocking:
    // whichever goes first, the other's lock orders it, and the writes after race.
    gor::TraceRecorder rec;
    gor::Config cfg;
    cfg.procs = 2;
    cfg.race = true;
    cfg.trace = true;
    cfg.observer = &rec;
    std::atomic<uint64_t> writer{0}, reader{0};
    gor::RunResult res = gor::run(cfg, [&] {
      gor::RWMutex rw;
      gor::Shared<int> x{0, "x"};
      gor::WaitGroup wg;
      wg.add(2);
      gor::go([&] {
        writer = gor::goid();
        rw.lock();
        rw.unlock();
        x.store(1);
        wg.done();
      });
      gor::go([&] {
        reader = gor::goid();
        rw.rlock();
        rw.runlock();
        x.store(2);
        wg.done();
      });
      wg.wait();
    });
    QCOMPARE(res.races, size_t{1});
    const std::vector<gor::Event> events = rec.events();
    const auto race = std::find_if(events.begin(), events.end(), [](const gor::Event& e) { return e.kind == EventKind::Race; });
    QVERIFY(race != events.end());
    const RaceEdges r = race_hb_edges(events, *race);
    QVERIFY(r.from_detector);
    QVERIFY(any_edge_between(r, writer, reader));
    QVERIFY(r.other_ordered_until >= 0);  // the earlier goroutine is ordered up to its unlock
    // Without the detector's edges, the guess sees no edge between them (an rlock and a
    // runlock record no event), unless one of them happened to park and the other woke it.
    const bool woke = std::any_of(events.begin(), events.end(), [&](const gor::Event& e) {
      return e.kind == EventKind::GoUnblock && ((e.g == writer && e.a0 == reader) || (e.g == reader && e.a0 == writer));
    });
    std::vector<gor::Event> old;
    std::copy_if(events.begin(), events.end(), std::back_inserter(old), [](const gor::Event& e) { return e.kind != EventKind::RaceSync; });
    const auto race2 = std::find_if(old.begin(), old.end(), [](const gor::Event& e) { return e.kind == EventKind::Race; });
    const RaceEdges guessed = race_hb_edges(old, *race2);
    QVERIFY(!guessed.from_detector);
    if (!woke) QVERIFY(!any_edge_between(guessed, writer, reader));
  }
};

QTEST_GUILESS_MAIN(RaceEdgesTest)
#include "race_edges_test.moc"
