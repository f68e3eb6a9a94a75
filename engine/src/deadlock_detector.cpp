// deadlock_detector.cpp — partial deadlocks: goroutines that can never run again while the
// rest of the run goes on (Go reports only global deadlocks, in checkdead, which is unchanged).
//
// What is detected:
//   - cycles in the wait-for graph of mutexes: G waits for a Mutex (or an RWMutex, for reading
//     or writing) whose holder H (the writer, for an RWMutex) waits for a mutex held by ... G.
//     Each waiting goroutine has at most one outgoing edge, so the cycles are those of a
//     functional graph. Read locks are not attributed to goroutines, so a writer waiting for
//     readers has no outgoing edge (no cycle through readers is reported);
//   - a goroutine blocked forever alone: on a nil channel, or in a select with no cases or
//     only nil channels. (A channel no other goroutine can reach is not detected in general:
//     a handle may live anywhere, e.g. captured by reference.)
// Any goroutine may unlock a Go mutex, so a mutex cycle is a deadlock unless some goroutine
// outside it unlocks one of its mutexes; that is the usual reading of such a cycle.
//
// When: at every snapshot (world stopped: exact), and from sysmon every 50 ms while some
// goroutine is parked on a mutex or forever (suspect_parks_ > 0); sysmon reads racily, so it
// reports a deadlock only when two consecutive looks saw the same goroutines parked in the
// same parks (park_seq) forming it. Each deadlock is reported once: a PartialDeadlock event,
// and RunControl::partial_deadlocks().
#include <algorithm>
#include <unordered_map>

#include "registry.hpp"
#include "scheduler.hpp"

#include "gor/mutex.hpp"
#include "gor/rwmutex.hpp"

