// time.cpp — after, Timer and Ticker on the engine's timers (detail/timer.hpp).
//
// Each is a TimerNode whose callback, on a scheduler thread outside any goroutine, does a
// non-blocking send of the firing time on a channel of capacity 1 (a full channel drops
// the value: Go's sendTime). Go 1.23's "no stale value" guarantee is enforced by stop/reset:
// timer_stop() returns only when the callback is not running and will not run, and then the
// channel is drained with a non-blocking receive, so a value sent before stop/reset cannot
// be received after it. The callbacks send while holding the node's lock and release it
// themselves (TimerNode's protocol), which timer_stop() waits for.
#include "gor/time.hpp"

#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <string>

#include "gor/detail/timer.hpp"
#include "gor/panic.hpp"
#include "scheduler.hpp"

namespace gor::detail {

void timers_require_goroutine(const char* what) {
  if (current_g() == nullptr) throw std::logic_error(std::string("gor::") + what + ": called outside a goroutine");
}

bool timers_in_run() noexcept { return current_scheduler() != nullptr; }

int64_t when_after(Duration d) noexcept {
  const int64_t now = nanotime();
  const int64_t ns = d.count();
  if (ns > 0 && now > std::numeric_limits<int64_t>::max() - ns) return std::numeric_limits<int64_t>::max();
  return now + ns;
}

namespace {

// send_time() is Go's sendTime: a non-blocking send of the timer's scheduled time (Go sends
// Now() minus the lateness, i.e. `when`). The channel is never closed by the engine; a user
// who closed it gets nothing sent (a panic here would take down a scheduler thread).
void send_time(ChanCore* c, int64_t when) noexcept {
  try {
    TimePoint v{Duration(when)};
    chan_try_send(c, &v);
  } catch (...) {
  }
}

// scheduled_time() is the time the firing was scheduled for. A Ticker's node already holds
// its next `when` (check_timers advances it before the callback): its tick is one period
// earlier. (Go delivers the oldest missed tick's time when a tick is more than a period late;
// the engine delivers the latest: docs/go-fidelity.md.)
int64_t scheduled_time(const TimerNode* t) noexcept { return t->period > 0 ? t->when - t->period : t->when; }

// The run's channel timers (ChanTimer), for timers_that_cannot_wake(): one list for the
// process, each entry tagged with its run. Never taken inside a channel's or a node's lock
// by this file; checkdead takes it inside the sched lock.
}  // namespace

struct ChanTimer;
static std::mutex chan_timers_mu;  // guards the list
static ChanTimer* chan_timers_head = nullptr;

// ChanTimer is the part common to after(), tick(), Timer and Ticker: the node, the channel it
// sends on and its entry in the list of the run's channel timers.
struct ChanTimer {
  TimerNode node;
  ChanCore* core = nullptr;  // the channel; after()/tick(): null once it is gone (node.lock)
  const Scheduler* sched = nullptr;
  ChanTimer* prev = nullptr;
  ChanTimer* next = nullptr;

  void link(ChanCore* c) {
    core = c;
    c->timer_chan = true;
    sched = current_scheduler();
    std::lock_guard<std::mutex> guard(chan_timers_mu);
    next = chan_timers_head;
    if (next) next->prev = this;
    chan_timers_head = this;
  }
  void unlink() noexcept {
    std::lock_guard<std::mutex> guard(chan_timers_mu);
    if (prev) prev->next = next; else chan_timers_head = next;
    if (next) next->prev = prev;
  }
};

size_t timers_that_cannot_wake(const Scheduler* s) noexcept {
  size_t n = 0;
  std::lock_guard<std::mutex> guard(chan_timers_mu);
  for (const ChanTimer* t = chan_timers_head; t != nullptr; t = t->next) {
    // Every M is idle: the last writers of these fields released the sched lock since.
    if (t->sched == s && t->node.armed && (t->core == nullptr || t->core->recvq.first == nullptr)) ++n;
  }
  return n;
}

namespace {

// SelfTimer is after()'s and tick()'s timer: owned by its channel (released when the last
// handle goes, as Go 1.23 collects an unreferenced timer) and by the timer system while it
// may fire. `owners` counts the two; the last one out deletes it.
struct SelfTimer : ChanTimer {
  std::atomic<int> owners{2};
  bool timer_done = false;  // the timer system let go (fired once, stopped, discarded); node.lock

