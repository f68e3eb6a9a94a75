#include "views/timeline_canvas.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QStringList>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "model/selection.hpp"

namespace goroscope::gui {

TimelineCanvas::TimelineCanvas(const TimelineModel& model, GoroutineSelection& selection, QWidget* parent)
    : QWidget(parent), model_(model), selection_(selection) {
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setToolTip(QString());
  scene_.geometry.show(0, 1'000'000);
  connect(&selection_, &GoroutineSelection::changed, this, [this](uint64_t g) {
    scene_.selected = g;
    scene_.related = selection_.related();
    if (scene_.related.empty()) scene_.race.reset();  // another selection replaces the race's
    update();
  });
}

TimelineLayout TimelineCanvas::current_layout() const {
  return scene_layout(QRectF(rect()), model_, scene_);
}

void TimelineCanvas::sync_width() {
  const double w = current_layout().plot.width();
  if (std::abs(w - scene_.geometry.width()) <= 0.5) return;
  scene_.geometry.set_width(w);
  if (pin_t0_ >= 0 && !follow_) {  // a shown range stays shown as the widget gets its real size
    scene_.geometry.show(pin_t0_, pin_t1_);
  } else if (fitted_ && !follow_) {  // a fitted view stays fitted as the widget gets its real size
    const int64_t end = std::max<int64_t>(model_.end_ns(), 1000);
    scene_.geometry.show(0, end + end / 50);
  }
}

void TimelineCanvas::data_changed() {
  sync_width();
  if (follow_) {
    const int64_t end = std::max<int64_t>(model_.end_ns(), 1000);
    if (follow_all_) {
      scene_.geometry.show(0, end + end / 50);
    } else {
      const int64_t span = scene_.geometry.t1() - scene_.geometry.t0();
      const int64_t t0 = std::max<int64_t>(0, end + span / 50 - span);
      scene_.geometry.show(t0, t0 + span);
    }
    emit viewChanged(scene_.geometry.t0(), scene_.geometry.t1());
  }
  update();
}

void TimelineCanvas::fit() {
  pin_t0_ = pin_t1_ = -1;
  sync_width();
  fitted_ = true;
  const int64_t end = std::max<int64_t>(model_.end_ns(), 1000);
  scene_.geometry.show(0, end + end / 50);
  update();
  emit viewChanged(scene_.geometry.t0(), scene_.geometry.t1());
}

void TimelineCanvas::set_follow(bool on) {
  if (on == follow_) return;
  follow_ = on;
  if (on) pin_t0_ = pin_t1_ = -1;
  emit followChanged(on);
  if (on) data_changed();
}

void TimelineCanvas::zoom_by(double factor) {
  sync_width();
  scene_.geometry.zoom(factor, scene_.geometry.width() / 2);
  user_moved();
}

void TimelineCanvas::set_goroutine_lanes(std::vector<uint64_t> gs, size_t left_out) {
  if (gs == scene_.goroutine_lanes && left_out == scene_.goroutines_without_lane) return;
  scene_.goroutine_lanes = std::move(gs);
  scene_.goroutines_without_lane = left_out;
  update();
}

void TimelineCanvas::set_thread_lanes(std::vector<int> ms) {
  if (ms == scene_.thread_lanes) return;
  scene_.thread_lanes = std::move(ms);
  update();
}

void TimelineCanvas::set_race(std::shared_ptr<const RaceEdges> race) {
  scene_.race = std::move(race);
  update();
}

void TimelineCanvas::show_range(int64_t t0, int64_t t1) {
  sync_width();
  if (follow_) {
    follow_ = false;
    emit followChanged(false);
  }
  follow_all_ = false;
  fitted_ = false;
  pin_t0_ = std::max<int64_t>(0, t0);
  pin_t1_ = std::max(t1, pin_t0_ + 1000);
  scene_.geometry.show(pin_t0_, pin_t1_);
  update();
  emit viewChanged(scene_.geometry.t0(), scene_.geometry.t1());
}

void TimelineCanvas::set_cursor_enabled(bool on) {
  cursor_enabled_ = on;
  if (!on) set_cursor(-1);
}

void TimelineCanvas::set_cursor(int64_t t) {
  if (t == scene_.cursor) return;
  scene_.cursor = t;
  update();
  if (t >= 0) emit cursorMoved(t);
}

void TimelineCanvas::clear_range() {
  scene_.range_t0 = scene_.range_t1 = -1;
  update();
  emit rangeSelected(-1, -1);
}

void TimelineCanvas::user_moved() {
  pin_t0_ = pin_t1_ = -1;
  follow_all_ = false;
  fitted_ = false;
  if (follow_) {
    follow_ = false;
    emit followChanged(false);
  }
  scene_.geometry.keep_within(0, std::max<int64_t>(model_.end_ns(), 1000));
  update();
  emit viewChanged(scene_.geometry.t0(), scene_.geometry.t1());
}

long TimelineCanvas::slice_at(QPoint pos, int* lane) const {
  const TimelineLayout L = current_layout();
  const int l = L.lane_at(pos.y());
  if (l < 0 || l >= model_.lane_count() || pos.x() < L.plot.left() - 3 || pos.x() > L.plot.right() + 3) return -1;
  if (lane) *lane = l;
  const int64_t t = scene_.geometry.t_of(pos.x() - L.plot.left());
  return model_.span_at(l, t, static_cast<int64_t>(std::ceil(3 * scene_.geometry.ns_per_px())));
}

uint64_t TimelineCanvas::goroutine_at(QPoint pos) const {
  const TimelineLayout L = current_layout();
  if (const int l = L.lane_at(pos.y()); l >= L.p_lanes + L.thread_lanes && pos.x() >= L.plot.left())
    return scene_.goroutine_lanes[static_cast<size_t>(l - L.p_lanes - L.thread_lanes)];
  if (const ThreadSpan* s = thread_span_at(pos)) return s->p < 0 ? s->g : 0;  // a syscall's goroutine
  int lane = -1;
  const long i = slice_at(pos, &lane);
  return i < 0 ? 0 : model_.spans(lane)[static_cast<size_t>(i)].g;
}

const Marker* TimelineCanvas::race_marker_at(QPoint pos) const {
  const TimelineLayout L = current_layout();
  const int lane = L.lane_at(pos.y());
  if (lane < 0 || lane >= model_.lane_count()) return nullptr;
  const std::vector<Marker>& ms = model_.markers(lane, MarkerKind::Race);
  const double ns_px = scene_.geometry.ns_per_px();
  const int64_t t = scene_.geometry.t_of(pos.x() - L.plot.left());
  const int64_t tol = static_cast<int64_t>(std::ceil(5 * ns_px));
  auto it = std::lower_bound(ms.begin(), ms.end(), t - tol, [](const Marker& m, int64_t v) { return m.ts < v; });
  const Marker* best = nullptr;
  for (; it != ms.end() && it->ts <= t + tol; ++it)
    if (!best || std::abs(it->ts - t) < std::abs(best->ts - t)) best = &*it;
  return best;
}

long TimelineCanvas::steal_marker_at(QPoint pos, int* lane) const {
  const TimelineLayout L = current_layout();
  const int l = L.lane_at(pos.y());
  // The marker strip and the slice's top edge, 6 px either side of the glyph: a target of at
  // least 12 x 11 px around its 9-px triangle.
  if (l < 0 || l >= model_.lane_count() || pos.y() > L.slice_rect(l).top() + 3) return -1;
  const std::vector<Marker>& ms = model_.markers(l, MarkerKind::Steal);
  const double ns_px = scene_.geometry.ns_per_px();
  const int64_t t = scene_.geometry.t_of(pos.x() - L.plot.left());
  const int64_t tol = static_cast<int64_t>(std::ceil(kStealTargetHalfWidth * ns_px));
  auto it = std::lower_bound(ms.begin(), ms.end(), t - tol, [](const Marker& m, int64_t v) { return m.ts < v; });
  long best = -1;
  for (; it != ms.end() && it->ts <= t + tol; ++it)
    if (best < 0 || std::abs(it->ts - t) < std::abs(ms[static_cast<size_t>(best)].ts - t)) best = it - ms.begin();
  if (best >= 0 && lane) *lane = l;
  return best;
}

const ThreadSpan* TimelineCanvas::thread_span_at(QPoint pos) const {
  const TimelineLayout L = current_layout();
  const int l = L.lane_at(pos.y());
  if (l < L.p_lanes || l >= L.p_lanes + L.thread_lanes || pos.x() < L.plot.left()) return nullptr;
  const int m = scene_.thread_lanes[static_cast<size_t>(l - L.p_lanes)];
  if (m < 0 || m >= model_.story().thread_count()) return nullptr;
  const std::vector<ThreadSpan>& spans = model_.story().thread(m);
  const int64_t t = scene_.geometry.t_of(pos.x() - L.plot.left());
  const int64_t tol = static_cast<int64_t>(std::ceil(2 * scene_.geometry.ns_per_px()));
  auto it = std::partition_point(spans.begin(), spans.end(), [&](const ThreadSpan& s) { return s.start <= t + tol; });
  if (it == spans.begin()) return nullptr;
  const ThreadSpan& s = *(it - 1);
  const int64_t end = s.end == INT64_MAX ? model_.end_ns() : s.end;
  return end + tol >= t ? &s : nullptr;
}

QString TimelineCanvas::lane_tip(QPoint pos) const {
  const TimelineLayout L = current_layout();
  const int l = L.lane_at(pos.y());
  if (l < L.p_lanes || pos.x() < L.plot.left() || pos.x() > L.plot.right()) return {};
  const int64_t t = scene_.geometry.t_of(pos.x() - L.plot.left());
  auto name = [&](uint64_t g) { return describe_ ? describe_(g) : QStringLiteral("G%1").arg(g); };
  if (l < L.p_lanes + L.thread_lanes) {
    const int m = scene_.thread_lanes[static_cast<size_t>(l - L.p_lanes)];
    const ThreadSpan* s = thread_span_at(pos);
    if (!s) return tr("M%1 (an OS thread): idle or spinning here").arg(m);
    const int64_t end = s->end == INT64_MAX ? model_.end_ns() : s->end;
    return (s->p >= 0 ? tr("M%1 holds P%2 and runs its goroutines").arg(m).arg(s->p)
                      : tr("M%1 sits in a blocking syscall of %2, holding no P").arg(m).arg(name(s->g))) +
           tr("\n%1 for %2").arg(QString::fromStdString(format_span(s->start)), QString::fromStdString(format_span(end - s->start)));
  }
  const uint64_t g = scene_.goroutine_lanes[static_cast<size_t>(l - L.p_lanes - L.thread_lanes)];
  const int64_t tol = static_cast<int64_t>(std::ceil(scene_.geometry.ns_per_px()));
  QString what = tr("running");
  std::vector<BlockSpan> waits;
  model_.waits_of(g, t, t, waits);
  for (const BlockSpan& w : waits)
    if (w.start <= t + tol && w.end + tol >= t) {
      what = w.reason == kRunnableReason ? tr("runnable (queued, waiting for a P)")
                                         : tr("blocked: %1").arg(QString::fromStdString(wait_reason_name(w.reason)));
      if (const QString on = w.object && scene_.object_name ? scene_.object_name(w.object) : QString(); !on.isEmpty())
        what += QLatin1Char(' ') + on;
      what += tr(" from %1 for %2").arg(QString::fromStdString(format_span(w.start)), QString::fromStdString(format_span(w.end - w.start)));
    }
  if (waits.empty() && !model_.next_span_after(g, 0)) what = tr("not started");
  const TimelineStory& story = model_.story();
  for (uint32_t k : story.holds_of(g)) {
    const HoldSpan& h = story.holds()[k];
    const int64_t end = h.end == INT64_MAX ? model_.end_ns() : h.end;
    if (h.start <= t && end >= t) {
      const QString mutex = scene_.object_name ? scene_.object_name(h.object) : QString();
      what += tr("\nholds %1 (locked at %2, for %3)")
                  .arg(mutex.isEmpty() ? tr("a lock") : mutex, QString::fromStdString(format_span(h.start)),
                       QString::fromStdString(format_span(end - h.start)));
    }
  }
  return tr("%1 at %2: %3\nclick: select it").arg(name(g), QString::fromStdString(format_span(t)), what);
}

QPoint TimelineCanvas::steal_point(int lane, size_t index) const {
  const TimelineLayout L = current_layout();
  const Marker& m = model_.markers(lane, MarkerKind::Steal)[index];
  const double x = L.plot.left() + scene_.geometry.x_of(m.ts);
  const double y = (L.lane_rect(lane).top() + L.slice_rect(lane).top()) / 2;
  return QPoint(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)));
}

