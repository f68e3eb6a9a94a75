// timeline_lanes.hpp — the timeline's optional goroutine lanes, under the P lanes.
//
// One lane per goroutine in TimelineScene::goroutine_lanes: its run slices (whatever P ran
// them) in its colour at full height, its runnable time as a lighter band of that colour and
// its blocked time as a thin line of it (named by the wait reason where there is room). Only
// the visible range is drawn, at most one rectangle per pixel and kind.
#pragma once

#include <QRectF>

#include "views/timeline_painter.hpp"

class QPainter;

namespace goroscope::gui {

// paint_goroutine_lanes() paints scene.goroutine_lanes into lanes model.lane_count() ... of L.
void paint_goroutine_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                           const TimelineStyle& style);

}  // namespace goroscope::gui
