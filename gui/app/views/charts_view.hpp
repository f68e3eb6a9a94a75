// charts_view.hpp — the Charts tab (QtCharts): goroutines alive and runnable, runnable per
// run queue (global and each P), steals per time window, channel buffer levels, a histogram
// of mutex wait times and the choices of selects, over the timeline's visible range.
//
// The counters come from a ChartData kept in step with the TraceStore (sync(), cost
// proportional to new events). Each refresh samples the visible range into at most 2 points
// per horizontal pixel per series and hands them over with QXYSeries::replace() (one call per
// series, never point by point). Refreshes are coalesced (at most one per 100 ms) and skipped
// while the tab is hidden. A panel with nothing to show in the whole run (no steal, no
// buffered channel, no mutex wait, no select of two cases) is hidden and the others share its
// room; the charts follow the app's palette (light or dark), every axis has a title and
// round 1-2-5 ticks.
#pragma once

#include <QTimer>
#include <QWidget>

#include <chrono>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "model/chart_data.hpp"

class QBarSet;
class QChart;
class QLineSeries;
class QValueAxis;

namespace goroscope::gui {

class TimelineModel;
class TraceStore;

class ChartsView : public QWidget {
  Q_OBJECT
 public:
  ChartsView(const TimelineModel& timeline, QWidget* parent = nullptr);

  // sync() updates the counters from `store` (live: leaving the newest lag_ns, as the timeline).
  // Like TimelineView::sync(), it stops at `deadline` and returns true when up to date.
  bool sync(const TraceStore& store, bool live, int64_t lag_ns = 0,
            std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());
  // clear() empties the charts (a new run).
  void clear();
  // set_range() follows the timeline's visible range (t1 <= t0: the whole run).
  void set_range(int64_t t0, int64_t t1);
  // refresh() replaces every series for the current range now (a live run's updates do it
  // one chart per frame instead, refresh_rolling()).
  void refresh();

  const ChartData& data() const { return data_; }
  // Part is one panel of the tab.
  enum Part { Goroutines, Queues, Steals, Channels, MutexWaits, Choices, kParts };
  // panel_shown() tells whether panel `part` is shown (it has something to show in the run).
  bool panel_shown(Part part) const;
  // chart() is panel `part`'s chart (tests read its axes and legend).
  QChart* chart(Part part) const { return charts_[part]; }
  // steal_window_ns() is the window steals are counted over for the current range: a 1-2-5
  // duration of about a twentieth of the range (at least 1 us).
  int64_t steal_window_ns() const;
  // series_points() is how many points chart series `name` holds ("alive", "runnable",
  // "queue global", "queue P0".."queue P7", "steals", "channel 0".."channel 5", "choice
  // 0".."choice 5"); mutex_waits() the histogram's bars (tests).
  int series_points(const QString& name) const;
  // series_max() is the highest y of series `name` as shown (-1: no such series; tests).
  double series_max(const QString& name) const;
  std::vector<double> mutex_waits() const;
  static constexpr int kChannels = 6;
  static constexpr int kQueues = 8;  // Ps with a series of their own (the first 8)

 protected:
  void showEvent(QShowEvent* e) override;
  void changeEvent(QEvent* e) override;

 private:
  void schedule();
  void refresh_rolling();
  // refresh_part() replaces the series of chart `part` and its time axis.
  void refresh_part(int part);
  // shown_channels() are the busiest buffered channels (at most kChannels), leaving out the
  // timers' channels (time.After, time.Tick, Timer.C, Ticker.C): as in Go 1.23 their buffer is
  // the runtime's, a program sees them unbuffered.
  std::vector<const ChannelSeries*> shown_channels() const;
  // has_data() tells whether panel `part` has anything to show in the whole run.
  bool has_data(int part) const;
  // relayout() shows the panels with data, at most three a row, and hides the others.
  void relayout();
  // restyle() paints every chart in the widget's palette.
  void restyle();
  QTimer rolling_;      // refreshes the next chart each frame
  int next_part_ = kParts;

  const TimelineModel& timeline_;
  const TraceStore* store_ = nullptr;
  uint64_t generation_ = 0;
  ChartData data_;
  int64_t t0_ = 0, t1_ = -1;
  QTimer timer_;
  QLineSeries* alive_ = nullptr;
  QLineSeries* runnable_ = nullptr;
  QLineSeries* steals_ = nullptr;
  QChart* charts_[kParts] = {};
  QWidget* views_[kParts] = {};
  bool shown_[kParts] = {};
  std::vector<QLineSeries*> choices_;
  QValueAxis* y_choices_ = nullptr;
  QLineSeries* global_queue_ = nullptr;
  std::vector<QLineSeries*> p_queues_;
  QValueAxis* y_queues_ = nullptr;
  std::vector<QLineSeries*> channels_;
  QBarSet* waits_ = nullptr;
  std::vector<QValueAxis*> x_axes_;
  QValueAxis* y_goroutines_ = nullptr;
  QValueAxis* y_steals_ = nullptr;
  QValueAxis* y_levels_ = nullptr;
  QValueAxis* y_waits_ = nullptr;
  std::unordered_map<const QValueAxis*, double> y_requested_;  // the top each axis was last asked for
};

}  // namespace goroscope::gui
