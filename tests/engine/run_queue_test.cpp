// run_queue_test.cpp — a P's local run queue (engine/src/run_queue.hpp, Go's runq/runnext):
// FIFO order, runnext first, stealing half, runnext stolen only as a last resort, the ring's
// capacity of 256 and the overflow contract (put fails; take_half_for_global hands the
// oldest half to the caller, Go's runqputslow). The RunQueue only stores G pointers and
// never dereferences them, so these tests use distinct fake addresses. The last test checks
// the scheduler's use of that contract through a run's final snapshot.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../../engine/src/run_queue.hpp"
#include "gor/control.hpp"
#include "gor/gor.hpp"

using gor::detail::G;
using gor::detail::RunQueue;

namespace {

constexpr uint32_t kCap = RunQueue::kCapacity;

// fake() is the i-th fake goroutine (distinct, never dereferenced).
struct FakeG {
  int index;
};
FakeG g_fakes[4 * kCap];
G* fake(int i) { return reinterpret_cast<G*>(&g_fakes[i]); }
int index_of(G* g) { return g == nullptr ? -1 : reinterpret_cast<FakeG*>(g) - g_fakes; }

// drain_ring() takes everything with get(), checking none of it is a runnext (inherit).
std::vector<int> drain_ring(RunQueue& q) {
  std::vector<int> out;
  bool inherit = true;
  while (G* g = q.get(inherit)) {
    EXPECT_FALSE(inherit) << "ring entry " << index_of(g) << " came out as runnext";
    out.push_back(index_of(g));
  }
  return out;
}

std::vector<int> range(int from, int to) {  // [from, to)
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST(RunQueue, StartsEmpty) {
  RunQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.runnext(), nullptr);
  bool inherit = true;
  EXPECT_EQ(q.get(inherit), nullptr);
}

TEST(RunQueue, PutGetIsFifo) {
  RunQueue q;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.put(fake(i)));
  EXPECT_EQ(q.size(), 10u);
  EXPECT_FALSE(q.empty());
  std::vector<int> seen;
  q.for_each([&](G* g) { seen.push_back(index_of(g)); });
  EXPECT_EQ(seen, range(0, 10));  // for_each visits head first
  EXPECT_EQ(drain_ring(q), range(0, 10));
  EXPECT_TRUE(q.empty());
}

// FIFO across the ring's wrap-around (head and tail indices past the capacity).
TEST(RunQueue, FifoAcrossWrapAround) {
  RunQueue q;
  int next_in = 0, next_out = 0;
  bool inherit = false;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(q.put(fake(next_in++ % (4 * kCap))));
    for (int i = 0; i < 200; ++i) {
      G* g = q.get(inherit);
      ASSERT_NE(g, nullptr);
      ASSERT_EQ(index_of(g), next_out++ % (4 * kCap));
    }
  }
  EXPECT_TRUE(q.empty());
}

TEST(RunQueue, RunnextIsTakenFirstAndInherits) {
  RunQueue q;
  ASSERT_TRUE(q.put(fake(1)));
  ASSERT_TRUE(q.put(fake(2)));
  EXPECT_EQ(q.put_next(fake(9)), nullptr);
  EXPECT_EQ(q.runnext(), fake(9));
  EXPECT_EQ(q.size(), 3u);  // runnext counts
  bool inherit = false;
  EXPECT_EQ(q.get(inherit), fake(9));
  EXPECT_TRUE(inherit);  // came from runnext: inherits the time slice
  EXPECT_EQ(q.runnext(), nullptr);
  EXPECT_EQ(drain_ring(q), (std::vector<int>{1, 2}));
}

// put_next() replaces runnext and hands back the goroutine it kicked out (which the
// scheduler then puts at the ring's tail).
TEST(RunQueue, PutNextKicksOutThePreviousRunnext) {
  RunQueue q;
  EXPECT_EQ(q.put_next(fake(1)), nullptr);
  EXPECT_EQ(q.put_next(fake(2)), fake(1));
  EXPECT_EQ(q.put_next(fake(3)), fake(2));
  EXPECT_EQ(q.runnext(), fake(3));
  EXPECT_FALSE(q.empty());  // runnext alone makes it non-empty
  bool inherit = false;
  EXPECT_EQ(q.get(inherit), fake(3));
  EXPECT_TRUE(inherit);
  EXPECT_TRUE(q.empty());
}

// steal_into() takes n - n/2 of the victim's ring, the oldest ones, and returns the last
// of them to run; the others are at the thief's tail in order; the victim keeps the rest.
TEST(RunQueue, StealTakesHalfRoundedUpOldestFirst) {
  for (int n : {1, 2, 3, 7, 8, 100, 255, 256}) {
    SCOPED_TRACE("victim ring size " + std::to_string(n));
    RunQueue victim, thief;
    for (int i = 0; i < n; ++i) ASSERT_TRUE(victim.put(fake(i)));
    ASSERT_TRUE(thief.put(fake(3 * kCap)));  // the thief's own goroutine stays at its head
    uint32_t count = 0;
    G* run = thief.steal_into(victim, /*take_runnext=*/true, /*victim_running=*/false, count);
    const int taken = n - n / 2;
    EXPECT_EQ(count, static_cast<uint32_t>(taken));
    EXPECT_EQ(run, fake(taken - 1));  // the last stolen one runs now
    std::vector<int> thief_ring = drain_ring(thief);
    std::vector<int> want = {static_cast<int>(3 * kCap)};
    for (int i = 0; i < taken - 1; ++i) want.push_back(i);
    EXPECT_EQ(thief_ring, want);
    EXPECT_EQ(drain_ring(victim), range(taken, n));
  }
}

