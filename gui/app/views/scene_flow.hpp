// scene_flow.hpp — the scheduler layout's shared placing rules (scheduler_layout.cpp and
// scene_object_panels.cpp): chips flowed into rows with a "+N" overflow, labels sized to their
// text, and the record of which goroutine already has its chip.
#pragma once

#include <QFontMetricsF>

#include <unordered_set>
#include <vector>

#include "views/scheduler_layout.hpp"

namespace goroscope::gui::scene {

inline constexpr double kHeader = 26;       // panel title row
inline constexpr double kLabelColumn = 74;  // "running", "runnext" labels in a card

// SceneBuilder adds to one layout. Every goroutine gets at most one chip (placed); a second
// place it belongs to gets a reference (ref()) instead.
struct SceneBuilder {
  SchedulerLayout& out;
  const LayoutMetrics& m;
  std::unordered_set<uint64_t> placed;

  // text_width() is the width `text` takes in the label font.
  double text_width(const QString& text) const;
  // label() adds a label at (x, y) in a row of `row_h`, as wide as its text (at most `max_w`);
  // returns its right edge.
  double label(double x, double y, double row_h, const QString& text, double max_w, bool dim = true);
  // place() flows the chips of `ids` (skipping and returning nothing for those already placed)
  // left to right in `area` for at most `max_rows` rows; what does not fit becomes one "+N".
  // With captions, each chip is as wide as its caption and rows leave room under it. Returns
  // the height used (one row at least).
  double place(const std::vector<uint64_t>& ids, QRectF area, int max_rows,
               const std::vector<QString>* captions = nullptr, const std::vector<double>* urgency = nullptr);
  // place_or_ref() is place() for the goroutines waiting on `object`: the ones already placed
  // elsewhere get a reference pill in the row instead of being left out.
  double place_or_ref(const std::vector<uint64_t>& ids, uint64_t object, QRectF area, int max_rows,
                      const std::vector<QString>* captions = nullptr, const std::vector<double>* urgency = nullptr);
  // row_height() is the height of a row of chips (with captions: plus the caption row).
  double row_height(bool captions = false) const { return m.chip_height + (captions ? kCaptionHeight + 2 : 0) + m.spacing; }
};

// object_panels() adds the mutex, channel and context panels of the blocked area, two per band
// in [left, right] from y; returns the y below them.
double object_panels(SceneBuilder& b, const gor::Snapshot& s, const SceneFacts* facts, double left, double right, double y);

}  // namespace goroscope::gui::scene
