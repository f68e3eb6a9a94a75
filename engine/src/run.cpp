// run.cpp — gor::run and the end of a run: joining the Ms, the dump, unwinding leftovers.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

#include "gor/panic.hpp"
#include "gor/trace.hpp"
#include "race_detector.hpp"
#include "scheduler.hpp"
#include "stack_pool.hpp"

namespace gor::detail {

RunResult Scheduler::run(std::function<void()> main) {
  if (det_ == nullptr) return run_machines(std::move(main));
  // Deterministic mode: M0 is the world's first actor; the calling thread runs the world.
  RunResult r;
  det_->spawn(nullptr, [&] { r = run_machines(std::move(main)); });
  det_runs.fetch_add(1, std::memory_order_relaxed);
  det_->run();
  det_runs.fetch_sub(1, std::memory_order_relaxed);
  return r;
}

RunResult Scheduler::run_machines(std::function<void()> main) {
  Machine* m0 = nullptr;
  {
    std::lock_guard<std::mutex> guard(lock_);
    auto owned = std::make_unique<Machine>();
    m0 = owned.get();
    m0->sched = this;
    m0->id = 0;
    m0->rng = cfg.seed ^ 0x2545F4914F6CDD1Dull;
    allm_.push_back(std::move(owned));
    if (tracer_ != nullptr) m0->trace_ring = tracer_->new_ring();
    mcount_ = 1;
    max_mcount_ = 1;
  }
  if (det_ != nullptr) {
    m0->park.world = det_.get();
    det_->adopt(m0);
  }
  acquirep(m0, allp_[0]);
  // By the time Go's main.main runs, runtime.main has scheduled on P0 already (gcenable's
  // goroutines), so P0's first findRunnable is not a 1-in-61 global-queue-first one: without
  // this, main's first Gosched on one P would run main again before the goroutine it started.
  allp_[0]->schedtick.store(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> guard(lock_);
    for (int i = gomaxprocs() - 1; i >= 1; --i) pidleput(allp_[i]);
  }
  // main is created as from M0 on P0, so it goes to P0's runnext (Go's newproc of runtime.main);
  // in real mode the calling thread is M0 only for this, M0's own thread runs it.
  if (det_ == nullptr) set_current_machine(m0);
  // No line of the program creates main (Go's traceback has no "created by" for it): no site.
  G* g = new_goroutine(std::move(main), std::source_location(), "main", nullptr);
  if (det_ == nullptr) set_current_machine(nullptr);
  g->is_main = true;
  main_g_ = g;
  if (det_ != nullptr) {
    det_->spawn(nullptr, [this] { sysmon_loop(); });
  } else {
    sysmon_ = std::thread([this] { sysmon_loop(); });
  }
  attach_control();

  if (det_ != nullptr) {
    machine_loop(m0);
  } else {
    // Real mode: M0 gets a thread of its own, like every other M, so that the calling thread
    // is free to end the run even when M0 runs a goroutine that never stops (end.cpp).
    m0->thread = std::thread([this, m0] {
      set_current_machine(m0);
      fiber_identity_for_thread(m0->g0_fiber);
      machine_loop(m0);
      set_current_machine(nullptr);
      m0->exited.store(true, std::memory_order_release);
    });
    while (!ending()) end_note_.sleep_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
  }

  // The run is over. Wait for every M to leave its loop (end.cpp: real mode gives up on an
  // M after kEndGrace; in deterministic mode every other actor is at a scheduling point).
  if (det_ != nullptr) {
    {
      std::lock_guard<std::mutex> guard(lock_);
      for (Machine* m = midle_; m != nullptr; m = m->link) m->park.wakeup();
    }
    sysmon_note_.wakeup();
    det_->join_others();  // every other M and sysmon
  }
  stop_machines();  // real mode: joins each M, or abandons one that does not stop in time
  sysmon_note_.wakeup();
  if (sysmon_.joinable()) sysmon_.join();
  if (det_ == nullptr) {
    // The calling thread finishes the run: as M0 when M0's thread stopped, else as a fresh M
    // (M0 is still inside its goroutine on an abandoned thread).
    if (m0->abandoned.load()) {
      std::lock_guard<std::mutex> guard(lock_);
      auto owned = std::make_unique<Machine>();
      owned->sched = this;
      owned->id = static_cast<int>(allm_.size());
      owned->rng = m0->rng;
      m0 = owned.get();
      allm_.push_back(std::move(owned));
    }
    set_current_machine(m0);
    fiber_identity_for_thread(m0->g0_fiber);
  }
  hold_at_end();     // a panic or deadlock the control asked to hold waits here for resume()
  detach_control();  // waits for a control call in progress; none can start after this
  if (m0->p != nullptr) releasep(m0);
  teardown(m0);
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    trace(m0, EventKind::RunEnd, 0, static_cast<uint64_t>(result_.status));
  }
  set_current_machine(nullptr);
  uint64_t traced = 0, trace_waits = 0;
  if (tracer_ != nullptr) {
    traced = tracer_->stop();
    trace_waits = tracer_->waits();
  }