  void drop() noexcept {
    if (owners.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      unlink();
      delete this;
    }
  }
};

// self_fire() sends under the node's lock, releases it (the protocol of TimerNode); a
// one-shot timer then lets go of the state.
void self_fire(TimerNode* node, int64_t) {
  auto* s = static_cast<SelfTimer*>(node->arg);
  if (s->core != nullptr) send_time(s->core, scheduled_time(node));
  const bool last = node->period == 0;
  if (last) s->timer_done = true;
  node->lock.unlock();
  if (last) s->drop();
}

// self_discard() is called at the run's end for a node still armed: the heaps are gone.
void self_discard(TimerNode* node) {
  auto* s = static_cast<SelfTimer*>(node->arg);
  {
    std::lock_guard<RuntimeLock> guard(node->lock);
    if (s->timer_done) return;
    s->timer_done = true;
  }
  s->drop();
}

// self_channel_gone() runs when the channel's last handle goes: stop the timer (if this
// thread belongs to the timer's run; otherwise it stays armed, cannot send, and is
// discarded with its run) and let go of the state.
void self_channel_gone(void* arg) noexcept {
  auto* s = static_cast<SelfTimer*>(arg);
  bool timer_side = false;
  {
    std::lock_guard<RuntimeLock> guard(s->node.lock);  // waits for a firing in progress
    s->core = nullptr;
    timer_side = !s->timer_done;
  }
  if (timer_side && current_scheduler() == s->sched && timer_stop(&s->node)) {
    {
      std::lock_guard<RuntimeLock> guard(s->node.lock);
      s->timer_done = true;
    }
    s->drop();
  }
  s->drop();
}

// self_timer() makes after()'s (period 0) or tick()'s channel and arms its timer.
Chan<TimePoint> self_timer(Duration d, int64_t period, const char* name) {
  auto* s = new SelfTimer;
  Chan<TimePoint> ch = make_chan<TimePoint>(1, name);
  s->link(ch.core());
  s->node.fire = &self_fire;
  s->node.kind = TimerKind::After;
  s->node.discard = &self_discard;
  s->node.arg = s;
  s->node.period = period;
  ch.core()->on_destroy_arg = s;
  ch.core()->on_destroy = &self_channel_gone;
  timer_start(&s->node, when_after(d));  // from here on the timer may fire
  return ch;
}

}  // namespace

Chan<TimePoint> after_for(Duration d) {
  timers_require_goroutine("after");
  return self_timer(d, 0, "time.After");
}

Chan<TimePoint> tick_for(Duration d) {
  timers_require_goroutine("tick");
  if (d.count() <= 0) return Chan<TimePoint>();  // Go: Tick(d <= 0) returns nil
  return self_timer(d, d.count(), "time.Tick");
}

// TimerState is a Timer's or Ticker's node and channel, or an AfterFunc's function. `ops`
// serialises stop/reset so the stop-drain-restart sequences of concurrent callers do not
// interleave. An AfterFunc's state keeps itself alive (`keep`) while its timer is armed: Go
// runs f even when nobody holds the *Timer any more.
struct TimerState : ChanTimer {
  Chan<TimePoint> ch;
  RuntimeLock ops;
  std::shared_ptr<std::function<void()>> func;  // AfterFunc: run in its own goroutine
  std::source_location where;                   // AfterFunc: the after_func call
  Scheduler* run = nullptr;                     // AfterFunc: the run that starts f
  std::weak_ptr<TimerState> self;               // AfterFunc
  std::shared_ptr<TimerState> keep;             // AfterFunc: set while armed (node.lock)

  ~TimerState() {
    if (core != nullptr) unlink();
  }

  // start() arms the timer (an AfterFunc's keeps its state alive until it fires or stops).
  void start(int64_t when) {
    if (func) {
      std::lock_guard<RuntimeLock> guard(node.lock);
      keep = self.lock();
    }
    timer_start(&node, when);
  }

  // stop_and_drain() stops the node and discards an unreceived value. Returns true if that
  // prevented a delivery (Go 1.23's t.stop(): pending || timerchandrain). `ops` held.
  bool stop_and_drain() {
    bool pending = timer_stop(&node);
    if (func) {
      std::shared_ptr<TimerState> was;  // dropped after the lock (it may hold the last ref)
      std::lock_guard<RuntimeLock> guard(node.lock);
      if (pending) was = std::move(keep);
      return pending;
    }
    // The callback is not running and will not run: a value in the channel is stale.
    if (ch.try_recv().has_value()) pending = true;
    return pending;
  }
};

namespace {

// timer_fire() sends under the node's lock, so a timer_stop() that returned has either seen
// the value in the channel or prevented the send; then releases the lock (TimerNode protocol).
void timer_fire(TimerNode* self, int64_t) {
  send_time(static_cast<TimerState*>(self->arg)->core, scheduled_time(self));
  self->lock.unlock();
}

// func_fire() is an AfterFunc's firing: f starts in its own goroutine, as Go's goFunc does.
void func_fire(TimerNode* self, int64_t) {
  auto* s = static_cast<TimerState*>(self->arg);
  std::shared_ptr<TimerState> keep = std::move(s->keep);
  std::shared_ptr<std::function<void()>> f = s->func;
  Scheduler* run = s->run;
  const std::source_location where = s->where;
  self->lock.unlock();
  run->new_goroutine([f] { (*f)(); }, where, std::string(), nullptr);
}

// func_discard() lets an AfterFunc that never fired go at the run's end.
void func_discard(TimerNode* self) {
  auto* s = static_cast<TimerState*>(self->arg);
  std::shared_ptr<TimerState> keep;
  std::lock_guard<RuntimeLock> guard(self->lock);
  keep = std::move(s->keep);
}

std::unique_ptr<TimerState> new_state(const char* name, int64_t period) {
  auto s = std::make_unique<TimerState>();
  s->ch = make_chan<TimePoint>(1, name);
  s->link(s->ch.core());
  s->node.fire = &timer_fire;
  s->node.arg = s.get();
  s->node.period = period;
  return s;
}

}  // namespace
}  // namespace gor::detail

