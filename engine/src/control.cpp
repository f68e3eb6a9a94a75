// control.cpp — RunControl: pause, step, resume, resize, stop and inspect a run from
// another thread. A pause is a stop-the-world by an outside thread (stop_the_world(nullptr)):
// every M parks at its next scheduling point; engine time is frozen until resume.
#include <cmath>
#include <limits>
#include <thread>

#include "gor/control.hpp"
#include "go_names.hpp"
#include "registry.hpp"
#include "scheduler.hpp"

namespace gor {

// Every RunControl method holds mu_ while it uses the scheduler, and the run detaches under
// mu_ before its scheduler is destroyed: a call never sees a dead scheduler.
#define GOR_WITH_RUN(fallback)             \
  std::lock_guard<std::mutex> guard(mu_);  \
  if (sched_ == nullptr) return fallback;  \
  detail::Scheduler& s = *sched_

bool RunControl::active() const {
  std::lock_guard<std::mutex> guard(mu_);
  return sched_ != nullptr;
}

bool RunControl::paused() const {
  GOR_WITH_RUN(false);
  return s.control_paused();
}

PauseReport RunControl::pause(std::chrono::milliseconds timeout) {
  GOR_WITH_RUN(PauseReport{});
  return s.control_pause(timeout);
}

bool RunControl::resume() {
  GOR_WITH_RUN(false);
  return s.control_resume();
}

PauseReport RunControl::step(int n, std::chrono::milliseconds timeout) {
  GOR_WITH_RUN(PauseReport{});
  return s.control_step(n, timeout);
}

PauseReport RunControl::step_events(uint64_t n, std::chrono::milliseconds timeout) {
  GOR_WITH_RUN(PauseReport{});
  return s.control_step_events(n, timeout);
}

bool RunControl::set_dilation(double k) {
  GOR_WITH_RUN(false);
  return s.control_set_dilation(k);
}

bool RunControl::set_procs(int n) {
  GOR_WITH_RUN(false);
  return s.control_set_procs(n);
}

bool RunControl::stop() {
  GOR_WITH_RUN(false);
  return s.control_stop();
}

std::optional<Snapshot> RunControl::snapshot() {
  GOR_WITH_RUN(std::nullopt);
  return s.control_snapshot();
}

std::optional<Snapshot> RunControl::final_snapshot() const {
  std::lock_guard<std::mutex> guard(mu_);
  return final_;
}

std::string RunControl::dump() {
  GOR_WITH_RUN(std::string());
  return s.control_dump();
}

std::vector<DeadlockInfo> RunControl::partial_deadlocks() {
  GOR_WITH_RUN(std::vector<DeadlockInfo>{});
  return s.control_partial_deadlocks();
}

void RunControl::hold_at_end(bool panic, bool deadlock) {
  hold_panic_.store(panic, std::memory_order_release);
  hold_deadlock_.store(deadlock, std::memory_order_release);
}

std::optional<HeldEnd> RunControl::held() {
  GOR_WITH_RUN(std::nullopt);
  return s.control_held();
}

#undef GOR_WITH_RUN

}  // namespace gor

