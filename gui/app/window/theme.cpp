#include "window/theme.hpp"

namespace goroscope::gui {

QPalette light_palette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0xf4, 0xf5, 0xf7));
  p.setColor(QPalette::WindowText, QColor(0x1f, 0x23, 0x28));
  p.setColor(QPalette::Base, QColor(0xff, 0xff, 0xff));
  p.setColor(QPalette::AlternateBase, QColor(0xf0, 0xf2, 0xf5));
  p.setColor(QPalette::Text, QColor(0x1f, 0x23, 0x28));
  p.setColor(QPalette::Button, QColor(0xfa, 0xfb, 0xfc));
  p.setColor(QPalette::ButtonText, QColor(0x1f, 0x23, 0x28));
  p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xc7));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf0));
  p.setColor(QPalette::ToolTipText, QColor(0x1f, 0x23, 0x28));
  p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
  p.setColor(QPalette::Link, QColor(0x2a, 0x64, 0xb0));
  p.setColor(QPalette::Mid, QColor(0xc4, 0xc9, 0xd2));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0xa0, 0xa4, 0xab));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0xa0, 0xa4, 0xab));
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0xa0, 0xa4, 0xab));
  return p;
}

QPalette dark_palette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(0x23, 0x26, 0x2b));
  p.setColor(QPalette::WindowText, QColor(0xe4, 0xe6, 0xea));
  p.setColor(QPalette::Base, QColor(0x2b, 0x2f, 0x35));
  p.setColor(QPalette::AlternateBase, QColor(0x31, 0x35, 0x3c));
  p.setColor(QPalette::Text, QColor(0xe4, 0xe6, 0xea));
  p.setColor(QPalette::Button, QColor(0x33, 0x37, 0x3e));
  p.setColor(QPalette::ButtonText, QColor(0xe4, 0xe6, 0xea));
  p.setColor(QPalette::Highlight, QColor(0x4a, 0x86, 0xd4));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::ToolTipBase, QColor(0x33, 0x37, 0x3e));
  p.setColor(QPalette::ToolTipText, QColor(0xe4, 0xe6, 0xea));
  p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x90, 0x99));
  p.setColor(QPalette::Link, QColor(0x7d, 0xb4, 0xf0));
  p.setColor(QPalette::Mid, QColor(0x5a, 0x60, 0x6a));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x74, 0x7b));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x74, 0x7b));
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x74, 0x7b));
  return p;
}

}  // namespace goroscope::gui
