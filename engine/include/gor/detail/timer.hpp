// timer.hpp — engine timers (Go's runtime timers), the base of sleep, after, Timer, Ticker
// and context deadlines. Internal API.
//
// Timers live in per-P min-heaps ordered by `when` (engine ns) and are fired by the
// scheduler loop of the P's M (or by an idle M that sleeps until the earliest one).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "gor/detail/park.hpp"

namespace gor::detail {

struct Processor;
class Scheduler;

// TimerNode is one timer. Its owner keeps it alive until timer_stop() returned or (for a
// one-shot timer) its callback released the node's lock. The callback runs on a scheduler
// thread, outside any goroutine, WITH THE NODE'S LOCK HELD, and MUST release it itself
// (self->lock.unlock()) exactly once: do under the lock what must be ordered with
// timer_stop() (e.g. a channel try_send), then unlock, then anything that may free the node
// (ready() of a goroutine that owns it, deleting a self-owned node). It must not block and
// must not call timer_* on its own node while holding the lock.
// Before destroying a node that may have fired, call timer_stop() (it waits for a running
// callback to release the lock).
// TimerKind is what a timer is for (TimerInfo::kind); a Timer with a period is a Ticker.
enum class TimerKind : uint8_t { Timer, Sleep, After, Context };

struct TimerNode {
  void (*fire)(TimerNode* self, int64_t now) = nullptr;  // set by the owner
  void* arg = nullptr;                                   // free for the owner
  int64_t period = 0;                                    // > 0: refire every period ns
  TimerKind kind = TimerKind::Timer;                     // for snapshots (Sleep: arg is the G)
  // discard, if set, is called (without the lock) for a node still armed when its run ends,
  // after every goroutine was unwound: a self-owned node (after()) frees itself here.
  void (*discard)(TimerNode* self) = nullptr;

  // Internal, protected by `lock` (node) and the owner P's timer lock (heap fields).
  RuntimeLock lock;
  int64_t when = 0;
  bool armed = false;             // started and not yet fired/stopped
  std::atomic<Processor*> heap_owner{nullptr};  // P whose heap holds the node, if any
  int32_t heap_index = -1;
  uint64_t trace_id = 0;          // id in TimerAdd/TimerStop/TimerFire events (given when first traced)
};

// timer_start() arms t to fire at `when` (engine ns; in the past fires as soon as possible).
void timer_start(TimerNode* t, int64_t when);
// timer_stop() disarms t. Returns true if it was armed (it will not fire). After it returns
// the callback is not running and will not run.
bool timer_stop(TimerNode* t);
// timer_reset() re-arms t for `when`; returns whether it was armed before.
bool timer_reset(TimerNode* t, int64_t when);

// timers_that_cannot_wake() counts the armed timers of run `s` that cannot wake any goroutine:
// the Timer, Ticker, after() and tick() timers on whose channel no goroutine is blocked (or
// whose channel is gone). Go 1.23 keeps a channel timer in the heap only while a goroutine is
// blocked on its channel, so checkdead ignores the others: an unstopped Ticker does not hide
// "all goroutines are asleep - deadlock!". Call it with every M idle (checkdead, sched lock
// held): it reads the channels' wait queues without their locks (time.cpp).
size_t timers_that_cannot_wake(const Scheduler* s) noexcept;

}  // namespace gor::detail
