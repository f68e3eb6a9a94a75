// timers.cpp — per-P timer heaps (Go's runtime timers, simplified).
//
// Lock order: a node's lock, then its P's timers_lock (the firing path only try-locks a
// node under timers_lock). The firing path pops an expired node only with the node's lock
// held and keeps it until the callback, which releases it itself, so a callback may hand the
// node back to an owner that frees it. After timer_stop() returns, the callback is not
// running under the lock and will not run, and the firing path no longer touches the node.
#include <algorithm>

#include "gor/detail/object_id.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {

void update_timer0(Processor* pp) {
  pp->timer0_when.store(pp->timers.top_when(), std::memory_order_release);
}

// heap_push() adds t to pp's heap. Both t's lock and pp's timers_lock held.
void heap_push(Processor* pp, TimerNode* t) {
  pp->timers.push(t);
  t->heap_owner.store(pp, std::memory_order_release);
  update_timer0(pp);
}

// unlink_from_heap() removes t from whatever heap holds it. t's lock held.
void unlink_from_heap(TimerNode* t) {
  for (;;) {
    Processor* owner = t->heap_owner.load(std::memory_order_acquire);
    if (owner == nullptr) return;
    owner->timers_lock.lock();
    if (t->heap_owner.load(std::memory_order_acquire) == owner) {
      owner->timers.remove(static_cast<size_t>(t->heap_index));
      t->heap_owner.store(nullptr, std::memory_order_release);
      update_timer0(owner);
      owner->timers_lock.unlock();
      return;
    }
    owner->timers_lock.unlock();  // popped (or moved) meanwhile: look again
  }
}

}  // namespace

// timer_add() arms t at `when` on the caller's P (P0 from other threads).
// TimerCode (the trace's, public) numbers the kinds as TimerKind (internal) does.
static_assert(static_cast<int>(TimerCode::Timer) == static_cast<int>(TimerKind::Timer) &&
              static_cast<int>(TimerCode::Sleep) == static_cast<int>(TimerKind::Sleep) &&
              static_cast<int>(TimerCode::After) == static_cast<int>(TimerKind::After) &&
              static_cast<int>(TimerCode::Context) == static_cast<int>(TimerKind::Context));

// timer_code() is t's TimerCode for trace events (kind, bit 8 for a periodic timer).
static uint64_t timer_code(const TimerNode* t) noexcept {
  return static_cast<uint64_t>(t->kind) | (t->period > 0 ? 1u << 8 : 0u);
}

void Scheduler::timer_add(TimerNode* t, int64_t when) {
  Machine* m = current_machine();
  Processor* pp = (m != nullptr && m->sched == this && m->p != nullptr) ? m->p : allp_[0];
  t->lock.lock();
  unlink_from_heap(t);
  if (!t->armed) ntimers_.fetch_add(1, std::memory_order_acq_rel);
  t->armed = true;
  t->when = when;
  pp->timers_lock.lock();
  heap_push(pp, t);
  pp->timers_lock.unlock();
  if (tracer_ != nullptr) {
    // Under the node's lock: a one-shot node may be freed by its callback once it is released.
    if (t->trace_id == 0) t->trace_id = new_object_id();
    // A sleep is armed on the scheduler stack, after its goroutine switched out: name the sleeper.
    const uint64_t g = t->kind == TimerKind::Sleep ? goid_of(static_cast<const G*>(t->arg)) : current_goid();
    trace(m, EventKind::TimerAdd, g, t->trace_id, static_cast<uint64_t>(when), timer_code(t));
  }
  t->lock.unlock();
  wake_timer_sleeper(when);
}

bool Scheduler::timer_delete(TimerNode* t) {
  t->lock.lock();
  bool was_armed = t->armed;
  unlink_from_heap(t);
  if (was_armed) ntimers_.fetch_sub(1, std::memory_order_acq_rel);
  t->armed = false;
  if (tracer_ != nullptr && t->trace_id != 0) {
    trace(nullptr, EventKind::TimerStop, current_goid(), t->trace_id, was_armed ? 1 : 0);
  }
  t->lock.unlock();
  return was_armed;
}

