// selection.hpp — the goroutine the user selected, shared by every view.
#pragma once

#include <QObject>

#include <cstdint>

namespace goroscope::gui {

// GoroutineSelection holds the selected goroutine (0: none). Views call select() on clicks
// and follow changed() to highlight it; selecting the same goroutine again emits nothing.
class GoroutineSelection : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  uint64_t selected() const { return selected_; }
  void select(uint64_t g) {
    if (g == selected_) return;
    selected_ = g;
    emit changed(g);
  }

 signals:
  void changed(uint64_t g);

 private:
  uint64_t selected_ = 0;
};

}  // namespace goroscope::gui
