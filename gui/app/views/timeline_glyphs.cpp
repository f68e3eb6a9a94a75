#include "views/timeline_glyphs.hpp"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                          static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                          static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

// draw_glyph() draws marker kind k centred at (x, y), about 8 px wide.
void draw_glyph(QPainter& p, MarkerKind k, double x, double y, const QColor& outline) {
  const QColor c = marker_color(k);
  p.setPen(QPen(outline, 0.8));
  p.setBrush(c);
  switch (k) {
    case MarkerKind::Steal: {  // a downward triangle: goroutines arrive on this P
      const QPointF t[3] = {{x - 4.5, y - 3.5}, {x + 4.5, y - 3.5}, {x, y + 4}};
      p.drawPolygon(t, 3);
      break;
    }
    case MarkerKind::Handoff: {
      const QPointF d[4] = {{x, y - 4.5}, {x + 4.5, y}, {x, y + 4.5}, {x - 4.5, y}};
      p.drawPolygon(d, 4);
      break;
    }
    case MarkerKind::Preempt: {  // an upward triangle: the goroutine is pushed off
      const QPointF t[3] = {{x - 4, y + 3.5}, {x + 4, y + 3.5}, {x, y - 4}};
      p.drawPolygon(t, 3);
      break;
    }
    case MarkerKind::MutexStarving: p.drawRect(QRectF(x - 3.5, y - 3.5, 7, 7)); break;
    case MarkerKind::MutexNormal:
      p.setBrush(Qt::NoBrush);
      p.setPen(QPen(c, 1.6));
      p.drawRect(QRectF(x - 3.2, y - 3.2, 6.4, 6.4));
      break;
    default: p.drawEllipse(QPointF(x, y), 4, 4); break;
  }
}

// draw_arrow() draws a wake-up: a curve from the readier's lane to where the woken goroutine
// next runs, arching over the lanes when the two are close, its head along the curve's end.
void draw_arrow(QPainter& p, QPointF from, QPointF to, const QColor& c, bool dashed, double lift) {
  QPainterPath path(from);
  QPointF c1, c2;
  if (lift > 0 && std::abs(to.x() - from.x()) < 40) {
    const double top = std::min(from.y(), to.y()) - lift;
    c1 = QPointF(from.x() - 6, top);
    c2 = QPointF(to.x() - 10, top);
  } else {
    const double dx = std::max(12.0, std::abs(to.x() - from.x()) / 2);
    c1 = from + QPointF(dx, 0);
    c2 = to - QPointF(dx, 0);
  }
  path.cubicTo(c1, c2, to);
  QPen pen(c, 1.4);
  if (dashed) pen.setStyle(Qt::DashLine);
  p.setPen(pen);
  p.setBrush(Qt::NoBrush);
  p.drawPath(path);
  QPointF d = to - path.pointAtPercent(0.92);
  const double len = std::hypot(d.x(), d.y());
  d = len > 0.01 ? d / len : QPointF(1, 0);
  const QPointF n(-d.y(), d.x());
  const QPointF head[3] = {to, to - 7 * d + 3.5 * n, to - 7 * d - 3.5 * n};
  p.setPen(Qt::NoPen);
  p.setBrush(c);
  p.drawPolygon(head, 3);
}

QColor hb_color() { return QColor(0x0b, 0x9e, 0x6e); }
QColor cancel_color() { return QColor(0xd9, 0x48, 0x0f); }
QColor chain_color() { return QColor(0xe0, 0x8a, 0x00); }

QColor marker_outline(const TimelineStyle& style) {
  return style.background.lightnessF() < 0.5 ? QColor(0, 0, 0, 160) : QColor(255, 255, 255, 200);
}

// label_box() draws `text` in a small filled box centred at `at`, or moved beside it (along the
// line, then above or below) when that spot is taken or outside `within`; with no room at all
// the label is left out rather than drawn over another.
void label_box(QPainter& p, const QFontMetricsF& fm, const QString& text, QPointF at, const QColor& fill,
               std::vector<QRectF>& taken, const QRectF& within) {
  const double w = fm.horizontalAdvance(text) + 8, h = std::min(fm.height() + 2, within.height());
  const double sx = w + 4, sy = h + 1;
  const QPointF shifts[] = {{0, 0}, {sx, 0}, {-sx, 0}, {2 * sx, 0}, {-2 * sx, 0}, {0, -sy}, {0, sy}, {sx, -sy}, {-sx, sy}};
  QRectF box;
  bool found = false;
  for (const QPointF& d : shifts) {
    box = QRectF(at.x() + d.x() - w / 2, at.y() + d.y() - h / 2, w, h);
    if (box.top() < within.top()) box.moveTop(within.top());
    if (box.bottom() > within.bottom()) box.moveBottom(within.bottom());
    if (box.left() < within.left() || box.right() > within.right()) continue;
    if (std::none_of(taken.begin(), taken.end(), [&](const QRectF& r) { return r.intersects(box); })) {
      found = true;
      break;
    }
  }
  if (!found) return;
  taken.push_back(box);
  p.setPen(Qt::NoPen);
  p.setBrush(fill);
  p.drawRoundedRect(box, 3, 3);
  p.setPen(text_color_on(fill));
  p.drawText(box, Qt::AlignCenter, text);
}

}  // namespace goroscope::gui