  RunResult r;
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    r = result_;
  }
  r.goroutines_created = goroutines_created.load();
  r.steals = steals.load();
  r.preempt_requests = preempt_requests.load();
  r.syscall_handoffs = syscall_handoffs.load();
  r.max_threads = max_mcount_;
  r.sysmon_ticks = sysmon_ticks_.load();
  r.trace_events = traced;
  r.trace_waits = trace_waits;
  r.seed = cfg.seed;
  r.engine_ns = clock.now();
  if (det_ != nullptr) {
    r.deterministic = true;
    if (std::string left = det_->replay_left(); !left.empty() && r.message.rfind("replay diverged", 0) != 0) {
      r.status = RunStatus::Panic;
      r.fatal = true;
      r.message = "replay diverged: " + left;
    }
    r.schedule = det_->schedule();
    r.actor_switches = det_->switches();
  }
  return r;
}

// teardown() records the dump, then unwinds every goroutine still alive on this thread:
// each is resumed with `unwinding` set, so its blocking call throws ForcedUnwind and its
// destructors run. Goroutines that never started just drop their closures.
void Scheduler::teardown(Machine* m0) {
  {
    std::lock_guard<std::mutex> guard(lock_);
    tearing_down_ = true;
  }
  G* culprit = nullptr;
  size_t leaked = 0;
  {
    std::lock_guard<std::mutex> guard(allgs_lock_);
    for (auto& g : allgs_) {
      if (g->id == result_.panicking_goid && result_.panicking_goid != 0) culprit = g.get();
      if (!g->is_main && g->state.load() != GState::Dead) ++leaked;
    }
  }
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    if (result_.status != RunStatus::Ok) {
      // Every other M has stopped: nothing changes under the dump now. A panic already holds
      // the panicking goroutine's own [running] entry; the others follow it.
      const bool have_culprit_entry = !result_.dump.empty();
      std::string rest = dump_goroutines(culprit, have_culprit_entry ? result_.panicking_goid : 0);
      if (!have_culprit_entry) {
        result_.dump = std::move(rest);
      } else if (!rest.empty()) {
        result_.dump += "\n" + rest;
      }
    }
    result_.leaked = result_.status == RunStatus::Ok ? leaked : 0;
  }
  // Newest first: a goroutine often refers to its creator's locals (captured by reference;
  // main's WaitGroup and Mutex), and one resumed at a yield point keeps running until its next
  // blocking call, so its creator's frame must still be alive when it runs. Unwinding main
  // first left children using a destroyed Mutex (a spin on freed memory in Sema::acquire).
  // Goroutines created while unwinding (allgs_ grows) get their own newest-first pass.
  size_t done_below = 0;
  size_t pass_end;
  {
    std::lock_guard<std::mutex> guard(allgs_lock_);
    pass_end = allgs_.size();
  }
  for (size_t i = pass_end;;) {
    if (i == done_below) {
      std::lock_guard<std::mutex> guard(allgs_lock_);
      if (allgs_.size() == pass_end) break;
      done_below = pass_end;
      pass_end = allgs_.size();
      i = pass_end;
      continue;
    }
    --i;
    G* g = nullptr;
    {
      std::lock_guard<std::mutex> guard(allgs_lock_);
      g = allgs_[i].get();
    }
    if (g->state.load() == GState::Dead) continue;
    if (std::find(abandoned_gs_.begin(), abandoned_gs_.end(), g) != abandoned_gs_.end()) {
      continue;  // still running on a thread that was let go (end.cpp): not ours to unwind
    }
    if (g->context == nullptr) {
      try {
        g->fn = nullptr;
      } catch (...) {
      }
      g->state.store(GState::Dead);
      ngoroutines.fetch_sub(1);
      continue;
    }
    g->unwinding = true;
    g->m = m0;
    m0->curg = g;
    g->state.store(GState::Running);
    ctx::transfer_t t = switch_context(m0->g0_fiber, g->fiber, g->context, m0);
    g->context = t.fctx;
    MAction action = m0->action;
    m0->action = MAction::None;
    m0->curg = nullptr;
    if (action == MAction::Abandon) {
      g->fn = nullptr;  // may leak what the abandoned frames owned (documented in ForcedUnwind)
    }
    if (action == MAction::Exit || action == MAction::Abandon) {
      free_goroutine(nullptr, g);
    } else {
      // It switched out without ending (cannot happen: every blocking call throws while
      // unwinding). Leave it; its stack is not reused.
      g->state.store(GState::Dead);
    }
  }
  // Return the caches to the process-wide pools (not the stacks when a thread was abandoned:
  // its goroutine may still reach main's or another dead goroutine's frame, end.cpp).
  for (auto& pp : pstore_) {
    if (abandoned_threads_ == 0 && !pp->stack_cache.empty()) {
      StackPool::instance().release_batch(cfg.stack_size, pp->stack_cache.data(), pp->stack_cache.size());
      pp->stack_cache.clear();
    }
    for (TimerNode* t : pp->timers.take_all()) {
      t->heap_owner.store(nullptr, std::memory_order_release);
      t->heap_index = -1;
      t->armed = false;
      if (t->discard != nullptr) t->discard(t);
    }
  }
  if (goroutines_created.load() > 4096) StackPool::instance().trim();
}

}  // namespace gor::detail