// A victim with goroutines in its ring keeps its runnext, even for a thief that would take it.
TEST(RunQueue, StealLeavesRunnextWhileTheRingHasWork) {
  RunQueue victim, thief;
  ASSERT_TRUE(victim.put(fake(0)));
  ASSERT_TRUE(victim.put(fake(1)));
  victim.put_next(fake(50));
  uint32_t count = 0;
  G* run = thief.steal_into(victim, /*take_runnext=*/true, false, count);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(run, fake(0));
  EXPECT_EQ(victim.runnext(), fake(50));
  run = thief.steal_into(victim, true, false, count);
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(run, fake(1));
  EXPECT_EQ(victim.runnext(), fake(50));
  EXPECT_TRUE(thief.empty());  // each single stolen goroutine was returned, not queued
}

// runnext is stolen only when take_runnext is set and the ring is empty (the last resort).
TEST(RunQueue, RunnextIsStolenOnlyAsLastResort) {
  RunQueue victim, thief;
  victim.put_next(fake(7));
  uint32_t count = 99;
  EXPECT_EQ(thief.steal_into(victim, /*take_runnext=*/false, false, count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(victim.runnext(), fake(7));

  EXPECT_EQ(thief.steal_into(victim, /*take_runnext=*/true, false, count), fake(7));
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(victim.runnext(), nullptr);
  EXPECT_TRUE(victim.empty());
  EXPECT_TRUE(thief.empty());

  // With the victim's owner running (it just readied runnext), the thief backs off for a
  // moment and then still takes it.
  victim.put_next(fake(8));
  EXPECT_EQ(thief.steal_into(victim, true, /*victim_running=*/true, count), fake(8));
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(victim.runnext(), nullptr);
}

TEST(RunQueue, StealFromEmptyVictimTakesNothing) {
  RunQueue victim, thief;
  ASSERT_TRUE(thief.put(fake(1)));
  uint32_t count = 99;
  EXPECT_EQ(thief.steal_into(victim, true, false, count), nullptr);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(drain_ring(thief), (std::vector<int>{1}));
}

// The ring holds exactly 256; put on a full ring fails and changes nothing.
TEST(RunQueue, CapacityIs256AndPutFailsWhenFull) {
  static_assert(RunQueue::kCapacity == 256);
  RunQueue q;
  for (uint32_t i = 0; i < kCap; ++i) ASSERT_TRUE(q.put(fake(static_cast<int>(i)))) << i;
  EXPECT_EQ(q.size(), kCap);
  EXPECT_FALSE(q.put(fake(kCap)));
  EXPECT_EQ(q.size(), kCap);
  // runnext is separate from the ring: a full ring still takes one there.
  EXPECT_EQ(q.put_next(fake(kCap + 1)), nullptr);
  EXPECT_EQ(q.size(), kCap + 1);
  bool inherit = false;
  EXPECT_EQ(q.get(inherit), fake(kCap + 1));
  EXPECT_EQ(drain_ring(q), range(0, kCap));
}

// Overflow (Go's runqputslow): take_half_for_global() removes the oldest half of a full
// ring, in order, for the global queue; the newest half stays, and put succeeds again.
TEST(RunQueue, OverflowHandsTheOldestHalfToTheCaller) {
  RunQueue q;
  for (uint32_t i = 0; i < kCap; ++i) ASSERT_TRUE(q.put(fake(static_cast<int>(i))));
  ASSERT_FALSE(q.put(fake(kCap)));
  G* batch[kCap / 2 + 1] = {};
  uint32_t n = q.take_half_for_global(batch);
  ASSERT_EQ(n, kCap / 2);
  for (uint32_t i = 0; i < n; ++i) EXPECT_EQ(batch[i], fake(static_cast<int>(i))) << i;
  EXPECT_EQ(q.size(), kCap / 2);
  EXPECT_TRUE(q.put(fake(kCap)));
  std::vector<int> want = range(kCap / 2, kCap + 1);
  EXPECT_EQ(drain_ring(q), want);
}

// take_half_for_global() works only on a full ring (otherwise the caller retries put()).
TEST(RunQueue, TakeHalfForGlobalRefusesARingThatIsNotFull) {
  RunQueue q;
  G* batch[kCap / 2 + 1] = {};
  EXPECT_EQ(q.take_half_for_global(batch), 0u);
  for (uint32_t i = 0; i < kCap - 1; ++i) ASSERT_TRUE(q.put(fake(static_cast<int>(i))));
  EXPECT_EQ(q.take_half_for_global(batch), 0u);
  EXPECT_EQ(q.size(), kCap - 1);
  EXPECT_EQ(drain_ring(q), range(0, kCap - 1));
}

// A full ring across the wrap-around still overflows by its oldest half.
TEST(RunQueue, OverflowAfterWrapAround) {
  RunQueue q;
  bool inherit = false;
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.put(fake(i)));
  for (int i = 0; i < 100; ++i) ASSERT_EQ(q.get(inherit), fake(i));
  for (uint32_t i = 0; i < kCap; ++i) ASSERT_TRUE(q.put(fake(static_cast<int>(100 + i))));
  ASSERT_FALSE(q.put(fake(0)));
  G* batch[kCap / 2 + 1] = {};
  ASSERT_EQ(q.take_half_for_global(batch), kCap / 2);
  for (uint32_t i = 0; i < kCap / 2; ++i) EXPECT_EQ(batch[i], fake(static_cast<int>(100 + i)));
  EXPECT_EQ(drain_ring(q), range(100 + kCap / 2, 100 + kCap));
}

// drain() empties runnext first, then the ring in order.
TEST(RunQueue, DrainTakesRunnextThenRing) {
  RunQueue q;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q.put(fake(i)));
  q.put_next(fake(40));
  std::vector<int> out;
  q.drain([&](G* g) { out.push_back(index_of(g)); });
  EXPECT_EQ(out, (std::vector<int>{40, 0, 1, 2, 3, 4}));
  EXPECT_TRUE(q.empty());
}

