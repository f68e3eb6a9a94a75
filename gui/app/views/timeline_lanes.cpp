#include "views/timeline_lanes.hpp"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>
#include <vector>

#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

namespace {

QColor blend(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

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

}  // namespace

void paint_goroutine_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                           const TimelineStyle& style) {
  if (scene.goroutine_lanes.empty()) return;
  p.save();
  p.setClipping(false);  // the labels go in the gutter
  const QFontMetricsF fm(p.font());
  const TimelineGeometry& g = scene.geometry;
  const int64_t t0 = g.t0(), t1 = g.t1();
  auto X = [&](int64_t t) { return L.plot.left() + g.x_of(t); };
  const int first = model.lane_count();
  // A rule between the P lanes and the goroutine lanes.
  const double top = L.lane_rect(first).top();
  p.setPen(QPen(style.muted, 1));
  p.drawLine(QPointF(L.area.left(), top), QPointF(L.plot.right(), top));
  std::vector<BlockSpan> waits;
  for (size_t k = 0; k < scene.goroutine_lanes.size(); ++k) {
    const int lane = first + static_cast<int>(k);
    if (lane >= L.lanes) break;
    const uint64_t who = scene.goroutine_lanes[k];
    const QRectF band = L.lane_rect(lane);
    const QRectF sr = L.slice_rect(lane);
    p.fillRect(QRectF(L.area.left(), band.top() + 1, L.area.width(), band.height() - 1),
               k % 2 ? style.lane_odd : style.lane_even);
    const QColor c = goroutine_color(who);
    p.setPen(who == scene.selected ? style.text : style.muted);
    p.drawText(QRectF(L.area.left(), band.top(), L.gutter - 8, band.height()), Qt::AlignVCenter | Qt::AlignRight,
               fm.elidedText(QStringLiteral("G%1").arg(who), Qt::ElideRight, L.gutter - 8));
    p.save();
    p.setClipRect(QRectF(L.plot.left(), band.top(), L.plot.width(), band.height()));
    // Runnable and blocked time first, the slices over them.
    waits.clear();
    model.waits_of(who, t0, t1, waits);
    PixelRects runnable, blocked;
    std::vector<std::pair<QRectF, QString>> reasons;
    const double runnable_h = std::max(4.0, sr.height() * 0.45);
    for (const BlockSpan& w : waits) {
      const double x0 = std::max(X(w.start), L.plot.left() - 2), x1 = std::min(X(w.end), L.plot.right() + 2);
      if (x1 < L.plot.left() || x0 > L.plot.right()) continue;
      if (w.reason == kRunnableReason) {
        runnable.add(x0, x1, sr.center().y() - runnable_h / 2, runnable_h);
      } else {
        blocked.add(x0, x1, sr.center().y() - 1.5, 3);
        const QString why = QString::fromStdString(wait_reason_name(w.reason));
        if (x1 - x0 > fm.horizontalAdvance(why) + 12) reasons.emplace_back(QRectF(x0, sr.top(), x1 - x0, sr.height()), why);
      }
    }
    p.setPen(Qt::NoPen);
    p.setBrush(blend(c, style.background, 0.45));
    p.drawRects(runnable.rects.data(), static_cast<int>(runnable.rects.size()));
    p.setBrush(blend(c, style.text, 0.15));
    p.drawRects(blocked.rects.data(), static_cast<int>(blocked.rects.size()));
    p.setPen(style.muted);
    for (const auto& [r, why] : reasons)  // above the line, centred
      p.drawText(QRectF(r.left(), r.top() - 1, r.width(), r.height() / 2), Qt::AlignHCenter | Qt::AlignBottom, why);
    // Run slices (whatever P ran them).
    const std::vector<SpanRef>& refs = model.spans_of(who);
    auto span = [&](const SpanRef& r) -> const RunSpan& { return model.spans(static_cast<int>(r.lane))[r.index]; };
    auto it = std::partition_point(refs.begin(), refs.end(), [&](const SpanRef& r) { return model.span_end(span(r)) < t0; });
    PixelRects runs;
    for (; it != refs.end() && span(*it).start <= t1; ++it) {
      const RunSpan& s = span(*it);
      runs.add(std::max(X(s.start), L.plot.left() - 2), std::min(X(model.span_end(s)), L.plot.right() + 2), sr.top(), sr.height());
    }
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawRects(runs.rects.data(), static_cast<int>(runs.rects.size()));
    p.restore();
  }
  p.restore();
}

}  // namespace goroscope::gui
