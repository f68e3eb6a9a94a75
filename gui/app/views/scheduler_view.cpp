#include "views/scheduler_view.hpp"

#include "views/scene_layer.hpp"

#include <QtConcurrent/QtConcurrentRun>

#include <sys/resource.h>
#include <unistd.h>

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QResizeEvent>
#include <QToolTip>

#include <algorithm>
#include <unordered_set>
#include <map>
#include <tuple>
#include <cmath>

#include "model/event_text.hpp"
#include "model/selection.hpp"
#include "model/glossary.hpp"
#include "views/scene_glossary.hpp"
#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

namespace {

constexpr double kGrowMs = 500;      // a steal arrow grows from victim to thief
constexpr double kFlashMs = 1200;    // a preemption badge's lifetime; a new highlight's pulse
constexpr double kFadeMs = 260;      // fade in / out of chips

double ease(double t) {
  t = std::clamp(t, 0.0, 1.0);
  return t < 0.5 ? 4 * t * t * t : 1 - std::pow(-2 * t + 2, 3) / 2;  // ease-in-out cubic
}

QRectF lerp(const QRectF& a, const QRectF& b, double t) {
  return QRectF(a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t,
                a.width() + (b.width() - a.width()) * t, a.height() + (b.height() - a.height()) * t);
}

QColor with_alpha(QColor c, double a) {
  c.setAlphaF(std::clamp(a, 0.0, 1.0) * c.alphaF());
  return c;
}

}  // namespace

SchedulerView::SchedulerView(GoroutineSelection& selection, QWidget* parent)
    : QWidget(parent), selection_(selection) {
  build_pool_.setMaxThreadCount(1);
  builder_ = new QFutureWatcher<Built>(this);
  connect(builder_, &QFutureWatcher<Built>::finished, this, &SchedulerView::on_built);
  setMouseTracking(true);
  setAttribute(Qt::WA_OpaquePaintEvent);
  QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
  tick_.setInterval(16);
  connect(&tick_, &QTimer::timeout, this, &SchedulerView::on_tick);
  connect(&selection_, &GoroutineSelection::changed, this, [this] { update(); });
  clock_.start();
}

LayoutMetrics SchedulerView::metrics() const {
  LayoutMetrics m;
  m.font = font();
  const double h = QFontMetricsF(m.font).height();
  m.chip_height = std::max(20.0, std::round(h + 8));
  return m;
}

void SchedulerView::clear() {
  ++build_generation_;  // drop what is being laid out for the old run
  next_make_ = nullptr;
  snapshot_.reset();
  info_index_.clear();
  layout_ = SchedulerLayout{};
  layer_dirty_ = true;
  sprites_.clear();
  motion_.clear();
  ghosts_.clear();
  flights_.clear();
  flashes_.clear();
  held_events_.clear();
  facts_ = SceneFacts{};
  updateGeometry();
  update();
}

const gor::GoroutineInfo* SchedulerView::info(uint64_t g) const {
  auto it = info_index_.find(g);
  return it == info_index_.end() ? nullptr : &snapshot_->goroutines[it->second];
}

void SchedulerView::post_snapshot(std::function<gor::Snapshot()> make) {
  if (building_) {
    next_make_ = std::move(make);  // the newest waits; an older one waiting is dropped
    return;
  }
  start_build(std::move(make));
}

