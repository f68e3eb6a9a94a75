// scheduler.cpp — the gor scheduler: Go's G/M/P model in C++ on Boost.Context.
//
// # The model
//
// A G is a goroutine: a closure on its own stack (a Boost.Context fcontext, switched in
// ~5 ns). An M is an OS thread. A P is a logical processor: the right to run goroutines,
// with a local run queue. There are exactly GOMAXPROCS Ps; an M must hold a P to run a G.
// Ms may outnumber Ps: an M whose goroutine is in a blocking syscall loses its P to
// another M (sysmon retakes it), so the blocked thread never stops the program.
//
// Each M loops on its own thread stack (the "g0" stack, as in Go): find a runnable G,
// switch to it, and when the G switches back (it parked, yielded, was preempted or
// exited) do what it asked (MAction) on the scheduler stack, then loop. Doing the follow-up
// on g0 is what makes parking race-free: a goroutine that parks on a channel releases the
// channel's lock only after its context is saved, so a waker can never resume a goroutine
// that is still running (Go's gopark/park_m, see detail/park.hpp).
//
// # Where a runnable G is found (find_runnable, Go's findrunnable)
//
//   1. every 61st schedule of a P, one G from the global queue first (fairness: a pair
//      of goroutines handing off through runnext cannot starve the global queue);
//   2. the P's runnext slot, then its local ring of 256 (RunQueue, lock-free);
//   3. the global queue (a batch, spread into the local ring);
//   4. expired timers of this P;
//   5. stealing: if fewer than half the busy Ps have a spinning M, the M spins: 4 rounds
//      over all Ps in random order, taking half of a victim's queue (runnext only in the
//      last round), and running other Ps' expired timers;
//   6. nothing: the P goes idle, the M re-checks every queue once (a G may have been
//      readied just after it stopped spinning) and parks on its Note. One parked M sleeps
//      with a timeout until the earliest timer ("the timer sleeper", Go's netpoll sleeper).
//
// # Invariants
//
//   - A P's ring is written by its owner only; thieves claim with a CAS on head.
//   - A readied G goes to the readier's runnext (inherits its time slice) and wakep() is
//     called: if a P is idle and no M is spinning, one M is started spinning. At most
//     half the busy Ps have a spinning M. A spinning M that finds work and was the last
//     spinner starts another (reset_spinning), so readied work is never stranded.
//   - Every G is in exactly one place: running on an M, in one run queue (local, runnext
//     or global), parked in one object's wait queue (or nowhere, for nil channels and
//     sleep), in a syscall, or dead in a free list.
//   - Deadlock (Go's checkdead): when the last M goes idle while no M runs or is in a
//     syscall, no timer is pending and the world is not paused, every goroutine is blocked
//     for good: the run ends with "all goroutines are asleep - deadlock!".
//
// # Deviations from Go, and why
//
//   - Preemption is at preemption points, not asynchronous. Go (1.14+) stops a running
//     goroutine almost anywhere with a signal and compiler-generated stack maps; C++ has
//     neither, and interrupting arbitrary C++ code (inside malloc, holding a std::mutex) is
//     unsafe. sysmon still flags a goroutine running longer than 10 ms; the goroutine yields at
//     its next engine call (channel op, select, go, yield, work, preempt_point; not an
//     uncontended Mutex lock) or, in code compiled with -finstrument-functions (the samples),
//     at its next function entry (preempt.cpp), which is what Go did up to 1.13. A loop that
//     calls neither holds its P until it ends. docs/go-fidelity.md lists every deviation.
//   - Stacks are fixed-size (Config::stack_size, committed lazily), not growable: growing
//     a stack means moving it, which needs the compiler's knowledge of pointers into it. An
//     overflow ends the run with Go's "fatal error: stack overflow": caught by the prologue
//     check of instrumented code (preempt.cpp) before the frame leaves its stack, otherwise
//     at the next switch (after_switch), when it may already have written below it.
//   - The run ends within 100 ms of main's end even if an M never stops: such a thread is
//     abandoned, not joined, and the run's memory is kept for it (end.cpp).
//   - Syscall handoff is sysmon's (Go's retake after 20 us), not eager: short calls keep
//     their P and cost nothing extra.
//   - Timers live in per-P heaps like Go's, but an idle M sleeps on a condition variable
//     until the earliest timer, since there is no netpoller.
//   - Thread-locals belong to the M, not the goroutine: a goroutine may resume on another
//     OS thread after any blocking call. The C++ exception state, which is thread-local in
//     the C++ runtime, is the exception: it travels with the goroutine (fiber_switch.hpp).
//
// # Deterministic mode (Config::deterministic, det_world.hpp)
//
// The same scheduler code runs: Ps with their rings and runnext, the global queue and its
// 1-in-61 check, stealing, spinning Ms, sysmon's preemption and syscall retake, timers,
// stop-the-world, the deadlock check. What changes is who moves and what time it is.
//
//   - Every M and sysmon is an actor: a fiber of one world, on the thread that called
//     gor::run, instead of an OS thread. Exactly one actor moves at any moment. A Note (the
//     only thing an M or sysmon ever sleeps on) parks the actor in the world instead of the
//     kernel; a std::mutex or RuntimeLock is never held across a switch (a contended one
//     would be a bug, and aborts with a message rather than hang).
//   - A scheduling point is where an actor may lose the world: every engine call a goroutine
//     makes (sched_point() on entry: go, channel operations, select, every sync and context
//     operation, sleep, yield, preempt_point, syscall, work, Shared<T> accesses and race
//     annotations), every Note sleep, and a find_runnable pass that follows another without
//     blocking (so an M waiting for another M's runnext cannot loop at one instant).
//   - Time is virtual. Each actor has its own clock; the world's now() is the clock of the
//     actor that moves. A scheduling point charges its cost to the caller (Config::op_cost
//     for an engine call, d for gor::work(d), the modelled duration of syscall(fn, d)), then
//     the chooser picks the actor with the lowest clock among those that can move; a woken
//     actor moves no earlier than now, a timed sleeper at its deadline. So computation on
//     different Ps overlaps as on real cores, effects never precede causes, trace timestamps
//     never go back, and when every M is blocked time jumps to the next timer (synctest's
//     rule). No wall clock is read; a Sleep(1000 h) returns at once.
//   - Ties (equal clocks) are decided by a seeded generator, or by a Strategy (schedule
//     exploration); every decision is recorded in the run's Schedule, which Config::replay
//     re-executes (with Config::replay_events, only until that many trace events were
//     recorded; the seeded generator decides after them: "run from here"). With
//     Config::preemption_points, each goroutine scheduling point also
//     decides whether to preempt the goroutine there.
//   - Differences from real mode: a pause (RunControl) freezes the world between two
//     scheduling points, so each P still shows the goroutine it runs, and records nothing;
//     GOMAXPROCS changes only from the program; the dilation does not pace the run (it runs
//     as fast as it can); a goroutine that loops without any engine call never lets another
//     actor move (real mode at least keeps the other Ps going); a thread outside the run
//     (not a goroutine) that touches the run's objects is not part of the schedule.
//
// # Alternatives rejected
//
//   - One run queue shared by all threads (Boost.Fiber's shared_work, a mutex per
//     operation): contention on every spawn and wakeup; Go moved away from it in 1.1.
//   - One OS thread per goroutine: a parked goroutine would cost a thread.
//   - Deterministic mode as OS threads passing a baton: every M switch would be a futex
//     handoff between threads (~5-10 us here), at nearly every engine call with several
//     busy Ps; fibers of one world switch in ~20 ns and need no kernel to be deterministic.
//   - One global virtual clock advanced by every operation: four Ps computing 10 ms each
//     would take 40 ms, so GOMAXPROCS would change nothing; per-actor clocks with
//     lowest-first are a conservative parallel discrete-event simulation.
//   - Spinning Ms that never sleep (Boost.Fiber work_stealing's default): burns the
//     machine's cores while idle.
//   - A pure spin lock for channels and the other runtime objects (what the engine had
//     first): two Ps feeding one worker pool then spent half their time bouncing the lock's
//     cache line, 1.3-1.7x Go's time. RuntimeLock is Go's lock2: spin briefly, then sleep on
//     a futex, so the loser gets out of the way (workerpool ~160 -> ~90 ns/job).
#include "scheduler.hpp"

