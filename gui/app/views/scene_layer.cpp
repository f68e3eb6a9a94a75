#include "views/scene_layer.hpp"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

void paint_scene_layer(QPainter& painter, const SchedulerLayout& layout, QSize size, const SceneStyle& style) {
  const QPalette& pal = style.palette;
  const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
  painter.fillRect(QRect(QPoint(0, 0), size), pal.color(QPalette::Window));
  const QColor card = dark ? pal.color(QPalette::Base).lighter(115) : pal.color(QPalette::Base);
  const QColor border = dark ? QColor(0x5a, 0x60, 0x6a) : QColor(0xc4, 0xc9, 0xd2);
  const QColor text = pal.color(QPalette::WindowText);
  const QColor dim = dark ? QColor(0xa0, 0xa6, 0xb0) : QColor(0x6a, 0x70, 0x7a);
  QFont bold = style.font;
  bold.setBold(true);
  QFont small = style.font;
  small.setPointSizeF(std::max(7.0, style.font.pointSizeF() * 0.85));

  // Panels.
  for (const ScenePanel& p : layout.panels) {
    painter.setPen(QPen(border, 1));
    painter.setBrush(card);
    painter.drawRoundedRect(p.rect, 8, 8);
    painter.setFont(p.kind == ScenePanel::Kind::Processor ? bold : bold);
    painter.setPen(text);
    const QRectF header(p.rect.left() + 10, p.rect.top() + 4, p.rect.width() - 20, 20);
    const double status_room = p.status.isEmpty() ? 0 : std::min(header.width() * 0.35, QFontMetricsF(small).horizontalAdvance(p.status) + 12);
    const double badge_room = p.badge.isEmpty() ? 0 : QFontMetricsF(small).horizontalAdvance(p.badge) + 26;
    const QString title = QFontMetricsF(bold).elidedText(p.title, Qt::ElideRight, header.width() - status_room - badge_room);
    painter.drawText(header, Qt::AlignLeft | Qt::AlignVCenter, title);
    double title_w = QFontMetricsF(bold).horizontalAdvance(title);
    if (!p.badge.isEmpty()) {
      painter.setFont(small);
      const double bw = QFontMetricsF(small).horizontalAdvance(p.badge) + 16;
      const QRectF badge(header.left() + title_w + 10, header.top() + 1, bw, 18);
      painter.setPen(Qt::NoPen);
      painter.setBrush(p.badge_color);
      painter.drawRoundedRect(badge, 9, 9);
      painter.setPen(text_color_on(p.badge_color));
      painter.drawText(badge, Qt::AlignCenter, p.badge);
      title_w += bw + 10;
    }
    if (!p.status.isEmpty()) {
      painter.setFont(small);
      painter.setPen(p.status_color.isValid() ? p.status_color : dim);
      QRectF status = header;
      status.setLeft(header.left() + title_w + 10);
      painter.drawText(status, Qt::AlignRight | Qt::AlignVCenter,
                       QFontMetricsF(small).elidedText(p.status, Qt::ElideRight, status.width()));
    }
  }

  // Labels, each in its own rectangle (elided rather than running into the next).
  painter.setFont(small);
  const QFontMetricsF small_metrics(small);
  for (const SceneText& s : layout.texts) {
    painter.setPen(s.dim ? dim : text);
    painter.drawText(s.rect, Qt::AlignLeft | Qt::AlignVCenter, small_metrics.elidedText(s.text, Qt::ElideRight, s.rect.width() + 1));
  }

  // The context tree's connectors.
  painter.setPen(QPen(border, 1.2));
  painter.setBrush(Qt::NoBrush);
  for (const QPolygonF& edge : layout.context_edges) painter.drawPolyline(edge);

  // Threads: a box per M in its state's colour.
  for (const SceneMachine& mi : layout.machines) {
    painter.setPen(QPen(mi.color, 1.4));
    painter.setBrush(dark ? mi.color.darker(260) : mi.color.lighter(185));
    painter.drawRoundedRect(mi.rect, 5, 5);
    painter.setPen(text);
    painter.drawText(mi.rect, Qt::AlignCenter, mi.text);
  }

  // References: a goroutine whose chip is elsewhere, waiting on this panel's object.
  for (const SceneRef& r : layout.refs) {
    const QColor c = goroutine_color(r.g);
    painter.setPen(QPen(c, 1.6, Qt::DashLine));
    painter.setBrush(Qt::NoBrush);
    painter.drawRoundedRect(r.rect.adjusted(1, 1, -1, -1), r.rect.height() / 2, r.rect.height() / 2);
    painter.setPen(text);
    painter.drawText(r.rect, Qt::AlignCenter, QStringLiteral("G%1 ↗").arg(r.g));
  }

  // Channel buffer slots.
  for (const SceneSlot& s : layout.buffer_slots) {
    painter.setPen(QPen(s.filled ? QColor(0x3b, 0x66, 0x94) : border, 1.2));
    painter.setBrush(s.filled ? QColor(0x4e, 0x79, 0xa7) : card);
    painter.drawRoundedRect(s.rect, 4, 4);
    if (s.filled && !s.value.isEmpty()) {
      // A value that does not fit even in a smaller font is left out ("1…" says nothing); the
      // slot's tooltip has it.
      const double room = s.rect.width() - 4;
      QFont value_font = small;
      if (QFontMetricsF(value_font).horizontalAdvance(s.value) > room) value_font.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.8));
      if (QFontMetricsF(value_font).horizontalAdvance(s.value) <= room) {
        painter.setFont(value_font);
        painter.setPen(Qt::white);
        painter.drawText(s.rect, Qt::AlignCenter, s.value);
        painter.setFont(small);
      }
    }
  }

  // Starvation bars.
  for (const SceneBar& b : layout.bars) {
    painter.setPen(Qt::NoPen);
    painter.setBrush(dark ? QColor(0x40, 0x44, 0x4c) : QColor(0xe6, 0xe8, 0xec));
    painter.drawRoundedRect(b.rect, 4, 4);
    QRectF fill = b.rect;
    fill.setWidth(b.rect.width() * std::min(1.0, b.fraction));
    painter.setBrush(b.fraction >= 1 ? QColor(0xe1, 0x57, 0x59) : QColor(0xf2, 0x8e, 0x2b));
    if (fill.width() > 0.5) painter.drawRoundedRect(fill, 4, 4);
  }

}

