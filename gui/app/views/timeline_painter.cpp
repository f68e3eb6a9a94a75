#include "views/timeline_painter.hpp"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "views/goroutine_colors.hpp"
#include "views/timeline_glyphs.hpp"
#include "views/timeline_legend.hpp"
#include "views/timeline_lanes.hpp"

namespace goroscope::gui {

namespace {

constexpr double kTitleHeight = 26;
constexpr double kAxisHeight = 24;
constexpr double kLegendHeight = 22;
constexpr double kMarkerStrip = 8;  // top of each lane, above its slices
constexpr double kCompactLane = kCompactLaneHeight;

}  // namespace

QColor marker_color(MarkerKind k) {
  switch (k) {
    case MarkerKind::Steal: return QColor(0x84, 0x3d, 0xc9);
    case MarkerKind::Handoff: return QColor(0x0c, 0x8a, 0x8f);
    case MarkerKind::Preempt: return QColor(0xf0, 0x8c, 0x00);
    case MarkerKind::MutexStarving: return QColor(0xd9, 0x2d, 0x2d);
    case MarkerKind::MutexNormal: return QColor(0x2f, 0x9e, 0x44);
    case MarkerKind::Race: return QColor(0xe6, 0x00, 0x7a);
    default: return QColor(0xc9, 0x2a, 0x2a);
  }
}

TimelineStyle TimelineStyle::light() {
  TimelineStyle s;
  s.font.setPixelSize(12);
  return s;
}

TimelineStyle TimelineStyle::from_palette(const QPalette& pal) {
  TimelineStyle s = light();
  const QColor base = pal.color(QPalette::Base);
  const bool dark = base.lightnessF() < 0.5;
  s.background = base;
  s.lane_odd = base;
  s.lane_even = mix(base, pal.color(QPalette::Text), dark ? 0.06 : 0.035);
  s.text = pal.color(QPalette::Text);
  s.muted = mix(base, pal.color(QPalette::Text), 0.6);
  s.grid = mix(base, pal.color(QPalette::Text), dark ? 0.18 : 0.12);
  s.axis_background = pal.color(QPalette::Window);
  s.range = pal.color(QPalette::Highlight);
  s.range.setAlpha(55);
  return s;
}

QRectF TimelineLayout::lane_rect(int lane) const {
  if (lane < compact_from) return QRectF(plot.left(), plot.top() + lane * lane_height, plot.width(), lane_height);
  return QRectF(plot.left(), plot.top() + compact_from * lane_height + (lane - compact_from) * compact_height, plot.width(),
                compact_height);
}

QRectF TimelineLayout::slice_rect(int lane) const {
  const QRectF r = lane_rect(lane);
  return QRectF(r.left(), r.top() + kMarkerStrip + 1, r.width(), std::max(4.0, r.height() - kMarkerStrip - 4));
}

int TimelineLayout::lane_at(double y) const {
  if (lanes <= 0 || y < plot.top() || y > plot.bottom()) return -1;  // lanes that did not fit are not drawn
  const double full = compact_from * lane_height;
  const int i = y - plot.top() < full ? static_cast<int>((y - plot.top()) / lane_height)
                                      : compact_from + static_cast<int>((y - plot.top() - full) / compact_height);
  return i < lanes ? i : -1;
}

TimelineLayout timeline_layout(const QRectF& area, int lanes, bool with_title, bool with_legend) {
  TimelineLayout l;
  l.area = area;
  l.lanes = lanes;
  double y = area.top();
  if (with_title) {
    l.title = QRectF(area.left(), y, area.width(), kTitleHeight);
    y += kTitleHeight;
  }
  l.axis = QRectF(area.left() + l.gutter, y, std::max(1.0, area.width() - l.gutter - 8), kAxisHeight);
  y += kAxisHeight;
  const double legend_h = with_legend ? kLegendHeight : 0;
  const double avail = std::max(0.0, area.bottom() - y - legend_h - 2);
  l.lane_height = lanes > 0 ? std::clamp(avail / lanes, 18.0, 40.0) : 28;
  l.compact_from = lanes;
  l.compact_height = l.lane_height;
  const double plot_h = lanes > 0 ? std::min(avail, l.lane_height * lanes) : avail;
  l.plot = QRectF(l.axis.left(), y, l.axis.width(), plot_h);
  if (with_legend) l.legend = QRectF(area.left() + 8, std::min(area.bottom() - legend_h, l.plot.bottom() + 4), area.width() - 16, legend_h);
  return l;
}

TimelineLayout scene_layout(const QRectF& area, const TimelineModel& model, const TimelineScene& scene) {
  const int threads = static_cast<int>(scene.thread_lanes.size());
  TimelineLayout l = timeline_layout(area, model.lane_count() + threads + static_cast<int>(scene.goroutine_lanes.size()),
                                     !scene.title.isEmpty(), scene.legend);
  l.p_lanes = model.lane_count();
  l.thread_lanes = threads;
  // When not every lane fits at the smallest height, the thread and goroutine lanes shrink
  // (down to kCompactLane), so the Ps keep theirs; lanes that still do not fit are not drawn.
  const int compact = threads + static_cast<int>(scene.goroutine_lanes.size());
  const int full = l.p_lanes;
  const double avail = l.plot.height() > 0 && l.lanes > 0 ? (area.bottom() - l.plot.top() - (scene.legend ? kLegendHeight : 0) - 2) : 0;
  if (compact > 0 && avail > 0 && avail < 18.0 * l.lanes) {
    l.lane_height = 18;
    l.compact_from = full;
    l.compact_height = std::max(kCompactLane, (avail - 18.0 * full) / compact);
    l.plot.setHeight(std::min(avail, 18.0 * full + l.compact_height * compact));
    if (scene.legend) l.legend.moveTop(std::min(area.bottom() - kLegendHeight, l.plot.bottom() + 4));
  }
  return l;
}

int timeline_height(int lanes, bool with_title, bool with_legend) {
  return static_cast<int>((with_title ? kTitleHeight : 0) + kAxisHeight + 32 * std::max(lanes, 1) + 6 +
                          (with_legend ? kLegendHeight + 4 : 0));
}

void paint_timeline(QPainter& p, const QRectF& area, const TimelineModel& model, const TimelineScene& scene,
                    const TimelineStyle& style) {
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setFont(style.font);
  const QFontMetricsF fm(style.font);
  const int lanes = model.lane_count();
  const TimelineLayout L = scene_layout(area, model, scene);
  const TimelineGeometry& g = scene.geometry;
  const int64_t t0 = g.t0(), t1 = g.t1();
  auto X = [&](int64_t t) { return L.plot.left() + g.x_of(t); };

  p.fillRect(area, style.background);
  if (!scene.title.isEmpty()) {
    QFont bold = style.font;
    bold.setBold(true);
    bold.setPixelSize(style.font.pixelSize() + 2);
    p.setFont(bold);
    p.setPen(style.text);
    p.drawText(L.title.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft, scene.title);
    p.setFont(style.font);
  }

  // Axis and grid.
  p.fillRect(QRectF(area.left(), L.axis.top(), area.width(), L.axis.height()), style.axis_background);
  const std::vector<AxisTick> ticks = g.ticks(110);
  p.setClipRect(QRectF(L.plot.left(), L.axis.top(), L.plot.width() + 1, L.axis.height() + L.plot.height()));
  for (const AxisTick& t : ticks) {
    const double x = L.plot.left() + t.x;
    p.setPen(QPen(style.grid, 1));
    p.drawLine(QPointF(x, L.axis.bottom() - 6), QPointF(x, L.plot.bottom()));
    const QString label = QString::fromStdString(t.label);
    if (x + 4 + fm.horizontalAdvance(label) > L.plot.right()) continue;  // no half labels at the edge
    p.setPen(style.muted);
    p.drawText(QRectF(x + 4, L.axis.top(), 120, L.axis.height()), Qt::AlignVCenter | Qt::AlignLeft, label);
  }
  p.setClipping(false);

  if (lanes == 0) {
    p.setPen(style.muted);
    p.drawText(L.plot.adjusted(0, 0, 0, 40), Qt::AlignCenter,
               QStringLiteral("No scheduling events yet: run a sample, or open a .gortrace file."));
    p.restore();
    return;
  }

  // Lanes: bands and labels.
  for (int i = 0; i < lanes; ++i) {
    const QRectF r = L.lane_rect(i);
    p.fillRect(QRectF(area.left(), r.top(), area.width(), r.height()), i % 2 ? style.lane_odd : style.lane_even);
    p.setPen(style.muted);
    p.drawText(QRectF(area.left(), r.top(), L.gutter - 8, r.height()), Qt::AlignVCenter | Qt::AlignRight,
               QStringLiteral("P%1").arg(i));
  }
  for (const AxisTick& t : ticks) {  // grid lines over the bands
    p.setPen(QPen(style.grid, 1));
    p.drawLine(QPointF(L.plot.left() + t.x, L.plot.top()), QPointF(L.plot.left() + t.x, L.plot.bottom()));
  }

  p.setClipRect(L.plot);
  p.setRenderHint(QPainter::Antialiasing, false);  // slices are axis-aligned: crisp and much faster
  const bool dim = scene.selected != 0;
  const double label_min = fm.horizontalAdvance(QStringLiteral("G000")) + 6;
  // Slices, batched by colour: one drawRects() per colour instead of one call per rectangle.
  struct Batch {
    QRgb key;
    QColor color;
    std::vector<QRectF> rects;
  };
  struct Label {
    QRectF rect;
    QColor color;
    uint64_t g;
  };
  static thread_local std::vector<DrawSpan> buf;
  static thread_local std::vector<Batch> batches;
  static thread_local std::vector<Label> labels;
  static thread_local std::vector<QRectF> outlines;
  for (Batch& b : batches) b.rects.clear();
  labels.clear();
  outlines.clear();
  auto batch_for = [&](const QColor& base, bool merged, bool dimmed) -> Batch& {
    const QRgb key = (base.rgb() & 0x00ffffffu) | (merged ? 0x01000000u : 0) | (dimmed ? 0x02000000u : 0);
    for (Batch& b : batches)
      if (b.key == key) return b;
    QColor c = merged ? base.darker(112) : base;
    if (dimmed) c = mix(c, style.background, 0.62);
    batches.push_back(Batch{key, c, {}});
    return batches.back();
  };
  for (int i = 0; i < lanes; ++i) {
    const QRectF sr = L.slice_rect(i);
    buf.clear();
    model.level_of_detail(i, t0, t1, g.ns_per_px(), buf);
    for (const DrawSpan& d : buf) {
      const double x0 = std::max(X(d.start), L.plot.left() - 2);
      const double x1 = std::min(X(d.end), L.plot.right() + 2);
      const double w = std::max(x1 - x0, 1.0);
      const bool related = std::find(scene.related.begin(), scene.related.end(), d.g) != scene.related.end();
      const bool dimmed = dim && d.g != scene.selected && !related;
      Batch& b = batch_for(goroutine_color(d.g), d.count > 1, dimmed);
      const QRectF r(x0, sr.top(), w, sr.height());
      b.rects.push_back(r);
      if (w >= label_min && d.count == 1) labels.push_back(Label{r, dimmed ? QColor() : b.color, d.g});
      if ((scene.selected && d.g == scene.selected) || related) outlines.push_back(r);
    }
  }
  p.setPen(Qt::NoPen);
  for (const Batch& b : batches) {
    if (b.rects.empty()) continue;
    p.setBrush(b.color);
    p.drawRects(b.rects.data(), static_cast<int>(b.rects.size()));
  }
  QColor dimmed_text = style.text;
  dimmed_text.setAlphaF(0.45f);
  for (const Label& l : labels) {
    p.setPen(l.color.isValid() ? text_color_on(l.color) : dimmed_text);
    const QRectF r = l.rect.adjusted(3, 0, -3, 0);
    p.drawText(r, Qt::AlignVCenter | Qt::AlignLeft, fm.elidedText(QStringLiteral("G%1").arg(l.g), Qt::ElideRight, r.width()));
  }
  if (!outlines.empty()) {  // the selected goroutine's slices, outlined
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(style.text, 1.6));
    p.drawRects(outlines.data(), static_cast<int>(outlines.size()));
  }
  if (batches.size() > 64) batches.clear();  // another theme's colours: start over
  paint_thread_lanes(p, L, model, scene, style);
  paint_goroutine_lanes(p, L, model, scene, style);