QPoint TimelineCanvas::point_of(int lane, size_t index) const {
  const TimelineLayout L = current_layout();
  const RunSpan& s = model_.spans(lane)[index];
  const int64_t a = std::max(s.start, scene_.geometry.t0()), b = std::min(model_.span_end(s), scene_.geometry.t1());
  const double x = L.plot.left() + scene_.geometry.x_of(a + (b - a) / 2);
  return QPoint(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(L.slice_rect(lane).center().y())));
}

bool TimelineCanvas::event(QEvent* e) {
  if (e->type() == QEvent::ShortcutOverride) {  // our keys win over the window's (→ steps the run)
    const int k = static_cast<QKeyEvent*>(e)->key();
    if (k == Qt::Key_Left || k == Qt::Key_Right || k == Qt::Key_Plus || k == Qt::Key_Minus || k == Qt::Key_Equal ||
        k == Qt::Key_Home || k == Qt::Key_F) {
      e->accept();
      return true;
    }
  }
  return QWidget::event(e);
}

void TimelineCanvas::paintEvent(QPaintEvent*) {
  sync_width();
  QPainter p(this);
  paint_timeline(p, QRectF(rect()), model_, scene_, TimelineStyle::from_palette(palette()));
  if (hasFocus()) {
    p.setPen(QPen(palette().color(QPalette::Highlight), 1));
    p.drawRect(rect().adjusted(0, 0, -1, -1));
  }
}