namespace gor::detail {

namespace {
const char* pstatus_text(PStatus s) {
  switch (s) {
    case PStatus::Idle: return "idle";
    case PStatus::Running: return "running";
    case PStatus::Syscall: return "syscall";
    case PStatus::Stopped: return "stopped";
  }
  return "?";
}

// site() is a goroutine's site in Go's words: "samples/x.cpp:12 in main.f" (go_names.hpp).
std::string site(const std::source_location& s) { return go_site(s); }
}  // namespace

void Scheduler::attach_control() {
  if (cfg.control == nullptr) return;
  std::lock_guard<std::mutex> guard(cfg.control->mu_);
  if (cfg.control->sched_ != nullptr) throw std::logic_error("gor::run: this RunControl already controls a run");
  cfg.control->sched_ = this;
  cfg.control->final_.reset();
  if (det_ != nullptr && cfg.control->start_paused_.load(std::memory_order_acquire)) det_->freeze_at_next_choice();
}

// detach_control() runs once every M and sysmon have stopped, before the leftovers are
// unwound: it keeps that last picture (a deadlock's blocked goroutines, a panic's last state)
// as the control's final snapshot, then detaches.
void Scheduler::detach_control() {
  if (cfg.control == nullptr) return;
  std::lock_guard<std::mutex> guard(cfg.control->mu_);
  if (cfg.control->sched_ != this) return;
  {
    std::lock_guard<std::mutex> control_guard(control_mu_);
    Snapshot last = snapshot_locked();
    last.ended = true;
    for (MachineInfo& m : last.machines) {  // every M has left its loop and been joined
      m.state = "exited";
      m.running = 0;
    }
    cfg.control->final_ = std::move(last);
  }
  cfg.control->sched_ = nullptr;
}

void Scheduler::hold_at_end() {
  RunControl* control = cfg.control;
  if (control == nullptr) return;
  HeldEnd end;
  bool stopped;
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    end.status = result_.status;
    end.message = result_.message;
    end.goroutine = end.status == RunStatus::Panic ? result_.panicking_goid : 0;
    stopped = result_.stopped;
  }
  const bool hold = !stopped && ((end.status == RunStatus::Panic && control->hold_panic_.load(std::memory_order_acquire)) ||
                                 (end.status == RunStatus::Deadlock && control->hold_deadlock_.load(std::memory_order_acquire)));
  if (!hold) return;
  std::unique_lock<std::mutex> guard(control_mu_);
  // Every M has left its loop and sysmon has stopped: the world is as stopped as a pause
  // leaves it, so snapshots and dumps read it directly (paused_).
  held_ = true;
  held_end_ = std::move(end);
  paused_ = true;
  held_cv_.wait(guard, [&] { return !held_; });
  paused_ = false;
}

std::optional<HeldEnd> Scheduler::control_held() {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (!held_) return std::nullopt;
  return held_end_;
}

bool Scheduler::control_paused() {
  std::lock_guard<std::mutex> guard(control_mu_);
  return paused_;
}

// det_freeze() freezes a deterministic world for a pause or a step's end, giving up (and
// letting the world go on) when the run ends meanwhile: the ending run's last actor takes
// control_mu_ (detach_control), which the caller holds, so it may never reach a choice.
bool Scheduler::det_freeze(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (det_->pause_world(std::chrono::milliseconds(2))) return true;
    if (ending() || std::chrono::steady_clock::now() >= deadline) {
      det_->resume_world();
      return false;
    }
  }
}

PauseReport Scheduler::pause_locked(std::chrono::milliseconds timeout) {
  PauseReport report;
  if (ending()) return report;
  if (paused_) {
    report.ok = true;
    return report;
  }
  if (det_ != nullptr) {
    // Deterministic mode: the world freezes between two scheduling points, every M where it
    // was (a P shows the goroutine it runs). Nothing is recorded: a pause changes no run.
    report.ok = det_freeze(timeout);
    paused_ = report.ok;
    return report;
  }
  bool all = stop_the_world(nullptr, std::chrono::steady_clock::now() + timeout);
  if (ending()) {
    if (stw_owner_.load()) {
      gcwaiting_.store(false);
      stw_owner_.store(false);
    }
    return report;
  }
  if (!stw_owner_.load()) return report;  // never got to stop (run ending)
  paused_ = true;
  paused_dilation_ = clock.dilation();
  clock.set_dilation(std::numeric_limits<double>::infinity());  // engine time stands still
  trace(nullptr, EventKind::StopTheWorld, 0, 1);
  report.ok = all;
  if (!all) {
    for (int i = 0; i < gomaxprocs(); ++i) {
      if (allp_[i]->status.load() == PStatus::Running) {
        if (allp_[i]->curg.load(std::memory_order_acquire) != nullptr) {
          report.still_running.push_back(allp_[i]->curg_id.load(std::memory_order_relaxed));
        }
      }
    }
  }
  return report;
}

void Scheduler::resume_locked() {
  if (!paused_) return;
  paused_ = false;
  if (det_ != nullptr) {
    det_->resume_world();
    return;
  }
  clock.set_dilation(paused_dilation_);
  trace(nullptr, EventKind::StopTheWorld, 0, 0);
  start_the_world(nullptr);
  wake_timer_sleeper(std::numeric_limits<int64_t>::min() + 1);  // deadlines moved in wall time
}

PauseReport Scheduler::control_pause(std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard(control_mu_);
  return pause_locked(timeout);
}

bool Scheduler::control_resume() {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (held_) {  // let the held ending go on: the run ends as it would have
    held_ = false;
    held_cv_.notify_all();
    return true;
  }
  if (!paused_) return false;
  resume_locked();
  return true;
}

