// replay_state.hpp — the scheduler at time t (or after n events), rebuilt from a trace's events.
//
// replay_snapshot() and ReplayIndex feed the trace's events to goroscope::trace::RunReducer
// (gui/trace/run_reducer.hpp), the one model of a run: every P's status, running goroutine,
// runnext and local queue in order, the global queue, each goroutine's state, wait reason and
// object, channels with their queues, mutexes with their holder and waiters, sync objects and
// timers, as the engine's own Snapshot shows them (equal to it field by field for the fields a
// trace carries). Plain C++; O(events up to t). ReplayIndex keeps that state every `stride`
// events, so scrubbing a huge trace replays at most `stride` events per move.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <gor/control.hpp>

namespace goroscope::gui {

class TraceStore;

// replay_snapshot() is the scheduler state right after the last event at or before t, with
// `procs` Ps at least (the trace header's GOMAXPROCS). Its `ended` is false, `paused` true.
gor::Snapshot replay_snapshot(const TraceStore& store, int64_t t, int procs);

// ReplayIndex answers replay_snapshot() from checkpoints: the rebuilt state after every
// `stride` events, made as far as a query needs (once; later queries before that point replay
// at most `stride` events from the nearest checkpoint). snapshot() equals replay_snapshot()
// for the same store, t and procs. The checkpoints are dropped when the store's generation,
// `procs` or the store's size changes (a live run: then it replays from the start, as
// replay_snapshot() does). Not thread-safe.
class ReplayIndex {
 public:
  // ReplayIndex(stride, max_checkpoints): a checkpoint every `stride` events, at most
  // `max_checkpoints` kept. When a longer trace needs more, every other one is dropped and the
  // stride doubles, so memory stays bounded (a checkpoint of a 10,000-goroutine run is ~2 MB)
  // and a query replays at most one stride.
  explicit ReplayIndex(size_t stride = 1 << 16, size_t max_checkpoints = 24);
  ~ReplayIndex();
  ReplayIndex(ReplayIndex&&) noexcept;
  ReplayIndex& operator=(ReplayIndex&&) noexcept;

  gor::Snapshot snapshot(const TraceStore& store, int64_t t, int procs);
  // snapshot_after() is the state right after the first `count` events of the store (all of
  // them when count is past the end; none for 0), with `procs` Ps at least: the app's rewind
  // cursor is an event index. Its now_ns is the timestamp of the last event applied (0: none).
  // Uses and extends the same checkpoints as snapshot().
  gor::Snapshot snapshot_after(const TraceStore& store, size_t count, int procs);
  // checkpoints() is how many are kept; last_replayed() how many events the last snapshot()
  // applied after its checkpoint (tests).
  size_t checkpoints() const;
  // stride() is the current distance between checkpoints, in events.
  size_t stride() const { return stride_; }
  size_t last_replayed() const { return last_replayed_; }

 private:
  struct State;
  // state_after() is the rebuilt state after the first `end` events (end <= store.size()).
  State state_after(const TraceStore& store, size_t end, int procs);
  size_t initial_stride_;
  size_t stride_;
  size_t max_checkpoints_;
  std::vector<std::unique_ptr<State>> checkpoints_;  // checkpoints_[k]: after k * stride_ events
  uint64_t generation_ = 0;
  size_t size_ = 0;
  int procs_ = 0;
  size_t last_replayed_ = 0;
};

}  // namespace goroscope::gui
