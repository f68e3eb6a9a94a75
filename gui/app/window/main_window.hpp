// main_window.hpp — Goroscope's main window: the sample gallery and its explanation on the
// left, the live scheduler scene in the centre (with the run banner above it), the goroutine
// inspector on the right, and a bottom dock with tabs (goroutine table, output; the timeline
// and charts slot in here). It wires the views to one RunController and one selection.
#pragma once

#include <QElapsedTimer>
#include <QMainWindow>

#include <chrono>

#include <memory>
#include <optional>

#include "model/replay_state.hpp"
#include "model/running_overlay.hpp"
#include "model/trace_saver.hpp"
#include "model/selection.hpp"
#include "run/run_controller.hpp"
#include "run/run_player.hpp"

class QLabel;
class QMenu;
class QPlainTextEdit;
class QScrollArea;
class QTabWidget;

namespace goroscope::gui {

class GoroutineTable;
class InspectorView;
class SourceView;
class RunBanner;
class RunToolbar;
class SampleDetails;
class SampleGallery;
class SchedulerView;
class TimelineView;
class ChartsView;
class ExploreView;
class ScrubBar;
class TraceLoader;
struct LoadedTrace;

// MainWindow is the app. With persist_settings, it restores and saves QSettings (geometry,
// docks, last sample, speed, procs, seed, theme).
class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum class Theme { System, Light, Dark };
  explicit MainWindow(bool persist_settings = true, QWidget* parent = nullptr);
  ~MainWindow() override;

  // open_sample() shows sample `id` (gallery selection, explanation, parameters, its default
  // procs and suggested speed). False for an unknown id.
  bool open_sample(const QString& id);
  QString current_sample() const { return current_sample_; }
  // run_current() starts the open sample with the toolbar's settings. False (and a banner) on error.
  bool run_current(const std::vector<std::pair<std::string, std::string>>& extra_params = {});
  // open_trace() starts replaying a saved .gortrace (no engine; refused while a run goes):
  // read off the UI thread, then every view is fed from the file and traceOpened(true)
  // follows; a file that cannot be read shows an error banner and traceOpened(false).
  bool open_trace(const QString& path);
  // replay_path() is the trace being replayed ("" for a live run or none).
  QString replay_path() const { return replay_path_; }
  // save_trace() writes the run in the store (live: the events so far; finished; or the
  // replayed trace) to `path` as .gortrace or Chrome JSON, off the UI thread; traceSaved()
  // follows, and a failure (an unwritable path) shows an error banner. False if nothing was
  // started (no events yet, or a save still going), with the reason in the banner.
  bool save_trace(const QString& path, SaveFormat format);
  // save_screenshot() writes a PNG of the whole window. False if it cannot be written.
  bool save_screenshot(const QString& path);
  void set_theme(Theme theme);
  // show_bottom_tab() brings a bottom tab forward by name: "goroutines", "timeline", "charts",
  // "output", "explore".
  void show_bottom_tab(const QString& name);

  RunController& controller() { return controller_; }
  GoroutineSelection& selection() { return selection_; }
  SchedulerView& scheduler_view() { return *scheduler_; }
  RunToolbar& toolbar() { return *toolbar_; }
  RunBanner& banner() { return *banner_; }
  SampleGallery& gallery() { return *gallery_; }
  SampleDetails& details() { return *details_; }
  GoroutineTable& goroutine_table() { return *table_; }
  // catching_up() says whether the timeline and charts are still taking in an ended run's
  // last events, between frames (benchmarks).
  bool catching_up() const;
  InspectorView& inspector() { return *inspector_; }
  TimelineView& timeline() { return *timeline_; }
  ChartsView& charts() { return *charts_; }
  // explore_view() is the Explore tab (schedule exploration of the open sample).
  ExploreView& explore_view() { return *explore_; }
  QTabWidget& bottom_tabs() { return *bottom_tabs_; }
  QString status_text() const;
  // player() is the cursor that plays recorded runs (deterministic runs, ended runs, files).
  RunPlayer& player() { return *player_; }
  ScrubBar& scrub_bar() { return *scrub_; }
  // run_state() is what a learner sees: "idle", "running" (recording or playing), "paused",
  // "finished", "panic" or "deadlock" (the run has ended and its end is shown).
  QString run_state() const;
  // state_json() describes the window's run for headless checks (--screenshot writes it next
  // to the PNG): sample, state, mode, seed, engine_ns, events, goroutines, pace.
  QByteArray state_json() const;
  // run_from_here() starts the recorded run again, re-executing its schedule up to the
  // cursor's event and choosing freely after it, and shows it from the cursor on. False (with
  // a banner) when there is no deterministic recording with a schedule, or a run is going.
  bool run_from_here();
  // rewind_to() shows the run at engine time `ns` (the cursor after the last event at or
  // before it), paused. False if there is no recorded run to rewind.
  bool rewind_to(int64_t ns);
  // races() are the run's data races (EventKind::Race events, in time order) found so far.
  const std::vector<gor::Event>& races() const { return races_; }
  // show_race() selects race i's two goroutines (the racing one primary) and shows the race on
  // the timeline with its happens-before edges. False if there is no race i.
  bool show_race(size_t i);

