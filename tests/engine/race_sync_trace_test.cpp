// race_sync_trace_test.cpp — the RaceSync trace events (gor/trace.hpp): with Config::race and
// tracing on, the race detector records every synchronisation edge it applies, so the GUI can
// draw the happens-before edges it really used instead of guessing them from other events.
//
// Each test runs a program whose ordering goes through one edge that other events do not
// show (an RWMutex read lock, a WaitGroup wait() that did not block, Once's fast path, a
// buffered channel's k-th receive -> (k+cap)-th send, ...) and asserts the RaceSync event of
// that edge: who acquired from whom, on which object, with which op and edge code.
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using gor::Event;
using gor::EventKind;
using gortest::ProcsTest;

// Edge codes and ops of RaceSync's a2 (gor::detail::RaceEdge, the detector's SyncOp).
enum Op : uint64_t { Acquire = 1, Release = 2, ReleaseMerge = 3, ReleaseAcquire = 4, Handoff = 5 };
enum Edge : uint64_t {
  Chan = 1, ChanSlot = 2, Close = 3, Mutex = 4, RWUnlock = 5, RWRunlock = 6, WaitGroup = 7, Once = 8,
  Cond = 9, Semaphore = 10, Context = 11
};

struct Sync {
  uint64_t g, from, object;
  uint64_t op, edge, sub;
};

struct Traced {
  gor::RunResult r;
  std::vector<Event> events;
  std::vector<Sync> syncs;
  // object_of() is the id of the only object of kind code `kind` (ObjectCreate), 0 if none or several.
  uint64_t object_of(uint64_t kind) const {
    uint64_t id = 0;
    int n = 0;
    for (const Event& e : events) {
      if (e.kind == EventKind::ObjectCreate && (e.a1 & 0xff) == kind) {
        id = e.a0;
        ++n;
      }
    }
    return n == 1 ? id : 0;
  }
  // find() counts the RaceSync events matching every given field (~0: any).
  size_t count(uint64_t g, uint64_t from, uint64_t op, uint64_t edge, uint64_t object = ~0ull) const {
    return static_cast<size_t>(std::count_if(syncs.begin(), syncs.end(), [&](const Sync& s) {
      return (g == ~0ull || s.g == g) && (from == ~0ull || s.from == from) && (op == ~0ull || s.op == op) &&
             (edge == ~0ull || s.edge == edge) && (object == ~0ull || s.object == object);
    }));
  }
};

constexpr uint64_t kAny = ~0ull;

Traced run_race_traced(int procs, std::function<void()> main, bool race = true) {
  gor::TraceRecorder rec;
  gor::Config cfg;
  cfg.procs = procs;
  cfg.seed = 7;
  cfg.race = race;
  cfg.trace = true;
  cfg.observer = &rec;
  Traced t;
  t.r = gor::run(cfg, std::move(main));
  t.events = rec.events();
  for (const Event& e : t.events) {
    if (e.kind != EventKind::RaceSync) continue;
    t.syncs.push_back(Sync{e.g, e.a0, e.a1, e.a2 & 0xff, (e.a2 >> 8) & 0xff, e.a2 >> 16});
  }
  EXPECT_EQ(t.r.status, gor::RunStatus::Ok) << t.r.message << t.r.dump;
  EXPECT_EQ(t.r.races, 0u);
  return t;
}

class RaceSyncTrace : public ProcsTest {};
GOR_INSTANTIATE_PROCS(RaceSyncTrace);

TEST_P(RaceSyncTrace, NoEventsWithoutTheDetector) {
  Traced t = run_race_traced(GetParam(), [] {
    gor::Mutex mu;
    auto c = gor::make_chan<int>(1);
    mu.lock();
    c.send(1);
    c.recv();
    mu.unlock();
  }, /*race=*/false);
  EXPECT_TRUE(t.syncs.empty());
}

