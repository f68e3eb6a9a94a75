// theme.hpp — light and dark palettes for the whole app (Fusion style).
#pragma once

#include <QPalette>

namespace goroscope::gui {

// light_palette() and dark_palette() are the app's two colour schemes.
QPalette light_palette();
QPalette dark_palette();

}  // namespace goroscope::gui