#include <algorithm>
#include <numeric>
#include <cmath>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "gor/panic.hpp"
#include "stack_pool.hpp"

namespace gor::detail {

std::atomic<int> traced_runs{0};

namespace {
// The engine is built position-independent (it may end up in a shared object), which would
// make every access below a __tls_get_addr call; initial-exec keeps each one a single load
// from the thread pointer (the library is linked at start-up, never dlopen()ed late).
#define GOR_TLS __attribute__((tls_model("initial-exec"))) thread_local
GOR_TLS Machine* tls_machine = nullptr;
GOR_TLS EventRing* tls_trace_ring = nullptr;  // the calling thread's ring (its run's)
std::atomic<Scheduler*> g_last_scheduler{nullptr};

constexpr uint32_t kGlobalCheckInterval = 61;  // Go: schedtick%61 == 0
constexpr int kStealRounds = 4;                // Go: stealTries
constexpr size_t kRedZone = 4096;              // stack overflow detection margin
}  // namespace

__attribute__((noinline)) Machine* current_machine() noexcept {
  Machine* m = tls_machine;
  asm volatile("" ::: "memory");
  return m;
}
__attribute__((noinline)) void set_current_machine(Machine* m) noexcept {
  tls_machine = m;
  if (m != nullptr) m->eh_globals = __cxa_get_globals();
}

void set_thread_trace_ring(EventRing* ring) noexcept { tls_trace_ring = ring; }

// current_goid() reads the thread's M directly: it is called on every Mutex lock, and the
// noinline function itself is the barrier against a TLS address cached across a switch.
__attribute__((noinline)) uint64_t current_goid() noexcept {
  Machine* m = tls_machine;
  if (m == nullptr) return 0;
  G* g = m->curg;
  return g != nullptr ? g->id : 0;
}

namespace {
std::atomic<uint64_t> g_run_serial{0};
}

void Scheduler::trace_slow(Machine* m, EventKind kind, uint64_t g, uint64_t a0, uint64_t a1, uint64_t a2, int p,
                           bool fresh) noexcept {
  // tls_machine is read directly: nothing here switches goroutines, and this function is
  // not inlined into code that does (see current_machine()).
  Machine* self = tls_machine;
  if (m == nullptr) m = self;
  EventRing* ring = nullptr;  // the shared ring unless the calling thread owns one
  int mid = -1;
  if (m != nullptr && m->sched == this) {
    mid = m->id;
    if (p == -2) p = m->p != nullptr ? m->p->id : -1;
    if (m == self) ring = m->trace_ring;  // another M's ring is not ours to fill
  } else {
    if (p == -2) p = -1;
    if (self == nullptr) ring = tls_trace_ring;  // sysmon
  }
  tracer_->emit(ring, kind, g, a0, a1, a2, p, mid, fresh);
}

uint64_t Scheduler::trace_site(const std::source_location& s) {
  if (!tracer_) return 0;
  Machine* self = tls_machine;
  EventRing* ring = self != nullptr ? (self->sched == this ? self->trace_ring : nullptr) : tls_trace_ring;
  return tracer_->site_id(s.file_name(), s.line(), s.function_name(), ring);
}

uint64_t Scheduler::trace_string(const std::string& text) { return tracer_ ? tracer_->intern(text) : 0; }

void trace_object_event(int kind, uint64_t object, uint64_t arg) noexcept {
  trace_object_event_for(kind, nullptr, object, arg);
}

void trace_object_event_for(int kind, const G* g, uint64_t object, uint64_t arg, bool fresh) noexcept {
  Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  if (g == nullptr) g = m->curg;
  m->sched->trace(m, static_cast<EventKind>(kind), g != nullptr ? g->id : 0, object, arg, 0, -2, fresh);
}

void trace_event(int kind, uint64_t a0, uint64_t a1, uint64_t a2) noexcept {
  Machine* m = current_machine();
  if (m == nullptr || !m->sched->tracing()) return;
  m->sched->trace(m, static_cast<EventKind>(kind), m->curg != nullptr ? m->curg->id : 0, a0, a1, a2);
}

void trace_select(int cases, bool has_default, int chosen, uint64_t chan_id) noexcept {
  trace_event(static_cast<int>(EventKind::Select), static_cast<uint64_t>(cases) | (has_default ? 1u << 16 : 0u),
              static_cast<uint64_t>(chosen), chan_id);
}

Scheduler* current_scheduler() noexcept {
  Machine* m = current_machine();
  if (m != nullptr) return m->sched;
  return g_last_scheduler.load(std::memory_order_acquire);
}

void g_last_scheduler_store(Scheduler* s) noexcept { g_last_scheduler.store(s, std::memory_order_release); }
void g_last_scheduler_clear(Scheduler* s) noexcept {
  Scheduler* expected = s;
  g_last_scheduler.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
}

const char* gstate_text(GState s) noexcept {
  switch (s) {
    case GState::Idle: return "idle";
    case GState::Runnable: return "runnable";
    case GState::Running: return "running";
    case GState::Waiting: return "waiting";
    case GState::Syscall: return "syscall";
    case GState::Dead: return "dead";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// Clock

int64_t Clock::wall_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Clock::start(double dilation) {
  std::lock_guard<std::mutex> guard(mu_);
  epochs_.push_back(std::make_unique<Epoch>(Epoch{wall_ns(), 0, dilation}));
  epoch_.store(epochs_.back().get(), std::memory_order_release);
}

int64_t Clock::coarse_wall_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000LL + ts.tv_nsec;
}

int64_t Clock::engine_at(int64_t wall_abs) const noexcept {
  const Epoch* e = epoch_.load(std::memory_order_acquire);
  if (e == nullptr) return 0;
  int64_t wall = wall_abs - e->wall0;
  if (e->k == 1.0) return e->engine0 + wall;
  return e->engine0 + static_cast<int64_t>(static_cast<double>(wall) / e->k);
}

int64_t Clock::now() const noexcept {
  if (virtual_now_ != nullptr) [[unlikely]] return virtual_now_->load(std::memory_order_relaxed);
  return engine_at(wall_ns());
}
int64_t Clock::coarse_now() const noexcept {
  if (virtual_now_ != nullptr) [[unlikely]] return virtual_now_->load(std::memory_order_relaxed);
  return engine_at(coarse_wall_ns());
}

void Clock::set_dilation(double k) {
  std::lock_guard<std::mutex> guard(mu_);
  int64_t engine = now();
  epochs_.push_back(std::make_unique<Epoch>(Epoch{wall_ns(), engine, k}));
  epoch_.store(epochs_.back().get(), std::memory_order_release);
}

double Clock::dilation() const noexcept {
  const Epoch* e = epoch_.load(std::memory_order_acquire);
  return e ? e->k : 1.0;
}

std::chrono::steady_clock::time_point Clock::wall_deadline(int64_t engine_ns) const noexcept {
  const Epoch* e = epoch_.load(std::memory_order_acquire);
  // A frozen clock (k = infinity, a paused run) never reaches a later engine time.
  if (std::isinf(e->k)) {
    return engine_ns <= e->engine0 ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point::max();
  }
  double wall = static_cast<double>(e->wall0) + static_cast<double>(engine_ns - e->engine0) * e->k;
  if (!(wall < 9.0e18)) wall = 9.0e18;
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(static_cast<int64_t>(wall)));
}

// ---------------------------------------------------------------------------------------
// Construction

Scheduler::Scheduler(const Config& c) : run_serial(g_run_serial.fetch_add(1, std::memory_order_relaxed) + 1), cfg(c) {
  int n = cfg.procs;
  for (int i = 0; i < n; ++i) {
    pstore_.push_back(std::make_unique<Processor>(i));
    allp_[i] = pstore_.back().get();
    allp_[i]->rng = cfg.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(i) * 0xBF58476D1CE4E5B9ull + 1;
  }
  gomaxprocs_.store(n);
  clock.start(cfg.dilation);
  if (cfg.deterministic.value_or(false)) {
    det_ = std::make_unique<DetWorld>(cfg.seed, cfg.op_cost.count(), cfg.replay.get(), cfg.preemption_points,
                                      cfg.strategy.get());
    clock.set_virtual(&det_->now_ref());
    stopnote_.world = det_.get();
    sysmon_note_.world = det_.get();
    det_->on_divergence = [this](const std::string& what) {
      set_ending(RunStatus::Panic, "replay diverged: " + what, nullptr, {}, /*fatal=*/true);
    };
  }
  if (cfg.trace) {
    tracer_ = std::make_unique<Tracer>(clock, cfg.observer, det_ != nullptr ? &det_->now_ref() : nullptr);
    if (det_ != nullptr) det_->on_freeze = [this] { tracer_->flush_virtual(); };
    if (det_ != nullptr && cfg.replay_events > 0) det_->replay_until(tracer_->virtual_recorded(), cfg.replay_events);
    sysmon_ring_ = tracer_->new_ring();
    traced_runs.fetch_add(1, std::memory_order_relaxed);
  }
}

Scheduler::~Scheduler() {
  if (tracer_ != nullptr) {
    tracer_->stop();
    traced_runs.fetch_sub(1, std::memory_order_relaxed);
  }
}

uint32_t Scheduler::fastrand(Processor* pp) noexcept {
  // wyrand-style mixer over a per-P (owner only) or per-M state.
  uint64_t* state = nullptr;
  if (pp != nullptr) {
    state = &pp->rng;
  } else if (Machine* m = current_machine()) {
    state = &m->rng;
  } else {
    static GOR_TLS uint64_t local = 0x853c49e6748fea9bull;
    state = &local;
  }
  *state += 0xa0761d6478bd642full;
  __uint128_t t = static_cast<__uint128_t>(*state) * (*state ^ 0xe7037ed1a0b428dbull);
  return static_cast<uint32_t>(static_cast<uint64_t>(t >> 64) ^ static_cast<uint64_t>(t));
}

// ---------------------------------------------------------------------------------------
// P and M bookkeeping (Go's acquirep/releasep/pidleput/pidleget/mput/mget)

void Scheduler::acquirep(Machine* m, Processor* pp) noexcept {
  m->p = pp;
  pp->m = m;
  pp->status.store(PStatus::Running, std::memory_order_release);
  trace(m, EventKind::ProcBusy, 0, 0, 0, 0, pp->id);
  if (sysmon_deep_.load(std::memory_order_seq_cst)) [[unlikely]] {  // sysmon sleeps deeply (sysmon.cpp)
    sysmon_deep_.store(false);
    sysmon_note_.wakeup();
  }
}

Processor* Scheduler::releasep(Machine* m) noexcept {
  Processor* pp = m->p;
  pp->m = nullptr;
  pp->curg.store(nullptr, std::memory_order_relaxed);
  pp->status.store(PStatus::Idle, std::memory_order_release);
  m->p = nullptr;
  trace(m, EventKind::ProcIdle, 0, 0, 0, 0, pp->id);
  return pp;
}

void Scheduler::pidleput(Processor* pp) noexcept {
  pp->status.store(PStatus::Idle, std::memory_order_release);
  pp->link = pidle_;
  pidle_ = pp;
  npidle_.fetch_add(1, std::memory_order_acq_rel);
}

Processor* Scheduler::pidleget() noexcept {
  Processor* pp = pidle_;
  if (pp != nullptr) {
    pidle_ = pp->link;
    pp->link = nullptr;
    npidle_.fetch_sub(1, std::memory_order_acq_rel);
  }
  return pp;
}

Machine* Scheduler::mget() noexcept {
  Machine* m = midle_;
  if (m != nullptr) {
    midle_ = m->link;
    m->link = nullptr;
    m->idle_listed = false;
    --nmidle_;
  }
  return m;
}

// ---------------------------------------------------------------------------------------
// Run queues

void Scheduler::globrunq_put(G* g) {
  g->schedlink = nullptr;
  if (runq_tail_ != nullptr) {
    runq_tail_->schedlink = g;
  } else {
    runq_head_ = g;
  }
  runq_tail_ = g;
  runq_size_.fetch_add(1, std::memory_order_release);
}

void Scheduler::globrunq_put_locked_batch(G** gs, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) globrunq_put(gs[i]);
}