namespace gor {

namespace {
// apply_environment() is GOR_DETERMINISTIC=1 (and GOR_SEED=S) for a run whose code did not
// choose its mode: any program or test binary can be run deterministically unchanged.
void apply_environment(Config& cfg) {
  if (cfg.deterministic.has_value()) return;
  const char* det = std::getenv("GOR_DETERMINISTIC");
  if (det == nullptr || std::string(det) != "1") {
    cfg.deterministic = false;
    return;
  }
  cfg.deterministic = true;
  if (const char* seed = std::getenv("GOR_SEED"); seed != nullptr && cfg.seed == 0) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(seed, &end, 10);
    if (end == seed || *end != '\0') throw std::invalid_argument("GOR_SEED must be a decimal number");
    cfg.seed = v;
  }
}
}  // namespace

using detail::current_g;
using detail::current_machine;
using detail::DetWorld;
using detail::Scheduler;

RunResult run(const Config& cfg_in, std::function<void()> main) {
  if (detail::current_machine() != nullptr) {
    throw std::logic_error("gor::run: called from inside a goroutine or scheduler thread");
  }
  if (!main) throw std::invalid_argument("gor::run: main is empty");
  Config cfg = cfg_in;
  if (cfg.procs < 0 || cfg.procs > Scheduler::kMaxProcs) {
    throw std::invalid_argument("gor::run: procs must be between 0 and " + std::to_string(Scheduler::kMaxProcs) +
                                " (got " + std::to_string(cfg.procs) + ")");
  }
  if (cfg.procs == 0) cfg.procs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!(cfg.dilation >= 0.01 && cfg.dilation <= 1e6)) {
    throw std::invalid_argument("gor::run: dilation must be between 0.01 and 1e6");
  }
  if (cfg.stack_size < 16 * 1024 || cfg.stack_size % 4096 != 0) {
    throw std::invalid_argument("gor::run: stack_size must be a multiple of 4096 and at least 16 KiB");
  }
  apply_environment(cfg);
  if (cfg.op_cost.count() < 0) throw std::invalid_argument("gor::run: op_cost must not be negative");
  if (cfg.replay != nullptr) {
    if (!cfg.deterministic.value_or(false)) throw std::invalid_argument("gor::run: replay needs deterministic mode");
    std::string error;
    if (!cfg.replay->decode(&error)) throw std::invalid_argument("gor::run: replay: " + error);
    cfg.seed = cfg.replay->seed;
    cfg.preemption_points = cfg.replay->preemption_points;
  }
  if (cfg.seed == 0) {
    // Like Go, which seeds its runtime from the OS: a fresh seed, reported in RunResult::seed.
    std::random_device rd;
    do {
      cfg.seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    } while (cfg.seed == 0);
  }
  auto sched = std::make_unique<Scheduler>(cfg);
  std::unique_ptr<detail::RaceDetector> race;  // destroyed before sched, after the run
  if (cfg.race) {
    race = std::make_unique<detail::RaceDetector>(sched.get(), cfg.race_fatal);
    sched->race = race.get();
  }
  Scheduler* expected = nullptr;
  detail::g_last_scheduler_store(sched.get());
  RunResult r = sched->run(std::move(main));
  detail::g_last_scheduler_clear(sched.get());
  if (race) {
    r.race_reports = race->reports();
    r.races = r.race_reports.size();
  }
  if (sched->abandoned_threads() != 0) {
    // A thread of this run may still be running (end.cpp): everything it can reach through
    // the engine stays allocated for the rest of the process.
    (void)race.release();
    (void)sched.release();
  }
  (void)expected;
  return r;
}

