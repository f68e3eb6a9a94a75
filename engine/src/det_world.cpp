// det_world.cpp — deterministic mode's actors, virtual time and chooser (det_world.hpp).
#include "det_world.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "scheduler.hpp"

namespace gor::detail {

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

namespace {
#define GOR_DET_TLS __attribute__((tls_model("initial-exec"))) thread_local
GOR_DET_TLS DetWorld* tls_world = nullptr;

// kActorStack is an actor's own stack: an M's scheduler loop (find_runnable, timers, the
// dumps and teardown's bookkeeping) or sysmon. Virtual, committed on touch, with a guard page.
constexpr size_t kActorStack = 1 << 20;
constexpr size_t kGuard = 4096;

char* map_stack(size_t size) {
  void* p = mmap(nullptr, size + kGuard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                 -1, 0);
  if (p == MAP_FAILED) throw std::runtime_error("gor: cannot map a deterministic actor's stack");
  mprotect(p, kGuard, PROT_NONE);
  // Under ASan: the address may have held an earlier run's stacks, whose frames left their
  // redzones poisoned in the shadow; a fresh stack starts clean.
  ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(p) + kGuard, size);
  return static_cast<char*>(p) + kGuard;
}

void unmap_stack(char* stack, size_t size) {
  ASAN_UNPOISON_MEMORY_REGION(stack, size);  // nothing poisoned stays behind for the next mapping
  munmap(stack - kGuard, size + kGuard);
}
}  // namespace

DetWorld* det_world_of_thread() noexcept { return tls_world; }
bool DetWorld::on_world_thread() noexcept { return tls_world != nullptr; }

void det_actor_entry_impl(DetActor* a, ctx::fcontext_t world) {
  DetWorld* w = a->world;
  w->world_context_ = world;
  fiber_entered(*a->own);
  a->body();
  a->body = nullptr;
  w->finish(a);
}

extern "C" void gor_det_actor_entry(ctx::transfer_t t) {
  auto* a = static_cast<DetActor*>(t.data);
  det_actor_entry_impl(a, t.fctx);
}

DetWorld::DetWorld(uint64_t seed, int64_t op_cost_ns, const Schedule* replay, bool preemption_points,
                   Strategy* strategy)
    : op_cost_(op_cost_ns),
      rng_(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull),
      preemption_points_(preemption_points),
      strategy_(strategy) {
  log_.seed = seed;
  log_.preemption_points = preemption_points;
  if (replay != nullptr) replay_reader_.emplace(*replay);
  join_wait_ = std::make_unique<Note>();
  join_wait_->world = this;
}

DetWorld::~DetWorld() {
  for (auto& a : actors_) {
    if (a->m == nullptr || &a->m->g0_fiber != a->own) fiber_identity_destroy(a->own_identity);
    if (a->stack != nullptr) unmap_stack(a->stack, a->stack_size);
  }
}

DetActor* DetWorld::spawn(Machine* m, std::function<void()> body) {
  auto owned = std::make_unique<DetActor>();
  DetActor* a = owned.get();
  a->world = this;
  a->index = static_cast<int>(actors_.size());
  a->m = m;
  a->body = std::move(body);
  a->stack_size = kActorStack;
  a->stack = map_stack(a->stack_size);
  FiberIdentity& id = m != nullptr ? m->g0_fiber : a->own_identity;
  fiber_identity_create(id, a->stack, a->stack_size);
  a->own = &id;
  a->on = a->own;
  a->context = ctx::make_fcontext(a->stack + a->stack_size, a->stack_size, &gor_det_actor_entry);
  a->vt = now();
  a->state = DetActor::State::Ready;
  actors_.push_back(std::move(owned));
  ++alive_;
  return a;
}

void DetWorld::adopt(Machine* m) {
  DetActor* a = current_;
  // The actor's identity moves into the M's g0 identity (the goroutine switches use it).
  m->g0_fiber = a->own_identity;
  a->own_identity = FiberIdentity{};
  a->own = &m->g0_fiber;
  a->on = a->own;
  a->m = m;
  set_current_machine(m);
}

