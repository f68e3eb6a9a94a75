#include "views/goroutine_colors.hpp"

namespace goroscope::gui {

QColor goroutine_color(uint64_t g) {
  // Tableau-like palette, reordered so that consecutive ids differ in hue and lightness.
  static const QColor palette[] = {
      QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0x59, 0xa1, 0x4f),
      QColor(0xe1, 0x57, 0x59), QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48),
      QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
      QColor(0x86, 0xbc, 0xb6), QColor(0xd3, 0x72, 0x95), QColor(0x8c, 0xd1, 0x7d)};
  constexpr uint64_t n = sizeof(palette) / sizeof(palette[0]);
  if (g == 0) return QColor(0xba, 0xb0, 0xac);
  return palette[(g * 7) % n];  // 7 is coprime with 12: every colour is used, neighbours differ
}

QColor text_color_on(const QColor& fill) {
  const double luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
  return luminance > 0.55 ? QColor(0x20, 0x20, 0x20) : QColor(0xff, 0xff, 0xff);
}

}  // namespace goroscope::gui