G* Scheduler::globrunq_get(Processor* pp, uint32_t max) {
  int32_t size = runq_size_.load(std::memory_order_relaxed);
  if (size == 0) return nullptr;
  // Go: n = min(size, size/gomaxprocs + 1, max, len(runq)/2)
  int32_t n = std::min(size, size / std::max(1, gomaxprocs()) + 1);
  if (max > 0 && n > static_cast<int32_t>(max)) n = static_cast<int32_t>(max);
  if (n > static_cast<int32_t>(RunQueue::kCapacity / 2)) n = RunQueue::kCapacity / 2;
  runq_size_.fetch_sub(n, std::memory_order_release);
  G* first = runq_head_;
  runq_head_ = first->schedlink;
  for (int32_t i = 1; i < n; ++i) {
    G* g = runq_head_;
    runq_head_ = g->schedlink;
    g->schedlink = nullptr;
    pp->runq.put(g);  // cannot fail: n <= capacity/2 and the caller's ring was empty or had room
  }
  if (runq_head_ == nullptr) runq_tail_ = nullptr;
  first->schedlink = nullptr;
  if (n > 1) trace(nullptr, EventKind::RunqFromGlobal, 0, static_cast<uint64_t>(n), 0, 0, pp->id);
  return first;
}

// runq_put() is Go's runqput: next=true puts g in runnext (the kicked-out runnext goes to
// the tail). A full ring moves half of itself plus g to the global queue.
void Scheduler::runq_put(Processor* pp, G* g, bool next) {
  if (next) {
    g = pp->runq.put_next(g);
    if (g == nullptr) return;
  }
  for (;;) {
    if (pp->runq.put(g)) return;
    G* batch[RunQueue::kCapacity / 2 + 1];
    uint32_t n = pp->runq.take_half_for_global(batch);
    if (n == 0) continue;
    batch[n++] = g;
    trace(nullptr, EventKind::RunqOverflow, g->id, n - 1, 0, 0, pp->id);
    std::lock_guard<std::mutex> guard(lock_);
    globrunq_put_locked_batch(batch, n);
    return;
  }
}