void DetWorld::run() {
  if (tls_world != nullptr) throw std::logic_error("gor: a deterministic run inside another");
  tls_world = this;
  fiber_identity_for_thread(world_identity_);
  EhState* globals = __cxa_get_globals();
  for (;;) {
    DetActor* a = next_;
    next_ = nullptr;
    if (a == nullptr) a = choose();
    if (a == nullptr) {
      if (alive_ == 0) break;
      // Every actor waits for another thread (a RunControl, an external wake): wait for it.
      std::unique_lock<std::mutex> guard(ext_mu_);
      ext_cv_.wait(guard, [&] { return external_.load(std::memory_order_acquire); });
      continue;
    }
    current_ = a;
    set_current_machine(a->m);
    eh_swap_in(globals, a->eh);
    ctx::transfer_t t = switch_context(world_identity_, *a->on, a->context, a);
    auto* from = static_cast<DetActor*>(t.data);
    from->context = t.fctx;
    eh_swap_out(globals, from->eh);
    current_ = nullptr;
    set_current_machine(nullptr);
  }
  set_current_machine(nullptr);
  set_thread_trace_ring(nullptr);
  tls_world = nullptr;
  std::lock_guard<std::mutex> guard(ext_mu_);
  ended_ = true;
  ext_cv_.notify_all();
}

void DetWorld::switch_out(DetActor* self, bool exiting) {
  // Which stack are we on: the actor's own, or the goroutine its M runs?
  char probe = 0;
  self->on = self->own;
  if (self->m != nullptr) {
    if (G* g = self->m->curg; g != nullptr && g->stack != nullptr && &probe >= g->stack &&
                              &probe < g->stack + g->stack_size) {
      self->on = &g->fiber;
    }
  }
  ctx::transfer_t t = switch_context(*self->on, world_identity_, world_context_, self, exiting);
  world_context_ = t.fctx;
  // Resumed by the world loop, which set current_, the machine and the exception state.
}

void DetWorld::finish(DetActor* a) {
  a->state = DetActor::State::Finished;
  --alive_;
  if (join_note_ != nullptr) {
    join_wait_->wakeup();
  }
  next_ = choose();
  switch_out(a, /*exiting=*/true);
  std::abort();  // a finished actor is never resumed
}

void DetWorld::take_external() {
  std::vector<Note*> wakes;
  {
    std::lock_guard<std::mutex> guard(ext_mu_);
    wakes.swap(ext_wakes_);
    external_.store(freeze_, std::memory_order_release);
  }
  for (Note* n : wakes) wake(n);
}

void DetWorld::check_frozen() {
  {
    std::lock_guard<std::mutex> guard(ext_mu_);
    if (!freeze_) return;
  }
  if (on_freeze) on_freeze();  // outside ext_mu_: observers may take their own locks
  std::unique_lock<std::mutex> guard(ext_mu_);
  if (!freeze_) return;
  frozen_ = true;
  ext_cv_.notify_all();
  ext_cv_.wait(guard, [&] { return !freeze_; });
  frozen_ = false;
  external_.store(freeze_ || !ext_wakes_.empty(), std::memory_order_release);
}

DetActor* DetWorld::choose() {
  if (freeze_events_at_ != 0 && *freeze_events_seen_ >= freeze_events_at_) [[unlikely]] {
    std::lock_guard<std::mutex> guard(ext_mu_);  // freeze at this choice
    freeze_events_at_ = 0;
    freeze_ = true;
    external_.store(true, std::memory_order_release);
  }
  if (external_.load(std::memory_order_acquire)) [[unlikely]] {
    take_external();
    check_frozen();
  }
  const int64_t t_now = now();
  int64_t best = INT64_MAX;
  DetActor* cands[16];
  std::vector<DetActor*> more;  // only past 16 tied candidates
  uint32_t n = 0;
  for (auto& owned : actors_) {
    DetActor* a = owned.get();
    int64_t t;
    if (a->state == DetActor::State::Ready) {
      t = a->vt;
    } else if (a->state == DetActor::State::Blocked && a->wake_at != INT64_MAX) {
      t = std::max(a->wake_at, t_now);
    } else {
      continue;
    }
    if (t < best) {
      best = t;
      n = 0;
      more.clear();
    }
    if (t == best) {
      if (n < 16) {
        cands[n] = a;
      } else {
        more.push_back(a);
      }
      ++n;
    }
  }
  if (n == 0) return nullptr;
  uint32_t idx = 0;
  if (n > 1) {
    uint64_t gs[16];
    for (uint32_t i = 0; i < n && i < 16; ++i) {
      const DetActor* c = cands[i];
      gs[i] = c->m != nullptr && c->m->curg != nullptr ? c->m->curg->id : 0;
    }
    // Past 16 tied candidates (rare) the strategy sees the first 16 goroutines only.
    uint64_t* many = nullptr;
    std::vector<uint64_t> all;
    if (n > 16) {
      all.assign(gs, gs + 16);
      for (DetActor* c : more) all.push_back(c->m != nullptr && c->m->curg != nullptr ? c->m->curg->id : 0);
      many = all.data();
    }
    idx = decide(n, ChoiceKind::Thread, many != nullptr ? many : gs);
  }
  DetActor* a = idx < 16 ? cands[idx] : more[idx - 16];
  if (a->state == DetActor::State::Blocked) {  // its timeout: it moves at its deadline
    if (a->note != nullptr) a->note->det_waiter = nullptr;
    a->note = nullptr;
    a->state = DetActor::State::Ready;
    a->wake_at = INT64_MAX;
    a->timed_out = true;
  }
  a->vt = best;
  now_.store(best, std::memory_order_relaxed);
  return a;
}