  p.setRenderHint(QPainter::Antialiasing, true);
  // Markers: at most one glyph per kind per 6 pixels; the markers in between are skipped by
  // binary search, so a frame costs the glyphs drawn, not the markers visible.
  const QColor outline = marker_outline(style);
  const int64_t slack = static_cast<int64_t>(8 * g.ns_per_px());
  const int64_t gap = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(6 * g.ns_per_px())));
  for (int i = 0; i < lanes; ++i) {
    const QRectF r = L.lane_rect(i);
    for (size_t k = 0; k < static_cast<size_t>(MarkerKind::Count_); ++k) {
      const MarkerKind kind = static_cast<MarkerKind>(k);
      const std::vector<Marker>& ms = model.markers(i, kind);
      auto before = [](const Marker& m, int64_t t) { return m.ts < t; };
      auto it = std::lower_bound(ms.begin(), ms.end(), t0 - slack, before);
      // More markers than fit: glyphs 8 px apart without antialiasing (cheap, and as readable).
      const auto visible_end = std::lower_bound(it, ms.end(), t1 + slack + 1, before);
      const bool dense = (visible_end - it) > L.plot.width() / 6;
      p.setRenderHint(QPainter::Antialiasing, !dense);
      const int64_t step = dense ? std::max<int64_t>(1, static_cast<int64_t>(std::ceil(8 * g.ns_per_px()))) : gap;
      int drawn = 0;
      while (it != visible_end) {
        const double x = X(it->ts);
        draw_glyph(p, kind, x, r.top() + kMarkerStrip / 2 + 1, outline);
        if (kind == MarkerKind::Steal && static_cast<int>(it->a0) < lanes && ++drawn < 400) {
          // A thin line from the victim's lane to the thief's marker.
          const QRectF v = L.lane_rect(static_cast<int>(it->a0));
          QColor c = marker_color(MarkerKind::Steal);
          c.setAlpha(110);
          p.setPen(QPen(c, 1));
          p.drawLine(QPointF(x, v.center().y()), QPointF(x, r.top() + kMarkerStrip));
        }
        it = std::lower_bound(it + 1, visible_end, it->ts + step, before);
      }
    }
  }

  p.setRenderHint(QPainter::Antialiasing, true);
  // Wake-up arrows for the selected and the hovered goroutine (a shown race draws its own edges).
  const uint64_t arrows_for[2] = {scene.race ? 0 : scene.selected, scene.hovered != scene.selected ? scene.hovered : 0};
  for (uint64_t who : arrows_for) {
    if (!who) continue;
    const std::vector<uint32_t>& idx = model.wakes_of(who);
    const std::vector<Wake>& wakes = model.wakes();
    auto it = std::partition_point(idx.begin(), idx.end(), [&](uint32_t k) { return wakes[k].ts < t0 - (t1 - t0); });
    int drawn = 0;
    for (; it != idx.end() && wakes[*it].ts <= t1 && drawn < 300; ++it) {
      const Wake& w = wakes[*it];
      const SpanRef* next = model.next_span_after(w.g, w.ts);
      if (!next) continue;
      const RunSpan& s = model.spans(static_cast<int>(next->lane))[next->index];
      if (s.start < t0) continue;
      const double ys = L.slice_rect(static_cast<int>(next->lane)).center().y();
      const double yf = w.p >= 0 && w.p < lanes ? L.slice_rect(w.p).center().y() : L.plot.top() + 2;
      const bool incoming = w.g == who;
      QColor c = incoming ? style.text : QColor(0x1c, 0x7e, 0xd6);
      c.setAlpha(210);
      draw_arrow(p, QPointF(X(w.ts), yf), QPointF(X(s.start), ys), c, !incoming, L.lane_height * 0.8);
      ++drawn;
    }
  }

  // The selected goroutine's wake-up chain ("why did it run only then?"): its last wake-up up to
  // the visible range's end, who woke the waker, ... as numbered amber arrows (as the view's
  // text says).
  if (scene.selected && !scene.race) {
    const int64_t from = std::min(t1, model.end_ns());
    {
      const QColor amber = chain_color();
      int n = 0;
      for (const Wake& w : model.wake_chain(scene.selected, from, 6)) {
        ++n;
        const SpanRef* next = model.next_span_after(w.g, w.ts);
        if (!next || w.ts < t0) break;  // the rest of the chain is off screen to the left
        const RunSpan& s = model.spans(static_cast<int>(next->lane))[next->index];
        const QPointF to(X(s.start), L.slice_rect(static_cast<int>(next->lane)).center().y());
        const QPointF at(X(w.ts), w.p >= 0 && w.p < lanes ? L.slice_rect(w.p).center().y() : L.plot.top() + 2);
        draw_arrow(p, at, to, amber, false, L.lane_height * 0.8);
        const QString label = QString::number(n);
        const QRectF badge(at.x() - 7, at.y() - 7, 14, 14);
        p.setPen(Qt::NoPen);
        p.setBrush(amber);
        p.drawEllipse(badge);
        p.setPen(Qt::white);
        p.drawText(badge, Qt::AlignCenter, label);
      }
    }
  }

  // A selected data race: the happens-before edges that exist between its goroutines (green
  // arrows, labelled go/chan/unlock/woke/close), the racing access, and a dashed "no
  // happens-before" link from the earlier goroutine's last slice before it. Labels go on last,
  // the race's own first, so an edge's label never hides them.
  double race_axis_x = -1;
  QString race_axis_text;
  if (scene.race) {
    const RaceEdges& race = *scene.race;
    // Where goroutine g is at t: the slice holding t, else (leaving) its last slice before t,
    // or (arriving) its next slice after t; else the event's P.
    struct Spot {
      QPointF pt;
      bool found = false;
    };
    auto spot = [&](uint64_t who, int64_t t, int p_hint, bool arriving) {
      Spot s;
      const std::vector<SpanRef>& refs = model.spans_of(who);
      auto span = [&](const SpanRef& r) -> const RunSpan& { return model.spans(static_cast<int>(r.lane))[r.index]; };
      auto after = std::partition_point(refs.begin(), refs.end(), [&](const SpanRef& r) { return span(r).start <= t; });
      const SpanRef* pick = nullptr;
      int64_t x_t = t;
      if (after != refs.begin() && model.span_end(span(*(after - 1))) >= t) {
        pick = &*(after - 1);
      } else if (arriving && after != refs.end()) {
        pick = &*after;
        x_t = span(*after).start;
      } else if (!arriving && after != refs.begin()) {
        pick = &*(after - 1);
        x_t = model.span_end(span(*pick));
      }
      if (pick) {
        s.pt = QPointF(X(x_t), L.slice_rect(static_cast<int>(pick->lane)).center().y());
        s.found = true;
      } else if (p_hint >= 0 && p_hint < lanes) {
        s.pt = QPointF(X(t), L.slice_rect(p_hint).center().y());
        s.found = true;
      }
      return s;
    };
    struct PendingLabel {
      QString text;
      QPointF at;
      QColor fill;
    };
    std::vector<PendingLabel> race_labels, edge_labels;
    const QColor hb = hb_color();
    int drawn = 0;
    for (const HbEdge& e : race.edges) {
      if (++drawn > 200) break;
      const Spot a = spot(e.from_g, e.from_ts, e.from_p, false), b = spot(e.to_g, e.to_ts, e.to_p, true);
      if (!a.found || !b.found) continue;
      if (std::max(a.pt.x(), b.pt.x()) < L.plot.left() - 50 || std::min(a.pt.x(), b.pt.x()) > L.plot.right() + 50) continue;
      p.setPen(Qt::NoPen);
      p.setBrush(hb);
      p.drawEllipse(a.pt, 3, 3);
      // draw_arrow's pen is thin: draw it twice, slightly offset, for weight.
      draw_arrow(p, a.pt, b.pt, hb, false, L.lane_height * 0.9);
      draw_arrow(p, a.pt + QPointF(0, 0.8), b.pt + QPointF(0, 0.8), hb, false, L.lane_height * 0.9);
      // The label sits 70% of the way to the head, kept inside the plot (a tail may be far off).
      const QString text = QStringLiteral("%1 G%2→G%3").arg(QString::fromLatin1(hb_kind_name(e.kind))).arg(e.from_g).arg(e.to_g);
      const double half = (fm.horizontalAdvance(text) + 8) / 2 + 2;
      double lx = a.pt.x() + 0.7 * (b.pt.x() - a.pt.x());
      lx = std::clamp(lx, std::min(L.plot.left() + half, b.pt.x()), std::max(L.plot.right() - half, b.pt.x()));
      const double f = std::abs(b.pt.x() - a.pt.x()) > 1 ? std::clamp((lx - a.pt.x()) / (b.pt.x() - a.pt.x()), 0.0, 1.0) : 0.5;
      edge_labels.push_back({text, QPointF(lx, a.pt.y() + f * (b.pt.y() - a.pt.y()) - 2), hb});
    }
    const QColor rc = marker_color(MarkerKind::Race);
    const Spot at = spot(race.g, race.ts, race.p, true);
    if (at.found) {
      const QPointF rp(X(race.ts), at.pt.y());
      if (race.other != 0) {
        const Spot prev = spot(race.other, race.ts, -1, false);
        if (prev.found) {
          QPen dash(rc, 1.8, Qt::DashLine);
          p.setPen(dash);
          p.setBrush(Qt::NoBrush);
          p.drawLine(prev.pt, rp);
          const QPointF mid = (prev.pt + rp) / 2;
          race_labels.push_back({QStringLiteral("✕ no happens-before G%1→G%2").arg(race.other).arg(race.g), mid, rc});
        }
        if (race.other_ordered_until >= 0) {  // the part of the earlier goroutine that is ordered
          const Spot k = spot(race.other, race.other_ordered_until, -1, false);
          if (k.found) {
            p.setPen(QPen(hb, 2.5));
            p.drawLine(k.pt - QPointF(0, L.lane_height * 0.35), k.pt + QPointF(0, L.lane_height * 0.35));
            race_labels.push_back({QStringLiteral("G%1 ordered up to here").arg(race.other), k.pt, hb});
          }
        }
      }
      p.setPen(QPen(rc, 2.5));
      p.setBrush(Qt::NoBrush);
      p.drawEllipse(rp, 6, 6);
      race_axis_x = rp.x();
      race_axis_text = race.other != 0 ? QStringLiteral("race G%1 × G%2").arg(race.g).arg(race.other)
                                       : QStringLiteral("race G%1").arg(race.g);
    }
    std::vector<QRectF> taken;
    for (const auto* labels : {&race_labels, &edge_labels})
      for (const PendingLabel& l : *labels) label_box(p, fm, l.text, l.at, l.fill, taken, L.plot);
  }

  // Range selection and cursor.
  if (scene.range_t0 >= 0 && scene.range_t1 >= 0) {
    const double a = X(std::min(scene.range_t0, scene.range_t1)), b = X(std::max(scene.range_t0, scene.range_t1));
    p.fillRect(QRectF(a, L.plot.top(), std::max(b - a, 1.0), L.plot.height()), style.range);
    QColor edge = style.range;
    edge.setAlpha(220);
    p.setPen(QPen(edge, 1));
    p.drawLine(QPointF(a, L.plot.top()), QPointF(a, L.plot.bottom()));
    p.drawLine(QPointF(b, L.plot.top()), QPointF(b, L.plot.bottom()));
  }
  if (scene.cursor >= 0) {
    p.setPen(QPen(style.cursor, 1.5));
    p.drawLine(QPointF(X(scene.cursor), L.plot.top()), QPointF(X(scene.cursor), L.plot.bottom()));
  }
  p.setClipping(false);

  // The selected race's instant, named in the axis like a run marker.
  if (race_axis_x >= L.plot.left() && race_axis_x <= L.plot.right()) {
    const QColor c = marker_color(MarkerKind::Race);
    const double w = fm.horizontalAdvance(race_axis_text) + 10;
    const QRectF box(std::clamp(race_axis_x - w / 2, L.plot.left(), L.plot.right() - w), L.axis.top() + 3, w, L.axis.height() - 6);
    p.setPen(QPen(c, 1.5));
    p.drawLine(QPointF(race_axis_x, box.bottom()), QPointF(race_axis_x, L.axis.bottom()));
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawRoundedRect(box, 3, 3);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, race_axis_text);
  }

  // Context cancellations: a dashed line across the lanes, labelled in the axis where the
  // label does not run into the previous one.
  {
    double free_from = -1e9;
    for (const CancelMark& c : model.story().cancels()) {
      if (c.ts < t0 || c.ts > t1) continue;
      const double x = X(c.ts);
      p.setPen(QPen(cancel_color(), 1.6, Qt::DashLine));
      p.drawLine(QPointF(x, L.plot.top()), QPointF(x, L.plot.bottom()));
      const QString text = (c.deadline ? QStringLiteral("deadline") : QStringLiteral("cancel")) +
                           (c.nodes > 1 ? QStringLiteral(" ×%1").arg(c.nodes) : QString());
      const double w = fm.horizontalAdvance(text) + 10;
      const QRectF box(std::clamp(x - w / 2, L.plot.left(), L.plot.right() - w), L.axis.top() + 3, w, L.axis.height() - 6);
      if (box.left() < free_from) continue;
      free_from = box.right() + 4;
      p.setPen(Qt::NoPen);
      p.setBrush(cancel_color());
      p.drawRoundedRect(box, 3, 3);
      p.setPen(Qt::white);
      p.drawText(box, Qt::AlignCenter, text);
    }
  }

  // Run markers (panic, deadlock, partial deadlock, a race with no P) across every lane.
  for (const Marker& m : model.run_markers()) {
    if (m.ts < t0 || m.ts > t1) continue;
    const double x = X(m.ts);
    const QColor c = marker_color(m.kind);
    p.setPen(QPen(c, 2));
    p.drawLine(QPointF(x, L.plot.top()), QPointF(x, L.plot.bottom()));
    const QString text = QString::fromLatin1(marker_kind_name(m.kind));
    const double w = fm.horizontalAdvance(text) + 10;
    const QRectF box(std::min(x - w / 2, L.plot.right() - w), L.axis.top() + 3, w, L.axis.height() - 6);
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawRoundedRect(box, 3, 3);
    p.setPen(Qt::white);
    p.drawText(box, Qt::AlignCenter, text);
  }

  if (scene.legend && !L.legend.isEmpty()) paint_legend(p, L, model, scene, style);
  p.restore();
}

}  // namespace goroscope::gui
