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
#include <memory>
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

// after_for() is after() on a Duration.
Chan<TimePoint> after_for(Duration d);

struct TimerState;  // time.cpp

}  // namespace detail

// after() is time.After: a channel of capacity 1 that receives the engine time once, d from
// now. The engine timer behind it stays pending until it fires, whether or not anyone still
// holds the channel (the time.After-in-a-loop leak that pending_timers() shows); it is
// released when it fires. Must be called inside a run.
template <class Rep, class Period>
Chan<TimePoint> after(std::chrono::duration<Rep, Period> d) {
  return detail::after_for(detail::to_duration(d));
}

// Timer is time.Timer (time.NewTimer): chan() receives the engine time once, d after
// construction or the last reset(). Non-copyable (Go's *Timer is one timer); movable, and a
// moved-from Timer is uninitialised (its stop/reset panic like Go's on a zero Timer).
// The destructor stops the timer. stop/reset may be called from any goroutine concurrently.
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
  Timer(Init, Duration d);
  std::unique_ptr<detail::TimerState> s_;
};

// Ticker is time.Ticker (time.NewTicker): chan() receives the engine time every period.
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
