#include "views/timeline_lanes.hpp"

#include <QFontMetricsF>
#include <QPainter>
#include <QStringList>

#include <algorithm>
#include <set>
#include <vector>

#include <gor/trace.hpp>

#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

namespace {

QColor blend(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

const QColor kSyncWait(0xd9, 0x2d, 0x2d);
const QColor kChanWait(0x33, 0x7a, 0xd6);
const QColor kSyscall(0x0c, 0x8a, 0x8f);
const QColor kHold(0xc0, 0x8a, 0x00);

// PixelRects collects rectangles left to right, merging one into the previous when both
// cover the same pixel column (so a dense range costs pixels, not intervals).
struct PixelRects {
  std::vector<QRectF> rects;
  void add(double x0, double x1, double top, double height) {
    x1 = std::max(x1, x0 + 1);
    if (!rects.empty() && x0 < rects.back().right() + 0.5 && rects.back().top() == top) {
      QRectF& r = rects.back();
      r.setRight(std::max(r.right(), x1));
      return;
    }
    rects.emplace_back(x0, top, x1 - x0, height);
  }
};

// fill_band() paints `rects` as band `kind` of a goroutine coloured c: a plain fill, and for
// sleeping and syscalls a hatch over it.
void fill_band(QPainter& p, const std::vector<QRectF>& rects, LaneBand kind, const QColor& c, const TimelineStyle& style) {
  if (rects.empty()) return;
  const bool dark = style.background.lightnessF() < 0.5;
  QColor fill, hatch;
  switch (kind) {
    case LaneBand::Run: fill = c; break;
    case LaneBand::Runnable: fill = blend(c, style.background, 0.45); break;
    case LaneBand::ThreadRun: fill = blend(style.muted, style.background, dark ? 0.55 : 0.7); break;
    case LaneBand::Sleep:
      fill = blend(style.muted, style.background, dark ? 0.6 : 0.72);
      hatch = blend(style.muted, style.text, 0.2);
      break;
    case LaneBand::SyncWait: fill = blend(kSyncWait, style.background, dark ? 0.45 : 0.6); break;
    case LaneBand::ChanWait: fill = blend(kChanWait, style.background, dark ? 0.45 : 0.62); break;
    case LaneBand::Syscall:
      fill = blend(kSyscall, style.background, 0.35);
      hatch = blend(kSyscall, style.text, 0.45);
      break;
    case LaneBand::Hold: fill = kHold; break;
  }
  p.setPen(Qt::NoPen);
  p.setBrush(fill);
  p.drawRects(rects.data(), static_cast<int>(rects.size()));
  if (hatch.isValid()) {
    p.setBrush(QBrush(hatch, Qt::BDiagPattern));
    p.drawRects(rects.data(), static_cast<int>(rects.size()));
  }
}

const char* band_name(LaneBand kind) {
  switch (kind) {
    case LaneBand::Run: return "running";
    case LaneBand::Runnable: return "runnable";
    case LaneBand::Sleep: return "sleeping";
    case LaneBand::SyncWait: return "waiting: sync";
    case LaneBand::ChanWait: return "waiting: channel";
    case LaneBand::Syscall: return "in a syscall (no P)";
    case LaneBand::Hold: return "holds a lock";
    case LaneBand::ThreadRun: return "thread holds a P";
  }
  return "";
}

// Labels are drawn after the bands, where they fit inside their stretch.
struct BandLabel {
  QRectF rect;
  QString text;
  QColor color;
};

// wait_label() names a blocked stretch: the reason, the object waited on, and the mutexes the
// goroutine holds meanwhile ("sync.Mutex.Lock ledger · holds accounts": half of a deadlock).
QString wait_label(const TimelineModel& model, const TimelineScene& scene, const BlockSpan& w) {
  QString text = QString::fromStdString(wait_reason_name(w.reason));
  if (w.object && scene.object_name) {
    const QString name = scene.object_name(w.object);
    if (!name.isEmpty()) text += QLatin1Char(' ') + name;
  }
  const TimelineStory& story = model.story();
  QStringList held;
  for (uint32_t k : story.holds_of(w.g)) {
    const HoldSpan& h = story.holds()[k];
    if (h.start <= w.start && (h.end == INT64_MAX || h.end >= w.end) && h.object != w.object) {
      const QString name = scene.object_name ? scene.object_name(h.object) : QString();
      held << (name.isEmpty() ? QStringLiteral("a lock") : name);
    }
  }
  if (!held.isEmpty()) text += QStringLiteral(" · holds ") + held.join(QStringLiteral(", "));
  return text;
}

void draw_labels(QPainter& p, const QFontMetricsF& fm, const std::vector<BandLabel>& labels) {
  for (const BandLabel& l : labels) {
    p.setPen(l.color);
    p.drawText(l.rect, Qt::AlignCenter, fm.elidedText(l.text, Qt::ElideRight, l.rect.width()));
  }
}

// lane_label() writes `text` right-aligned in the gutter of `band`.
void lane_label(QPainter& p, const QFontMetricsF& fm, const TimelineLayout& L, const QRectF& band, const QString& text,
                const QColor& color) {
  p.setPen(color);
  p.drawText(QRectF(L.area.left(), band.top(), L.gutter - 8, band.height()), Qt::AlignVCenter | Qt::AlignRight,
             fm.elidedText(text, Qt::ElideRight, L.gutter - 8));
}

// rule() separates one group of lanes from the one above it.
void rule(QPainter& p, const TimelineLayout& L, double y, const TimelineStyle& style) {
  p.setPen(QPen(style.muted, 1));
  p.drawLine(QPointF(L.area.left(), y), QPointF(L.plot.right(), y));
}

}  // namespace

LaneBand lane_band_of(uint32_t reason) {
  using R = gor::WaitReason;
  if (reason == kRunnableReason) return LaneBand::Runnable;
  if (reason == kSyscallReason || reason == static_cast<uint32_t>(R::Syscall)) return LaneBand::Syscall;
  switch (static_cast<R>(reason)) {
    case R::Sleep: return LaneBand::Sleep;
    case R::ChanReceive:
    case R::ChanSend:
    case R::ChanReceiveNilChan:
    case R::ChanSendNilChan:
    case R::Select:
    case R::SelectNoCases: return LaneBand::ChanWait;
    default: return LaneBand::SyncWait;
  }
}

void paint_lane_swatch(QPainter& p, const QRectF& r, LaneBand kind, const TimelineStyle& style) {
  p.save();
  const QColor c = goroutine_color(3);
  const std::vector<QRectF> rects{kind == LaneBand::Hold ? QRectF(r.left(), r.center().y() - 2, r.width(), 4) : r};
  fill_band(p, rects, kind, c, style);
  p.restore();
}

std::vector<LaneLegendItem> lane_legend(const TimelineModel& model, const TimelineScene& scene, const TimelineStyle&) {
  std::vector<LaneLegendItem> items;
  std::set<LaneBand> used;
  const TimelineGeometry& g = scene.geometry;
  std::vector<BlockSpan> waits;
  for (uint64_t who : scene.goroutine_lanes) model.waits_of(who, g.t0(), g.t1(), waits);
  for (const BlockSpan& w : waits) used.insert(lane_band_of(w.reason));
  if (!scene.thread_lanes.empty()) {  // threads' syscalls look as goroutines' do
    used.insert(LaneBand::ThreadRun);
    used.insert(LaneBand::Syscall);
  }
  for (LaneBand b : {LaneBand::ThreadRun, LaneBand::Runnable, LaneBand::Sleep, LaneBand::SyncWait, LaneBand::ChanWait, LaneBand::Syscall})
    if (used.count(b)) items.push_back({b, QString::fromLatin1(band_name(b))});
  // The mutexes held in view, by name.
  QStringList held;
  const TimelineStory& story = model.story();
  for (uint64_t who : scene.goroutine_lanes)
    for (uint32_t k : story.holds_of(who)) {
      const HoldSpan& h = story.holds()[k];
      if (h.start > g.t1() || (h.end != INT64_MAX && h.end < g.t0())) continue;
      const QString name = scene.object_name ? scene.object_name(h.object) : QString();
      const QString text = name.isEmpty() ? QStringLiteral("a lock") : name;
      if (!held.contains(text)) held << text;
    }
  if (!held.isEmpty()) {
    if (held.size() > 2) held = QStringList{held[0], held[1], QStringLiteral("…")};
    items.push_back({LaneBand::Hold, QStringLiteral("holds %1").arg(held.join(QStringLiteral(", ")))});
  }
  return items;
}

void paint_thread_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                        const TimelineStyle& style) {
  if (scene.thread_lanes.empty()) return;
  p.save();
  p.setClipping(false);  // the labels go in the gutter
  const QFontMetricsF fm(p.font());
  const TimelineGeometry& g = scene.geometry;
  const int64_t t0 = g.t0(), t1 = g.t1();
  auto X = [&](int64_t t) { return L.plot.left() + g.x_of(t); };
  const TimelineStory& story = model.story();
  rule(p, L, L.lane_rect(L.p_lanes).top(), style);
  for (size_t k = 0; k < scene.thread_lanes.size(); ++k) {
    const int lane = L.p_lanes + static_cast<int>(k);
    if (lane >= L.lanes) break;
    const int m = scene.thread_lanes[k];
    const QRectF band = L.lane_rect(lane);
    if (band.bottom() > L.plot.bottom() + 0.5) break;  // no room left
    const QRectF sr = L.slice_rect(lane);
    p.fillRect(QRectF(L.area.left(), band.top() + 1, L.area.width(), band.height() - 1), k % 2 ? style.lane_odd : style.lane_even);
    lane_label(p, fm, L, band, QStringLiteral("M%1").arg(m), style.muted);
    if (m < 0 || m >= story.thread_count()) continue;
    p.save();
    p.setClipRect(QRectF(L.plot.left(), band.top(), L.plot.width(), band.height()));
    const std::vector<ThreadSpan>& spans = story.thread(m);
    auto it = std::partition_point(spans.begin(), spans.end(), [&](const ThreadSpan& s) { return s.start < t0; });
    if (it != spans.begin()) --it;  // the one holding t0
    std::vector<BandLabel> labels;
    for (; it != spans.end() && it->start <= t1; ++it) {
      const int64_t end = it->end == INT64_MAX ? model.end_ns() : it->end;
      if (end < t0) continue;
      const double x0 = std::max(X(it->start), L.plot.left() - 2), x1 = std::min(X(end), L.plot.right() + 2);
      const QColor c = goroutine_color(it->g);
      const LaneBand kind = it->p >= 0 ? LaneBand::ThreadRun : LaneBand::Syscall;
      const QRectF r(x0, sr.top(), std::max(x1 - x0, 1.0), sr.height());
      fill_band(p, {r}, kind, c, style);
      const QString text = it->p >= 0 ? QStringLiteral("P%1").arg(it->p) : QStringLiteral("syscall G%1").arg(it->g);
      if (r.width() > fm.horizontalAdvance(text) + 8 && sr.height() >= fm.height() - 3) labels.push_back({r, text, style.text});
    }
    draw_labels(p, fm, labels);
    p.restore();
  }
  p.restore();
}