// ---------------------------------------------------------------------------------------
// Waking Ms

// wakep() starts a spinning M if a P is idle and nobody is spinning (Go's wakep).
void Scheduler::wakep() {
  if (npidle_.load(std::memory_order_acquire) == 0) return;
  int32_t expected = 0;
  if (nmspinning_.load(std::memory_order_acquire) != 0 ||
      !nmspinning_.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    return;
  }
  start_machine(nullptr, true);
}

// start_machine() is Go's startm: gives pp (or an idle P) to an idle or new M.
// With spinning, the caller already incremented nmspinning.
void Scheduler::start_machine(Processor* pp, bool spinning) {
  std::unique_lock<std::mutex> guard(lock_);
  if (ending()) {
    if (pp != nullptr) pidleput(pp);
    if (spinning) nmspinning_.fetch_sub(1);
    return;
  }
  if (pp == nullptr) {
    pp = pidleget();
    if (pp == nullptr) {
      guard.unlock();
      if (spinning) nmspinning_.fetch_sub(1, std::memory_order_acq_rel);
      return;
    }
  }
  Machine* m = mget();
  if (m == nullptr) {
    new_machine(pp, spinning);
    return;
  }
  m->spinning = spinning;
  m->nextp = pp;
  guard.unlock();
  m->park.wakeup();
}