bool DetWorld::decide_preempt(uint64_t goid) {
  const uint64_t gs[2] = {goid, goid};
  return decide(2, ChoiceKind::Preempt, gs) == 1;
}

uint32_t DetWorld::decide(uint32_t n, ChoiceKind kind, const uint64_t* goroutines) {
  ++decisions_taken_;
  uint32_t idx = 0;
  bool replayed = false;
  if (replay_reader_ && replay_events_ > 0 && replay_events_seen_ != nullptr && *replay_events_seen_ >= replay_events_)
    replay_reader_.reset();  // "run from here": the recorded part is over, the run goes its own way
  if (replay_reader_ && divergence_.empty()) {
    std::optional<Decision> d = replay_reader_->next();
    if (!d) {
      divergence_ = !replay_reader_->error().empty()
                        ? "the recorded schedule is malformed (" + replay_reader_->error() + ")"
                        : "the recorded schedule ended after " + std::to_string(decisions_taken_ - 1) +
                              " decisions, but the run takes more";
    } else if (d->candidates != n) {
      divergence_ = "decision " + std::to_string(decisions_taken_) + " had " + std::to_string(d->candidates) +
                    " candidates when recorded and has " + std::to_string(n) + " now";
    } else {
      idx = d->chosen;
      replayed = true;
    }
  }
  if (!replayed && strategy_ != nullptr) {
    ChoicePoint point;
    point.kind = kind;
    point.candidates = n;
    point.goroutines = goroutines;
    point.index = decisions_taken_ - 1;
    point.now_ns = now();
    idx = strategy_->choose(point);
    if (idx >= n) idx = n - 1;  // a strategy's out-of-range answer is clamped, never trusted
  } else if (!replayed && kind == ChoiceKind::Preempt) {
    idx = 0;  // the seeded chooser never forces a preemption
  } else if (!replayed) {
    rng_ += 0xa0761d6478bd642full;
    __uint128_t t = static_cast<__uint128_t>(rng_) * (rng_ ^ 0xe7037ed1a0b428dbull);
    uint64_t r = static_cast<uint64_t>(t >> 64) ^ static_cast<uint64_t>(t);
    idx = static_cast<uint32_t>((static_cast<__uint128_t>(r) * n) >> 64);
  }
  log_.append(Decision{n, idx});
  return idx;
}

void DetWorld::report_divergence() {
  if (divergence_.empty() || divergence_reported_) return;
  divergence_reported_ = true;
  if (on_divergence) on_divergence(divergence_);
}

void DetWorld::move_on(DetActor* self) {
  DetActor* next = choose();
  if (next != self) {
    ++switches_;
    next_ = next;
    switch_out(self, false);
  }
  report_divergence();
}

void DetWorld::point(int64_t cost) {
  DetActor* self = current_;
  self->vt += cost;
  move_on(self);
}

bool DetWorld::block(Note* n, int64_t wake_at) {
  DetActor* self = current_;
  if (n->det_signaled) {
    n->det_signaled = false;
    return true;
  }
  self->state = DetActor::State::Blocked;
  self->note = n;
  self->wake_at = wake_at;
  self->timed_out = false;
  n->det_waiter = self;
  move_on(self);
  return !self->timed_out;
}

