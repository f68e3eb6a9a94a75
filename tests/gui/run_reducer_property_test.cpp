// Property tests of RunReducer: random valid event sequences against a naive reference model
// (plain vectors, every rule written the obvious way), compared after every event; and random
// corrupt sequences, which must be reported as problems, never crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "run_reducer.hpp"

namespace {

using goroscope::trace::first_difference;
using goroscope::trace::RunReducer;
using K = gor::EventKind;
using Queue = std::vector<uint64_t>;

// Reference is the naive model; it also generates the events (only valid ones).
struct Reference {
  struct P {
    uint64_t running = 0, runnext = 0;
    Queue local;
  };
  std::vector<P> procs;
  Queue global;
  std::map<uint64_t, std::string> state;  // alive goroutines: runnable, running, waiting
  std::map<uint64_t, int> on;             // running goroutine -> P
  uint64_t next_id = 1;
  int64_t now = 0;

  explicit Reference(int n) : procs(static_cast<size_t>(n)) {}

  static void erase(Queue& q, uint64_t g) { q.erase(std::remove(q.begin(), q.end(), g), q.end()); }
  void take_off_queues(uint64_t g) {
    erase(global, g);
    for (P& p : procs) {
      erase(p.local, g);
      if (p.runnext == g) p.runnext = 0;
    }
  }
  void runnext(int p, uint64_t g) {
    if (procs[p].runnext) procs[p].local.push_back(procs[p].runnext);
    procs[p].runnext = g;
  }
  std::vector<uint64_t> in(const std::string& s) const {
    std::vector<uint64_t> out;
    for (const auto& [g, st] : state)
      if (st == s) out.push_back(g);
    return out;
  }
  gor::Event ev(K kind, uint64_t g, int p, uint64_t a0 = 0, uint64_t a1 = 0) {
    gor::Event e;
    e.ts = ++now;
    e.kind = kind;
    e.g = g;
    e.p = static_cast<int16_t>(p);
    e.a0 = a0;
    e.a1 = a1;
    return e;
  }

  // step() picks a random valid event, applies it here and returns it.
  gor::Event step(std::mt19937_64& rng) {
    auto pick = [&](const std::vector<uint64_t>& v) { return v[rng() % v.size()]; };
    const int np = static_cast<int>(procs.size());
    for (;;) {
      const int p = static_cast<int>(rng() % np);
      switch (rng() % 9) {
        case 0: {  // go: into the creator P's runnext
          const uint64_t g = next_id++;
          state[g] = "runnable";
          runnext(p, g);
          return ev(K::GoCreate, g, p);
        }
        case 1: {  // start a runnable goroutine on an idle P
          if (procs[p].running) break;
          std::vector<uint64_t> queued = in("runnable");
          if (queued.empty()) break;
          const uint64_t g = pick(queued);
          take_off_queues(g);
          state[g] = "running";
          procs[p].running = g;
          on[g] = p;
          return ev(K::GoStart, g, p);
        }
        case 2:
        case 3: {  // the running goroutine blocks, yields (global or local) or ends
          if (!procs[p].running) break;
          const uint64_t g = procs[p].running;
          procs[p].running = 0;
          on.erase(g);
          const uint64_t how = rng() % 4;
          if (how == 0) {
            state[g] = "waiting";
            return ev(K::GoBlock, g, p, static_cast<uint64_t>(gor::WaitReason::Sleep));
          }
          if (how == 3) {
            state.erase(g);
            return ev(K::GoEnd, g, p);
          }
          state[g] = "runnable";
          if (how == 1) global.push_back(g); else procs[p].local.push_back(g);
          return ev(K::GoYield, g, p, how == 1 ? 0 : 1);
        }
        case 4: {  // a waiting goroutine is readied: runnext, local or global
          std::vector<uint64_t> waiting = in("waiting");
          if (waiting.empty()) break;
          const uint64_t g = pick(waiting);
          state[g] = "runnable";
          const uint64_t where = rng() % 3;
          if (where == 0) runnext(p, g); else if (where == 1) procs[p].local.push_back(g); else global.push_back(g);
          return ev(K::GoUnblock, g, p, 0, where);
        }
        case 5: {  // a steal of half the victim's local queue (the thief's queue was empty)
          const int victim = static_cast<int>(rng() % np);
          if (victim == p || procs[victim].local.empty() || !procs[p].local.empty()) break;
          const size_t n = procs[victim].local.size() - procs[victim].local.size() / 2;
          const Queue moved(procs[victim].local.begin(), procs[victim].local.begin() + static_cast<long>(n));
          procs[victim].local.erase(procs[victim].local.begin(), procs[victim].local.begin() + static_cast<long>(n));
          procs[p].local.insert(procs[p].local.end(), moved.begin(), moved.end());
          pending.clear();
          for (uint64_t g : moved) pending.push_back(ev(K::StealMove, g, p, static_cast<uint64_t>(victim)));
          return ev(K::Steal, 0, p, static_cast<uint64_t>(victim), n);
        }
        case 6: {  // a batch from the global queue: the head is started at once
          if (global.size() < 2 || procs[p].running) break;
          const size_t n = 2 + rng() % (global.size() - 1);
          const uint64_t first = global.front();
          procs[p].local.insert(procs[p].local.end(), global.begin() + 1, global.begin() + static_cast<long>(n));
          global.erase(global.begin(), global.begin() + static_cast<long>(n));
          state[first] = "running";
          procs[p].running = first;
          on[first] = p;
          pending = {ev(K::GoStart, first, p)};
          return ev(K::RunqFromGlobal, 0, p, n);
        }
        case 7: {  // overflow: half the local queue, then a goroutine queued last, to the global tail
          if (procs[p].local.size() < 2) break;
          const uint64_t g = procs[p].local.back();
          procs[p].local.pop_back();
          const size_t n = procs[p].local.size() / 2;
          global.insert(global.end(), procs[p].local.begin(), procs[p].local.begin() + static_cast<long>(n));
          procs[p].local.erase(procs[p].local.begin(), procs[p].local.begin() + static_cast<long>(n));
          global.push_back(g);
          return ev(K::RunqOverflow, g, p, n);
        }
        case 8: {  // a P's queue to the global head (as a destroyed P's): runnext first
          if (procs[p].running) break;
          Queue moved;
          if (procs[p].runnext) moved.push_back(procs[p].runnext);
          moved.insert(moved.end(), procs[p].local.begin(), procs[p].local.end());
          if (moved.empty()) break;
          procs[p].runnext = 0;
          procs[p].local.clear();
          global.insert(global.begin(), moved.begin(), moved.end());
          return ev(K::RunqToGlobalHead, 0, p, moved.size());
        }
      }
    }
  }
  std::vector<gor::Event> pending;  // events that follow the one step() returned