// new_machine() creates an M thread that starts with pp. Called with the sched lock held.
Machine* Scheduler::new_machine(Processor* pp, bool spinning) {
  auto owned = std::make_unique<Machine>();
  Machine* m = owned.get();
  m->sched = this;
  m->id = static_cast<int>(allm_.size());
  m->rng = cfg.seed ^ (0x2545F4914F6CDD1Dull * static_cast<uint64_t>(m->id + 1));
  m->nextp = pp;
  m->spinning = spinning;
  ++mcount_;
  max_mcount_ = std::max(max_mcount_, mcount_);
  allm_.push_back(std::move(owned));
  if (tracer_ != nullptr) m->trace_ring = tracer_->new_ring();
  trace(nullptr, EventKind::MCreate, 0, static_cast<uint64_t>(m->id));
  if (det_ != nullptr) {
    // A deterministic run's M is an actor of the world (a fiber on the world's thread).
    m->park.world = det_.get();
    det_->spawn(m, [this, m] { machine_loop(m); });
    return m;
  }
  m->thread = std::thread([this, m] {
    set_current_machine(m);
    fiber_identity_for_thread(m->g0_fiber);
    machine_loop(m);
    set_current_machine(nullptr);
    m->exited.store(true, std::memory_order_release);  // the run's end polls this (end.cpp)
  });
  return m;
}

void Scheduler::reset_spinning(Machine* m) {
  m->spinning = false;
  int32_t left = nmspinning_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  // Go's resetspinning: we were the last spinner and found work; there may be more work,
  // so start another spinner.
  if (left == 0) wakep();
}

// stopm() parks m until it is handed a P (or the run ends). Go's stopm, plus the timer
// sleeper: if timers are pending and nobody sleeps until the earliest, this M does.
void Scheduler::stopm(Machine* m) {
  for (;;) {
    std::unique_lock<std::mutex> guard(lock_);
    if (ending()) return;
    if (m->nextp != nullptr) {  // handed a P before we could sleep
      Processor* pp = m->nextp;
      m->nextp = nullptr;
      guard.unlock();
      acquirep(m, pp);
      return;
    }
    m->link = midle_;
    midle_ = m;
    m->idle_listed = true;
    ++nmidle_;
    bool timed = false;
    int64_t when = INT64_MAX;
    if (timer_sleeper_ == nullptr) {
      when = earliest_timer();
      // Deterministic mode: an expired timer that no idle P can run is left to the busy Ps
      // (they run their timers at their next schedule); sleeping until it would wake this
      // M at once, forever, at the same virtual instant.
      if (det_ != nullptr && when <= clock.now() && pidle_ == nullptr) when = INT64_MAX;
      if (when != INT64_MAX) {
        timer_sleeper_ = m;
        timer_sleeper_until_ = when;
        timed = true;
      }
    }
    checkdead();
    guard.unlock();

    trace(m, EventKind::MPark, 0, timed ? 1 : 0, 0, 0, -1);
    if (timed) {
      m->park.sleep_until_engine(clock, when);
    } else {
      m->park.sleep();
    }
    trace(m, EventKind::MWake, 0, 0, 0, 0, -1);

    guard.lock();
    if (timer_sleeper_ == m) timer_sleeper_ = nullptr;
    if (m->idle_listed) {
      // Woken by the timer or a timer change, not by start_machine: leave the idle list and
      // take an idle P to run the timers, if there is one.
      Machine** link = &midle_;
      while (*link != m) link = &(*link)->link;
      *link = m->link;
      m->link = nullptr;
      m->idle_listed = false;
      --nmidle_;
      if (ending()) return;
      if (!gcwaiting_.load()) {
        if (Processor* pp = pidleget()) {
          guard.unlock();
          acquirep(m, pp);
          return;
        }
      }
      continue;  // every P is busy; they run their own timers
    }
    if (ending()) return;
    if (m->nextp != nullptr) {
      Processor* pp = m->nextp;
      m->nextp = nullptr;
      guard.unlock();
      acquirep(m, pp);
      return;
    }
    // Spurious wakeup with nothing handed over (a wakeup that raced with mget): sleep again.
  }
}

