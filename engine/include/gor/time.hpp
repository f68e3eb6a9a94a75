// time.hpp — Go's time package on the engine clock: after, Timer, Ticker.
//
// Everything runs in engine time (dilation-aware, see runtime.hpp): a 10 ms timer fires after
// 10 ms of engine time, which is 40 ms of wall time under Config::dilation = 4.
// Semantics are Go 1.23's: after Timer::stop, Timer::reset, Ticker::stop or Ticker::reset
// returns, no value sent before the call is received any more (the channel behaves as if it
// were synchronous). Durations are gor::Duration; any std::chrono duration converts
// (saturating at Duration's range).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <source_location>
#include <type_traits>

#include "gor/chan.hpp"
#include "gor/runtime.hpp"

namespace gor {

namespace detail {

// to_duration() converts any std::chrono duration to Duration, saturating at its range
// (Go's durations are int64 ns; huge C++ durations must not overflow).
template <class Rep, class Period>
constexpr Duration to_duration(std::chrono::duration<Rep, Period> d) noexcept {
  using Wide = std::chrono::duration<long double, std::nano>;
  const Wide w = std::chrono::duration_cast<Wide>(d);
  if (w >= Wide(static_cast<long double>(Duration::max().count()))) return Duration::max();
  if (w <= Wide(static_cast<long double>(Duration::min().count()))) return Duration::min();
  return std::chrono::duration_cast<Duration>(d);
}

// when_after() is the engine time (ns) d from now, saturating at INT64_MAX (Go's when()).
int64_t when_after(Duration d) noexcept;

// timers_require_goroutine() throws std::logic_error("gor::<what>: called outside a goroutine")
// when the caller is not a goroutine (timers belong to a run).
void timers_require_goroutine(const char* what);
// timers_in_run() tells whether the calling thread belongs to a run (timers can be stopped).
bool timers_in_run() noexcept;

// after_for() is after() on a Duration; tick_for() is tick() on one.
Chan<TimePoint> after_for(Duration d);
Chan<TimePoint> tick_for(Duration d);

struct TimerState;  // time.cpp

}  // namespace detail

// after() is time.After: a channel that receives, once, the engine time it was scheduled
// for, d from now. As in Go 1.23 the timer is released as soon as nobody holds the channel
// (a time.After in a loop no longer piles up pending timers), and a channel that no
// goroutine is blocked on does not keep the run from "all goroutines are asleep -
// deadlock!". Its len() and cap() are 0. Must be called inside a run.
template <class Rep, class Period>
Chan<TimePoint> after(std::chrono::duration<Rep, Period> d) {
  return detail::after_for(detail::to_duration(d));
}

// tick() is time.Tick: a channel that receives the scheduled engine time every d, for as
// long as anybody holds it (Go 1.23 collects an unreferenced Tick). The nil channel when
// d <= 0, as Go's. Must be called inside a run.
template <class Rep, class Period>
Chan<TimePoint> tick(std::chrono::duration<Rep, Period> d) {
  return detail::tick_for(detail::to_duration(d));
}

class Timer;
// after_func() is time.AfterFunc: after d, f runs in its own goroutine. The Timer returned has
// a nil chan(); its stop() returns true if it kept f from starting, and its reset() re-arms
// it. Unlike a NewTimer Timer, destroying the handle does not stop it (Go runs f anyway).
template <class Rep, class Period>
Timer after_func(std::chrono::duration<Rep, Period> d, std::function<void()> f,
                 std::source_location where = std::source_location::current());

// Timer is time.Timer (time.NewTimer): chan() receives, once, the engine time the timer was
// scheduled for, d after construction or the last reset(). Its channel's len() and cap() are
// 0 (Go 1.23), and a timer nobody is blocked on does not count as pending in the deadlock
// check. Non-copyable (Go's *Timer is one timer); movable, and a moved-from Timer is
// uninitialised (its stop/reset panic like Go's on a zero Timer). The destructor stops the
// timer (not an after_func one). stop/reset may be called from any goroutine concurrently.
class Timer {
 public:
  template <class Rep, class Period>
  explicit Timer(std::chrono::duration<Rep, Period> d) : Timer(Init{}, detail::to_duration(d)) {}
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  Timer(Timer&&) noexcept;
  Timer& operator=(Timer&&) noexcept;

  // chan() is the timer's channel (Go's t.C), capacity 1. Nil for a moved-from Timer.
  Chan<TimePoint> chan() const;

  // stop() prevents the timer from firing. Returns true if that prevented a delivery: the
  // timer was armed, or it had fired but its value was still unreceived (Go 1.23: the value
  // is discarded, so no receive after stop() returns sees it). Returns false if the value was
  // already received or the timer was already stopped. Panics "time: Stop called on
  // uninitialized Timer" on a moved-from Timer.
  bool stop();

  // reset() re-arms the timer to fire d from now, discarding any unreceived value first
  // (Go 1.23). Returns what stop() would have returned. Panics "time: Reset called on
  // uninitialized Timer" on a moved-from Timer.
  template <class Rep, class Period>
  bool reset(std::chrono::duration<Rep, Period> d) {
    return reset_for(detail::to_duration(d));
  }
  bool reset_for(Duration d);

 private:
  struct Init {};
  struct Func {};
  Timer(Init, Duration d);
  Timer(Func, Duration d, std::function<void()> f, std::source_location where);
  template <class Rep, class Period>
  friend Timer after_func(std::chrono::duration<Rep, Period>, std::function<void()>, std::source_location);
  std::shared_ptr<detail::TimerState> s_;
};

template <class Rep, class Period>
Timer after_func(std::chrono::duration<Rep, Period> d, std::function<void()> f, std::source_location where) {
  return Timer(Timer::Func{}, detail::to_duration(d), std::move(f), where);
}

// Ticker is time.Ticker (time.NewTicker): chan() receives the scheduled engine time every
// period. As in Go 1.23 its channel's len() and cap() are 0, and an unstopped Ticker nobody is
// blocked on does not hide a deadlock.
// The channel has capacity 1 and a tick is dropped when the previous one is still unreceived
// (Go's behaviour for slow readers). Non-copyable; movable. The destructor stops it.
class Ticker {
 public:
  // Ticker(d) panics "non-positive interval for NewTicker" unless d > 0 (Go's text).
  template <class Rep, class Period>
  explicit Ticker(std::chrono::duration<Rep, Period> d) : Ticker(Init{}, detail::to_duration(d)) {}
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  Ticker(Ticker&&) noexcept;
  Ticker& operator=(Ticker&&) noexcept;

  // chan() is the ticker's channel (Go's t.C). Nil for a moved-from Ticker.
  Chan<TimePoint> chan() const;

  // stop() turns the ticker off: no tick is sent after it, and an unreceived tick is
  // discarded (Go 1.23). It does not close the channel. No-op on a moved-from Ticker.
  void stop();

  // reset() stops the ticker and restarts it with period d, the next tick d from now; an
  // unreceived tick is discarded. Panics "non-positive interval for Ticker.Reset" unless
  // d > 0, "time: Reset called on uninitialized Ticker" on a moved-from Ticker.
  template <class Rep, class Period>
  void reset(std::chrono::duration<Rep, Period> d) {
    reset_for(detail::to_duration(d));
  }
  void reset_for(Duration d);

 private:
  struct Init {};
  Ticker(Init, Duration d);
  std::unique_ptr<detail::TimerState> s_;
};

}  // namespace gor