void go(std::function<void()> fn, std::source_location where) { go_named(std::string(), std::move(fn), where); }

void go_named(std::string label, std::function<void()> fn, std::source_location where) {
  detail::G* g = current_g();
  if (g == nullptr) throw std::logic_error("gor::go: called outside a goroutine");
  if (!fn) throw std::invalid_argument("gor::go: empty function");
  detail::check_preempt();
  g = current_g();
  g->sched->new_goroutine(std::move(fn), where, std::move(label), g);
}

void yield() {
  detail::sched_point();
  detail::G* g = current_g();
  if (g == nullptr) {
    std::this_thread::yield();
    return;
  }
  g->sched->yield_current(g, detail::MAction::Yield);
}

void sleep_for(Duration d, std::source_location where) {
  detail::G* g = current_g();
  if (g == nullptr) throw std::logic_error("gor::sleep: called outside a goroutine");
  if (d.count() <= 0) {
    detail::check_preempt();
    return;
  }
  struct Sleep {
    detail::TimerNode node;
    int64_t when;
    Scheduler* sched;
  } sleep;
  sleep.sched = g->sched;
  sleep.when = g->sched->clock.now() + d.count();
  sleep.node.arg = g;
  sleep.node.kind = detail::TimerKind::Sleep;
  sleep.node.fire = [](detail::TimerNode* t, int64_t) {
    auto* sleeper = static_cast<detail::G*>(t->arg);
    t->lock.unlock();
    detail::ready(sleeper);
  };
  // Arm the timer only once this goroutine is switched out, so the wakeup cannot come first.
  auto arm = [](void* arg) noexcept {
    auto* s = static_cast<Sleep*>(arg);
    s->sched->timer_add(&s->node, s->when);
  };
  try {
    detail::park(detail::WaitReason::Sleep, 0, where, arm, &sleep);
  } catch (...) {
    sleep.sched->timer_delete(&sleep.node);
    throw;
  }
  sleep.sched->timer_delete(&sleep.node);  // waits for the firing thread to let go of the node
}

TimePoint now() noexcept { return TimePoint(Duration(detail::nanotime())); }
EngineClock::time_point EngineClock::now() noexcept { return gor::now(); }

void set_dilation(double k) {
  if (!(k >= 0.01 && k <= 1e6)) throw std::invalid_argument("gor::set_dilation: k must be between 0.01 and 1e6");
  Scheduler* s = detail::current_scheduler();
  if (s == nullptr) throw std::logic_error("gor::set_dilation: no run");
  s->clock.set_dilation(k);
  int64_t when = s->earliest_timer();
  if (when != INT64_MAX) s->wake_timer_sleeper(INT64_MIN + 1);  // recompute the sleep
}

int gomaxprocs(int n) {
  detail::G* g = current_g();
  if (g == nullptr) throw std::logic_error("gor::gomaxprocs: called outside a goroutine");
  return g->sched->set_gomaxprocs(g, n);
}

int num_goroutine() {
  Scheduler* s = detail::current_scheduler();
  return s != nullptr ? s->ngoroutines.load() : 0;
}