// checkdead() is Go's checkdead. Called with the sched lock held when an M goes idle.
void Scheduler::checkdead() {
  // A stopped world (GOMAXPROCS resize, a pause from RunControl) is not a deadlock.
  if (ending() || tearing_down_ || gcwaiting_.load(std::memory_order_acquire)) return;
  int running = mcount_ - nmidle_;
  if (running > 0) return;
  // Go 1.23: a channel timer counts only while a goroutine is blocked on its channel.
  if (ntimers_.load(std::memory_order_acquire) > timers_that_cannot_wake(this)) return;
  // Defensive (Go throws "checkdead: runnable g"): runnable work means a missed wakeup.
  if (runq_size_.load() > 0) return;
  for (int i = 0; i < gomaxprocs(); ++i) {
    if (!allp_[i]->runq.empty()) return;
  }
  // Every goroutine is blocked and nothing can wake one.
  ending_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    result_.status = RunStatus::Deadlock;
    result_.fatal = true;  // Go: "fatal error: all goroutines are asleep - deadlock!"
    result_.message = "all goroutines are asleep - deadlock!";
  }
  // Wake every idle M so they see the end (we hold the sched lock: wake directly).
  for (Machine* m = midle_; m != nullptr; m = m->link) m->park.wakeup();
  sysmon_note_.wakeup();
  end_note_.wakeup();
}

// set_ending() ends the run (first caller wins the status) and wakes everybody.
void Scheduler::set_ending(RunStatus status, std::string message, G* culprit, std::string dump, bool fatal) {
  {
    std::lock_guard<std::mutex> guard(result_lock_);
    if (ending()) return;
    result_.status = status;
    result_.fatal = fatal;
    result_.message = std::move(message);
    if (culprit != nullptr) result_.panicking_goid = culprit->id;
    result_.dump = std::move(dump);  // empty: taken at teardown
    ending_.store(true, std::memory_order_release);
  }
  {
    std::lock_guard<std::mutex> guard(allgs_lock_);
    for (auto& g : allgs_) g->preempt.store(true, std::memory_order_relaxed);
  }
  std::lock_guard<std::mutex> guard(lock_);
  for (Machine* m = midle_; m != nullptr; m = m->link) m->park.wakeup();
  stopnote_.wakeup();
  sysmon_note_.wakeup();
  end_note_.wakeup();
}

// ---------------------------------------------------------------------------------------
// Finding work

G* Scheduler::steal_work(Machine* m, Processor* pp, bool& ran_timers) {
  ran_timers = false;
  int n = gomaxprocs();
  for (int round = 0; round < kStealRounds; ++round) {
    bool last_round = round == kStealRounds - 1;
    // Random order over all Ps (Go's randomOrder: a random start and a random stride coprime
    // with n, so every P is visited once), both from one random number.
    const uint32_t r = fastrand(pp);
    const uint32_t un = static_cast<uint32_t>(n);
    const uint32_t start = r % un;
    uint32_t stride = 1;
    {
      uint32_t coprimes[kMaxProcs];
      uint32_t ncop = 0;
      for (uint32_t c = 1; c <= un; ++c)
        if (std::gcd(c, un) == 1) coprimes[ncop++] = c;
      stride = coprimes[(r / un) % ncop];
    }
    for (int i = 0; i < n; ++i) {
      if (gcwaiting_.load(std::memory_order_acquire) || ending()) return nullptr;
      Processor* victim = allp_[(start + static_cast<uint32_t>(i) * stride) % un];
      if (victim == pp) continue;
      int64_t victim_timer = victim->timer0_when.load(std::memory_order_acquire);
      if (last_round && victim_timer != INT64_MAX && victim_timer <= clock.now()) {
        // Run the victim's expired timers: they may ready goroutines onto our queue.
        if (check_timers(victim, clock.now())) {
          ran_timers = true;
          bool inherit = false;
          if (G* g = pp->runq.get(inherit)) return g;
        }
      }
      if (victim->runq.empty()) continue;
      uint32_t count = 0;
      bool victim_running = victim->status.load(std::memory_order_relaxed) == PStatus::Running;
      uint64_t queued[RunQueue::kCapacity];  // ids of what the steal put in our queue (tracing)
      G* g = tracing() ? pp->runq.steal_into(victim->runq, last_round, victim_running, count,
                                             [&](uint32_t i, G* q) noexcept { queued[i] = q->id; })
                       : pp->runq.steal_into(victim->runq, last_round, victim_running, count);
      if (g != nullptr) {
        steals.fetch_add(1, std::memory_order_relaxed);
        trace(m, EventKind::Steal, 0, static_cast<uint64_t>(victim->id), count, 0, pp->id);
        if (tracing()) {  // name the moved goroutines: g, then the count-1 put in our queue
          const auto from = static_cast<uint64_t>(victim->id);
          trace(m, EventKind::StealMove, g->id, from, 0, 0, pp->id);
          for (uint32_t i = 0; i + 1 < count; ++i) trace(m, EventKind::StealMove, queued[i], from, 0, 0, pp->id);
        }
        return g;
      }
    }
  }
  return nullptr;
}