TEST_P(RaceSyncTrace, RWMutexReadLockAcquiresFromTheWritersUnlock) {
  std::atomic<uint64_t> writer{0}, reader{0};
  Traced t = run_race_traced(GetParam(), [&] {
    gor::RWMutex rw;
    gor::Shared<int> x{0};
    auto wrote = gor::make_chan<int>();
    auto read = gor::make_chan<int>();
    gor::go([&, wrote] {
      writer = gor::goid();
      rw.lock();
      x.store(1);
      rw.unlock();
      wrote.close();
    });
    gor::go([&, wrote, read] {
      reader = gor::goid();
      wrote.recv();
      rw.rlock();
      (void)x.load();
      rw.runlock();
      read.send(0);
    });
    read.recv();
    rw.lock();  // after the reader's runlock
    x.store(2);
    rw.unlock();
  });
  const uint64_t id = t.object_of(3);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(t.count(writer, 0, Release, RWUnlock, id), 1u);
  EXPECT_EQ(t.count(reader, writer, Acquire, RWUnlock, id), 1u);  // the read lock's edge
  EXPECT_EQ(t.count(reader, 0, ReleaseMerge, RWRunlock, id), 1u);
  EXPECT_EQ(t.count(1, reader, Acquire, RWRunlock, id), 1u);  // runlock -> the next lock
  EXPECT_EQ(t.count(1, writer, Acquire, RWUnlock, id), 1u);
}

TEST_P(RaceSyncTrace, WaitGroupWaitThatDidNotBlockStillAcquires) {
  std::atomic<uint64_t> child{0};
  Traced t = run_race_traced(GetParam(), [&] {
    gor::WaitGroup wg;
    auto finished = gor::make_chan<int>();
    wg.add(1);
    gor::go([&, finished] {
      child = gor::goid();
      wg.done();
      finished.close();
    });
    finished.recv();  // done() has returned: wait() finds the counter at zero, no parking
    wg.wait();
  });
  const uint64_t id = t.object_of(4);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(t.count(child, 0, ReleaseMerge, WaitGroup, id), 1u);
  EXPECT_EQ(t.count(1, child, Acquire, WaitGroup, id), 1u);
  // The wait did not block: no GoBlock of main on the WaitGroup, so no trace event but this
  // one shows the edge.
  for (const Event& e : t.events) EXPECT_FALSE(e.kind == EventKind::GoBlock && e.g == 1 && e.a1 == id);
}

TEST_P(RaceSyncTrace, OnceFastPathAcquiresFromTheFunction) {
  std::atomic<uint64_t> runner{0};
  Traced t = run_race_traced(GetParam(), [&] {
    gor::Once once;
    gor::Shared<int> x{0};
    auto ran = gor::make_chan<int>();
    gor::go([&, ran] {
      runner = gor::goid();
      once.call([&] { x.store(1); });
      ran.close();
    });
    ran.recv();
    once.call([&] { x.store(2); });  // done already: the fast path
    EXPECT_EQ(x.load(), 1);
  });
  const uint64_t id = t.object_of(6);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(t.count(runner, 0, ReleaseMerge, Once, id), 1u);
  EXPECT_EQ(t.count(1, runner, Acquire, Once, id), 1u);
}

TEST_P(RaceSyncTrace, BufferedChannelReceiveOrdersTheSendCapLater) {
  std::atomic<uint64_t> receiver{0};
  uint64_t cid = 0;
  Traced t = run_race_traced(GetParam(), [&] {
    auto c = gor::make_chan<int>(1);  // a one-slot semaphore
    auto got = gor::make_chan<int>();
    cid = c.id();
    c.send(1);
    gor::go([&, c, got] {
      receiver = gor::goid();
      c.recv();
      got.close();
    });
    got.recv();
    c.send(2);  // the 2nd send reuses the slot the 1st receive freed: receive -> this send
  });
  ASSERT_NE(cid, 0u);
  // Slot 0 (sub 1): main's first send, the child's receive from it, main's second send.
  std::vector<Sync> slot;
  for (const Sync& s : t.syncs)
    if (s.object == cid) slot.push_back(s);
  ASSERT_EQ(slot.size(), 3u);
  for (const Sync& s : slot) {
    EXPECT_EQ(s.op, ReleaseAcquire);
    EXPECT_EQ(s.edge, ChanSlot);
    EXPECT_EQ(s.sub, 1u);
  }
  EXPECT_EQ(slot[0].g, 1u);
  EXPECT_EQ(slot[0].from, 0u);  // the slot was never used
  EXPECT_EQ(slot[1].g, receiver.load());
  EXPECT_EQ(slot[1].from, 1u);  // send -> its receive
  EXPECT_EQ(slot[2].g, 1u);
  EXPECT_EQ(slot[2].from, receiver.load());  // the k-th receive -> the (k+cap)-th send
}