 signals:
  // runFinished() follows the controller's finished() after the views were updated.
  void runFinished();
  // traceOpened() follows open_trace(): ok, or an error shown in the banner.
  void traceOpened(bool ok);
  // traceSaved() follows save_trace(): ok with a summary, or the error message.
  void traceSaved(bool ok, const QString& message);

 protected:
  void closeEvent(QCloseEvent* e) override;
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void build_menus();
  void show_trace(const std::shared_ptr<LoadedTrace>& trace);
  void remember_recent(const QString& path);
  void rebuild_recent_menu();
  void save_dialog(SaveFormat format);
  void on_frame(bool new_snapshot);
  void on_finished(const RunOutcome& outcome);
  // start_run() clears the views and starts `spec` (run_current() and run_from_here()).
  bool start_run(const RunSpec& spec);
  // show_outcome() shows how a run ended (banner, output, selection) and emits runFinished().
  void show_outcome(const RunOutcome& outcome);
  // setup_playback() makes the player and the scrub bar and wires them (main_window_playback.cpp).
  void setup_playback(QWidget* centre);
  // show_played_state() hands the state at the player's cursor to every view.
  void show_played_state(const std::shared_ptr<const gor::Snapshot>& state, size_t from, size_t to);
  void on_played_to_end();
  // update_play_estimate() shows beside the pace how long the open sample plays at it.
  void update_play_estimate();
  // update_run_controls() enables the toolbar's controls for what is going on.
  void update_run_controls();
  // throttle_recording() keeps a deterministic recording at most a few million events ahead
  // of the cursor (pausing the engine's world and resuming it), so memory stays bounded.
  void throttle_recording();
  // catch_up_views() brings the timeline and charts up to the ended run's last event, within
  // `budget` of this turn of the event loop; what is left continues on catch_up_timer_.
  // Returns true when both are up to date.
  bool catch_up_views(std::chrono::milliseconds budget);
  void update_status();
  void update_breakpoints();
  void show_partial_deadlocks(const gor::Snapshot& s);
  // check_races() picks up new Race events from the store and shows them in the banner
  // (`ending`: the run is over, say how it ended too).
  void check_races(const QString& ending = {});
  void show_race_banner(const QString& ending = {});
  void restore_settings();
  void save_settings() const;

  bool persist_;
  RunController controller_;
  RunPlayer* player_ = nullptr;
  ScrubBar* scrub_ = nullptr;
  std::optional<RunOutcome> played_outcome_;  // a deterministic run's end, shown when the cursor gets there
  QString end_state_;                         // "finished", "panic", "deadlock" once shown; "" before
  bool recording_throttled_ = false;          // throttle_recording() paused the engine
  std::shared_ptr<const gor::Schedule> last_schedule_;  // the deterministic run's schedule (run, or file)
  GoroutineSelection selection_;
  QString current_sample_;
  bool restart_pending_ = false;
  size_t events_seen_ = 0;     // events already handed to the scene's animations
  size_t events_tracked_ = 0;  // events already applied to tracker_
  ProcessorTracker tracker_;
  uint64_t store_generation_ = 0;
  QStringList reported_deadlocks_;
  std::vector<gor::Event> races_;
  size_t race_shown_ = 0;
  Theme theme_ = Theme::System;

  RunToolbar* toolbar_;
  SampleGallery* gallery_;
  SampleDetails* details_;
  RunBanner* banner_;
  QScrollArea* scene_scroll_;
  SchedulerView* scheduler_;
  InspectorView* inspector_;
  SourceView* source_ = nullptr;
  QTabWidget* bottom_tabs_;
  GoroutineTable* table_;
  TimelineView* timeline_;
  ChartsView* charts_;
  ExploreView* explore_ = nullptr;
  TraceLoader* loader_;
  TraceSaver* saver_;
  trace::TraceHeader trace_header_;                 // of the run in the store (live or replayed)
  std::optional<trace::TraceFooter> trace_footer_;  // once the run ended (or from the file)
  QMenu* recent_menu_ = nullptr;
  QString replay_path_;
  QTimer* catch_up_timer_;    // runs catch_up_views() until the views have the whole run
  QTimer* table_timer_;       // hands the latest snapshot to the goroutine table, see the constructor
  bool table_stale_ = false;  // a snapshot came while the table was out of sight
  QElapsedTimer table_updated_;  // since the table last took a snapshot
  QPlainTextEdit* output_;
  QLabel* status_state_;
  QLabel* status_time_;
  QLabel* status_rate_;
  QLabel* status_goroutines_;
  QLabel* status_procs_;
  QLabel* status_speed_;
};

}  // namespace goroscope::gui
