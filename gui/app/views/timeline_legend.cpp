#include "views/timeline_legend.hpp"

#include <QFontMetricsF>
#include <QPainter>

#include <functional>

#include "views/timeline_glyphs.hpp"
#include "views/timeline_lanes.hpp"

namespace goroscope::gui {

void paint_legend(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                  const TimelineStyle& style) {
  p.save();
  p.setFont(style.font);
  p.setRenderHint(QPainter::Antialiasing, true);
  const QFontMetricsF fm(style.font);
  const QColor outline = marker_outline(style);
  const int lanes = model.lane_count();
  {
    double x = L.legend.left() + L.gutter - 8;
    const double y = L.legend.center().y();
    const double right = L.legend.right();
    auto item = [&](double swatch_w, const QString& text, const std::function<void(double)>& swatch) {
      const double w = swatch_w + 6 + fm.horizontalAdvance(text) + 14;
      if (x + w - 14 > right) return;
      swatch(x);
      p.setPen(style.muted);
      p.drawText(QPointF(x + swatch_w + 6, y + fm.ascent() / 2 - 1), text);
      x += w;
    };
    if (scene.goroutines_without_lane > 0)  // first: the lanes do not show everything
      item(0, QStringLiteral("+%1 goroutine(s) without a lane (select one for its lane)").arg(scene.goroutines_without_lane), [](double) {});
    for (size_t k = 0; k < static_cast<size_t>(MarkerKind::Count_); ++k) {
      const MarkerKind kind = static_cast<MarkerKind>(k);
      if (kind == MarkerKind::Panic || kind == MarkerKind::Deadlock || kind == MarkerKind::PartialDeadlock) continue;  // named in the axis
      bool occurs = false;
      for (int i = 0; i < lanes && !occurs; ++i) occurs = !model.markers(i, kind).empty();
      if (occurs) item(10, QString::fromLatin1(marker_kind_name(kind)), [&](double at) { draw_glyph(p, kind, at + 5, y, outline); });
    }
    if (!model.story().cancels().empty())
      item(10, QStringLiteral("context cancelled"), [&](double at) {
        p.setPen(QPen(cancel_color(), 2, Qt::DashLine));
        p.drawLine(QPointF(at + 5, y - 6), QPointF(at + 5, y + 6));
      });
    if (scene.selected && !scene.race) {
      item(26, QStringLiteral("woke it / it woke"), [&](double at) { draw_arrow(p, QPointF(at, y), QPointF(at + 26, y), style.text, false); });
      item(26, QStringLiteral("wake-up chain"),
           [&](double at) { draw_arrow(p, QPointF(at, y), QPointF(at + 26, y), chain_color(), false); });
    }
    if (scene.race) {
      item(26, QStringLiteral("happens-before"), [&](double at) { draw_arrow(p, QPointF(at, y), QPointF(at + 26, y), hb_color(), false); });
      item(26, QStringLiteral("unordered (the race)"), [&](double at) {
        p.setPen(QPen(marker_color(MarkerKind::Race), 1.8, Qt::DashLine));
        p.drawLine(QPointF(at, y), QPointF(at + 26, y));
      });
    }
    if (!scene.thread_lanes.empty() || !scene.goroutine_lanes.empty()) {
      for (const LaneLegendItem& it : lane_legend(model, scene, style))
        item(22, it.text, [&](double at) { paint_lane_swatch(p, QRectF(at, y - 5, 22, 10), it.kind, style); });
    }
  }
  p.restore();
}

}  // namespace goroscope::gui