void TimelineCanvas::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  const bool was_follow = follow_;
  sync_width();
  if (was_follow) data_changed();
}

void TimelineCanvas::wheelEvent(QWheelEvent* e) {
  const TimelineLayout L = current_layout();
  const QPoint d = e->angleDelta();
  if ((e->modifiers() & Qt::ShiftModifier) || std::abs(d.x()) > std::abs(d.y())) {
    scene_.geometry.pan(-(d.x() ? d.x() : d.y()) / 120.0 * scene_.geometry.width() / 10);
  } else {
    scene_.geometry.zoom(std::pow(1.0015, d.y()), e->position().x() - L.plot.left());
  }
  user_moved();
  e->accept();
}

void TimelineCanvas::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  setFocus(Qt::MouseFocusReason);
  press_pos_ = e->pos();
  press_t0_ = scene_.geometry.t0();
  moved_ = false;
  if (cursor_enabled_ && (e->modifiers() & Qt::ControlModifier)) {
    drag_ = Drag::Cursor;
    set_cursor(std::max<int64_t>(0, scene_.geometry.t_of(e->pos().x() - current_layout().plot.left())));
  } else if (e->modifiers() & Qt::ShiftModifier) {
    drag_ = Drag::Range;
    const TimelineLayout L = current_layout();
    scene_.range_t0 = scene_.range_t1 = std::max<int64_t>(0, scene_.geometry.t_of(e->pos().x() - L.plot.left()));
  } else {
    drag_ = Drag::Pan;
  }
}