// check_timers() fires pp's expired timers. Returns whether any fired.
// A node leaves the heap only while this thread holds its lock (taken with try_lock under
// timers_lock, against the usual node-then-P order, hence try): so a timer_stop() that finds
// the node out of the heap waits on the node's lock until the firing is over, and the node
// is never touched after its owner could have freed it.
bool Scheduler::check_timers(Processor* pp, int64_t now) {
  if (pp->timer0_when.load(std::memory_order_acquire) > now) return false;
  bool fired = false;
  for (;;) {
    pp->timers_lock.lock();
    if (pp->timers.top_when() > now) {
      update_timer0(pp);
      pp->timers_lock.unlock();
      return fired;
    }
    TimerNode* t = pp->timers.top();
    if (!t->lock.try_lock()) {
      // A stop/reset holds the node and waits for timers_lock to unlink it: let it.
      pp->timers_lock.unlock();
      cpu_relax();
      continue;
    }
    pp->timers.remove(0);
    t->heap_owner.store(nullptr, std::memory_order_release);
    update_timer0(pp);
    pp->timers_lock.unlock();
    if (!t->armed) {
      t->lock.unlock();
      continue;
    }
    if (t->period > 0) {
      int64_t next = t->when + t->period * (1 + (now - t->when) / t->period);
      t->when = next;
      Machine* m = current_machine();
      Processor* home = (m != nullptr && m->p != nullptr) ? m->p : pp;
      home->timers_lock.lock();
      heap_push(home, t);
      home->timers_lock.unlock();
    } else {
      t->armed = false;
      ntimers_.fetch_sub(1, std::memory_order_acq_rel);
    }
    fired = true;
    trace(nullptr, EventKind::TimerFire, 0, static_cast<uint64_t>(t->when), t->trace_id, timer_code(t));
    t->fire(t, now);  // releases t->lock (see TimerNode)
  }
}

int64_t Scheduler::earliest_timer() const noexcept {
  int64_t when = INT64_MAX;
  int n = gomaxprocs_.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) when = std::min(when, allp_[i]->timer0_when.load(std::memory_order_acquire));
  return when;
}

// wake_timer_sleeper() is Go's wakeNetPoller: make sure some M will wake by `when`.
void Scheduler::wake_timer_sleeper(int64_t when) {
  // Every P busy: their Ms check timers on every schedule, and an M that goes idle reads
  // the heaps (already holding this timer) before it sleeps.
  if (npidle_.load(std::memory_order_acquire) == 0) return;
  std::unique_lock<std::mutex> guard(lock_);
  if (timer_sleeper_ != nullptr) {
    if (when < timer_sleeper_until_) {
      Machine* m = timer_sleeper_;
      timer_sleeper_until_ = when;
      guard.unlock();
      m->park.wakeup();
    }
    return;
  }
  // No M sleeps on timers. If some M is idle, wake one so it becomes the sleeper; if none
  // is idle, every P is busy (or about to park), and they check timers as they schedule.
  if (midle_ != nullptr && nmspinning_.load() == 0) {
    Machine* m = midle_;
    guard.unlock();
    m->park.wakeup();
  }
}

// ---------------------------------------------------------------------------------------
// The internal API of detail/timer.hpp

void timer_start(TimerNode* t, int64_t when) { current_scheduler()->timer_add(t, when); }
bool timer_stop(TimerNode* t) { return current_scheduler()->timer_delete(t); }
bool timer_reset(TimerNode* t, int64_t when) {
  Scheduler* s = current_scheduler();
  t->lock.lock();
  bool was = t->armed;
  t->lock.unlock();
  s->timer_add(t, when);
  return was;
}

}  // namespace gor::detail

namespace gor::detail {

void Scheduler::snapshot_timers(Snapshot& snap) {
  for (int i = 0; i < gomaxprocs(); ++i) {
    Processor* pp = allp_[i];
    std::lock_guard<RuntimeLock> guard(pp->timers_lock);
    pp->timers.for_each([&](const TimerNode* t) {
      TimerInfo info;
      info.when_ns = t->when;
      info.period_ns = t->period;
      switch (t->kind) {
        case TimerKind::Sleep:
          info.kind = "sleep";
          info.g = goid_of(static_cast<const G*>(t->arg));
          break;
        case TimerKind::After: info.kind = "after"; break;
        case TimerKind::Context: info.kind = "context"; break;
        case TimerKind::Timer: info.kind = t->period > 0 ? "ticker" : "timer"; break;
      }
      snap.timers.push_back(std::move(info));
    });
  }
  std::stable_sort(snap.timers.begin(), snap.timers.end(),
                   [](const TimerInfo& a, const TimerInfo& b) { return a.when_ns < b.when_ns; });
}

}  // namespace gor::detail