namespace gor {

// ---- Timer

Timer::Timer(Init, Duration d) {
  detail::timers_require_goroutine("Timer");
  s_ = detail::new_state("time.Timer", 0);
  s_->start(detail::when_after(d));
}

Timer::Timer(Func, Duration d, std::function<void()> f, std::source_location where) {
  detail::timers_require_goroutine("after_func");
  if (!f) throw std::invalid_argument("gor::after_func: empty function");
  auto s = std::make_shared<detail::TimerState>();
  s->func = std::make_shared<std::function<void()>>(std::move(f));
  s->where = where;
  s->run = detail::current_scheduler();
  s->self = s;
  s->node.fire = &detail::func_fire;
  s->node.discard = &detail::func_discard;
  s->node.arg = s.get();
  s_ = std::move(s);
  s_->start(detail::when_after(d));
}

// ~Timer() stops the timer, unless it is an AfterFunc's (Go runs f whether or not anyone
// still holds the *Timer). After its run has ended (no scheduler on this thread) the run's
// heaps are gone and there is nothing to stop.
Timer::~Timer() {
  if (s_ && !s_->func && detail::timers_in_run()) detail::timer_stop(&s_->node);
}

Timer::Timer(Timer&& o) noexcept = default;

Timer& Timer::operator=(Timer&& o) noexcept {
  if (this != &o) {
    if (s_ && !s_->func && detail::timers_in_run()) detail::timer_stop(&s_->node);
    s_ = std::move(o.s_);
  }
  return *this;
}

Chan<TimePoint> Timer::chan() const { return s_ ? s_->ch : Chan<TimePoint>(); }

bool Timer::stop() {
  if (!s_) throw Panic("time: Stop called on uninitialized Timer");
  std::lock_guard<detail::RuntimeLock> guard(s_->ops);
  return s_->stop_and_drain();
}

bool Timer::reset_for(Duration d) {
  if (!s_) throw Panic("time: Reset called on uninitialized Timer");
  std::lock_guard<detail::RuntimeLock> guard(s_->ops);
  bool pending = s_->stop_and_drain();
  s_->start(detail::when_after(d));
  return pending;
}

// ---- Ticker

Ticker::Ticker(Init, Duration d) {
  if (d.count() <= 0) throw Panic("non-positive interval for NewTicker");
  detail::timers_require_goroutine("Ticker");
  s_ = detail::new_state("time.Ticker", d.count());
  detail::timer_start(&s_->node, detail::when_after(d));
}

Ticker::~Ticker() {
  if (s_ && detail::timers_in_run()) detail::timer_stop(&s_->node);
}

Ticker::Ticker(Ticker&& o) noexcept = default;

Ticker& Ticker::operator=(Ticker&& o) noexcept {
  if (this != &o) {
    if (s_ && detail::timers_in_run()) detail::timer_stop(&s_->node);
    s_ = std::move(o.s_);
  }
  return *this;
}

Chan<TimePoint> Ticker::chan() const { return s_ ? s_->ch : Chan<TimePoint>(); }

void Ticker::stop() {
  if (!s_) return;  // Go: Stop of an uninitialised Ticker does nothing
  std::lock_guard<detail::RuntimeLock> guard(s_->ops);
  s_->stop_and_drain();
}

void Ticker::reset_for(Duration d) {
  if (d.count() <= 0) throw Panic("non-positive interval for Ticker.Reset");
  if (!s_) throw Panic("time: Reset called on uninitialized Ticker");
  std::lock_guard<detail::RuntimeLock> guard(s_->ops);
  s_->stop_and_drain();
  {
    std::lock_guard<detail::RuntimeLock> node_guard(s_->node.lock);  // the firing path reads it
    s_->node.period = d.count();
  }
  detail::timer_start(&s_->node, detail::when_after(d));
}

}  // namespace gor
