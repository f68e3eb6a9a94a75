// run_toolbar.hpp — the run controls: Run, Pause/Resume, Step, Stop, Restart, slow motion,
// procs, seed, the race detector and scheduler breakpoints. Emits intents; the main window carries them out.
#pragma once

#include <QToolBar>

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

  // set_run_state() enables what makes sense: running/paused/idle.
  void set_run_state(bool running, bool paused);
  // dilation() is the slow-motion factor chosen (1 = real time, up to 1000x slower).
  double dilation() const;
  void set_dilation(double k);
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
  QAction* stop_action() const { return stop_; }
  QAction* restart_action() const { return restart_; }
  QSlider* speed_slider() const { return speed_; }
  QAction* race_action() const { return race_; }
  QAction* race_breakpoint_action() const { return bp_race_; }
  QAction* panic_breakpoint_action() const { return bp_panic_; }
  QAction* deadlock_breakpoint_action() const { return bp_deadlock_; }

  // slider_to_dilation() maps slider position 0..300 to 1..1000 (log scale); and back.
  static double slider_to_dilation(int v);
  static int dilation_to_slider(double k);

 signals:
  void runRequested();
  void pauseToggled();
  void stepRequested();
  void stopRequested();
  void restartRequested();
  void dilationChanged(double k);
  void procsChanged(int n);
  void breakpointsChanged();

 private:
  void update_speed_label();

  QAction* run_;
  QAction* pause_;
  QAction* step_;
  QAction* stop_;
  QAction* restart_;
  QSlider* speed_;
  QLabel* speed_label_;
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
