// playback.hpp — the cursor that plays a recorded run at a human pace, forwards and backwards.
//
// The scene never shows "the engine now": it shows the state after the first `cursor` events
// of the run (rebuilt by the replay reducer). A deterministic run is recorded by the engine
// faster than anyone can watch, and Playback moves the cursor over its events at a Pace; a
// finished run (either mode) and a saved file are played with the same cursor. So pausing,
// stepping, stepping back and breakpoints all act on the cursor, and they are exact: a
// breakpoint stops with its event as the last one shown, never "a few events later".
//
// Plain C++ over the store's events (sorted by time); the caller passes the wall clock, so
// tests drive time by hand. Not thread-safe (the UI thread owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gor/trace.hpp>

#include "run/pace.hpp"
#include "run/run_spec.hpp"

namespace goroscope::gui {

// StepUnit is how far one step moves: one scheduling event, or to the next goroutine switch
// (the next GoStart: some goroutine starts running on some P).
enum class StepUnit { Event, GoroutineSwitch };

// BreakHit is a breakpoint the cursor stopped at: events[index] is the event, now the last shown.
struct BreakHit {
  size_t index = 0;
  std::string reason;  // "P1 stole 3 goroutines from P0"
};

// breakpoint_reason() is why `e` stops a run under breakpoints `b`, or "" if it does not.
std::string breakpoint_reason(const gor::Event& e, const BreakpointSet& b);

// Playback is one run's cursor. cursor() is how many events are shown: the scene is the state
// after events [0, cursor). Invariant: cursor() <= the `available` of the last call.
class Playback {
 public:
  // reset() starts a new run: cursor 0, paused, pace kept.
  void reset();
  size_t cursor() const { return cursor_; }
  const Pace& pace() const { return pace_; }
  bool playing() const { return playing_; }

  // set_pace() changes the pace from the current cursor on (no jump).
  void set_pace(const Pace& p, const std::vector<gor::Event>& events, int64_t wall_ns);
  // play() starts moving from the cursor at wall time `wall_ns`; pause() stops.
  void play(const std::vector<gor::Event>& events, int64_t wall_ns);
  void pause() { playing_ = false; }

  // Tick is what advance() did.
  struct Tick {
    bool moved = false;
    std::optional<BreakHit> hit;  // the cursor stopped at a breakpoint (and is paused)
  };
  // advance() moves a playing cursor to where the pace puts it at `wall_ns`, over the first
  // `available` events (the store may grow while the run records). If a breakpoint lies on
  // the way, the cursor stops right after its event (right before it for the run's end: the
  // instant the program would end) and playback pauses.
  Tick advance(const std::vector<gor::Event>& events, size_t available, int64_t wall_ns, const BreakpointSet& b);

  // seek() puts the cursor at `count` events (clamped to `available`); a playing cursor goes on from there.
  void seek(size_t count, const std::vector<gor::Event>& events, size_t available, int64_t wall_ns);
  // seek_time() puts the cursor after the last event at or before engine time t.
  void seek_time(int64_t t, const std::vector<gor::Event>& events, size_t available, int64_t wall_ns);
  // step_forward() moves one unit forward (pausing); false at the end.
  bool step_forward(const std::vector<gor::Event>& events, size_t available, StepUnit unit);
  // step_back() moves one unit back (pausing); false at the start.
  bool step_back(const std::vector<gor::Event>& events, StepUnit unit);
  // jump_to_goroutine() moves to right after the next (forward) or previous event about
  // goroutine g (as the event's g, or as the readier of a GoUnblock); false if there is none.
  bool jump_to_goroutine(uint64_t g, bool forward, const std::vector<gor::Event>& events, size_t available);
  // jump_to_proc() does the same for events on P p.
  bool jump_to_proc(int p, bool forward, const std::vector<gor::Event>& events, size_t available);

 private:
  void anchor(const std::vector<gor::Event>& events, int64_t wall_ns);
  bool jump_where(bool forward, const std::vector<gor::Event>& events, size_t available,
                  bool (*about)(const gor::Event&, uint64_t), uint64_t key);

  static constexpr size_t kNone = ~size_t{0};
  size_t cursor_ = 0;
  size_t held_before_ = kNone;  // index of a run-end event the cursor was held before
  Pace pace_ = Pace::engine_fraction(1e-3);
  bool playing_ = false;
  int64_t anchor_wall_ns_ = 0;    // wall time the pace counts from
  size_t anchor_cursor_ = 0;      // cursor at that moment (events/s pace)
  int64_t anchor_engine_ns_ = 0;  // engine time at that moment (engine-fraction pace)
};

}  // namespace goroscope::gui