void SchedulerView::start_build(std::function<gor::Snapshot()> make) {
  building_ = true;
  const int w = std::max(320, width());
  const LayoutMetrics m = metrics();
  const SceneStyle style{palette(), font()};
  const qreal dpr = devicePixelRatioF();
  const QSize now = size();
  const uint64_t generation = build_generation_;
  std::shared_ptr<gor::Snapshot> retired = std::move(retired_);
  SceneFacts facts = facts_;
  // Values only: the job never touches this widget (it may be gone when the job ends).
  builder_->setFuture(QtConcurrent::run(&build_pool_, [make = std::move(make), w, m, style, dpr, now, generation, retired, facts = std::move(facts)]() mutable {
    // Below the UI thread, level with the engine: the frames come first.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
    retired.reset();  // the replaced snapshot's strings are freed here, not on the UI thread
    Built b;
    b.snapshot = std::make_shared<gor::Snapshot>(make());
    b.layout = compute_scheduler_layout(*b.snapshot, w, m, &facts);
    b.contexts = facts.context_parent.size();
    b.width = w;
    b.generation = generation;
    // As tall as the widget will be once it follows the layout's height (it never shrinks
    // below the viewport it had).
    const QSize layer(now.width(), std::max(now.height(), static_cast<int>(std::ceil(b.layout.height))));
    if (!layer.isEmpty()) b.layer = render_scene_layer(b.layout, layer, dpr, style);
    // The chips' sprites too (new goroutines' would be painted in the UI's next frame).
    b.sprites.reserve(b.layout.chips.size());
    const QColor ink = style.palette.color(QPalette::WindowText);
    for (const SceneChip& c : b.layout.chips) {
      const ChipLook look{c.g, static_cast<int>(std::lround(c.rect.width())), static_cast<int>(std::lround(c.rect.height())),
                          c.running, false};
      std::string label;
      if (c.running) {  // only running chips show a label: few, so a search is fine
        auto it = std::find_if(b.snapshot->goroutines.begin(), b.snapshot->goroutines.end(),
                               [&](const gor::GoroutineInfo& gi) { return gi.id == c.g; });
        if (it != b.snapshot->goroutines.end()) label = it->label;
      }
      b.sprites.emplace_back(look, render_chip_sprite(look, chip_label(c.g, c.running, label), dpr, ink, style.font));
    }
    return b;
  }));
}

void SchedulerView::on_built() {
  building_ = false;
  Built b = builder_->result();
  if (b.generation == build_generation_ && b.snapshot) {
    if (snapshot_ && b.snapshot->now_ns < snapshot_->now_ns) forget_after(b.snapshot->now_ns);
    if (snapshot_) retired_ = std::make_shared<gor::Snapshot>(std::move(*snapshot_));
    snapshot_ = std::move(*b.snapshot);
    index_goroutines();
    apply_events_through(snapshot_->now_ns);
    // The job laid the scene out with the facts of its start: a cancel since (or a move back
    // before one) redoes it.
    if (b.width == std::max(320, width()) && facts_.context_parent.size() == b.contexts) {
      layout_width_ = b.width;
      if (sprites_.size() > 4096) sprites_.clear();
      for (auto& [look, image] : b.sprites) sprites_.try_emplace(look, std::move(image));
      apply_layout(std::move(b.layout), std::move(b.layer));
    } else {
      relayout();  // resized meanwhile, or the context tree grew
    }
    emit layoutApplied();
  }
  if (next_make_) start_build(std::exchange(next_make_, nullptr));
}

void SchedulerView::set_snapshot(gor::Snapshot s) {
  ++build_generation_;  // a job in flight is older than this
  next_make_ = nullptr;
  if (snapshot_ && s.now_ns < snapshot_->now_ns) forget_after(s.now_ns);
  snapshot_ = std::move(s);
  index_goroutines();
  apply_events_through(snapshot_->now_ns);
  relayout();
}

void SchedulerView::index_goroutines() {
  info_index_.clear();
  info_index_.reserve(snapshot_->goroutines.size());
  for (size_t i = 0; i < snapshot_->goroutines.size(); ++i) info_index_[snapshot_->goroutines[i].id] = i;
}

void SchedulerView::relayout() {
  if (!snapshot_) return;
  layout_width_ = std::max(320, width());
  apply_layout(compute_scheduler_layout(*snapshot_, layout_width_, metrics(), &facts_), QImage());
}