  // check() compares the reducer with this model; "" when they agree.
  std::string check(const gor::Snapshot& s) const {
    for (size_t i = 0; i < procs.size(); ++i) {
      if (s.procs[i].running != procs[i].running) return "running of P" + std::to_string(i);
      if (s.procs[i].runnext != procs[i].runnext) return "runnext of P" + std::to_string(i);
      if (s.procs[i].local_queue != procs[i].local) return "local queue of P" + std::to_string(i);
    }
    if (s.global_queue != global) return "global queue";
    if (s.goroutines.size() != state.size()) return "goroutine count";
    for (const gor::GoroutineInfo& g : s.goroutines) {
      auto it = state.find(g.id);
      if (it == state.end() || it->second != g.state) return "state of G" + std::to_string(g.id);
      if (g.state == "running" && g.p != on.at(g.id)) return "P of G" + std::to_string(g.id);
    }
    return "";
  }
};

TEST(RunReducerProperty, random_valid_sequences_match_the_naive_model) {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    std::mt19937_64 rng(seed);
    const int procs = 1 + static_cast<int>(seed % 4);
    Reference model(procs);
    RunReducer reducer(procs);
    for (int i = 0; i < 600; ++i) {
      std::vector<gor::Event> batch{model.step(rng)};
      batch.insert(batch.end(), model.pending.begin(), model.pending.end());
      model.pending.clear();
      for (const gor::Event& e : batch) reducer.apply(e);
      const std::string diff = model.check(reducer.snapshot());
      ASSERT_EQ(diff, "") << "seed " << seed << ", event " << i << " (" << gor::event_kind_name(batch.front().kind) << ")";
      ASSERT_EQ(reducer.problem_count(), 0u) << reducer.problems().front().what;
    }
  }
}

TEST(RunReducerProperty, impossible_transitions_are_reported_not_crashed_on) {
  RunReducer reducer(2);
  gor::Event start;
  start.kind = K::GoStart;
  start.g = 9;
  start.p = 0;
  reducer.apply(start);  // never created
  gor::Event unblock;
  unblock.kind = K::GoUnblock;
  unblock.g = 9;
  unblock.p = 1;
  reducer.apply(unblock);  // running, not waiting
  gor::Event bad_p = start;
  bad_p.g = 10;
  bad_p.p = 300;
  reducer.apply(bad_p);
  EXPECT_EQ(reducer.problem_count(), 4u);  // go_start of a stranger, unblock of a running one, G10 unknown, P300
  EXPECT_NE(reducer.problems()[0].what.find("never created"), std::string::npos);
  EXPECT_NE(reducer.problems()[1].what.find("not waiting"), std::string::npos);
  // Random garbage: any kind, ids and arguments. Only problems, never a crash.
  std::mt19937_64 rng(99);
  for (int run = 0; run < 50; ++run) {
    RunReducer r(1 + run % 4);
    for (int i = 0; i < 2000; ++i) {
      gor::Event e;
      e.kind = static_cast<K>(rng() % (static_cast<int>(K::Count_) + 2));
      e.g = rng() % 12;
      e.p = static_cast<int16_t>(static_cast<int>(rng() % 10) - 2);
      e.a0 = rng() % 3 == 0 ? rng() : rng() % 6;
      e.a1 = rng() % 3 == 0 ? rng() : rng() % 6;
      e.a2 = rng() % 6;
      e.ts = i;
      r.apply(e);
    }
    const gor::Snapshot s = r.snapshot();
    EXPECT_LE(s.procs.size(), 256u);
  }
}

TEST(RunReducerProperty, identical_snapshots_have_no_difference_and_a_changed_queue_is_named) {
  gor::Snapshot a;
  a.gomaxprocs = 1;
  a.procs.resize(1);
  a.procs[0].local_queue = {4, 7};
  gor::Snapshot b = a;
  EXPECT_EQ(first_difference(a, b), "");
  b.procs[0].local_queue = {7, 4};
  EXPECT_EQ(first_difference(a, b), "procs[0].local_queue: [4 7] vs [7 4]");
}

}  // namespace
