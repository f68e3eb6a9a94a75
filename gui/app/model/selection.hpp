// selection.hpp — the goroutine the user selected (and those shown with it), shared by every view.
#pragma once

#include <QObject>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace goroscope::gui {

// GoroutineSelection holds the selected goroutine (0: none). Views call select() on clicks
// and follow changed() to highlight it; selecting the same goroutine again emits nothing.
// select_with() also names related goroutines shown with it (a data race's other goroutine);
// select() clears them.
class GoroutineSelection : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  uint64_t selected() const { return selected_; }
  void select(uint64_t g) {
    if (g == selected_ && related_.empty()) return;
    selected_ = g;
    related_.clear();
    emit changed(g);
  }
  // select_with() selects g together with `related` (highlighted too; g stays the primary).
  void select_with(uint64_t g, std::vector<uint64_t> related) {
    if (g == selected_ && related == related_) return;
    selected_ = g;
    related_ = std::move(related);
    emit changed(g);
  }
  const std::vector<uint64_t>& related() const { return related_; }
  bool is_selected(uint64_t g) const {
    return g != 0 && (g == selected_ || std::find(related_.begin(), related_.end(), g) != related_.end());
  }

 signals:
  void changed(uint64_t g);

 private:
  uint64_t selected_ = 0;
  std::vector<uint64_t> related_;
};

}  // namespace goroscope::gui