void SchedulerView::apply_layout(SchedulerLayout next_layout, QImage layer) {
  const double t = now_ms();
  // Where every chip is drawn right now (mid-flight ones included) becomes the start.
  std::unordered_map<uint64_t, QRectF> shown;
  for (const SceneChip& c : layout_.chips) {
    double alpha = 1;
    shown[c.g] = chip_rect_now(c.g, c, t, &alpha);
  }
  const double old_height = layout_.height;
  layout_ = std::move(next_layout);
  if (!layer.isNull()) {
    background_ = std::move(layer);
    layer_dirty_ = false;
  } else {
    layer_dirty_ = true;
  }
  std::unordered_map<uint64_t, ChipMotion> next;
  for (const SceneChip& c : layout_.chips) {
    ChipMotion mo;
    mo.to = c.rect;
    mo.running = c.running;
    auto it = shown.find(c.g);
    if (it != shown.end()) {
      auto old = motion_.find(c.g);
      const bool gliding = old != motion_.end() && animation_ms_ > 0 && t - old->second.start_ms < animation_ms_;
      if (old != motion_.end() && old->second.to == c.rect) {
        mo = old->second;  // same place: its glide (if any) goes on
      } else if (gliding) {
        mo.from = c.rect;  // moved again mid-glide: it lands at once where it is now
        mo.start_ms = t - animation_ms_;
      } else {
        mo.from = it->second;
        mo.start_ms = t;
      }
      shown.erase(it);
    } else {
      mo.from = c.rect;
      mo.start_ms = t;
      mo.appear_ms = t;
    }
    next[c.g] = mo;
  }
  // Chips that vanished: ended goroutines fade out where they were; others (now inside a
  // "+N") just disappear.
  for (auto& [g, rect] : shown)
    if (!info_index_.count(g)) ghosts_.push_back({g, rect, t});
  motion_ = std::move(next);
  if (std::abs(old_height - layout_.height) > 0.5) updateGeometry();
  if (!tick_.isActive()) tick_.start();
  update();
}

void SchedulerView::highlight(Flash f, bool batch) {
  const bool on_proc = f.proc >= 0;
  auto same_target = [&](const Flash& o) { return o.lasting && (on_proc ? o.proc == f.proc : (o.proc < 0 && o.object == f.object)); };
  if (batch) {
    for (Flash& o : flashes_)
      if (same_target(o) && o.text == f.text) {
        ++o.times;
        o.ts = f.ts;
        return;
      }
  }
  std::erase_if(flashes_, same_target);
  if (on_proc) std::erase_if(flights_, [&](const Flight& fl) { return fl.thief == f.proc; });
  flashes_.push_back(std::move(f));
}

void SchedulerView::forget_after(int64_t now_ns) {
  std::erase_if(flights_, [&](const Flight& f) { return f.ts > now_ns; });
  std::erase_if(flashes_, [&](const Flash& f) { return f.ts > now_ns; });
  std::erase_if(held_events_, [&](const gor::Event& e) { return e.ts > now_ns; });  // they come again
  for (auto it = facts_.context_cancelled_at.begin(); it != facts_.context_cancelled_at.end();) {
    if (it->second > now_ns) {  // cancelled later than the moment shown
      facts_.context_parent.erase(it->first);
      facts_.context_error.erase(it->first);
      it = facts_.context_cancelled_at.erase(it);
    } else {
      ++it;
    }
  }
}

void SchedulerView::add_events(const std::vector<gor::Event>& events, size_t first) {
  for (size_t i = first; i < events.size(); ++i) {
    switch (events[i].kind) {
      case gor::EventKind::Steal:
      case gor::EventKind::Handoff:
      case gor::EventKind::GoPreempted:
      case gor::EventKind::MutexMode:
      case gor::EventKind::ChanClose:
      case gor::EventKind::ContextCancel: held_events_.push_back(events[i]); break;
      default: break;
    }
  }
  if (snapshot_) apply_events_through(snapshot_->now_ns);
}

