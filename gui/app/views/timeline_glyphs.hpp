// timeline_glyphs.hpp — the timeline's drawing primitives and colours, shared by the painter
// (timeline_painter.cpp) and its legend (timeline_legend.cpp), so both draw a thing alike.
#pragma once

#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <vector>

#include "model/timeline_model.hpp"
#include "views/timeline_painter.hpp"

class QFontMetricsF;
class QPainter;

namespace goroscope::gui {

// mix() is a blended t of the way from colour a to b.
QColor mix(const QColor& a, const QColor& b, double t);

// draw_glyph() draws marker kind k centred at (x, y), about 8 px wide, outlined in `outline`.
void draw_glyph(QPainter& p, MarkerKind k, double x, double y, const QColor& outline);

// draw_arrow() draws a wake-up: a curve from the readier's lane to where the woken goroutine
// next runs, arching `lift` px over the lanes when the two are close, its head along the
// curve's end; dashed for the wake-ups a goroutine gave.
void draw_arrow(QPainter& p, QPointF from, QPointF to, const QColor& c, bool dashed, double lift = 0);

// label_box() draws `text` in a small filled box centred at `at`, or moved beside it (along the
// line, then above or below) when that spot is in `taken` or outside `within`; with no room
// at all the label is left out rather than drawn over another. The box drawn joins `taken`.
void label_box(QPainter& p, const QFontMetricsF& fm, const QString& text, QPointF at, const QColor& fill,
               std::vector<QRectF>& taken, const QRectF& within);

// hb_color() is a selected race's happens-before edges; cancel_color() context cancellations;
// chain_color() the selected goroutine's wake-up chain.
QColor hb_color();
QColor cancel_color();
QColor chain_color();

// marker_outline() is the rim drawn around marker glyphs so they stand out on any slice.
QColor marker_outline(const TimelineStyle& style);

}  // namespace goroscope::gui