// Concurrent owner and thieves: every goroutine put is taken exactly once (by get or by a
// steal), none twice, none lost.
TEST(RunQueue, ConcurrentStealsLoseAndDuplicateNothing) {
  constexpr int kTotal = 4 * kCap;
  RunQueue owner;
  std::atomic<int> taken[kTotal];
  for (auto& t : taken) t.store(0);
  std::atomic<bool> done{false};
  auto take = [&](G* g) { taken[index_of(g)].fetch_add(1); };
  std::vector<std::thread> thieves;
  for (int t = 0; t < 2; ++t) {
    thieves.emplace_back([&] {
      RunQueue mine;
      while (!done.load(std::memory_order_acquire) || !owner.empty()) {
        uint32_t count = 0;
        if (G* g = mine.steal_into(owner, (count & 1) == 0, false, count)) take(g);
        bool inherit = false;
        while (G* g = mine.get(inherit)) take(g);
      }
    });
  }
  bool inherit = false;
  int next = 0;
  for (int round = 0; next < kTotal; ++round) {
    for (int i = 0; i < 50 && next < kTotal; ++i) {
      if (G* kicked = owner.put_next(fake(next++))) {
        while (!owner.put(kicked)) {
          if (G* g = owner.get(inherit)) take(g);
        }
      }
    }
    if (round % 3 == 0) {
      if (G* g = owner.get(inherit)) take(g);
    }
  }
  done.store(true, std::memory_order_release);
  for (auto& th : thieves) th.join();
  while (G* g = owner.get(inherit)) take(g);
  for (int i = 0; i < kTotal; ++i) EXPECT_EQ(taken[i].load(), 1) << "goroutine " << i;
}

// The scheduler's side of the overflow contract, seen in the final snapshot of a run that
// ends (panics) right after main started 300 goroutines on one P without blocking: each go()
// puts the new goroutine in runnext and kicks the previous one into the ring; the 258th
// go() finds the ring full (goroutines 1..256), so the oldest half (1..128) and the kicked
// goroutine 257 go to the global queue, in that order; the ring then holds 129..256 and
// 258..299, and 300 is in runnext.
TEST(RunQueueScheduler, LocalOverflowMovesHalfAndTheKickedGoroutineToTheGlobalQueue) {
  constexpr int kN = 300;
  gor::RunControl control;
  gor::Config cfg;
  cfg.procs = 1;
  cfg.control = &control;
  cfg.preempt_after = std::chrono::milliseconds(60'000);  // no preemption during the loop
  gor::RunResult r = gor::run(cfg, [] {
    for (int i = 1; i <= kN; ++i) gor::go_named(std::to_string(i), [] {});
    throw std::runtime_error("stop here");
  });
  ASSERT_EQ(r.status, gor::RunStatus::Panic) << r.message;
  std::optional<gor::Snapshot> s = control.final_snapshot();
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->procs.size(), 1u);
  auto label_of = [&](uint64_t id) -> int {
    for (const gor::GoroutineInfo& g : s->goroutines) {
      if (g.id == id) return g.label.empty() ? -1 : std::stoi(g.label);
    }
    return -2;
  };
  auto labels = [&](const std::vector<uint64_t>& ids) {
    std::vector<int> out;
    for (uint64_t id : ids) out.push_back(label_of(id));
    return out;
  };
  EXPECT_EQ(label_of(s->procs[0].runnext), kN);
  std::vector<int> want_local = range(129, 257);
  for (int i = 258; i < kN; ++i) want_local.push_back(i);
  EXPECT_EQ(labels(s->procs[0].local_queue), want_local);
  std::vector<int> want_global = range(1, 129);
  want_global.push_back(257);
  EXPECT_EQ(labels(s->global_queue), want_global);
}

}  // namespace