PauseReport Scheduler::control_step(int n, std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (n <= 0 || ending()) return PauseReport{};
  if (!paused_) {
    PauseReport first = pause_locked(timeout);
    if (!first.ok) return first;
  }
  step_budget_.store(n, std::memory_order_release);
  stepping_.store(true, std::memory_order_release);
  if (det_ != nullptr) {
    // The world freezes itself when the budget is used up (machine_loop); wait for that.
    paused_ = false;
    det_->resume_world();
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (step_budget_.load(std::memory_order_acquire) > 0 && !ending() &&
           std::chrono::steady_clock::now() < deadline) {
      step_note_.sleep_until(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(5)));
    }
    PauseReport report;
    report.ok = det_freeze(timeout);
    paused_ = report.ok;
    stepping_.store(false, std::memory_order_release);
    return report;
  }
  resume_locked();
  // Wait for the budget to be used up (or for nothing to be left to run).
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (step_budget_.load(std::memory_order_acquire) > 0 && !ending() && std::chrono::steady_clock::now() < deadline) {
    step_note_.sleep_until(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(5)));
  }
  PauseReport report = pause_locked(timeout);
  stepping_.store(false, std::memory_order_release);
  return report;
}

PauseReport Scheduler::control_step_events(uint64_t n, std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (n == 0 || ending() || det_ == nullptr || tracer_ == nullptr) return PauseReport{};
  if (!paused_) {
    PauseReport first = pause_locked(timeout);
    if (!first.ok) return first;
  }
  // The world is frozen: the count is stable until it resumes (it is the world thread's).
  const uint64_t* recorded = tracer_->virtual_recorded();
  det_->freeze_after_events(recorded, *recorded + n);
  paused_ = false;
  det_->resume_world();
  // It freezes itself at its first choice after the n-th event; wait for that (or the end).
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (det_->freeze_after_events_pending() && !ending() && std::chrono::steady_clock::now() < deadline) {
    step_note_.sleep_until(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::microseconds(200)));
  }
  // Gave up (the run ends, or the timeout): no freeze later, with nobody to resume it.
  if (det_->freeze_after_events_pending()) det_->freeze_after_events(nullptr, 0);
  PauseReport report;
  report.ok = det_freeze(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration(std::chrono::milliseconds(1)))));
  paused_ = report.ok;
  return report;
}

bool Scheduler::control_set_dilation(double k) {
  if (!(k >= 0.01 && k <= 1e6)) return false;
  std::lock_guard<std::mutex> guard(control_mu_);
  if (det_ != nullptr) return true;  // deterministic mode runs unpaced (see the essay)
  if (paused_) {
    paused_dilation_ = k;
  } else {
    clock.set_dilation(k);
    wake_timer_sleeper(std::numeric_limits<int64_t>::min() + 1);
  }
  return true;
}

bool Scheduler::control_set_procs(int n) {
  if (n < 1 || n > kMaxProcs) return false;
  // A deterministic run's GOMAXPROCS changes only from the program (gor::gomaxprocs): a
  // change from outside would make the run depend on when it was asked for.
  if (det_ != nullptr) return false;
  std::lock_guard<std::mutex> guard(control_mu_);
  bool was_paused = paused_;
  if (!was_paused && !pause_locked(std::chrono::milliseconds(1000)).ok) {
    if (paused_) resume_locked();
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(lock_);
    int old = gomaxprocs();
    procresize(nullptr, n);
    trace(nullptr, EventKind::Gomaxprocs, 0, static_cast<uint64_t>(old), static_cast<uint64_t>(n));
  }
  if (!was_paused) resume_locked();
  return true;
}

bool Scheduler::control_stop() {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (held_) {  // a held ending: stopping it is letting it end
    held_ = false;
    held_cv_.notify_all();
    return true;
  }
  if (ending()) return false;
  {
    std::lock_guard<std::mutex> result(result_lock_);
    result_.stopped = true;
  }
  set_ending(RunStatus::Ok, "", nullptr);
  if (paused_ && det_ != nullptr) {
    paused_ = false;
    det_->resume_world();
  }
  if (paused_) {
    paused_ = false;
    clock.set_dilation(paused_dilation_);
    gcwaiting_.store(false, std::memory_order_release);
    stw_owner_.store(false, std::memory_order_release);
  }
  return true;
}

