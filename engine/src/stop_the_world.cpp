// stop_the_world.cpp — stopping every P (Go's stopTheWorld/startTheWorld) and resizing
// GOMAXPROCS (procresize).
//
// Protocol: the caller sets gcwaiting and counts the Ps still to stop (stopwait). Idle Ps
// and Ps of Ms blocked in syscalls are stopped at once; running goroutines are asked to
// yield (preempt flag) and their Ms stop their P at the next schedule (gcstopm). The last
// P to stop wakes the caller. While gcwaiting, no M takes an idle P and exit_syscall queues
// its goroutine instead of running it.
#include <chrono>
#include <thread>

#include "scheduler.hpp"

namespace gor::detail {

// gcstopm() stops m's P for a stopper and parks m. If the world was restarted meanwhile (an
// external pause that gave up waiting, then resumed), it keeps its P and returns.
void Scheduler::gcstopm(Machine* m) {
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (!gcwaiting_.load(std::memory_order_acquire)) return;
    if (m->spinning) {
      m->spinning = false;
      nmspinning_.fetch_sub(1, std::memory_order_acq_rel);
    }
    Processor* pp = releasep(m);
    pp->status.store(PStatus::Stopped, std::memory_order_release);
    trace(m, EventKind::ProcStop, 0, 0, 0, 0, pp->id);
    if (--stopwait_ == 0) stopnote_.wakeup();
  }
  stopm(m);
}

