// sysmon.cpp — the monitor thread (Go's sysmon). It holds no P and runs no goroutine.
//
// Every tick (20 us; after 50 ticks with no P retaken from a syscall, doubling up to 10 ms;
// asleep until a P is taken or a timer is due while every P is idle) it looks at every P:
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
  uint64_t last_handoffs = 0;
  while (!ending()) {
    if (idle == 0) {
      delay_us = 20;
    } else if (idle > 50) {
      delay_us = std::min<int64_t>(delay_us * 2, 10'000);
    }
    // Every P idle: nothing to retake or preempt. Like Go's sysmon, sleep deeply until a P is
    // taken again (acquirep wakes us) or the earliest timer is due, unless it is due already
    // (then tick as usual: an M is about to run it). In deterministic mode, without ticking
    // through virtual time (a Sleep(1 h) would be 360,000 ticks). While goroutines wait on
    // mutexes, wake every 50 ms for the partial-deadlock look.
    const int64_t next_timer = earliest_timer();
    if (npidle_.load() == gomaxprocs() && !gcwaiting_.load() && (det_ != nullptr || next_timer > clock.now())) {
      sysmon_deep_.store(true);
      if (npidle_.load() == gomaxprocs() && !ending()) {
        sysmon_ticks_.fetch_add(1, std::memory_order_relaxed);
        if (det_ != nullptr) {
          sysmon_note_.sleep();
        } else {
          auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);  // Go: forcegcperiod/2
          if (next_timer != INT64_MAX) until = std::min(until, clock.wall_deadline(next_timer));
          if (suspect_parks_.load(std::memory_order_relaxed) > 0) {
            until = std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
          }
          sysmon_note_.sleep_until(until);
          if (!ending()) sysmon_deadlock_check(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                   std::chrono::steady_clock::now().time_since_epoch())
                                                   .count());
        }
      }
      sysmon_deep_.store(false);
      continue;  // Go resets the back-off only if a syscall's return woke it; no retake here
    }
    sysmon_note_.sleep_for(std::chrono::microseconds(delay_us));
    if (ending()) break;
    sysmon_ticks_.fetch_add(1, std::memory_order_relaxed);
    retake(clock.now());
    sysmon_deadlock_check(det_ != nullptr ? clock.now()
                                          : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::chrono::steady_clock::now().time_since_epoch())
                                                .count());
    // Go's sysmon: `if retake(now) != 0 { idle = 0 } else { idle++ }`, and retake counts only
    // Ps taken from syscalls: a preemption request does not reset the back-off.
    const uint64_t handoffs = syscall_handoffs.load(std::memory_order_relaxed);
    if (handoffs != last_handoffs) {
      idle = 0;
      last_handoffs = handoffs;
    } else {
      ++idle;
    }
  }
}

}  // namespace gor::detail