G* Scheduler::find_runnable(Machine* m, bool& inherit) {
  // Deterministic mode: a pass that follows another without blocking in between is a
  // scheduling point with the cost of an operation. A pass that found work another M is
  // about to run (its runnext, a timer it is running) would otherwise loop at one virtual
  // instant, and that M could never move. A pass after a wake-up costs nothing, so a timer
  // is run at exactly its time.
  bool charge = false;
top:
  if (det_ != nullptr && charge) det_->op_point();
  charge = true;
  if (ending()) return nullptr;
  if (m->p == nullptr) {
    stopm(m);
    charge = false;
    goto top;
  }
  Processor* pp = m->p;
  if (gcwaiting_.load(std::memory_order_acquire)) {
    gcstopm(m);
    charge = false;
    goto top;
  }
  if (pp->timer0_when.load(std::memory_order_acquire) != INT64_MAX) check_timers(pp, clock.now());

  // 1. Fairness: every 61st schedule, look at the global queue first.
  if (pp->schedtick.load(std::memory_order_relaxed) % kGlobalCheckInterval == 0 &&
      runq_size_.load(std::memory_order_acquire) > 0) {
    std::lock_guard<std::mutex> guard(lock_);
    if (G* g = globrunq_get(pp, 1)) {
      inherit = false;
      return g;
    }
  }
  // 2. runnext and the local ring.
  if (G* g = pp->runq.get(inherit)) return g;
  // 3. The global queue.
  if (runq_size_.load(std::memory_order_acquire) > 0) {
    std::lock_guard<std::mutex> guard(lock_);
    if (G* g = globrunq_get(pp, 0)) {
      inherit = false;
      return g;
    }
  }
  // 5. Steal, if spinning Ms are fewer than half the busy Ps.
  int procs = gomaxprocs();
  if (m->spinning || 2 * nmspinning_.load(std::memory_order_acquire) < procs - npidle_.load(std::memory_order_acquire)) {
    if (!m->spinning) {
      m->spinning = true;
      nmspinning_.fetch_add(1, std::memory_order_acq_rel);
      trace(m, EventKind::MSpinning, 0);
    }
    bool ran_timers = false;
    if (G* g = steal_work(m, pp, ran_timers)) {
      inherit = false;
      return g;
    }
    if (ran_timers) goto top;
  }

  // 6. Nothing to do: give up the P.
  {
    std::unique_lock<std::mutex> guard(lock_);
    if (gcwaiting_.load(std::memory_order_acquire) || ending()) goto top;
    if (G* g = globrunq_get(pp, 0)) {
      inherit = false;
      return g;
    }
    releasep(m);
    pidleput(pp);
  }
  bool was_spinning = m->spinning;
  if (m->spinning) {
    m->spinning = false;
    nmspinning_.fetch_sub(1, std::memory_order_acq_rel);
  }
  // A goroutine may have been readied between our last check and dropping spinning
  // (Go's "delicate dance"): look once more at every queue.
  for (int i = 0; i < gomaxprocs(); ++i) {
    Processor* p2 = allp_[i];
    if (!p2->runq.empty()) {
      std::unique_lock<std::mutex> guard(lock_);
      Processor* again = pidleget();
      guard.unlock();
      if (again != nullptr) {
        acquirep(m, again);
        if (was_spinning) {
          m->spinning = true;
          nmspinning_.fetch_add(1, std::memory_order_acq_rel);
        }
        goto top;
      }
      break;
    }
  }
  // Expired timers on idle Ps: take a P back and run them.
  if (int64_t when = earliest_timer(); when != INT64_MAX && when <= clock.now()) {
    std::unique_lock<std::mutex> guard(lock_);
    Processor* again = gcwaiting_.load() ? nullptr : pidleget();
    guard.unlock();
    if (again != nullptr) {
      acquirep(m, again);
      bool ran = false;
      if (G* g = steal_work(m, again, ran)) {
        inherit = false;
        return g;
      }
      goto top;
    }
  }
  stopm(m);
  charge = false;
  goto top;
}

// ---------------------------------------------------------------------------------------
// Running goroutines

char* Scheduler::acquire_stack(Processor* pp) {
  if (pp == nullptr || pp->stack_cache.empty()) {
    std::vector<char*>& cache = pp ? pp->stack_cache : *new std::vector<char*>();
    StackPool::instance().acquire_batch(cfg.stack_size, pp ? 32 : 1, cache);
    if (pp == nullptr) {
      char* s = cache.back();
      delete &cache;
      return s;
    }
  }
  char* s = pp->stack_cache.back();
  pp->stack_cache.pop_back();
  return s;
}

extern "C" void gor_goroutine_entry(ctx::transfer_t t);

void Scheduler::execute(Machine* m, G* g, bool inherit) {
  Processor* pp = m->p;
  if (!inherit) pp->schedtick.fetch_add(1, std::memory_order_relaxed);
  m->curg = g;
  m->curg_id.store(g->id, std::memory_order_relaxed);
  g->m = m;
  g->preempt.store(ending(), std::memory_order_relaxed);
  g->state.store(GState::Running, std::memory_order_release);
  pp->curg.store(g, std::memory_order_release);
  pp->curg_id.store(g->id, std::memory_order_relaxed);
  trace(m, EventKind::GoStart, g->id, 0, 0, 0, -2, /*fresh=*/false);
  if (g->context == nullptr) {
    g->stack = acquire_stack(pp);
    g->stack_size = cfg.stack_size;
    fiber_identity_create(g->fiber, g->stack, g->stack_size);
    g->context = ctx::make_fcontext(g->stack + g->stack_size, g->stack_size, &gor_goroutine_entry);
  }
  ctx::transfer_t t = switch_context(m->g0_fiber, g->fiber, g->context, m);
  g->context = t.fctx;
  after_switch(current_machine(), g);
}