bool Scheduler::stop_the_world(Machine* m, std::chrono::steady_clock::time_point deadline) {
  // One stopper at a time; a goroutine waiting for its turn yields so that its own P can
  // be stopped by the current stopper. An outside thread just waits.
  bool expected = false;
  while (!stw_owner_.compare_exchange_weak(expected, true, std::memory_order_acq_rel)) {
    expected = false;
    if (ending()) return false;
    if (m != nullptr) {
      G* g = m->curg;
      yield_current(g, MAction::Yield);
      m = g->m;
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  bool wait = false;
  {
    std::lock_guard<std::mutex> guard(lock_);
    gcwaiting_.store(true, std::memory_order_release);
    stopwait_ = gomaxprocs();
    if (m != nullptr) {
      m->p->status.store(PStatus::Stopped, std::memory_order_release);
      trace(m, EventKind::ProcStop, 0, 0, 0, 0, m->p->id);
      --stopwait_;
    }
    for (int i = 0; i < gomaxprocs(); ++i) {
      Processor* pp = allp_[i];
      PStatus s = PStatus::Syscall;
      if (pp->status.compare_exchange_strong(s, PStatus::Stopped, std::memory_order_acq_rel)) {
        pp->syscalltick.fetch_add(1, std::memory_order_relaxed);
        trace(m, EventKind::ProcStop, 0, 0, 0, 0, pp->id);
        --stopwait_;
      }
    }
    while (Processor* pp = pidleget()) {
      pp->status.store(PStatus::Stopped, std::memory_order_release);
      trace(m, EventKind::ProcStop, 0, 0, 0, 0, pp->id);
      --stopwait_;
    }
    wait = stopwait_ > 0;
  }
  while (wait) {
    for (int i = 0; i < gomaxprocs(); ++i) {
      if (G* g = allp_[i]->curg.load(std::memory_order_acquire)) g->preempt.store(true, std::memory_order_relaxed);
    }
    stopnote_.sleep_for(std::chrono::microseconds(100));
    std::lock_guard<std::mutex> guard(lock_);
    wait = stopwait_ > 0 && !ending();
    if (wait && m == nullptr && std::chrono::steady_clock::now() >= deadline) return false;
  }
  return true;
}

void Scheduler::start_the_world(Machine* m) {
  std::vector<Processor*> with_work;
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (m != nullptr) m->p->status.store(PStatus::Running, std::memory_order_release);
    gcwaiting_.store(false, std::memory_order_release);
    stopwait_ = 0;  // Ps that never stopped (an abandoned pause) keep running
    for (int i = 0; i < gomaxprocs(); ++i) {
      Processor* pp = allp_[i];
      if (m != nullptr && pp == m->p) continue;
      if (pp->status.load() != PStatus::Stopped) continue;
      if (pp->runq.empty()) {
        pidleput(pp);
      } else {
        with_work.push_back(pp);
      }
    }
  }
  for (Processor* pp : with_work) start_machine(pp, false);
  stw_owner_.store(false, std::memory_order_release);
  wakep();
  // Idle Ps may hold timers: make sure someone sleeps until the earliest.
  int64_t when = earliest_timer();
  if (when != INT64_MAX) wake_timer_sleeper(when);
}

// procresize() changes the number of Ps to n. World stopped; caller holds the sched lock.
void Scheduler::procresize(Machine* m, int n) {
  int old = gomaxprocs();
  for (int i = old; i < n; ++i) {
    if (allp_[i] == nullptr) {
      pstore_.push_back(std::make_unique<Processor>(i));
      allp_[i] = pstore_.back().get();
      allp_[i]->rng = cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(i) * 0xBF58476D1CE4E5B9ull + 1;
    }
    allp_[i]->status.store(PStatus::Stopped, std::memory_order_release);
  }
  Processor* keep = m != nullptr ? m->p : allp_[0];
  if (m != nullptr && keep->id >= n) {
    // The caller's P goes away: take P0.
    keep->m = nullptr;
    m->p = nullptr;
    acquirep(m, allp_[0]);
    allp_[0]->status.store(PStatus::Stopped, std::memory_order_release);
    keep = allp_[0];
  }
  for (int i = n; i < old; ++i) {
    Processor* pp = allp_[i];
    // Its goroutines go to the *head* of the global queue, runnext first then its queue in order
    // (Go's p.destroy: globrunqputhead), its timers to the kept P, its caches to the pools.
    {
      G* first = nullptr;
      G* last = nullptr;
      int32_t moved = 0;
      pp->runq.drain([&](G* g) {
        g->schedlink = nullptr;
        if (last != nullptr) last->schedlink = g; else first = g;
        last = g;
        ++moved;
      });
      if (first != nullptr) {
        trace(m, EventKind::RunqToGlobalHead, 0, static_cast<uint64_t>(moved), 0, 0, pp->id);
        last->schedlink = runq_head_;
        runq_head_ = first;
        if (runq_tail_ == nullptr) runq_tail_ = last;
        runq_size_.fetch_add(moved, std::memory_order_release);
      }
    }
    pp->timers_lock.lock();
    keep->timers_lock.lock();
    for (TimerNode* t : pp->timers.take_all()) {
      keep->timers.push(t);
      t->heap_owner.store(keep, std::memory_order_release);
    }
    pp->timer0_when.store(INT64_MAX);
    keep->timer0_when.store(keep->timers.top_when());
    keep->timers_lock.unlock();
    pp->timers_lock.unlock();
    {
      std::lock_guard<std::mutex> guard(gfree_lock_);
      gfree_.insert(gfree_.end(), pp->gfree.begin(), pp->gfree.end());
    }
    pp->gfree.clear();
    pp->status.store(PStatus::Stopped, std::memory_order_release);
  }
  gomaxprocs_.store(n, std::memory_order_release);
}

int Scheduler::set_gomaxprocs(G* g, int n) {
  int old = gomaxprocs();
  if (n <= 0) return old;
  if (n > kMaxProcs) n = kMaxProcs;
  if (n == old) return old;  // Go: runtime.GOMAXPROCS(current) returns without stopping the world
  stop_the_world(g->m);
  Machine* m = g->m;
  old = gomaxprocs();
  trace(m, EventKind::StopTheWorld, g->id, 1);
  trace(m, EventKind::Gomaxprocs, g->id, static_cast<uint64_t>(old), static_cast<uint64_t>(n));
  {
    std::lock_guard<std::mutex> guard(lock_);
    procresize(m, n);
  }
  trace(m, EventKind::StopTheWorld, g->id, 0);
  start_the_world(m);
  return old;
}

}  // namespace gor::detail