void TimelineCanvas::mouseMoveEvent(QMouseEvent* e) {
  const TimelineLayout L = current_layout();
  if (drag_ == Drag::Pan) {
    const int dx = press_pos_.x() - e->pos().x();
    if (!moved_ && std::abs(dx) < 4) return;
    moved_ = true;
    scene_.geometry = TimelineGeometry(press_t0_, scene_.geometry.ns_per_px(), scene_.geometry.width());
    scene_.geometry.pan(dx);
    setCursor(Qt::ClosedHandCursor);
    user_moved();
    return;
  }
  if (drag_ == Drag::Cursor) {
    set_cursor(std::clamp<int64_t>(scene_.geometry.t_of(e->pos().x() - L.plot.left()), 0, model_.end_ns()));
    return;
  }
  if (drag_ == Drag::Range) {
    moved_ = true;
    scene_.range_t1 = std::max<int64_t>(0, scene_.geometry.t_of(e->pos().x() - L.plot.left()));
    update();
    return;
  }
  int lane = -1;
  if (const long si = steal_marker_at(e->pos(), &lane); si >= 0) {
    const Marker& m = model_.markers(lane, MarkerKind::Steal)[static_cast<size_t>(si)];
    QStringList moved;
    for (uint64_t g : model_.stolen_by(lane, static_cast<size_t>(si)))
      moved << (describe_ ? describe_(g) : QStringLiteral("G%1").arg(g));
    QToolTip::showText(e->globalPosition().toPoint(),
                       tr("P%1 stole %2 goroutine(s) from P%3 at %4%5\nclick: list them")
                           .arg(lane).arg(m.a1).arg(m.a0).arg(QString::fromStdString(format_span(m.ts)))
                           .arg(moved.isEmpty() ? QString() : QStringLiteral(":\n") + moved.join(QStringLiteral(", "))),
                       this);
    return;
  }
  const long i = slice_at(e->pos(), &lane);
  const uint64_t g = i < 0 ? goroutine_at(e->pos()) : model_.spans(lane)[static_cast<size_t>(i)].g;
  if (g != scene_.hovered) {
    scene_.hovered = g;
    update();
  }
  if (i < 0) {
    if (const QString tip = lane_tip(e->pos()); !tip.isEmpty())
      QToolTip::showText(e->globalPosition().toPoint(), tip, this);
    else
      QToolTip::hideText();
    return;
  }
  const RunSpan& s = model_.spans(lane)[static_cast<size_t>(i)];
  const int64_t end = model_.span_end(s);
  const QString who = describe_ ? describe_(s.g) : QStringLiteral("G%1").arg(s.g);
  QToolTip::showText(e->globalPosition().toPoint(),
                     QStringLiteral("%1 on P%2\n%3 for %4%5\nclick: select · arrows: who woke it, whom it woke")
                         .arg(who)
                         .arg(lane)
                         .arg(QString::fromStdString(format_span(s.start)))
                         .arg(QString::fromStdString(format_span(end - s.start)))
                         .arg(s.end == kOpenEnd ? QStringLiteral(" (running)") : QString()),
                     this);
}