void SchedulerView::apply_events_through(int64_t now_ns) {
  const double t = now_ms();
  std::unordered_set<int> procs_in_batch;       // Ps highlighted by this step
  std::unordered_set<uint64_t> objects_in_batch;
  size_t used = 0;
  for (; used < held_events_.size() && held_events_[used].ts <= now_ns; ++used) {
    const gor::Event& e = held_events_[used];
    switch (e.kind) {
      case gor::EventKind::Steal: {
        // The thief's highlight: steals from the same victim in one call are one arrow with
        // their counts summed; any other highlight of the thief replaces it.
        const int victim = static_cast<int>(e.a0), count = static_cast<int>(e.a1);
        auto f = std::find_if(flights_.begin(), flights_.end(), [&](const Flight& f) { return f.thief == e.p; });
        if (f != flights_.end() && f->victim == victim && procs_in_batch.count(e.p)) {
          f->count += count;
          ++f->steals;
          f->ts = e.ts;
        } else {
          std::erase_if(flights_, [&](const Flight& fl) { return fl.thief == e.p; });
          std::erase_if(flashes_, [&](const Flash& o) { return o.lasting && o.proc == e.p; });
          flights_.push_back({e.p, victim, count, t, 1, e.ts});
        }
        procs_in_batch.insert(e.p);
        break;
      }
      case gor::EventKind::Handoff:
        highlight({e.p, 0, QStringLiteral("handoff"), QColor(0x8e, 0x5e, 0xa2), t, 1, true, e.ts}, procs_in_batch.count(e.p) > 0);
        procs_in_batch.insert(e.p);
        break;
      case gor::EventKind::GoPreempted: {
        Flash f{e.p, 0, QStringLiteral("preempted G%1").arg(e.g), QColor(0xe0, 0x8a, 0x1e), t, 1, false, e.ts};
        auto same = std::find_if(flashes_.begin(), flashes_.end(),
                                 [&](const Flash& o) { return !o.lasting && o.proc == f.proc && o.text == f.text; });
        if (same != flashes_.end()) {
          ++same->times;
          same->start_ms = t;
        } else {
          flashes_.push_back(std::move(f));
        }
        break;
      }
      case gor::EventKind::MutexMode:
        highlight({-1, e.a0, e.a1 ? QStringLiteral("→ STARVING") : QStringLiteral("→ normal"),
                   e.a1 ? QColor(0xe1, 0x57, 0x59) : QColor(0x59, 0xa1, 0x4f), t, 1, true, e.ts},
                  objects_in_batch.count(e.a0) > 0);
        objects_in_batch.insert(e.a0);
        break;
      case gor::EventKind::ChanClose:
        highlight({-1, e.a0, e.g ? QStringLiteral("closed by G%1").arg(e.g) : QStringLiteral("closed"),
                   QColor(0x6a, 0x70, 0x7a), t, 1, true, e.ts},
                  false);
        break;
      case gor::EventKind::ContextCancel:
        facts_.context_parent[e.a0] = e.a2;
        facts_.context_error[e.a0] = static_cast<int>(e.a1);
        facts_.context_cancelled_at[e.a0] = e.ts;
        break;
      default: break;
    }
  }
  held_events_.erase(held_events_.begin(), held_events_.begin() + static_cast<ptrdiff_t>(used));
  // Passing flashes (preemptions) are bounded: a burst must not pile up.
  if (flashes_.size() > 256) {
    auto passing = std::stable_partition(flashes_.begin(), flashes_.end(), [](const Flash& f) { return f.lasting; });
    if (passing != flashes_.end()) flashes_.erase(passing, passing + std::min<ptrdiff_t>(flashes_.end() - passing, flashes_.size() - 256));
  }
  if ((!flights_.empty() || !flashes_.empty()) && !tick_.isActive()) tick_.start();
}

