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

#include <cstdint>
#include <functional>
#include <string>

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

// ChipLook is one look of one goroutine chip: its size and whether it is running or selected.
struct ChipLook {
  uint64_t g = 0;
  int w = 0, h = 0;
  bool running = false, selected = false;
  bool operator==(const ChipLook&) const = default;
};
struct ChipLookHash {
  size_t operator()(const ChipLook& k) const {
    return std::hash<uint64_t>()(k.g * 0x9E3779B97F4A7C15ull ^ (uint64_t(k.w) << 40) ^ (uint64_t(k.h) << 20) ^
                                 (k.running ? 1u : 0u) ^ (k.selected ? 2u : 0u));
  }
};
// kChipSpriteMargin is the room around a chip's sprite for the selection outline.
inline constexpr double kChipSpriteMargin = 3;

// chip_label() is the text on goroutine g's chip: "G12", a running one's with its label too
// ("G12 worker 3"; `label` may be empty).
QString chip_label(uint64_t g, bool running, const std::string& label);

// render_chip_sprite() is chip `look` as an image: its pill in the goroutine's colour and
// `label` (elided to fit), with kChipSpriteMargin around it; `ink` is the window's text colour
// (the selection outline).
QImage render_chip_sprite(const ChipLook& look, const QString& label, qreal dpr, const QColor& ink, const QFont& font);

}  // namespace goroscope::gui
