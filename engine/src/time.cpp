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

#include <limits>
#include <stdexcept>
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

// send_time() is Go's sendTime: a non-blocking send of the firing time. The channel is never
// closed by the engine; a user who closed it gets nothing sent (a panic here would take down
// a scheduler thread).
void send_time(const Chan<TimePoint>& ch, int64_t now) noexcept {
  try {
    ch.try_send(TimePoint(Duration(now)));
  } catch (...) {
  }
}

// AfterState is after()'s one-shot timer: it frees itself when it fires.
struct AfterState {
  TimerNode node;
  Chan<TimePoint> ch;
};

// after_fire() sends under the node's lock, releases it (the protocol of TimerNode), and
// only then frees the node: nothing else refers to it.
void after_fire(TimerNode* self, int64_t now) {
  auto* s = static_cast<AfterState*>(self->arg);
  send_time(s->ch, now);
  self->lock.unlock();
  delete s;
}

}  // namespace

Chan<TimePoint> after_for(Duration d) {
  timers_require_goroutine("after");
  auto* s = new AfterState;
  s->ch = make_chan<TimePoint>(1, "time.After");
  s->node.fire = &after_fire;
  s->node.kind = TimerKind::After;
  s->node.discard = [](TimerNode* self) { delete static_cast<AfterState*>(self->arg); };  // run ended first
  s->node.arg = s;
  Chan<TimePoint> ch = s->ch;
  timer_start(&s->node, when_after(d));  // from here on the callback owns s
  return ch;
}

// TimerState is a Timer's or Ticker's node and channel. `ops` serialises stop/reset so the
// stop-drain-restart sequences of concurrent callers do not interleave.
struct TimerState {
  TimerNode node;
  Chan<TimePoint> ch;
  RuntimeLock ops;

  // stop_and_drain() stops the node and discards an unreceived value. Returns true if that
  // prevented a delivery (Go 1.23's t.stop(): pending || timerchandrain). `ops` held.
  bool stop_and_drain() {
    bool pending = timer_stop(&node);
    // The callback is not running and will not run: a value in the channel is stale.
    if (ch.try_recv().has_value()) pending = true;
    return pending;
  }
};

namespace {

// timer_fire() sends under the node's lock, so a timer_stop() that returned has either seen
// the value in the channel or prevented the send; then releases the lock (TimerNode protocol).
void timer_fire(TimerNode* self, int64_t now) {
  send_time(static_cast<TimerState*>(self->arg)->ch, now);
  self->lock.unlock();
}

std::unique_ptr<TimerState> new_state(const char* name, int64_t period) {
  auto s = std::make_unique<TimerState>();
  s->ch = make_chan<TimePoint>(1, name);
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
  detail::timer_start(&s_->node, detail::when_after(d));
}

// ~Timer() stops the timer. After its run has ended (no scheduler on this thread) the run's
// heaps are gone and there is nothing to stop.
Timer::~Timer() {
  if (s_ && detail::timers_in_run()) detail::timer_stop(&s_->node);
}

Timer::Timer(Timer&& o) noexcept = default;

Timer& Timer::operator=(Timer&& o) noexcept {
  if (this != &o) {
    if (s_ && detail::timers_in_run()) detail::timer_stop(&s_->node);
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
  detail::timer_start(&s_->node, detail::when_after(d));
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