TEST_P(RaceSyncTrace, UnbufferedHandoffNamesBothGoroutines) {
  std::atomic<uint64_t> child{0};
  uint64_t cid = 0;
  Traced t = run_race_traced(GetParam(), [&] {
    auto c = gor::make_chan<int>();
    cid = c.id();
    auto done = gor::make_chan<int>();
    gor::go([&, c, done] {
      child = gor::goid();
      c.send(5);
      done.close();
    });
    EXPECT_EQ(c.recv(), 5);
    done.recv();
  });
  // Whichever side parked, the other records the handoff with it as the partner.
  const size_t a = t.count(1, child, Handoff, Chan, cid), b = t.count(child, 1, Handoff, Chan, cid);
  EXPECT_EQ(a + b, 1u);
}

TEST_P(RaceSyncTrace, CloseOrdersTheReceiveThatObservesIt) {
  std::atomic<uint64_t> closer{0};
  uint64_t cid = 0;
  Traced t = run_race_traced(GetParam(), [&] {
    auto c = gor::make_chan<int>();
    cid = c.id();
    gor::go([&, c] {
      closer = gor::goid();
      c.close();
    });
    EXPECT_FALSE(c.recv_ok().second);
  });
  EXPECT_EQ(t.count(closer, 0, Release, Close, cid), 1u);
  EXPECT_EQ(t.count(1, closer, Acquire, Close, cid), 1u);
}

TEST_P(RaceSyncTrace, MutexLockAcquiresFromTheLastUnlock) {
  std::atomic<uint64_t> child{0};
  Traced t = run_race_traced(GetParam(), [&] {
    gor::Mutex mu;
    gor::Shared<int> x{0};
    auto done = gor::make_chan<int>();
    gor::go([&, done] {
      child = gor::goid();
      mu.lock();
      x.store(1);
      mu.unlock();
      done.close();
    });
    done.recv();
    mu.lock();
    x.store(2);
    mu.unlock();
  });
  const uint64_t id = t.object_of(2);
  ASSERT_NE(id, 0u);
  EXPECT_EQ(t.count(1, child, Acquire, Mutex, id), 1u);
  EXPECT_EQ(t.count(kAny, kAny, Release, Mutex, id), 2u);
  // A lock of a never-unlocked mutex has no clock to acquire from: no event.
  EXPECT_EQ(t.count(child, kAny, Acquire, Mutex, id), 0u);
}

TEST_P(RaceSyncTrace, ReleaseComesBeforeItsAcquireInTheTrace) {
  // The GUI replays the events in timestamp order: an acquire must follow the release it
  // acquires from, on every schedule.
  Traced t = run_race_traced(GetParam(), [] {
    gor::Mutex mu;
    gor::WaitGroup wg;
    gor::Shared<int> x{0};
    for (int i = 0; i < 8; ++i) {
      wg.add(1);
      gor::go([&] {
        for (int k = 0; k < 20; ++k) {
          mu.lock();
          x.update([](int v) { return v + 1; });
          mu.unlock();
        }
        wg.done();
      });
    }
    wg.wait();
  });
  std::vector<std::pair<uint64_t, uint64_t>> released;  // (object, goroutine) seen so far
  size_t acquires = 0;
  for (const Event& e : t.events) {
    if (e.kind != EventKind::RaceSync) continue;
    const uint64_t op = e.a2 & 0xff;
    if (op == Release || op == ReleaseMerge) released.emplace_back(e.a1, e.g);
    if (op == Acquire && e.a0 != 0) {
      ++acquires;
      EXPECT_NE(std::find(released.begin(), released.end(), std::make_pair(e.a1, e.a0)), released.end())
          << "acquire by G" << e.g << " from G" << e.a0 << " at " << e.ts << " before any release of it";
    }
  }
  EXPECT_GE(acquires, 8u);  // at least wg.wait() from each done()... and the locks
}

}  // namespace
