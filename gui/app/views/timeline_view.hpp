// timeline_view.hpp — the Timeline tab: a TimelineCanvas under a row of controls (fit, zoom,
// follow live, export) and a line with the statistics of the selected range.
//
// It owns the run's TimelineModel and keeps it in step with the TraceStore: sync() takes
// what arrived since the last frame (cost proportional to the new events).
#pragma once

#include <QWidget>

#include <chrono>
#include <cstdint>
#include <vector>

#include "model/timeline_model.hpp"

class QCheckBox;
class QComboBox;
class QLabel;

namespace goroscope::gui {

class GoroutineSelection;
class TimelineCanvas;
class TraceStore;

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineView(GoroutineSelection& selection, QWidget* parent = nullptr);

  // sync() updates the model from `store`. While `live`, the newest `lag_ns` of events are
  // left for the next frame (batches from other Ms may still land among them); when the run
  // is over (live false) everything is taken. It stops at `deadline` (see sync_within()) and
  // then says so above the canvas ("Catching up: 1.2 s of the run not drawn yet"); returns
  // true when the model is up to date.
  bool sync(const TraceStore& store, bool live, int64_t lag_ns = 0,
            std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
  // behind_ns() is how much of the run (engine time) the last sync() left for later (0: none).
  int64_t behind_ns() const { return behind_ns_; }
  // clear() empties the timeline and follows live again (a new run).
  void clear();
  // adopt() shows `model`, built elsewhere from all of `store`'s events (a replayed file), fitted.
  void adopt(TimelineModel&& model, const TraceStore& store);
  // show_race() shows data race `race` (an EventKind::Race event of the store's run): its
  // happens-before edges (race_hb_edges) are drawn and the view moves to take them in.
  void show_race(const gor::Event& race);
  // export_to() writes the visible range (or the whole run) as PNG or SVG (by suffix).
  bool export_to(const QString& path, bool whole_run, QSize size, QString* error) const;
  // export_dialog() asks what and where to export, then does it (File menu).
  void export_dialog();

  const TimelineModel& model() const { return model_; }
  TimelineCanvas& canvas() { return *canvas_; }
  // stats_text() is the range statistics line ("" without a range).
  QString stats_text() const;
  // show_steal() lists the goroutines steal marker `index` of `lane` moved in the statistics
  // line, each a link that selects it everywhere (a click on a steal marker does this).
  void show_steal(int lane, size_t index);
  // shown_steal() are the goroutines listed by the last show_steal() (empty once replaced).
  const std::vector<uint64_t>& shown_steal() const { return shown_steal_; }
  QLabel& stats_label() { return *stats_; }
  // catching_up_label() says how far behind the run the timeline is (hidden when it is not).
  const QLabel& catching_up_label() const { return *catching_up_; }
  // LaneMode is which goroutines get a lane of their own under the Ps. Auto: every goroutine
  // (as many as fit, the selected first) when the run's goroutines wait longer than they run,
  // as in sleep- and lock-heavy samples; else the selected one(s).
  enum class LaneMode { Auto, All, Selected, None };
  void set_lane_mode(LaneMode mode);
  LaneMode lane_mode() const;
  // lanes_all_in_auto() says whether Auto gives every goroutine a lane for this run: once its
  // goroutines have waited longer than they ran, until the next run.
  bool lanes_all_in_auto() const;
  QComboBox& goroutine_lanes_box() { return *lanes_; }
  // The "Threads" toggle: a lane per OS thread (M) under the Ps. It turns on by itself when the
  // run makes a blocking syscall, until the user sets it.
  QCheckBox& thread_lanes_toggle() { return *threads_; }

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void show_stats(int64_t t0, int64_t t1);
  void set_stats(const QString& text, bool rich = false);
  QString steal_html() const;
  QString name_of(uint64_t g) const;
  QString hint_text() const;
  QString chain_text(uint64_t g) const;

  TimelineModel model_;
  const TraceStore* store_ = nullptr;
  uint64_t generation_ = 0;
  TimelineCanvas* canvas_ = nullptr;
  QCheckBox* follow_ = nullptr;
  QComboBox* lanes_ = nullptr;
  QCheckBox* threads_ = nullptr;
  bool threads_set_by_user_ = false;
  mutable bool auto_all_ = false;  // Auto gave every goroutine a lane in this run (it stays so)
  void update_goroutine_lanes();
  void update_thread_lanes();
  QLabel* stats_ = nullptr;
  QLabel* catching_up_ = nullptr;
  int64_t behind_ns_ = 0;
  bool live_ = false;  // the last sync() was of a run still going
  GoroutineSelection& selection_;
  int steal_lane_ = -1;  // the steal listed in the statistics line
  size_t steal_index_ = 0;
  std::vector<uint64_t> shown_steal_;
};

}  // namespace goroscope::gui