void paint_goroutine_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                           const TimelineStyle& style) {
  if (scene.goroutine_lanes.empty()) return;
  p.save();
  p.setClipping(false);  // the labels go in the gutter
  const QFontMetricsF fm(p.font());
  const TimelineGeometry& g = scene.geometry;
  const int64_t t0 = g.t0(), t1 = g.t1();
  auto X = [&](int64_t t) { return L.plot.left() + g.x_of(t); };
  const int first = L.p_lanes + L.thread_lanes;
  rule(p, L, L.lane_rect(first).top(), style);
  const TimelineStory& story = model.story();
  std::vector<BlockSpan> waits;
  for (size_t k = 0; k < scene.goroutine_lanes.size(); ++k) {
    const int lane = first + static_cast<int>(k);
    if (lane >= L.lanes) break;
    const uint64_t who = scene.goroutine_lanes[k];
    const QRectF band = L.lane_rect(lane);
    if (band.bottom() > L.plot.bottom() + 0.5) break;  // no room left
    // The hold bar along the top, the life below it.
    const bool compact = band.height() < 18;
    const double hold_h = band.height() >= 28 ? 5 : compact ? 2 : 4;
    const double gap = compact ? 1 : 2;
    const QRectF hold_row(band.left(), band.top() + gap, band.width(), hold_h);
    const QRectF body(band.left(), hold_row.bottom() + gap, band.width(), std::max(4.0, band.bottom() - gap - hold_row.bottom() - gap));
    p.fillRect(QRectF(L.area.left(), band.top() + 1, L.area.width(), band.height() - 1), k % 2 ? style.lane_odd : style.lane_even);
    const QColor c = goroutine_color(who);
    lane_label(p, fm, L, band, QStringLiteral("G%1").arg(who), who == scene.selected ? style.text : style.muted);
    p.save();
    p.setClipRect(QRectF(L.plot.left(), band.top(), L.plot.width(), band.height()));
    // Waits first (runnable and blocked, by kind), the slices over them.
    waits.clear();
    model.waits_of(who, t0, t1, waits);
    std::vector<PixelRects> by_kind(static_cast<size_t>(LaneBand::ThreadRun) + 1);
    std::vector<BandLabel> labels;
    const double runnable_h = std::max(4.0, body.height() * 0.45);
    const double blocked_h = std::max(4.0, body.height() * 0.7);
    for (const BlockSpan& w : waits) {
      const double x0 = std::max(X(w.start), L.plot.left() - 2), x1 = std::min(X(w.end), L.plot.right() + 2);
      if (x1 < L.plot.left() || x0 > L.plot.right()) continue;
      const LaneBand kind = lane_band_of(w.reason);
      const double h = kind == LaneBand::Runnable ? runnable_h : blocked_h;
      by_kind[static_cast<size_t>(kind)].add(x0, x1, body.center().y() - h / 2, h);
      if (kind == LaneBand::Runnable) continue;
      if (!(blocked_h >= fm.height() - 4) || x1 - x0 < 40) continue;
      const QString why = wait_label(model, scene, w);
      if (x1 - x0 > fm.horizontalAdvance(QString::fromStdString(wait_reason_name(w.reason))) + 10)
        labels.push_back({QRectF(x0, body.top(), x1 - x0, body.height()), why, style.text});
    }
    for (LaneBand kind : {LaneBand::Runnable, LaneBand::Sleep, LaneBand::SyncWait, LaneBand::ChanWait, LaneBand::Syscall})
      fill_band(p, by_kind[static_cast<size_t>(kind)].rects, kind, c, style);
    // Run slices (whatever P ran them).
    const std::vector<SpanRef>& refs = model.spans_of(who);
    auto span = [&](const SpanRef& r) -> const RunSpan& { return model.spans(static_cast<int>(r.lane))[r.index]; };
    auto it = std::partition_point(refs.begin(), refs.end(), [&](const SpanRef& r) { return model.span_end(span(r)) < t0; });
    PixelRects runs;
    for (; it != refs.end() && span(*it).start <= t1; ++it) {
      const RunSpan& s = span(*it);
      runs.add(std::max(X(s.start), L.plot.left() - 2), std::min(X(model.span_end(s)), L.plot.right() + 2), body.top(), body.height());
    }
    fill_band(p, runs.rects, LaneBand::Run, c, style);
    // Mutex holds: a bar along the top for as long as it held each.
    PixelRects holds;
    for (uint32_t h : story.holds_of(who)) {
      const HoldSpan& s = story.holds()[h];
      const int64_t end = s.end == INT64_MAX ? model.end_ns() : s.end;
      if (end < t0 || s.start > t1) continue;
      holds.add(std::max(X(s.start), L.plot.left() - 2), std::min(X(end), L.plot.right() + 2), hold_row.top(), hold_row.height());
    }
    fill_band(p, holds.rects, LaneBand::Hold, c, style);
    draw_labels(p, fm, labels);
    p.restore();
  }
  p.restore();
}

}  // namespace goroscope::gui
