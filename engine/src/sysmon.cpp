// sysmon.cpp — the monitor thread (Go's sysmon). It holds no P and runs no goroutine.
//
// Every tick (20 us, doubling up to 10 ms while nothing happens) it looks at every P:
//   - a P running the same goroutine (schedtick unchanged) for longer than
//     Config::preempt_after (10 ms, engine time) gets a preemption request: the goroutine's
//     preempt flag, honoured at its next engine call (cooperative, see scheduler.cpp);
//   - a P whose M has been in a syscall for a whole tick is retaken and handed to another M
//     (handoffp), unless it has no work and other Ms are spinning or idle and the call is
//     younger than 10 ms (Go's retake conditions);
//   - every 50 ms while goroutines wait on mutexes or forever, it looks for partial
//     deadlocks (deadlock_detector.cpp).
#include <chrono>

#include "scheduler.hpp"

namespace gor::detail {

void Scheduler::retake(int64_t now) {
  int64_t preempt_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.preempt_after).count();
  int n = gomaxprocs();
  if (gcwaiting_.load(std::memory_order_acquire)) return;
  for (int i = 0; i < n; ++i) {
    Processor* pp = allp_[i];
    PStatus s = pp->status.load(std::memory_order_acquire);
    if (s == PStatus::Running) {
      uint32_t tick = pp->schedtick.load(std::memory_order_relaxed);
      if (pp->sysmon_schedtick != tick) {
        pp->sysmon_schedtick = tick;
        pp->sysmon_schedwhen = now;
      } else if (now - pp->sysmon_schedwhen >= preempt_ns) {
        G* g = pp->curg.load(std::memory_order_acquire);
        if (g != nullptr && !g->preempt.load(std::memory_order_relaxed)) {
          g->preempt.store(true, std::memory_order_relaxed);
          preempt_requests.fetch_add(1, std::memory_order_relaxed);
          trace(nullptr, EventKind::PreemptRequest, pp->curg_id.load(std::memory_order_relaxed), 0, 0, 0, pp->id);
        }
        pp->sysmon_schedwhen = now;  // one request per 10 ms slice
      }
    } else if (s == PStatus::Syscall) {
      uint32_t tick = pp->syscalltick.load(std::memory_order_relaxed);
      if (pp->sysmon_syscalltick != tick) {
        pp->sysmon_syscalltick = tick;
        pp->sysmon_syscallwhen = now;
        continue;
      }
      if (pp->runq.empty() && nmspinning_.load() + npidle_.load() > 0 && pp->sysmon_syscallwhen + 10'000'000 > now) {
        continue;
      }
      PStatus expected = PStatus::Syscall;
      if (pp->status.compare_exchange_strong(expected, PStatus::Idle, std::memory_order_acq_rel)) {
        pp->syscalltick.fetch_add(1, std::memory_order_relaxed);
        syscall_handoffs.fetch_add(1, std::memory_order_relaxed);
        trace(nullptr, EventKind::Handoff, 0, 0, 0, 0, pp->id);
        handoffp(pp);
      }
    }
  }
}

void Scheduler::sysmon_loop() {
  set_thread_trace_ring(sysmon_ring_);
  int idle = 0;
  int64_t delay_us = 20;
  uint64_t last_events = 0;
  while (!ending()) {
    if (idle == 0) {
      delay_us = 20;
    } else if (idle > 50) {
      delay_us = std::min<int64_t>(delay_us * 2, 10'000);
    }
    if (det_ != nullptr && npidle_.load() == gomaxprocs() && !gcwaiting_.load()) {
      // Deterministic mode: with every P idle there is nothing to retake or preempt; sleep
      // until a P is taken again (acquirep) instead of ticking through virtual time (a
      // Sleep(1 h) would be 360,000 ticks). Go's sysmon sleeps deeply the same way.
      sysmon_deep_ = true;
      sysmon_note_.sleep();
      sysmon_deep_ = false;
      idle = 0;
      continue;
    }
    sysmon_note_.sleep_for(std::chrono::microseconds(delay_us));
    if (ending()) break;
    retake(clock.now());
    sysmon_deadlock_check(det_ != nullptr ? clock.now()
                                          : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::steady_clock::now().time_since_epoch())
                                                .count());
    uint64_t events = preempt_requests.load(std::memory_order_relaxed) + syscall_handoffs.load(std::memory_order_relaxed);
    if (events != last_events) {
      idle = 0;
      last_events = events;
    } else {
      ++idle;
    }
  }
}

}  // namespace gor::detail
