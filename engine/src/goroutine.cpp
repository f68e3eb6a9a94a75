// goroutine.cpp — creating, parking, readying, yielding and ending goroutines.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <thread>

#include "gor/panic.hpp"
#include "race_detector.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {
constexpr uint64_t kGoidBatch = 16;  // Go's _GoidCacheBatch
}

// new_goroutine() allocates (or reuses) a G for fn and queues it in the caller's runnext.
G* Scheduler::new_goroutine(std::function<void()> fn, std::source_location where, std::string label, G* parent) {
  Machine* m = current_machine();
  Processor* pp = (m != nullptr && m->sched == this) ? static_cast<Processor*>(m->p) : nullptr;
  G* g = nullptr;
  if (pp != nullptr && !pp->gfree.empty()) {
    g = pp->gfree.back();
    pp->gfree.pop_back();
  } else {
    std::unique_lock<std::mutex> guard(gfree_lock_);
    if (!gfree_.empty()) {
      size_t take = pp != nullptr ? std::min<size_t>(gfree_.size(), 32) : 1;
      if (pp != nullptr) {
        pp->gfree.insert(pp->gfree.end(), gfree_.end() - static_cast<std::ptrdiff_t>(take), gfree_.end());
        gfree_.resize(gfree_.size() - take);
        g = pp->gfree.back();
        pp->gfree.pop_back();
      } else {
        g = gfree_.back();
        gfree_.pop_back();
      }
    }
  }
  if (g == nullptr) {
    auto owned = std::make_unique<G>();
    g = owned.get();
    g->sched = this;
    std::lock_guard<std::mutex> guard(allgs_lock_);
    allgs_.push_back(std::move(owned));
  }
  if (pp != nullptr) {
    if (pp->goid_next == pp->goid_end) {
      pp->goid_next = goid_gen_.fetch_add(kGoidBatch, std::memory_order_relaxed) + 1;
      pp->goid_end = pp->goid_next + kGoidBatch;
    }
    g->id = pp->goid_next++;
  } else {
    g->id = goid_gen_.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  g->fn = std::move(fn);
  g->label = std::move(label);
  g->created_at = where;
  g->blocked_at = std::source_location();
  g->parent_id = parent != nullptr ? parent->id : 0;
  // Go's racegostart: the child's clock starts from its parent's (Config::race).
  g->race = race != nullptr ? race->on_create(parent != nullptr ? parent->race : nullptr, g->id, where) : nullptr;
  g->wait_reason.store(WaitReason::None, std::memory_order_relaxed);
  g->wait_object.store(0, std::memory_order_relaxed);
  g->unwinding = false;
  g->is_main = false;
  g->eh = EhState{};
  g->preempt.store(false, std::memory_order_relaxed);
  g->state_since.store(clock.coarse_now(), std::memory_order_relaxed);
  g->state.store(GState::Runnable, std::memory_order_release);
  ngoroutines.fetch_add(1, std::memory_order_acq_rel);
  goroutines_created.fetch_add(1, std::memory_order_relaxed);
  if (tearing_down_) return g;  // never runs: unwound (discarded) by teardown
  if (tracer_ != nullptr) {
    // Placement is implied: runnext of the creator's P (Global when created off a P).
    trace(m, EventKind::GoCreate, g->id, g->parent_id, trace_site(where), g->label.empty() ? 0 : trace_string(g->label));
  }
  if (pp != nullptr) {
    runq_put(pp, g, true);
  } else {
    std::lock_guard<std::mutex> guard(lock_);
    globrunq_put(g);
  }
  if (main_g_ != nullptr) wakep();
  return g;
}

// ready() is Go's goready: Waiting -> Runnable, into the readier's runnext, then wakep().
void Scheduler::ready(G* g) noexcept {
  g->state.store(GState::Runnable, std::memory_order_release);
  if (tearing_down_) return;  // teardown unwinds every G that is not dead
  Machine* m = current_machine();
  if (tracer_ != nullptr) {
    uint64_t readier = (m != nullptr && m->curg != nullptr) ? m->curg->id : 0;
    bool local = m != nullptr && m->sched == this && m->p != nullptr;
    trace(m, EventKind::GoUnblock, g->id, readier, static_cast<uint64_t>(local ? Placement::Runnext : Placement::Global),
          0, -2, /*fresh=*/false);
  }
  if (m != nullptr && m->sched == this && m->p != nullptr) {
    runq_put(m->p, g, true);
  } else {
    std::lock_guard<std::mutex> guard(lock_);
    globrunq_put(g);
  }
  wakep();
}

// switch_to_scheduler() saves g and runs its M's scheduler loop; returns when g is resumed
// (maybe on another M). Throws nothing.
void Scheduler::switch_to_scheduler(G* g) {
  Machine* m = g->m;
  if (m->abandoned.load(std::memory_order_relaxed)) [[unlikely]] park_thread_forever();  // end.cpp
  eh_swap_out(m->eh_globals, g->eh);
  ctx::transfer_t t = switch_context(g->fiber, m->g0_fiber, m->g0_context, nullptr);
  Machine* resumer = static_cast<Machine*>(t.data);
  resumer->g0_context = t.fctx;
  g->m = resumer;
  eh_swap_in(resumer->eh_globals, g->eh);
}

void Scheduler::park_current(G* g, WaitReason reason, uint64_t object, std::source_location where,
                             void (*unlock)(void*) noexcept, void* arg) {
  if (g->unwinding) {
    // The run is over and this goroutine is being unwound: a wait now would never end.
    if (unlock != nullptr) unlock(arg);
    if (std::uncaught_exceptions() == 0) throw ForcedUnwind{};
    // Blocking in a destructor during unwinding: abandon the goroutine (documented).
    g->m->action = MAction::Abandon;
    switch_to_scheduler(g);
    std::abort();  // never resumed
  }
  g->wait_reason.store(reason, std::memory_order_relaxed);
  g->wait_object.store(object, std::memory_order_relaxed);
  g->park_seq.store(g->park_seq.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  g->parked_id.store(g->id, std::memory_order_relaxed);
  g->blocked_at = where;
  const bool suspect = deadlock_suspect(reason);
  if (suspect) suspect_parks_.fetch_add(1, std::memory_order_relaxed);
  Machine* m = g->m;
  m->action = MAction::Park;
  m->unlock = unlock;
  m->unlock_arg = arg;
  switch_to_scheduler(g);
  if (suspect) suspect_parks_.fetch_sub(1, std::memory_order_relaxed);
  g->wait_reason.store(WaitReason::None, std::memory_order_relaxed);
  g->wait_object.store(0, std::memory_order_relaxed);
  if (g->unwinding) {
    if (std::uncaught_exceptions() == 0) throw ForcedUnwind{};
    g->m->action = MAction::Abandon;
    switch_to_scheduler(g);
    std::abort();
  }
}

void Scheduler::yield_current(G* g, MAction how) {
  if (g->unwinding) return;
  g->m->action = how;
  switch_to_scheduler(g);
  // Resumed to be unwound: gor::yield() and preemption points throw; GoYield does not, since
  // it runs inside unlock paths that destructors (noexcept) call.
  if (g->unwinding && std::uncaught_exceptions() == 0 && (how == MAction::Yield || how == MAction::Preempt)) {
    throw ForcedUnwind{};
  }
}

void Scheduler::yield_nothrow(G* g, MAction how) noexcept {
  if (g->unwinding) return;
  g->m->action = how;
  switch_to_scheduler(g);
}

// goroutine_main() runs g's closure and records how it ended.
void Scheduler::goroutine_main(G* g) {
  try {
    g->fn();
  } catch (const ForcedUnwind&) {
  } catch (const FatalError& e) {
    record_panic(g, e.message, /*fatal=*/true);  // a no-op when fatal() recorded it already
  } catch (const std::exception& e) {
    record_panic(g, e.what(), /*fatal=*/false);
  } catch (...) {
    record_panic(g, "unknown C++ exception", /*fatal=*/false);
  }
  try {
    g->fn = nullptr;  // the closure's destructors run on the goroutine's own stack
  } catch (...) {
  }
  if (g->race != nullptr) race->on_end(g->race);
  if (g->is_main) set_ending(RunStatus::Ok, "", nullptr);
}

// record_panic() ends the run with status Panic raised by g (unless it is ending already).
// Like Go's traceback, g's own entry is taken while it is still running, so it leads the dump
// as "goroutine N [running]". It reads only g's fields: the other goroutines are dumped at
// teardown, once every M has stopped (reading their labels and sites now would race with
// their Ms freeing and reusing them). detail::fatal() calls it before throwing FatalError, so
// that no `catch (...)` in g's code can swallow a fatal error.
void Scheduler::record_panic(G* g, const std::string& message, bool fatal) {
  if (ending()) return;
  set_ending(RunStatus::Panic, message, g, dump_entry(g, clock.now(), /*running=*/true), fatal);
}

extern "C" void gor_goroutine_entry(ctx::transfer_t t) {
  Machine* m = static_cast<Machine*>(t.data);
  m->g0_context = t.fctx;
  G* g = m->curg;
  fiber_entered(g->fiber);
  g->m = m;
  g->sched->goroutine_main(g);
  Machine* last = g->m;
  if (last->abandoned.load(std::memory_order_relaxed)) [[unlikely]] park_thread_forever();  // end.cpp
  last->action = MAction::Exit;
  eh_swap_out(last->eh_globals, g->eh);
  switch_context(g->fiber, last->g0_fiber, last->g0_context, nullptr, /*exiting=*/true);
  std::abort();  // an exited goroutine is never resumed
}

// ---------------------------------------------------------------------------------------
// The internal API of detail/park.hpp

G* current_g() noexcept {
  Machine* m = current_machine();
  return m != nullptr ? static_cast<G*>(m->curg) : nullptr;
}

void park(WaitReason reason, uint64_t object, std::source_location where, void (*unlock)(void*) noexcept,
          void* arg) {
  G* g = current_g();
  if (g == nullptr) {
    if (unlock != nullptr) unlock(arg);
    throw std::logic_error("gor: a blocking operation was called outside a goroutine");
  }
  g->sched->park_current(g, reason, object, where, unlock, arg);
}

void ready(G* g) noexcept { g->sched->ready(g); }

void goyield() {
  sched_point();
  G* g = current_g();
  if (g == nullptr) return;
  g->sched->yield_current(g, MAction::GoYield);
}

void check_preempt() {
  sched_point();
  honour_preempt();
}

void honour_preempt() {
  Machine* m = current_machine();
  if (m == nullptr) return;
  G* g = m->curg;
  if (g == nullptr || !g->preempt.load(std::memory_order_relaxed)) return;
  g->preempt.store(false, std::memory_order_relaxed);
  if (g->unwinding) return;
  g->sched->yield_current(g, MAction::Preempt);
}

int64_t nanotime() noexcept {
  Scheduler* s = current_scheduler();
  return s != nullptr ? s->clock.now() : 0;
}

uint32_t fastrand() noexcept {
  Machine* m = current_machine();
  if (m != nullptr) return m->sched->fastrand(m->p);
  Scheduler* s = current_scheduler();
  return s != nullptr ? s->fastrand(nullptr) : 4;
}

bool Scheduler::can_spin(int iteration) noexcept {
  // Spin only a few times, only on a multicore machine with GOMAXPROCS > 1 and at least one
  // other running P, and only if our own run queue is empty: spinning is worth it only when
  // the lock holder is running right now on another P.
  // A deterministic run behaves alike on every machine: it counts as multicore.
  static const unsigned ncpu = std::thread::hardware_concurrency();
  if (iteration >= 4 || (ncpu <= 1 && det_ == nullptr)) return false;
  if (gomaxprocs() <= npidle_.load(std::memory_order_relaxed) + nmspinning_.load(std::memory_order_relaxed) + 1) {
    return false;
  }
  Machine* m = current_machine();
  if (m == nullptr || m->p == nullptr) return false;
  return m->p->runq.empty();
}

bool can_spin(int iteration) noexcept {
  Machine* m = current_machine();
  return m != nullptr && m->sched->can_spin(iteration);
}

void do_spin() noexcept {
  if (det_runs.load(std::memory_order_relaxed) != 0) [[unlikely]] {
    // A deterministic run: the spin is a scheduling point, so that the holder (another M)
    // can move; 30 PAUSEs take about 100 ns.
    if (DetWorld* w = det_world_of_thread(); w != nullptr && w->current() != nullptr) {
      w->point(100);
      return;
    }
  }
  for (int i = 0; i < 30; ++i) cpu_relax();  // Go's active_spin_cnt
}

uint64_t goid_of(const G* g) noexcept { return g != nullptr ? g->id : 0; }

[[noreturn]] void fatal(const char* message) {
  Machine* m = current_machine();
  if (m != nullptr && m->curg != nullptr) m->sched->record_panic(m->curg, message, /*fatal=*/true);
  throw FatalError{message};
}

const char* wait_reason_text(WaitReason r) noexcept {
  switch (r) {
    case WaitReason::None: return "";
    case WaitReason::ChanReceive: return "chan receive";
    case WaitReason::ChanSend: return "chan send";
    case WaitReason::ChanReceiveNilChan: return "chan receive (nil chan)";
    case WaitReason::ChanSendNilChan: return "chan send (nil chan)";
    case WaitReason::Select: return "select";
    case WaitReason::SelectNoCases: return "select (no cases)";
    case WaitReason::MutexLock: return "sync.Mutex.Lock";
    case WaitReason::RWMutexRLock: return "sync.RWMutex.RLock";
    case WaitReason::RWMutexLock: return "sync.RWMutex.Lock";
    case WaitReason::WaitGroupWait: return "sync.WaitGroup.Wait";
    case WaitReason::CondWait: return "sync.Cond.Wait";
    case WaitReason::OnceDo: return "sync.Once.Do";
    case WaitReason::Semacquire: return "semacquire";
    case WaitReason::Sleep: return "sleep";
    case WaitReason::Syscall: return "syscall";
    case WaitReason::Preempted: return "preempted";
  }
  return "";
}

}  // namespace gor::detail
