// goroutine_colors.hpp — the stable colour of each goroutine, shared by every view.
#pragma once

#include <QColor>

#include <cstdint>

namespace goroscope::gui {

// goroutine_color() is goroutine g's fill colour: the same in every view and every run, and
// distinguishable (color_distance() >= 25) for any goroutine_palette_size() consecutive ids,
// so the goroutines of a sample on screen at once differ; readable on light and dark themes.
QColor goroutine_color(uint64_t g);

// goroutine_palette_size() is how many consecutive ids get pairwise distinct colours.
int goroutine_palette_size();

// text_color_on() is black or white, whichever reads better on `fill`.
QColor text_color_on(const QColor& fill);

// color_distance() is the CIELAB distance (ΔE76) between two colours: under about 10 they
// look alike side by side.
double color_distance(const QColor& a, const QColor& b);

}  // namespace goroscope::gui