void SchedulerView::on_tick() {
  const double t = now_ms();
  std::erase_if(flashes_, [&](const Flash& f) { return !f.lasting && t - f.start_ms > kFlashMs; });
  std::erase_if(ghosts_, [&](const Ghost& g) { return t - g.start_ms > kFadeMs; });
  bool moving = !ghosts_.empty();
  for (const Flight& f : flights_) moving = moving || t - f.start_ms < kGrowMs;
  for (const Flash& f : flashes_) moving = moving || t - f.start_ms < kFlashMs;
  for (const auto& [g, mo] : motion_)
    if (t - mo.start_ms < std::max<double>(animation_ms_, kFadeMs)) moving = true;
  update();
  if (!moving) tick_.stop();
}

QRectF SchedulerView::chip_rect_now(uint64_t g, const SceneChip& chip, double t, double* alpha) const {
  auto it = motion_.find(g);
  *alpha = 1;
  if (it == motion_.end()) return chip.rect;
  const ChipMotion& mo = it->second;
  if (mo.appear_ms >= 0) *alpha = std::clamp((t - mo.appear_ms) / kFadeMs, 0.0, 1.0);
  if (animation_ms_ <= 0) return mo.to;
  return lerp(mo.from, mo.to, ease((t - mo.start_ms) / animation_ms_));
}

int SchedulerView::heightForWidth(int w) const {
  if (!snapshot_) return 300;
  // The layout depends on the width only: the current one answers for its own width (a new
  // height asks the scroll area for heightForWidth after every layout of 10,000 goroutines).
  if (std::max(320, w) == layout_width_) return static_cast<int>(std::ceil(layout_.height));
  return static_cast<int>(std::ceil(compute_scheduler_layout(*snapshot_, w, metrics(), &facts_).height));
}

QSize SchedulerView::sizeHint() const { return QSize(900, std::max(300, static_cast<int>(layout_.height))); }
QSize SchedulerView::minimumSizeHint() const { return QSize(340, std::max(200, static_cast<int>(layout_.height))); }

void SchedulerView::resizeEvent(QResizeEvent* e) {
  if (!snapshot_) return;
  // Taller or shorter only (the scroll area following the layout's height): nothing moves.
  if (std::max(320, e->size().width()) == layout_width_ && e->oldSize().width() == e->size().width()) return;
  const int saved = animation_ms_;
  animation_ms_ = 0;  // a resize re-places chips at once
  relayout();
  animation_ms_ = saved;
}

void SchedulerView::changeEvent(QEvent* e) {
  if (e->type() == QEvent::FontChange || e->type() == QEvent::PaletteChange) {
    ++build_generation_;  // a layer being painted in the old style is of no use
    layer_dirty_ = true;
    sprites_.clear();
    relayout();
  }
  QWidget::changeEvent(e);
}

