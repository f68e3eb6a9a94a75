// goroutine_colors.hpp — the stable colour of each goroutine, shared by every view.
#pragma once

#include <QColor>

#include <cstdint>

namespace goroscope::gui {

// goroutine_color() is goroutine g's fill colour: the same in every view and every run,
// distinct for neighbouring ids (a 12-colour palette readable on light and dark themes).
QColor goroutine_color(uint64_t g);

// text_color_on() is black or white, whichever reads better on `fill`.
QColor text_color_on(const QColor& fill);

}  // namespace goroscope::gui
