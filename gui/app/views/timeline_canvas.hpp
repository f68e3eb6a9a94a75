// timeline_canvas.hpp — the interactive timeline: paints a TimelineModel, zooms, pans, selects.
//
// Input: wheel or +/- zoom around the pointer, drag or arrow keys pan, Home or F fits the
// whole run, shift-drag selects a range (rangeSelected), a click on a slice selects its
// goroutine in the shared GoroutineSelection (a click on nothing clears it), hovering shows a
// tooltip and the hovered goroutine's wake-up arrows. While following, the view keeps the
// newest events in sight (the whole run until the user zooms, then the newest part at that
// zoom); any zoom or pan by the user stops following.
#pragma once

#include <QWidget>

#include <cstdint>
#include <functional>

#include "views/timeline_painter.hpp"

namespace goroscope::gui {

class GoroutineSelection;

class TimelineCanvas : public QWidget {
  Q_OBJECT
 public:
  TimelineCanvas(const TimelineModel& model, GoroutineSelection& selection, QWidget* parent = nullptr);

  // data_changed() follows new events (when following) and repaints.
  void data_changed();
  // fit() shows the whole run; zoom_by() zooms around the centre (> 1 zooms in).
  void fit();
  void zoom_by(double factor);
  void set_follow(bool on);
  bool following() const { return follow_; }
  // clear_range() forgets the selected range.
  void clear_range();
  // set_cursor_enabled() turns the replay cursor on: a click (or ctrl-drag, to scrub) moves it
  // and emits cursorMoved(); off, it is hidden. set_cursor() moves it (-1: hidden).
  void set_cursor_enabled(bool on);
  void set_cursor(int64_t t);
  int64_t cursor() const { return scene_.cursor; }
  // set_race() shows a data race and its happens-before edges (nullptr: none).
  void set_race(std::shared_ptr<const RaceEdges> race);
  // set_goroutine_lanes() shows a lane of its own for each of `gs` under the P and thread
  // lanes (empty: none); `left_out` goroutines had no room (the legend says so).
  void set_goroutine_lanes(std::vector<uint64_t> gs, size_t left_out = 0);
  // set_thread_lanes() shows a lane for each M in `ms` under the P lanes (empty: none).
  void set_thread_lanes(std::vector<int> ms);
  // set_object_namer() names mutexes in hold tooltips and the legend.
  void set_object_namer(std::function<QString(uint64_t)> name) { scene_.object_name = std::move(name); }
  // show_range() shows [t0, t1) and stops following (e.g. to bring a race into view).
  void show_range(int64_t t0, int64_t t1);

  const TimelineGeometry& geometry() const { return scene_.geometry; }
  TimelineGeometry& geometry() { return scene_.geometry; }
  const TimelineScene& scene() const { return scene_; }
  TimelineLayout current_layout() const;
  // point_of() is the widget position of the middle of slice `index` on `lane` (tests).
  QPoint point_of(int lane, size_t index) const;
  // goroutine_at() is the goroutine whose slice is under `pos`, or whose goroutine lane it is (0: none).
  uint64_t goroutine_at(QPoint pos) const;
  // race_marker_at() is the data race marker within 5 px of `pos` on its lane (nullptr: none).
  const Marker* race_marker_at(QPoint pos) const;
  // steal_marker_at() is the index in model().markers(lane, Steal) of the steal marker within
  // kStealTargetHalfWidth px of `pos` horizontally, between its lane's top and 3 px into the
  // slices (the lane, its thief P, goes to *lane), or -1.
  long steal_marker_at(QPoint pos, int* lane) const;
  static constexpr double kStealTargetHalfWidth = 6;
  // thread_span_at() is the ThreadSpan under `pos` in a thread lane (nullptr: none).
  const ThreadSpan* thread_span_at(QPoint pos) const;
  // lane_tip() is the tooltip for `pos` in a thread or goroutine lane: what the thread or the
  // goroutine did at that instant and the mutexes the goroutine held ("" elsewhere).
  QString lane_tip(QPoint pos) const;
  // steal_point() is the widget position of that marker's glyph (tests).
  QPoint steal_point(int lane, size_t index) const;

  // set_describer() gives hover tooltips a goroutine's name ("G12 worker 3").
  void set_describer(std::function<QString(uint64_t)> describe) { describe_ = std::move(describe); }

  QSize sizeHint() const override { return QSize(900, 200); }
  QSize minimumSizeHint() const override { return QSize(300, 110); }

 signals:
  void followChanged(bool on);
  // rangeSelected() reports a shift-drag range [t0, t1) (t0 == t1 == -1: cleared).
  void rangeSelected(int64_t t0, int64_t t1);
  // viewChanged() reports the visible range after any zoom, pan or follow.
  void viewChanged(int64_t t0, int64_t t1);
  // cursorMoved() reports the replay cursor's new time.
  void cursorMoved(int64_t t);
  // raceClicked() reports a click on a data race marker (its ts and racing goroutine), instead
  // of selecting the goroutine under it.
  void raceClicked(int64_t ts, uint64_t g);
  // stealClicked() reports a click on a steal marker: the thief's lane and the marker's index
  // in its steal markers (instead of selecting the goroutine under it).
  void stealClicked(int lane, qsizetype index);

 protected:
  bool event(QEvent* e) override;
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  void user_moved();  // a zoom or pan by the user: stop following, clamp, repaint
  void sync_width();
  long slice_at(QPoint pos, int* lane) const;

  std::function<QString(uint64_t)> describe_;
  const TimelineModel& model_;
  GoroutineSelection& selection_;
  TimelineScene scene_;
  bool follow_ = true;
  bool follow_all_ = true;  // following shows the whole run (until the user zooms)
  bool fitted_ = false;  // the view shows the whole run until the user zooms or pans
  int64_t pin_t0_ = -1, pin_t1_ = -1;  // show_range()'s range, kept as the widget gets its size
  enum class Drag { None, Pan, Range, Cursor } drag_ = Drag::None;
  bool cursor_enabled_ = false;
  QPoint press_pos_;
  int64_t press_t0_ = 0;
  bool moved_ = false;
};

}  // namespace goroscope::gui
