// syscall.cpp — blocking calls outside the scheduler (Go's entersyscall/exitsyscall).
//
// enter_syscall() leaves the P attached in status Syscall; if the call lasts longer than a
// sysmon tick (20 us or more), sysmon retakes the P and hands it to another M (handoffp),
// so the number of Ms can exceed GOMAXPROCS. exit_syscall() takes the same P back if it is
// still in status Syscall (fast path), else any idle P, else queues the goroutine globally
// and parks the M.
#include "scheduler.hpp"

namespace gor::detail {

void Scheduler::enter_syscall(G* g, std::source_location where) {
  Machine* m = g->m;
  Processor* pp = m->p;
  g->blocked_at = where;
  g->wait_reason = WaitReason::Syscall;
  g->state_since.store(clock.coarse_now(), std::memory_order_relaxed);
  g->state.store(GState::Syscall, std::memory_order_release);
  pp->syscalltick.fetch_add(1, std::memory_order_relaxed);
  if (tracer_ != nullptr) trace(m, EventKind::SyscallEnter, g->id, trace_site(where));
  pp->curg.store(nullptr, std::memory_order_relaxed);
  m->oldp = pp;
  m->p = nullptr;
  pp->m = nullptr;
  pp->status.store(PStatus::Syscall, std::memory_order_release);
}

void Scheduler::exit_syscall(G* g) noexcept {
  Machine* m = g->m;
  // The run ended and gave up on this thread while it was in the call (end.cpp): stop here.
  if (m->abandoned.load(std::memory_order_acquire)) [[unlikely]] park_thread_forever();
  Processor* oldp = m->oldp;
  m->oldp = nullptr;
  g->wait_reason = WaitReason::None;
  // Fast path: our P was not retaken.
  PStatus expected = PStatus::Syscall;
  if (oldp != nullptr && oldp->status.compare_exchange_strong(expected, PStatus::Running, std::memory_order_acq_rel)) {
    m->p = oldp;
    oldp->m = m;
    trace(m, EventKind::SyscallExit, g->id, 1);
    oldp->curg.store(g, std::memory_order_release);
    g->state.store(GState::Running, std::memory_order_release);
    return;
  }
  // Any idle P.
  {
    std::unique_lock<std::mutex> guard(lock_);
    Processor* pp = gcwaiting_.load() || ending() ? nullptr : pidleget();
    guard.unlock();
    if (pp != nullptr) {
      acquirep(m, pp);
      trace(m, EventKind::SyscallExit, g->id, 0);
      pp->curg.store(g, std::memory_order_release);
      g->state.store(GState::Running, std::memory_order_release);
      return;
    }
  }
  // Slow path: queue g globally; this M parks until it gets a P (machine_loop -> stopm).
  if (g->unwinding) return;
  trace(m, EventKind::SyscallExit, g->id, 0);
  m->action = MAction::SyscallNoP;
  switch_to_scheduler(g);
}

// handoffp() is Go's handoffp: pp (status Idle, not on the idle list) was taken from an M
// blocked in a syscall. Start an M for it if there is work, else make it idle.
void Scheduler::handoffp(Processor* pp) {
  if (!pp->runq.empty() || runq_size_.load(std::memory_order_acquire) > 0) {
    start_machine(pp, false);
    return;
  }
  int32_t zero = 0;
  if (nmspinning_.load() + npidle_.load() == 0 && nmspinning_.compare_exchange_strong(zero, 1)) {
    start_machine(pp, true);
    return;
  }
  std::unique_lock<std::mutex> guard(lock_);
  if (gcwaiting_.load()) {
    pp->status.store(PStatus::Stopped, std::memory_order_release);
    trace(nullptr, EventKind::ProcStop, 0, 0, 0, 0, pp->id);
    if (--stopwait_ == 0) stopnote_.wakeup();
    return;
  }
  if (runq_size_.load() > 0) {
    guard.unlock();
    start_machine(pp, false);
    return;
  }
  pidleput(pp);
  int64_t when = pp->timer0_when.load();
  guard.unlock();
  if (when != INT64_MAX) wake_timer_sleeper(when);
}

}  // namespace gor::detail
