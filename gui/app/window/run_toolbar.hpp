// run_toolbar.hpp — the run controls: Run, Pause/Resume, Back, Step, Stop, Restart and the
// pace (one control from one scheduling event per second to as fast as possible); and, in a
// second row (settings_bar()), procs, seed, "Real threads", the race detector, run options and
// scheduler breakpoints. Emits intents; the main window carries them out.
#pragma once

#include <QToolBar>

#include "run/pace.hpp"
#include "run/playback.hpp"
#include "run/run_spec.hpp"

class QAction;
class QLabel;
class QSlider;
class QSpinBox;
class QToolButton;

namespace goroscope::gui {

// RunToolbar holds the controls; it keeps no run state of its own beyond what it shows.
class RunToolbar : public QToolBar {
  Q_OBJECT
 public:
  explicit RunToolbar(QWidget* parent = nullptr);

  // set_run_state() enables what makes sense: running/paused/idle. `can_step` enables Back
  // (and Step and Play without a live run) when a run's recorded events can be stepped through
  // (a deterministic run, any run that has ended, a file).
  void set_run_state(bool running, bool paused, bool can_step = false);
  // pace() is the playback pace chosen on the slider.
  Pace pace() const;
  void set_pace(const Pace& p);
  // dilation() is the slow motion a real-threads run uses for this pace: 1/fraction for an
  // engine-time fraction (clamped to 1..1000), 1000 for events per second, 1 for fastest.
  double dilation() const;
  // set_dilation() sets the pace to the engine-time fraction 1/k (--speed K; k = 1: ×1).
  void set_dilation(double k);
  // settings_bar() is the second row: procs, seed, Real threads, race detector, options, breakpoints.
  QToolBar* settings_bar() const { return settings_; }
  // deterministic() is the mode of the next run: true unless "Real threads" is checked.
  bool deterministic() const;
  void set_deterministic(bool on);
  // start_paused() is "Start paused": the next run stops before its first scheduling event.
  bool start_paused() const;
  void set_start_paused(bool on);
  // step_unit() is what one step moves: one scheduling event, or one goroutine switch.
  StepUnit step_unit() const;
  // set_play_estimate() shows beside the pace how long the open sample plays at it ("" hides it).
  void set_play_estimate(const QString& text);
  int procs() const;
  void set_procs(int n);
  uint64_t seed() const;
  void set_seed(uint64_t s);
  // race() is the "Race detector" toggle: the next run uses Config::race (like go run -race).
  bool race() const;
  void set_race(bool on);
  BreakpointSet breakpoints(uint64_t selected_goroutine) const;

  QAction* run_action() const { return run_; }
  QAction* pause_action() const { return pause_; }
  QAction* step_action() const { return step_; }
  QAction* back_action() const { return back_; }
  QAction* real_threads_action() const { return real_threads_; }
  QAction* start_paused_action() const { return start_paused_; }
  QAction* stop_action() const { return stop_; }
  QAction* restart_action() const { return restart_; }
  QSlider* pace_slider() const { return pace_slider_; }
  QAction* race_action() const { return race_; }
  QAction* race_breakpoint_action() const { return bp_race_; }
  QAction* panic_breakpoint_action() const { return bp_panic_; }
  QAction* deadlock_breakpoint_action() const { return bp_deadlock_; }


 signals:
  void runRequested();
  void pauseToggled();
  void stepRequested();
  void stepBackRequested();
  // jumpRequested() is Shift+→ (forward) or Shift+←: the selected goroutine's (or P's) next or previous event.
  void jumpRequested(bool forward);
  void stopRequested();
  void restartRequested();
  void paceChanged(const goroscope::gui::Pace& p);
  void procsChanged(int n);
  void breakpointsChanged();

 private:
  void update_pace_label();

  QToolBar* settings_;
  QAction* run_;
  QAction* pause_;
  QAction* back_;
  QAction* step_;
  QAction* stop_;
  QAction* restart_;
  QSlider* pace_slider_;
  QLabel* pace_label_;
  QLabel* play_estimate_;
  QAction* real_threads_;
  QAction* start_paused_;
  QAction* step_switch_;
  QSpinBox* procs_;
  QSpinBox* seed_;
  QAction* race_;
  QToolButton* breakpoints_button_;
  QAction* bp_steal_;
  QAction* bp_starving_;
  QAction* bp_panic_;
  QAction* bp_deadlock_;
  QAction* bp_partial_deadlock_;
  QAction* bp_goroutine_block_;
  QAction* bp_race_;
  QAction* bp_queue_;
  QSpinBox* bp_queue_limit_;
};

}  // namespace goroscope::gui
