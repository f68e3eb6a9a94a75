// scheduler_view.hpp — the live scheduler scene: P cards, queues, blocked goroutines, Ms.
//
// Geometry comes from compute_scheduler_layout() (scheduler_layout.hpp); this widget paints
// it and animates the differences between successive snapshots: a goroutine chip glides
// from its old place to its new one (queue -> running -> blocked -> queue) in at least
// kMinGlideMs, new goroutines fade in, ended ones fade out. A chip whose goroutine moves again
// before its glide ended lands at once on its newest place: a chip is never drawn where its
// goroutine no longer is, except while one glide plays.
//
// Events add what snapshots cannot show. The scene's state is a function of the snapshot and
// the events given to it since clear(): a steal (an arrow with its count from victim to thief,
// through the steal lanes), a syscall handoff, a mutex mode switch and a channel close stay
// highlighted until the next such event on that P or object (several in one add_events() call
// are one highlight with their count); a preemption flashes for a moment. ContextCancel events
// build the context tree (SceneFacts). Animation runs on a 60 Hz timer only while something
// moves.
#pragma once

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QThreadPool>
#include <QImage>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

#include <algorithm>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <gor/control.hpp>
#include <gor/trace.hpp>

#include "views/scene_layer.hpp"
#include "views/scheduler_layout.hpp"

namespace goroscope::gui {

class GoroutineSelection;

// SchedulerView paints one run's scheduler. UI thread only.
class SchedulerView : public QWidget {
  Q_OBJECT
 public:
  explicit SchedulerView(GoroutineSelection& selection, QWidget* parent = nullptr);

  // set_snapshot() shows `s`, animating from what was shown.
  void set_snapshot(gor::Snapshot s);
  // post_snapshot() shows the snapshot `make` returns, like set_snapshot(), but calls `make`,
  // lays the scene out and paints its still layer on a worker thread (a scene of 10,000
  // goroutines is milliseconds of both): the scene changes once that is done. One job at a
  // time; a snapshot posted meanwhile waits, and a newer one replaces it. `make` must only
  // use what it captured by value.
  void post_snapshot(std::function<gor::Snapshot()> make);
  // layout_pending() says whether a posted snapshot is not shown yet (tests).
  bool layout_pending() const { return building_ || next_make_ != nullptr; }
  // add_events() takes events [first, size): steals, handoffs, mutex mode switches and closes
  // to highlight, preemptions to flash, context cancels for the context tree. Each is shown
  // once a snapshot at or after its time is (events run ahead of the snapshots: a highlight
  // never contradicts the picture under it); those of one snapshot step are one highlight per
  // target, with their count. A scene rebuilt at another moment is clear(), add_events() of
  // the events before it, then set_snapshot(); a snapshot earlier than the one
  // shown drops the highlights of events after it.
  void add_events(const std::vector<gor::Event>& events, size_t first);
  // clear() empties the scene (a new run).
  void clear();
  // kMinGlideMs is the shortest glide of a chip to its new place.
  static constexpr int kMinGlideMs = 300;
  // set_animation_ms() sets how long a chip takes to glide to its new place: 0 jumps, anything
  // else is at least kMinGlideMs.
  void set_animation_ms(int ms) { animation_ms_ = ms <= 0 ? 0 : std::max(ms, kMinGlideMs); }
  // facts() are what the scene learned from events (the context tree).
  const SceneFacts& facts() const { return facts_; }
  // chip_rect_shown() is where goroutine g's chip is drawn now (mid-glide included), or an
  // empty rect if it has none.
  QRectF chip_rect_shown(uint64_t g) const;
  // layout() is the geometry shown now (tests).
  const SchedulerLayout& scene_layout() const { return layout_; }
  // paint_times_us() are the last paint durations in microseconds (benchmarks).
  const std::deque<int64_t>& paint_times_us() const { return paint_times_us_; }
  // steals_in_flight() is how many steal arrows are drawn now (one per victim/thief pair).
  int steals_in_flight() const { return static_cast<int>(flights_.size()); }
  // Badge is one badge the last paint drew in a panel's title row (a preemption, handoff,
  // mode switch or steal), for tests.
  struct Badge {
    QRectF rect;
    QString text;
  };
  const std::vector<Badge>& badges() const { return badges_; }

  QSize sizeHint() const override;

 signals:
  // layoutApplied() follows each posted snapshot that is now shown.
  void layoutApplied();

