// scene_layer.hpp — the scheduler scene's still part (panels, labels, buffer slots, starvation
// bars), painted once per layout into an image the scene blits under its moving chips.
//
// Plain values in, an image out: it runs on a worker thread too (QPainter on a QImage, text
// included, is supported off the GUI thread), so a new layout of 10,000 goroutines costs the
// UI thread no painting.
#pragma once

#include <QFont>
#include <QImage>
#include <QPalette>
#include <QSize>

#include "views/scheduler_layout.hpp"

class QPainter;

namespace goroscope::gui {

// SceneStyle is what the layer is painted with, copied from the widget.
struct SceneStyle {
  QPalette palette;
  QFont font;
};

// paint_scene_layer() paints `layout`'s still part with `painter`, filling `size` (logical
// pixels) with the window colour first.
void paint_scene_layer(QPainter& painter, const SchedulerLayout& layout, QSize size, const SceneStyle& style);

// render_scene_layer() is that layer as a new image of `size` logical pixels at `dpr`.
QImage render_scene_layer(const SchedulerLayout& layout, QSize size, qreal dpr, const SceneStyle& style);

}  // namespace goroscope::gui