QImage render_scene_layer(const SchedulerLayout& layout, QSize size, qreal dpr, const SceneStyle& style) {
  QImage image((QSizeF(size) * dpr).toSize(), QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(dpr);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  paint_scene_layer(painter, layout, size, style);
  return image;
}

QString chip_label(uint64_t g, bool running, const std::string& label) {
  QString text = QStringLiteral("G%1").arg(g);
  if (running && !label.empty()) text += QStringLiteral(" ") + QString::fromStdString(label);
  return text;
}

QImage render_chip_sprite(const ChipLook& k, const QString& label, qreal dpr, const QColor& ink, const QFont& font) {
  QImage image((QSizeF(k.w + 2 * kChipSpriteMargin, k.h + 2 * kChipSpriteMargin) * dpr).toSize(),
               QImage::Format_ARGB32_Premultiplied);
  image.setDevicePixelRatio(dpr);
  image.fill(Qt::transparent);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  const QRectF r(kChipSpriteMargin, kChipSpriteMargin, k.w, k.h);
  const QColor fill = goroutine_color(k.g);
  painter.setPen(k.selected ? QPen(ink, 3) : (k.running ? QPen(fill.darker(150), 2) : Qt::NoPen));
  painter.setBrush(fill);
  painter.drawRoundedRect(r, r.height() / 2, r.height() / 2);
  painter.setPen(text_color_on(fill));
  QFont shown = font;
  shown.setBold(k.running || k.selected);
  painter.setFont(shown);
  painter.drawText(r, Qt::AlignCenter, QFontMetricsF(shown).elidedText(label, Qt::ElideRight, r.width() - 8));
  return image;
}

}  // namespace goroscope::gui