bool DetWorld::wake(Note* n) {
  if (tls_world != this) {
    std::lock_guard<std::mutex> guard(ext_mu_);
    ext_wakes_.push_back(n);
    external_.store(true, std::memory_order_release);
    ext_cv_.notify_all();
    return true;
  }
  DetActor* a = n->det_waiter;
  if (a == nullptr) {
    n->det_signaled = true;
    return false;
  }
  n->det_waiter = nullptr;
  a->note = nullptr;
  a->state = DetActor::State::Ready;
  a->wake_at = INT64_MAX;
  a->timed_out = false;
  a->vt = std::max(a->vt, now());
  return true;
}

void DetWorld::join_others() {
  DetActor* self = current_;
  while (alive_ > 1) {
    join_note_ = join_wait_.get();
    block(join_wait_.get(), INT64_MAX);
    join_note_ = nullptr;
  }
  (void)self;
}

Schedule DetWorld::schedule() const { return log_; }

std::string DetWorld::divergence() const { return divergence_; }

std::string DetWorld::replay_left() const {
  if (!replay_reader_ || !divergence_.empty() || replay_reader_->at_end() || replay_events_ > 0) return {};
  return "the run ended after " + std::to_string(decisions_taken_) +
         " decisions, but the recorded schedule has more";
}

bool DetWorld::pause_world(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard(ext_mu_);
  if (ended_) return false;
  freeze_ = true;
  external_.store(true, std::memory_order_release);
  ext_cv_.notify_all();
  return ext_cv_.wait_for(guard, timeout, [&] { return frozen_ || ended_; }) && frozen_;
}

void DetWorld::freeze_at_next_choice() {
  std::lock_guard<std::mutex> guard(ext_mu_);
  freeze_ = true;
  external_.store(true, std::memory_order_release);
}

void DetWorld::freeze_after_events(const uint64_t* recorded, uint64_t target) {
  std::lock_guard<std::mutex> guard(ext_mu_);  // the world reads these after it takes ext_mu_ to resume
  freeze_events_seen_ = recorded;
  freeze_events_at_ = target;
}

bool DetWorld::freeze_after_events_pending() const {
  std::lock_guard<std::mutex> guard(ext_mu_);
  return freeze_events_at_ != 0;
}

void DetWorld::resume_world() {
  std::lock_guard<std::mutex> guard(ext_mu_);
  freeze_ = false;
  external_.store(!ext_wakes_.empty(), std::memory_order_release);
  ext_cv_.notify_all();
}

bool DetWorld::world_paused() const {
  std::lock_guard<std::mutex> guard(ext_mu_);
  return frozen_;
}


}  // namespace gor::detail

namespace gor::detail {

// ---------------------------------------------------------------------------------------
// Note: an OS-thread wakeup in real mode, an actor's wait in a deterministic run.

void Note::wakeup() {
  if (world != nullptr) {
    world->wake(this);
    return;
  }
  std::lock_guard<std::mutex> guard(mu_);
  signaled_ = true;
  cv_.notify_one();
}

void Note::sleep() {
  if (world != nullptr) {
    world->block(this, INT64_MAX);
    return;
  }
  std::unique_lock<std::mutex> guard(mu_);
  cv_.wait(guard, [this] { return signaled_; });
  signaled_ = false;
}

bool Note::sleep_for(std::chrono::nanoseconds d) {
  if (world != nullptr) return world->block(this, world->now() + d.count());
  return sleep_until(std::chrono::steady_clock::now() + d);
}

bool Note::sleep_until_engine(const Clock& clock, int64_t when) {
  if (world != nullptr) return world->block(this, when);
  if (when == INT64_MAX) {
    sleep();
    return true;
  }
  return sleep_until(clock.wall_deadline(when));
}

}  // namespace gor::detail

namespace gor::detail {

std::atomic<int> det_runs{0};

void det_point_slow() noexcept {
  DetWorld* w = tls_world;
  if (w == nullptr) return;
  DetActor* a = w->current();
  // Only goroutine code makes engine calls; the scheduler's own loops block on Notes.
  if (a == nullptr || a->m == nullptr || a->m->curg == nullptr) return;
  w->op_point();
  if (w->preemption_points()) [[unlikely]] {
    G* g = w->current()->m->curg;
    if (g != nullptr && !g->unwinding && w->decide_preempt(g->id)) g->sched->yield_nothrow(g, MAction::Preempt);
  }
}

void det_usleep(unsigned us) noexcept {
  DetWorld* w = tls_world;
  if (w != nullptr && w->current() != nullptr) {
    w->point(static_cast<int64_t>(us) * 1000);
    return;
  }
  usleep(us);
}

}  // namespace gor::detail