 public:
  QSize minimumSizeHint() const override;
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int w) const override;

 protected:
  void paintEvent(QPaintEvent*) override;
  void resizeEvent(QResizeEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  bool event(QEvent*) override;
  void changeEvent(QEvent*) override;

 private:
  struct ChipMotion {
    QRectF from, to;
    double start_ms = 0;
    double appear_ms = -1;     // when it faded in (-1: was already there)
    bool running = false;
  };
  struct Ghost {               // an ended goroutine fading out
    uint64_t g;
    QRectF rect;
    double start_ms;
  };
  struct Flight {              // a steal arrow, up until the thief's next highlight
    int thief, victim, count;  // count: goroutines taken in them
    double start_ms;
    int steals = 1;
    int64_t ts = 0;            // engine time of its newest steal
  };
  struct Flash {               // a highlight badge: on a P card (proc) or an object's panel
    int proc = -1;
    uint64_t object = 0;
    QString text;
    QColor color;
    double start_ms;
    int times = 1;             // events it stands for
    bool lasting = true;       // until the next on its target (false: kFlashMs, a preemption)
    int64_t ts = 0;            // engine time of its newest event
  };
  // forget_after() drops the highlights and held events later than engine time `now_ns` (the
  // scene was moved back to an earlier moment).
  void forget_after(int64_t now_ns);
  // highlight() makes `f` the lasting highlight of its P or object (replacing the last one
  // there), or adds one more of the same if `batch` already made one like it.
  void highlight(Flash f, bool batch);
  // apply_events_through() shows the held events up to engine time `now_ns`, as one step.
  void apply_events_through(int64_t now_ns);
  std::vector<gor::Event> held_events_;  // given to add_events(), newer than the snapshot shown
  void relayout();
  void on_tick();
  double now_ms() const { return static_cast<double>(clock_.nsecsElapsed()) / 1e6; }
  QRectF chip_rect_now(uint64_t g, const SceneChip& chip, double t, double* alpha) const;
  const gor::GoroutineInfo* info(uint64_t g) const;
  uint64_t chip_at(QPointF pos) const;
  LayoutMetrics metrics() const;
  // index_goroutines() maps snapshot_'s goroutine ids to their place (info()).
  void index_goroutines();

  GoroutineSelection& selection_;
  std::optional<gor::Snapshot> snapshot_;
  std::unordered_map<uint64_t, size_t> info_index_;
  SchedulerLayout layout_;
  std::unordered_map<uint64_t, ChipMotion> motion_;
  std::vector<Ghost> ghosts_;
  std::vector<Flight> flights_;
  std::vector<Flash> flashes_;
  std::vector<Badge> badges_;  // drawn by the last paint
  SceneFacts facts_;
  int layout_width_ = -1;  // the width layout_ was computed for
  QTimer tick_;
  QElapsedTimer clock_;
  int animation_ms_ = 320;
  std::deque<int64_t> paint_times_us_;
  QImage background_;         // panels, labels, slots and bars of layout_ (paint_scene_layer)
  // Built is what a post_snapshot() job hands back.
  struct Built {
    std::shared_ptr<gor::Snapshot> snapshot;
    SchedulerLayout layout;
    QImage layer;
    std::vector<std::pair<ChipLook, QImage>> sprites;  // the layout's chips, not selected
    int width = 0;
    uint64_t generation = 0;
    size_t contexts = 0;  // the context facts it was laid out with
  };
  void start_build(std::function<gor::Snapshot()> make);
  void on_built();
  // apply_layout() shows `next` (laid out for snapshot_ at layout_width_), animating from the
  // current layout; `layer`, if not null, is its still layer.
  void apply_layout(SchedulerLayout next, QImage layer);
  QThreadPool build_pool_;  // one thread, niced (waits for a job in flight when destroyed)
  QFutureWatcher<Built>* builder_ = nullptr;
  bool building_ = false;
  std::function<gor::Snapshot()> next_make_;     // posted while a job ran
  std::shared_ptr<gor::Snapshot> retired_;       // the snapshot replaced last, freed by the next job
  uint64_t build_generation_ = 0;                // results of jobs started before a change are dropped
  bool layer_dirty_ = true;   // layout_ changed since background_ was painted
  std::unordered_map<ChipLook, QImage, ChipLookHash> sprites_;  // chips as painted (render_chip_sprite)
};

}  // namespace goroscope::gui