namespace gor::detail {

namespace {

constexpr int64_t kSysmonDeadlockPeriodNs = 50'000'000;  // wall time between sysmon's looks

struct Waiting {
  uint64_t id = 0;
  WaitReason reason = WaitReason::None;
  uint64_t object = 0;
  uint32_t seq = 0;
  uint64_t next = 0;  // the goroutine it waits for (0: none known)
  ObjectKind kind = ObjectKind::Mutex;  // the awaited object's kind (from the registry)
  int color = 0;      // 0 unvisited, 1 on the current path, 2 done
};

struct Found {
  std::string key;
  DeadlockInfo info;
};

bool forever_alone(WaitReason r) {
  return r == WaitReason::ChanReceiveNilChan || r == WaitReason::ChanSendNilChan || r == WaitReason::SelectNoCases;
}

// object_text() names the awaited object by its kind, not by the wait reason: a writer queued
// behind another writer waits in "sync.Mutex.Lock" for an RWMutex, as in Go.
std::string object_text(const std::unordered_map<uint64_t, std::string>& names, uint64_t object, ObjectKind k) {
  const char* kind = k == ObjectKind::RWMutex ? "rwmutex" : "mutex";
  auto it = names.find(object);
  if (it != names.end() && !it->second.empty()) return std::string(kind) + " " + it->second;
  return std::string(kind) + " #" + std::to_string(object);
}

}  // namespace

std::vector<DeadlockInfo> Scheduler::find_partial_deadlocks(bool exact) {
  // 1. The goroutines parked for a suspect reason. Only atomics of G are read (sysmon runs
  // concurrently with the goroutines).
  std::unordered_map<uint64_t, Waiting> waiting;
  {
    std::lock_guard<std::mutex> guard(allgs_lock_);
    for (auto& gp : allgs_) {
      G* g = gp.get();
      if (g->state.load(std::memory_order_acquire) != GState::Waiting) continue;
      Waiting w;
      w.reason = g->wait_reason.load(std::memory_order_relaxed);
      if (!deadlock_suspect(w.reason)) continue;
      w.id = g->parked_id.load(std::memory_order_relaxed);
      w.object = g->wait_object.load(std::memory_order_relaxed);
      w.seq = g->park_seq.load(std::memory_order_relaxed);
      if (w.id != 0) waiting.emplace(w.id, w);
    }
  }
  // 2. Who holds each awaited mutex (one registry pass).
  std::unordered_map<uint64_t, std::string> names;
  with_registry([&](const std::map<uint64_t, RegEntry>& objects) {
    for (auto& [id, w] : waiting) {
      if (forever_alone(w.reason) || w.object == 0) continue;
      auto it = objects.find(w.object);
      if (it == objects.end()) continue;
      uint64_t holder = 0;
      w.kind = it->second.kind;
      if (it->second.kind == ObjectKind::Mutex) {
        holder = Inspector::mutex_holder(*static_cast<const Mutex*>(it->second.object));
      } else if (it->second.kind == ObjectKind::RWMutex) {
        holder = Inspector::rwmutex_writer(*static_cast<const RWMutex*>(it->second.object));
      }
      if (holder != id) w.next = holder;  // a pending writer waits for readers, not for itself
      names.emplace(w.object, it->second.name);
    }
  });
  // 3. Cycles, and goroutines blocked forever alone.
  std::vector<Found> found;
  auto describe_alone = [](const Waiting& w) {
    return "G" + std::to_string(w.id) + " is blocked forever: " + wait_reason_text(w.reason);
  };
  for (auto& [id, start] : waiting) {
    if (forever_alone(start.reason)) {
      Found f;
      f.key = std::to_string(start.id) + ":" + std::to_string(start.seq);
      f.info.cycle = {start.id};
      f.info.objects = {start.object};
      f.info.description = describe_alone(start);
      found.push_back(std::move(f));
      continue;
    }
    if (start.color != 0) continue;
    std::vector<Waiting*> path;
    Waiting* cur = &start;
    while (cur != nullptr && cur->color == 0) {
      cur->color = 1;
      path.push_back(cur);
      auto it = cur->next != 0 ? waiting.find(cur->next) : waiting.end();
      cur = (it != waiting.end() && !forever_alone(it->second.reason)) ? &it->second : nullptr;
    }
    if (cur != nullptr && cur->color == 1) {
      // path from cur to its end is a cycle; start it at its smallest goroutine id.
      auto first = std::find(path.begin(), path.end(), cur);
      std::vector<Waiting*> cycle(first, path.end());
      std::rotate(cycle.begin(),
                  std::min_element(cycle.begin(), cycle.end(), [](Waiting* a, Waiting* b) { return a->id < b->id; }),
                  cycle.end());
      Found f;
      for (size_t i = 0; i < cycle.size(); ++i) {
        Waiting* w = cycle[i];
        Waiting* held_by = cycle[(i + 1) % cycle.size()];
        f.info.cycle.push_back(w->id);
        f.info.objects.push_back(w->object);
        f.key += std::to_string(w->id) + ":" + std::to_string(w->seq) + ",";
        if (i > 0) f.info.description += ", ";
        f.info.description += "G" + std::to_string(w->id) + " waits for " + object_text(names, w->object, w->kind) +
                              " held by G" + std::to_string(held_by->id);
      }
      found.push_back(std::move(f));
    }
    for (Waiting* w : path) w->color = 2;
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.info.cycle.front() < b.info.cycle.front(); });
  std::vector<DeadlockInfo> out;
  std::lock_guard<std::mutex> guard(deadlock_mu_);
  std::vector<std::string> keys;
  for (Found& f : found) {
    keys.push_back(f.key);
    const bool seen_before = std::find(deadlock_candidates_.begin(), deadlock_candidates_.end(), f.key) !=
                             deadlock_candidates_.end();
    if (exact || seen_before) out.push_back(std::move(f.info));
  }
  if (!exact) deadlock_candidates_ = std::move(keys);
  return out;
}

void Scheduler::report_partial_deadlocks(const std::vector<DeadlockInfo>& found) {
  std::lock_guard<std::mutex> guard(deadlock_mu_);
  for (const DeadlockInfo& d : found) {
    // A deadlock is the same one when the same goroutines wait for the same objects.
    bool known = false;
    for (const DeadlockInfo& r : deadlocks_) known = known || (r.cycle == d.cycle && r.objects == d.objects);
    if (known) continue;
    deadlocks_.push_back(d);
    trace(nullptr, EventKind::PartialDeadlock, 0, d.cycle.front(), d.cycle.size(), trace_string(d.description));
  }
}

std::vector<DeadlockInfo> Scheduler::control_partial_deadlocks() {
  std::lock_guard<std::mutex> guard(deadlock_mu_);
  return deadlocks_;
}

void Scheduler::sysmon_deadlock_check(int64_t wall_ns) {
  if (suspect_parks_.load(std::memory_order_relaxed) == 0) {
    if (!deadlock_candidates_.empty()) {
      std::lock_guard<std::mutex> guard(deadlock_mu_);
      deadlock_candidates_.clear();
    }
    return;
  }
  if (wall_ns - deadlock_last_check_ < kSysmonDeadlockPeriodNs) return;
  deadlock_last_check_ = wall_ns;
  if (gcwaiting_.load(std::memory_order_acquire)) return;  // paused or resizing: look later
  std::vector<DeadlockInfo> found = find_partial_deadlocks(/*exact=*/false);
  if (!found.empty()) report_partial_deadlocks(found);
}

}  // namespace gor::detail