void SchedulerView::paintEvent(QPaintEvent*) {
  QElapsedTimer paint_clock;
  paint_clock.start();
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
  const QColor border = dark ? QColor(0x5a, 0x60, 0x6a) : QColor(0xc4, 0xc9, 0xd2);
  const QColor text = pal.color(QPalette::WindowText);
  const QColor dim = dark ? QColor(0xa0, 0xa6, 0xb0) : QColor(0x6a, 0x70, 0x7a);
  QFont base = font();
  QFont bold = base;
  bold.setBold(true);
  QFont small = base;
  small.setPointSizeF(std::max(7.0, base.pointSizeF() * 0.85));

  if (!snapshot_) {
    painter.fillRect(rect(), pal.color(QPalette::Window));
    painter.setPen(dim);
    painter.setFont(base);
    painter.drawText(rect(), Qt::AlignCenter, tr("Pick a sample and press Run to watch the scheduler."));
    return;
  }
  const double t = now_ms();

  // What only changes with the layout (panels, labels, buffer slots, starvation bars) is
  // painted once per snapshot into a cached layer; frames in between only blit it and draw
  // what moves.
  const qreal dpr = devicePixelRatioF();
  const QSize layer_size = (QSizeF(size()) * dpr).toSize();
  const bool layer_fits = background_.width() >= layer_size.width() && background_.height() >= layer_size.height() &&
                          background_.devicePixelRatio() == dpr;
  if (layer_dirty_ || !layer_fits) {
    // A new layout repaints the same image (paint_scene_layer() fills all of it): a fresh one
    // per snapshot would page-fault megabytes each time.
    if (!layer_fits) {
      background_ = QImage(layer_size, QImage::Format_ARGB32_Premultiplied);
      background_.setDevicePixelRatio(dpr);
    }
    QPainter layer(&background_);
    layer.setRenderHint(QPainter::Antialiasing);
    paint_scene_layer(layer, layout_, size(), SceneStyle{palette(), font()});
    layer_dirty_ = false;
  }
  painter.drawImage(0, 0, background_);

  // Ghosts (ended goroutines fading out).
  for (const Ghost& g : ghosts_) {
    const double a = 1 - std::clamp((t - g.start_ms) / kFadeMs, 0.0, 1.0);
    painter.setPen(Qt::NoPen);
    painter.setBrush(with_alpha(goroutine_color(g.g), a * 0.8));
    painter.drawRoundedRect(g.rect, g.rect.height() / 2, g.rect.height() / 2);
  }

  // Chips.
  // A chip is a sprite painted once per (goroutine, size, look) and blitted at its animated
  // place: antialiased pills and shaped text for every chip in every frame cost more than all
  // the rest of the scene.
  if (sprites_.size() > 4096) sprites_.clear();
  for (const SceneChip& c : layout_.chips) {
    double alpha = 1;
    const QRectF r = chip_rect_now(c.g, c, t, &alpha);
    const ChipLook key{c.g, static_cast<int>(std::lround(r.width())), static_cast<int>(std::lround(r.height())),
                       c.running, selection_.is_selected(c.g)};  // a race's two goroutines both
    auto sprite = sprites_.find(key);
    if (sprite == sprites_.end()) {
      const gor::GoroutineInfo* gi = info(c.g);
      sprite = sprites_.emplace(key, render_chip_sprite(key, chip_label(c.g, c.running, gi ? gi->label : std::string()),
                                                        devicePixelRatioF(), text, base)).first;
    }
    painter.setOpacity(alpha);
    painter.drawImage(r.topLeft() - QPointF(kChipSpriteMargin, kChipSpriteMargin), sprite->second);
    painter.setOpacity(1);
    if (!c.caption.isEmpty()) {
      painter.setFont(small);
      painter.setPen(c.urgency >= 1 ? QColor(0xe1, 0x57, 0x59) : dim);
      painter.drawText(c.caption_rect().translated(r.topLeft() - c.rect.topLeft()), Qt::AlignCenter, c.caption);
    }
  }
  for (const SceneOverflow& o : layout_.overflows) {
    painter.setPen(QPen(border, 1));
    painter.setBrush(dark ? QColor(0x4a, 0x4f, 0x58) : QColor(0xee, 0xef, 0xf2));
    painter.drawRoundedRect(o.rect, o.rect.height() / 2, o.rect.height() / 2);
    painter.setPen(text);
    painter.setFont(small);
    painter.drawText(o.rect, Qt::AlignCenter, QStringLiteral("+%1").arg(o.hidden));
  }

  // Badges for what just happened (preemption, handoff, mode switch, steal) go in their
  // panel's title row, right to left before its status text, so they never cover the chips
  // below; a row that is full drops the oldest.
  std::unordered_map<const ScenePanel*, double> badge_right;  // per panel: where the next badge ends
  badges_.clear();
  auto panel_at = [&](const QRectF& rect) -> const ScenePanel* {
    for (const ScenePanel& p : layout_.panels)
      if (p.rect == rect) return &p;
    return nullptr;
  };
  const QFontMetricsF small_metrics(small);
  auto header_badge = [&](const QRectF& target, const QString& label, const QColor& fill, const QColor& ink, double a,
                          const QColor& outline) {
    const ScenePanel* panel = panel_at(target);
    if (!panel) return;
    const QRectF header(panel->rect.left() + 10, panel->rect.top() + 4, panel->rect.width() - 20, 20);
    auto [it, fresh] = badge_right.try_emplace(panel, 0.0);
    if (fresh) {
      const double status_w = panel->status.isEmpty() ? 0 : small_metrics.horizontalAdvance(panel->status) + 12;
      it->second = header.right() - status_w;
    }
    const double w = small_metrics.horizontalAdvance(label) + 16;
    const double title_end = header.left() + QFontMetricsF(bold).horizontalAdvance(panel->title) + 12 +
                             (panel->badge.isEmpty() ? 0 : small_metrics.horizontalAdvance(panel->badge) + 26);
    if (it->second - w < title_end) return;  // no room left in this title row
    const QRectF pill(it->second - w, header.top() + 1, w, 18);
    it->second -= w + 6;
    badges_.push_back(Badge{pill, label});
    painter.setPen(outline.isValid() ? QPen(with_alpha(outline, a), 1.2) : QPen(Qt::NoPen));
    painter.setBrush(with_alpha(fill, a));
    painter.drawRoundedRect(pill, 9, 9);
    painter.setPen(with_alpha(ink, a));
    painter.drawText(pill, Qt::AlignCenter, label);
  };
  painter.setFont(small);
  const QColor red(0xd6, 0x3b, 0x3e);
  // Steals first (nearest the status): they are what the arrows below are about.
  for (const Flight& f : flights_) {
    auto thief = layout_.proc_rects.find(f.thief);
    if (thief == layout_.proc_rects.end() || !layout_.proc_rects.count(f.victim)) continue;
    const QString label = f.steals == 1 ? QStringLiteral("stole %1 from P%2").arg(f.count).arg(f.victim)
                                        : QStringLiteral("stole %1 from P%2 in %3 steals").arg(f.count).arg(f.victim).arg(f.steals);
    header_badge(thief->second, label, dark ? QColor(0x3a, 0x22, 0x24) : QColor(0xff, 0xee, 0xee), red, 1, red);
  }
  // Newest first: nearest the status.
  for (auto f = flashes_.rbegin(); f != flashes_.rend(); ++f) {
    const QString label = f->times > 1 ? QStringLiteral("%1 ×%2").arg(f->text).arg(f->times) : f->text;
    const double age = (t - f->start_ms) / kFlashMs;
    QRectF target;
    if (f->proc >= 0) {
      auto it = layout_.proc_rects.find(f->proc);
      if (it == layout_.proc_rects.end()) continue;
      target = it->second;
    } else {
      auto it = layout_.object_rects.find(f->object);
      if (it == layout_.object_rects.end() || !panel_at(it->second)) continue;  // a context's row says it
      target = it->second;
      // The object's panel keeps an outline while its highlight lasts, pulsing when new.
      const double pulse = age < 1 ? 3 * std::sin(age * 3.14159 * 4) * (1 - age) : 0;
      painter.setPen(QPen(f->color, 2.5 + std::abs(pulse)));
      painter.setBrush(Qt::NoBrush);
      painter.drawRoundedRect(target.adjusted(-2, -2, 2, 2), 9, 9);
    }
    header_badge(target, label, f->color, Qt::white, 1, QColor());
  }

  // Steal arrows: out of the victim's card, along the steal lane, into the thief's, growing
  // at first.
  for (const Flight& f : flights_) {
    const QPolygonF route = steal_route(layout_, f.victim, f.thief);
    if (route.size() < 2) continue;
    double total = 0;
    for (int i = 1; i < route.size(); ++i) total += QLineF(route[i - 1], route[i]).length();
    const double grow = std::clamp((t - f.start_ms) / kGrowMs, 0.0, 1.0);
    double left_to_draw = total * ease(grow);
    QPainterPath path(route.front());
    QPointF tip = route.front(), behind = route.front();
    for (int i = 1; i < route.size() && left_to_draw > 0; ++i) {
      const QLineF seg(route[i - 1], route[i]);
      const double take = std::min(left_to_draw, seg.length());
      behind = route[i - 1];
      tip = seg.pointAt(seg.length() > 0 ? take / seg.length() : 1);
      path.lineTo(tip);
      left_to_draw -= take;
    }
    painter.setPen(QPen(red, 2.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    const double angle = std::atan2(tip.y() - behind.y(), tip.x() - behind.x());
    QPolygonF head;
    head << tip << tip - QPointF(11 * std::cos(angle - 0.45), 11 * std::sin(angle - 0.45))
         << tip - QPointF(11 * std::cos(angle + 0.45), 11 * std::sin(angle + 0.45));
    painter.setPen(Qt::NoPen);
    painter.setBrush(red);
    painter.drawPolygon(head);
    // (Its count is on the thief's title row, above: on the path it would cover chips.)
  }

  paint_times_us_.push_back(paint_clock.nsecsElapsed() / 1000);
  if (paint_times_us_.size() > 600) paint_times_us_.pop_front();
}

QRectF SchedulerView::chip_rect_shown(uint64_t g) const {
  const SceneChip* chip = layout_.chip_of(g);
  if (!chip) return {};
  double alpha = 1;
  return chip_rect_now(g, *chip, now_ms(), &alpha);
}

uint64_t SchedulerView::chip_at(QPointF pos) const {
  const double t = now_ms();
  for (auto it = layout_.chips.rbegin(); it != layout_.chips.rend(); ++it) {
    double alpha = 1;
    if (chip_rect_now(it->g, *it, t, &alpha).contains(pos)) return it->g;
  }
  return 0;
}

void SchedulerView::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return QWidget::mousePressEvent(e);
  if (const uint64_t g = chip_at(e->position())) selection_.select(g);
}

bool SchedulerView::event(QEvent* e) {
  if (e->type() != QEvent::ToolTip) return QWidget::event(e);
  auto* help = static_cast<QHelpEvent*>(e);
  const uint64_t g = chip_at(help->pos());
  const gor::GoroutineInfo* gi = g ? info(g) : nullptr;
  if (!gi) {
    for (const SceneOverflow& o : layout_.overflows)
      if (o.rect.contains(help->pos())) {
        QToolTip::showText(help->globalPos(), tr("%1 more goroutines (see the Goroutines tab)").arg(o.hidden), this);
        return true;
      }
    if (const QString id = scene_glossary_id_at(layout_, help->pos()); !id.isEmpty()) {  // the jargon explained
      QToolTip::showText(help->globalPos(), glossary_tooltip(id), this);
      return true;
    }
    QToolTip::hideText();
    e->ignore();
    return true;
  }
  QString tip = QStringLiteral("<b>G%1</b>").arg(g);
  if (!gi->label.empty()) tip += QStringLiteral(" · ") + QString::fromStdString(gi->label).toHtmlEscaped();
  tip += QStringLiteral("<br>state: %1").arg(QString::fromStdString(gi->state));
  if (!gi->wait_reason.empty()) tip += QStringLiteral(" (%1)").arg(QString::fromStdString(gi->wait_reason).toHtmlEscaped());
  const QString object = snapshot_ ? object_display_name(*snapshot_, gi->wait_object) : QString();
  if (!object.isEmpty()) tip += QStringLiteral("<br>on: %1").arg(object.toHtmlEscaped());
  if (snapshot_ && gi->since_ns >= 0)
    tip += QStringLiteral("<br>for: %1").arg(format_duration(snapshot_->now_ns - gi->since_ns));
  if (!gi->created_at.empty()) tip += QStringLiteral("<br>created at %1").arg(QString::fromStdString(gi->created_at).toHtmlEscaped());
  if (!gi->blocked_at.empty()) tip += QStringLiteral("<br>blocked at %1").arg(QString::fromStdString(gi->blocked_at).toHtmlEscaped());
  tip += QStringLiteral("<br><i>click to inspect</i>");
  QToolTip::showText(help->globalPos(), tip, this);
  return true;
}

}  // namespace goroscope::gui