uint64_t goid() noexcept {
  detail::G* g = current_g();
  return g != nullptr ? g->id : 0;
}

bool deterministic() noexcept {
  detail::G* g = current_g();
  return g != nullptr && g->sched->det() != nullptr;
}

int thread_id() noexcept {
  detail::Machine* m = current_machine();
  return m != nullptr && m->curg != nullptr ? m->id : -1;
}

int proc_id() noexcept {
  detail::Machine* m = current_machine();
  return m != nullptr && m->curg != nullptr && m->p != nullptr ? m->p->id : -1;
}

void preempt_point() { detail::check_preempt(); }

namespace {
// thread_cpu_ns() is the CPU time the calling OS thread has used.
int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// burn_cpu() burns `engine_ns` x the dilation of this thread's CPU time (real mode).
void burn_cpu(Scheduler* s, int64_t engine_ns) {
  const double k = s->clock.dilation();
  const int64_t burn = std::isfinite(k) ? static_cast<int64_t>(static_cast<double>(engine_ns) * k) : engine_ns;
  const int64_t start = thread_cpu_ns();  // the same OS thread: no engine call until done
  while (thread_cpu_ns() - start < burn) {
    for (int i = 0; i < 64; ++i) detail::cpu_relax();
  }
}
}  // namespace

void work(Duration d, std::source_location where) {
  (void)where;
  detail::G* g = current_g();
  if (g == nullptr) throw std::logic_error("gor::work: called outside a goroutine");
  constexpr int64_t kStep = 100'000;  // a preemption point at least every 100 us of engine time
  int64_t left = d.count();
  if (left <= 0) {
    detail::check_preempt();
    return;
  }
  Scheduler* s = g->sched;
  if (detail::DetWorld* w = s->det()) {
    while (left > 0) {
      const int64_t step = std::min(left, kStep);
      w->point(step);
      left -= step;
      detail::honour_preempt();
    }
    return;
  }
  // Real mode: CPU time, not wall time: a thread the OS deschedules does no work meanwhile,
  // as on a real core. Time spent preempted is not work done.
  while (left > 0) {
    const int64_t step = std::min(left, kStep);
    burn_cpu(s, step);
    left -= step;
    detail::honour_preempt();
    g = current_g();
    s = g->sched;
  }
}

void spin(Duration d, std::source_location where) {
  (void)where;
  detail::G* g = current_g();
  if (g == nullptr) throw std::logic_error("gor::spin: called outside a goroutine");
  if (d.count() <= 0) return;
  if (detail::DetWorld* w = g->sched->det()) {
    w->point(d.count());  // lets other Ms move meanwhile; no preemption is honoured
    return;
  }
  burn_cpu(g->sched, d.count());
}

void log(const std::string& text) {
  detail::Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  m->sched->trace(m, EventKind::Log, goid(), m->sched->trace_string(text));
}

namespace {
// trace_region() records a RegionBegin or RegionEnd of the calling goroutine. Never throws
// (Region's destructor calls it, also while a goroutine is being unwound).
void trace_region(EventKind kind, const std::string& name) noexcept {
  detail::Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  uint64_t sid = 0;
  try {
    sid = m->sched->trace_string(name);
  } catch (...) {
    return;
  }
  m->sched->trace(m, kind, goid(), sid);
}
}  // namespace

void region_begin(const std::string& name) { trace_region(EventKind::RegionBegin, name); }
void region_end(const std::string& name) { trace_region(EventKind::RegionEnd, name); }

size_t pending_timers() {
  Scheduler* s = detail::current_scheduler();
  return s != nullptr ? s->pending_timers() : 0;
}

namespace detail {
void enter_syscall(std::source_location where, Duration engine_time) {
  G* g = current_g();
  if (g == nullptr || g->unwinding) return;
  check_preempt();
  g = current_g();
  g->sched->enter_syscall(g, where);
  // A deterministic run models the call's duration: its M is busy for engine_time, during
  // which sysmon (and every other M) moves on and may retake the P.
  if (DetWorld* w = g->sched->det(); w != nullptr && engine_time.count() > 0) w->point(engine_time.count());
}
void exit_syscall() noexcept {
  G* g = current_g();
  if (g == nullptr || g->unwinding) return;
  g->sched->exit_syscall(g);
}
}  // namespace detail

}  // namespace gor
