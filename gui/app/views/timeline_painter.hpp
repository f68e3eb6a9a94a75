// timeline_painter.hpp — paints a TimelineModel: one function for the widget, the PNG/SVG
// exports and goroscope-cli --timeline, so all three look the same.
//
// Only QtGui (QPainter): no widgets, usable headless. Paints only what is visible: slices
// come from TimelineModel::level_of_detail() for the visible range, markers and wake-up
// arrows from binary searches over sorted arrays.
#pragma once

#include <QColor>
#include <QFont>
#include <QRectF>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "model/race_edges.hpp"
#include "model/timeline_model.hpp"
#include "views/timeline_geometry.hpp"

class QPainter;
class QPalette;

namespace goroscope::gui {

// TimelineStyle is the colours and font of a timeline picture.
struct TimelineStyle {
  QColor background{0xff, 0xff, 0xff};
  QColor lane_even{0xf6, 0xf7, 0xf9};
  QColor lane_odd{0xff, 0xff, 0xff};
  QColor text{0x21, 0x25, 0x29};
  QColor muted{0x6c, 0x75, 0x7d};
  QColor grid{0xde, 0xe2, 0xe6};
  QColor axis_background{0xf1, 0xf3, 0xf5};
  QColor range{0x33, 0x8a, 0xf0, 60};
  QColor cursor{0xd6, 0x33, 0x84};
  QFont font;
  // light() is the default for exports; from_palette() follows the app's theme.
  static TimelineStyle light();
  static TimelineStyle from_palette(const QPalette& palette);
};

// TimelineScene is what to draw on top of the model: the visible range, the highlighted
// goroutines, the selected range and the replay cursor.
struct TimelineScene {
  TimelineGeometry geometry;  // its width must be TimelineLayout::plot's width
  uint64_t selected = 0;      // highlighted slices and their wake-up arrows
  uint64_t hovered = 0;       // wake-up arrows too
  std::vector<uint64_t> related;  // highlighted with `selected` (a race's other goroutine)
  std::shared_ptr<const RaceEdges> race;  // a selected data race: its point and happens-before edges
  int64_t range_t0 = -1, range_t1 = -1;  // a selected range (both >= 0), shaded
  int64_t cursor = -1;        // a vertical cursor line (>= 0)
  std::vector<int> thread_lanes;          // Ms with a lane of their own under the P lanes (timeline_lanes.hpp)
  std::vector<uint64_t> goroutine_lanes;  // goroutines with a lane of their own under those (timeline_lanes.hpp)
  size_t goroutines_without_lane = 0;     // goroutines the lanes left out (said in the legend)
  std::function<QString(uint64_t)> object_name;  // a mutex's name for its hold spans (empty: "lock")
  QString title;              // drawn above the axis when not empty (exports)
  bool legend = true;
};

// TimelineLayout is where each part of the picture goes inside `area`.
struct TimelineLayout {
  QRectF area, title, axis, plot, legend;
  double gutter = 44;  // lane labels ("P0") left of the plot
  double lane_height = 28;
  int compact_from = 0;          // lanes from this one on are compact_height high (goroutine lanes that
  double compact_height = 28;    // did not fit at lane_height); before it, lane_height
  int lanes = 0;
  int p_lanes = 0, thread_lanes = 0;     // the first p_lanes lanes are Ps, then thread_lanes Ms, then goroutines
  QRectF lane_rect(int lane) const;      // the lane's band across the plot
  QRectF slice_rect(int lane) const;     // where its slices go (below the marker strip)
  int lane_at(double y) const;           // -1 outside the lanes
};

// kCompactLaneHeight is the smallest height of a goroutine lane (scene_layout() shrinks them
// down to it before any other lane).
inline constexpr double kCompactLaneHeight = 12;

// timeline_layout() lays out `lanes` lanes in `area` (lane height between 18 and 40 px).
TimelineLayout timeline_layout(const QRectF& area, int lanes, bool with_title, bool with_legend);
// scene_layout() lays out the model's P lanes and the scene's thread and goroutine lanes.
TimelineLayout scene_layout(const QRectF& area, const TimelineModel& model, const TimelineScene& scene);

// timeline_height() is a good picture height for `lanes` lanes (exports).
int timeline_height(int lanes, bool with_title, bool with_legend);

// paint_timeline() paints `model` into `area` as `scene` says. The painter's state is restored.
void paint_timeline(QPainter& p, const QRectF& area, const TimelineModel& model, const TimelineScene& scene,
                    const TimelineStyle& style);

// marker_color() is the colour of a marker kind (also the legend's).
QColor marker_color(MarkerKind k);

}  // namespace goroscope::gui