// after_switch() does, on the scheduler stack, what the goroutine asked when it switched out.
void Scheduler::after_switch(Machine* m, G* g) {
  m->curg = nullptr;
  m->curg_id.store(0, std::memory_order_relaxed);
  if (m->p != nullptr) m->p->curg.store(nullptr, std::memory_order_relaxed);
  MAction action = m->action;
  m->action = MAction::None;
  if (action != MAction::Exit && action != MAction::Abandon && action != MAction::StackOverflow &&
      g->stack != nullptr && reinterpret_cast<char*>(g->context) < g->stack + kRedZone) [[unlikely]] {
    m->overflow_sp = reinterpret_cast<char*>(g->context);  // caught late, at a switch
    action = MAction::StackOverflow;
  }
  if (action == MAction::StackOverflow) [[unlikely]] {
    stack_overflow(m, g, m->overflow_sp);
    return;
  }
  if (tracer_ != nullptr) trace_switch_out(m, g, action);
  switch (action) {
    case MAction::Park:
      // Waiting before unlock: once unlocked, a waker may ready g (Waiting -> Runnable).
      g->state.store(GState::Waiting, std::memory_order_release);
      g->state_since.store(clock.coarse_now(), std::memory_order_relaxed);
      if (m->unlock != nullptr) m->unlock(m->unlock_arg);
      m->unlock = nullptr;
      m->unlock_arg = nullptr;
      break;
    case MAction::Yield:
    case MAction::Preempt: {
      g->state.store(GState::Runnable, std::memory_order_release);
      {
        std::lock_guard<std::mutex> guard(lock_);
        globrunq_put(g);
      }
      wakep();  // Go's goschedImpl (and gopreempt_m): an idle P may take g from the global queue
      break;
    }
    case MAction::GoYield:
      g->state.store(GState::Runnable, std::memory_order_release);
      runq_put(m->p, g, false);
      break;
    case MAction::SyscallNoP: {
      g->state.store(GState::Runnable, std::memory_order_release);
      Processor* pp = nullptr;
      {
        std::lock_guard<std::mutex> guard(lock_);
        globrunq_put(g);
        // Go's exitsyscall0 chooses "an idle P, else the global queue" in one critical
        // section. exit_syscall looked for an idle P before switching here; a P released in
        // between (its M found the global queue still empty and parked) would leave g queued
        // with every M asleep. So look again now, with g already queued: whoever gets the P
        // finds g.
        if (!gcwaiting_.load() && !ending()) pp = pidleget();
      }
      if (pp != nullptr) acquirep(m, pp);
      break;
    }
    case MAction::Exit:
      free_goroutine(m->p, g);
      break;
    case MAction::Abandon:
    case MAction::StackOverflow:
    case MAction::None:
      break;
  }
}

void Scheduler::trace_switch_out(Machine* m, G* g, MAction action) {
  switch (action) {
    case MAction::Park:
      trace(m, EventKind::GoBlock, g->id, static_cast<uint64_t>(g->wait_reason.load(std::memory_order_relaxed)),
            g->wait_object.load(std::memory_order_relaxed), trace_site(g->blocked_at));
      break;
    case MAction::Yield: trace(m, EventKind::GoYield, g->id); break;
    case MAction::GoYield: trace(m, EventKind::GoYield, g->id, 1); break;  // to the local queue
    case MAction::Preempt: trace(m, EventKind::GoPreempted, g->id); break;
    case MAction::Exit:
    case MAction::Abandon: trace(m, EventKind::GoEnd, g->id); break;
    case MAction::SyscallNoP:
    case MAction::StackOverflow:
    case MAction::None: break;
  }
}

void Scheduler::free_goroutine(Processor* pp, G* g) {
  fiber_identity_destroy(g->fiber);
  if (g->stack != nullptr) {
    if (pp != nullptr) {
      pp->stack_cache.push_back(g->stack);
      if (pp->stack_cache.size() > 64) {
        StackPool::instance().release_batch(cfg.stack_size, pp->stack_cache.data() + 32, pp->stack_cache.size() - 32);
        pp->stack_cache.resize(32);
      }
    } else {
      const char* s = g->stack;
      StackPool::instance().release_batch(cfg.stack_size, &s, 1);
    }
  }
  g->stack = nullptr;
  g->context = nullptr;  // (the label stays until reuse: a snapshot may be reading it)
  g->wait_reason.store(WaitReason::None, std::memory_order_relaxed);
  g->wait_object.store(0, std::memory_order_relaxed);
  g->state.store(GState::Dead, std::memory_order_release);
  ngoroutines.fetch_sub(1, std::memory_order_acq_rel);
  if (pp != nullptr) {
    pp->gfree.push_back(g);
    if (pp->gfree.size() > 64) {
      std::lock_guard<std::mutex> guard(gfree_lock_);
      gfree_.insert(gfree_.end(), pp->gfree.begin() + 32, pp->gfree.end());
      pp->gfree.resize(32);
    }
  } else {
    std::lock_guard<std::mutex> guard(gfree_lock_);
    gfree_.push_back(g);
  }
}

void Scheduler::machine_loop(Machine* m) {
  for (;;) {
    bool inherit = false;
    G* g = find_runnable(m, inherit);
    if (g == nullptr) break;
    if (m->spinning) reset_spinning(m);
    if (stepping_.load(std::memory_order_acquire)) [[unlikely]] {
      int64_t left = step_budget_.fetch_sub(1, std::memory_order_acq_rel) - 1;
      if (det_ != nullptr) {
        // Deterministic mode: the world freezes at its next scheduling decision, so g runs
        // up to its first scheduling point and no other goroutine starts.
        if (left == 0) {
          det_->freeze_at_next_choice();
          step_note_.wakeup();
        }
        execute(m, g, inherit);
        continue;
      }
      if (left < 0) {
        // The step is used up: hand g back and wait for the controller to stop the world.
        runq_put(m->p, g, true);
        step_note_.wakeup();
        while (!gcwaiting_.load(std::memory_order_acquire) && !ending() && stepping_.load()) {
          std::this_thread::yield();
        }
        continue;
      }
      if (left == 0) step_note_.wakeup();
    }
    execute(m, g, inherit);
  }
  if (m->spinning) {
    m->spinning = false;
    nmspinning_.fetch_sub(1);
  }
}

}  // namespace gor::detail