Snapshot Scheduler::snapshot_locked() {
  Snapshot snap;
  snap.now_ns = clock.now();
  snap.gomaxprocs = gomaxprocs();
  snap.paused = paused_;
  snap.pending_timers = pending_timers();
  {
    std::lock_guard<std::mutex> guard(lock_);
    for (int i = 0; i < gomaxprocs(); ++i) {
      Processor* pp = allp_[i];
      ProcessorInfo info;
      info.id = pp->id;
      PStatus status = pp->status.load(std::memory_order_acquire);
      info.status = pstatus_text(status);
      if (pp->curg.load(std::memory_order_acquire) != nullptr) info.running = pp->curg_id.load(std::memory_order_relaxed);
      if (G* next = pp->runq.runnext()) info.runnext = next->id;
      pp->runq.for_each([&](G* g) { info.local_queue.push_back(g->id); });
      const Machine* holder = pp->m;
      info.m = holder != nullptr ? holder->id : -1;
      snap.procs.push_back(std::move(info));
    }
    for (G* g = runq_head_; g != nullptr; g = g->schedlink) snap.global_queue.push_back(g->id);
    for (auto& m : allm_) {
      MachineInfo info;
      info.id = m->id;
      if (m->idle_listed) {
        info.state = "idle";
      }
      // Read once each: when a pause did not stop every M, the others still move (p, oldp,
      // curg_id are relaxed atomics; a P's id is constant).
      const Processor* p = m->p;
      const Processor* oldp = m->oldp;
      if (!m->idle_listed) {
        if (p == nullptr && oldp != nullptr) {
          info.state = "syscall";
        } else if (m->spinning) {
          info.state = "spinning";
        } else {
          info.state = "running";
        }
      }
      info.p = p != nullptr ? p->id : -1;
      info.running = m->curg_id.load(std::memory_order_relaxed);
      snap.machines.push_back(std::move(info));
    }
  }
  std::unique_lock<std::mutex> allgs_guard(allgs_lock_);
  for (auto& gp : allgs_) {
    G* g = gp.get();
    GState state = g->state.load(std::memory_order_acquire);
    if (state == GState::Dead || state == GState::Idle) continue;
    GoroutineInfo info;
    info.id = g->id;
    info.parent = g->parent_id;
    info.label = g->label;
    info.state = gstate_text(state);
    if (state == GState::Waiting || state == GState::Syscall) {
      info.wait_reason = wait_reason_text(g->wait_reason);
      info.wait_object = g->wait_object.load(std::memory_order_relaxed);
      info.blocked_at = site(g->blocked_at);
    }
    info.created_at = g->is_main ? std::string() : site(g->created_at);  // Go's main has no creation site
    info.since_ns = g->state_since.load(std::memory_order_relaxed);
    if (state == GState::Running) {
      for (const ProcessorInfo& p : snap.procs) {
        if (p.running == g->id) info.p = p.id;
      }
    }
    snap.goroutines.push_back(std::move(info));
  }
  allgs_guard.unlock();
  std::sort(snap.goroutines.begin(), snap.goroutines.end(),
            [](const GoroutineInfo& a, const GoroutineInfo& b) { return a.id < b.id; });
  if (held_) {  // every M has left its loop: none runs anything while the end is held
    for (MachineInfo& m : snap.machines) {
      m.state = "stopped";
      m.running = 0;
    }
  }
  fill_objects(snap, run_serial);
  snapshot_timers(snap);
  snap.deadlocks = find_partial_deadlocks(/*exact=*/true);
  report_partial_deadlocks(snap.deadlocks);
  return snap;
}

Snapshot Scheduler::control_snapshot() {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (paused_) return snapshot_locked();
  // Pause for an instant so the picture is consistent.
  bool stopped = pause_locked(std::chrono::milliseconds(200)).ok || paused_;
  Snapshot snap = snapshot_locked();
  snap.paused = false;
  if (stopped && paused_) resume_locked();
  return snap;
}

std::string Scheduler::control_dump() {
  std::lock_guard<std::mutex> guard(control_mu_);
  if (paused_) return dump_goroutines(nullptr);
  bool stopped = pause_locked(std::chrono::milliseconds(200)).ok || paused_;
  std::string text = dump_goroutines(nullptr);
  if (stopped && paused_) resume_locked();
  return text;
}

}  // namespace gor::detail
