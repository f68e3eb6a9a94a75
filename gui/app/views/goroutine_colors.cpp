#include "views/goroutine_colors.hpp"

#include <cmath>

namespace goroscope::gui {

namespace {

// kPalette is 12 hues chosen for distance, not looks: every pair is at least 27 apart in
// CIELAB (ΔE76; the old palette had two teals 6 apart, so G3 and G4 looked alike), none is
// close to the grey of g == 0, and each reads on the light and the dark window.
const QColor kPalette[] = {
    QColor(0x3b, 0x78, 0xc4),  // blue
    QColor(0xf2, 0x8e, 0x2b),  // orange
    QColor(0x3f, 0xa3, 0x4d),  // green
    QColor(0xe0, 0x4b, 0x4f),  // red
    QColor(0x8e, 0x62, 0xc8),  // purple
    QColor(0x17, 0xbe, 0xcf),  // cyan
    QColor(0x9c, 0x6b, 0x4e),  // brown
    QColor(0xe3, 0x77, 0xc2),  // pink
    QColor(0xa3, 0xa5, 0x00),  // olive
    QColor(0x7a, 0x1f, 0x3d),  // wine
    QColor(0xff, 0xd8, 0x4d),  // yellow
    QColor(0x00, 0x66, 0x5e),  // dark teal
};
constexpr uint64_t kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);

}  // namespace

int goroutine_palette_size() { return static_cast<int>(kPaletteSize); }

QColor goroutine_color(uint64_t g) {
  if (g == 0) return QColor(0xba, 0xb0, 0xac);
  return kPalette[(g - 1) % kPaletteSize];  // any kPaletteSize consecutive ids differ
}

QColor text_color_on(const QColor& fill) {
  const double luminance = 0.2126 * fill.redF() + 0.7152 * fill.greenF() + 0.0722 * fill.blueF();
  return luminance > 0.55 ? QColor(0x20, 0x20, 0x20) : QColor(0xff, 0xff, 0xff);
}

double color_distance(const QColor& a, const QColor& b) {
  auto lab = [](const QColor& c, double out[3]) {
    auto linear = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const double r = linear(c.redF()), g = linear(c.greenF()), bl = linear(c.blueF());
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047;
    const double y = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
    const double z = (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
    out[0] = 116 * f(y) - 16;
    out[1] = 500 * (f(x) - f(y));
    out[2] = 200 * (f(y) - f(z));
  };
  double p[3], q[3];
  lab(a, p);
  lab(b, q);
  return std::sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
}

}  // namespace goroscope::gui