void TimelineCanvas::mouseReleaseEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return;
  const Drag drag = drag_;
  drag_ = Drag::None;
  unsetCursor();
  if (drag == Drag::Range) {
    scene_.range_t1 = std::max<int64_t>(0, scene_.geometry.t_of(e->pos().x() - current_layout().plot.left()));
    if (scene_.range_t0 == scene_.range_t1) {
      clear_range();
    } else {
      if (scene_.range_t1 < scene_.range_t0) std::swap(scene_.range_t0, scene_.range_t1);
      update();
      emit rangeSelected(scene_.range_t0, scene_.range_t1);
    }
    return;
  }
  if (drag == Drag::Pan && !moved_) {
    if (const Marker* m = race_marker_at(e->pos())) {
      emit raceClicked(m->ts, m->g);
      return;
    }
    int lane = -1;
    if (const long si = steal_marker_at(e->pos(), &lane); si >= 0) {
      emit stealClicked(lane, si);
      return;
    }
    if (cursor_enabled_)
      set_cursor(std::clamp<int64_t>(scene_.geometry.t_of(e->pos().x() - current_layout().plot.left()), 0, model_.end_ns()));
    selection_.select(goroutine_at(e->pos()));
  }
}

void TimelineCanvas::keyPressEvent(QKeyEvent* e) {
  const double w = scene_.geometry.width();
  switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoom_by(1.5); break;
    case Qt::Key_Minus: zoom_by(1 / 1.5); break;
    case Qt::Key_Left:
      scene_.geometry.pan(-w / 8);
      user_moved();
      break;
    case Qt::Key_Right:
      scene_.geometry.pan(w / 8);
      user_moved();
      break;
    case Qt::Key_Home:
    case Qt::Key_F:
      follow_all_ = false;
      fit();
      break;
    case Qt::Key_Escape: clear_range(); break;
    default: QWidget::keyPressEvent(e); return;
  }
  e->accept();
}

void TimelineCanvas::leaveEvent(QEvent* e) {
  QWidget::leaveEvent(e);
  if (scene_.hovered) {
    scene_.hovered = 0;
    update();
  }
}

}  // namespace goroscope::gui
