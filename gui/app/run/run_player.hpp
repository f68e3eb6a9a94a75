// run_player.hpp — plays one run's recorded events at a pace and hands the views the state at
// the cursor (the deterministic mode's live view, rewinding any finished run, replaying files).
//
// RunPlayer owns the Playback cursor, a 16 ms tick and the ReplayIndex that rebuilds the state
// after the first `cursor` events. It reads the TraceStore it is given (the RunController's,
// which holds a live run's events and a loaded file's alike) and never touches the engine.
// The state it emits is a shared immutable Snapshot (views keep it without copying).
// UI thread only.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

#include <gor/control.hpp>

#include "model/replay_state.hpp"
#include "model/trace_store.hpp"
#include "run/playback.hpp"

namespace goroscope::gui {

// RunPlayer drives one cursor over one store.
class RunPlayer : public QObject {
  Q_OBJECT
 public:
  explicit RunPlayer(const TraceStore& store, QObject* parent = nullptr);

  // begin() starts a new run's playback: cursor 0, playing unless `paused`, rebuilt state
  // for `procs` Ps. recording() says whether events may still arrive (a live run).
  void begin(int procs, bool paused, bool recording);
  // start_at() moves the cursor to `count` events (and plays on) as soon as the recording has
  // them: "Run from here" records the run again from its start and shows it from there.
  void start_at(size_t count) { pending_start_ = count; }
  // end_recording() says the store holds the whole run now.
  void end_recording();
  // adopt_finished() plays a store that already holds a whole run (a file, or a real-mode run
  // that has ended), with the cursor at its end (the run's last state) and paused. With `show`
  // false the state is not emitted until the cursor moves (the views keep what they show).
  void adopt_finished(int procs, bool show = true);
  // stop() leaves the views to something else (a real-mode live run): no ticks, no state.
  void stop();

  bool active() const { return active_; }
  bool recording() const { return recording_; }
  bool playing() const { return playback_.playing(); }
  size_t cursor() const { return playback_.cursor(); }
  // at_end() says whether the cursor shows the last event of a run that has ended.
  bool at_end() const { return active_ && !recording_ && playback_.cursor() >= store_.size(); }
  // cursor_ns() is the engine time of the last event shown (0 before the first).
  int64_t cursor_ns() const;
  const Pace& pace() const { return playback_.pace(); }
  int procs() const { return procs_; }
  // state() is the state at the cursor (null before begin()).
  const std::shared_ptr<const gor::Snapshot>& state() const { return state_; }

  void set_pace(const Pace& p);
  void set_breakpoints(const BreakpointSet& b) { breakpoints_ = b; }
  void play();
  void pause();
  void toggle();
  // seek() and seek_time() move the cursor (pausing it when `pause` is set).
  void seek(size_t count, bool pause = true);
  void seek_time(int64_t t, bool pause = true);
  bool step_forward(StepUnit unit);
  bool step_back(StepUnit unit);
  bool jump_to_goroutine(uint64_t g, bool forward);
  bool jump_to_proc(int p, bool forward);

  // refresh() rebuilds the state at the cursor now (e.g. after the store grew while paused).
  void refresh();
  // set_self_ticking() turns the player's own 16 ms timer off (benchmarks and tests then call
  // tick() themselves) or back on.
  void set_self_ticking(bool on);
  // tick() is one frame: advance a playing cursor, emit what changed (the timer calls it; tests too).
  void tick();

 signals:
  // moved() follows every cursor move: the new state, and the events passed since the last
  // emission (from < to: forwards; otherwise a jump back).
  void moved(const std::shared_ptr<const gor::Snapshot>& state, size_t from, size_t to);
  void playingChanged(bool playing);
  // breakpointHit() says the cursor stopped at a breakpoint's event (now the last one shown).
  void breakpointHit(const goroscope::gui::BreakHit& hit);
  // reachedEnd() follows the cursor reaching the end of a run that has ended (once per arrival).
  void reachedEnd();

 private:
  int64_t wall_ns() const { return clock_.nsecsElapsed(); }
  void publish();
  // move_cursor() runs one cursor move (`move` returns whether it moved) and emits the result.
  template <class Move>
  bool move_cursor(Move move);
  void set_playing(bool was);

  const TraceStore& store_;
  Playback playback_;
  ReplayIndex index_;
  BreakpointSet breakpoints_;
  QTimer timer_;
  QElapsedTimer clock_;
  std::shared_ptr<const gor::Snapshot> state_;
  size_t published_ = 0;   // cursor of the last moved()
  uint64_t generation_ = 0;
  int procs_ = 1;
  bool active_ = false;
  bool recording_ = false;
  bool end_reported_ = false;
  bool self_ticking_ = true;
  size_t pending_start_ = 0;  // start_at()'s cursor, 0: none
};

}  // namespace goroscope::gui

Q_DECLARE_METATYPE(goroscope::gui::BreakHit)
