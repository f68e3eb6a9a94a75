// replay_state.hpp — the scheduler at time t, rebuilt from a trace's events (replay mode).
//
// replay_snapshot() walks the events up to t and keeps what they say: each goroutine's state
// (running, runnable, waiting with Go's wait reason, syscall), each P's running goroutine,
// runnext slot and local run queue (GoCreate and GoUnblock placements, steals moving the
// victim's oldest goroutines, yields and preemptions to the global queue), and the global
// queue. Objects (channels, mutexes, timers) are not rebuilt: their panels stay empty. Plain
// C++; O(events up to t).
#pragma once

#include <cstdint>

#include <gor/control.hpp>

namespace goroscope::gui {

class TraceStore;

// replay_snapshot() is the scheduler state right after the last event at or before t, with
// `procs` Ps at least (the trace header's GOMAXPROCS). Its `ended` is false, `paused` true.
gor::Snapshot replay_snapshot(const TraceStore& store, int64_t t, int procs);

}  // namespace goroscope::gui
