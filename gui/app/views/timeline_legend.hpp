// timeline_legend.hpp — the line under the timeline that says what its marks mean.
#pragma once

#include "views/timeline_painter.hpp"

class QPainter;

namespace goroscope::gui {

// paint_legend() writes into L.legend, left to right while there is room, only what this
// picture can show: the goroutines without a lane (first), the marker kinds that occur,
// context cancellations, the wake-up arrows when a goroutine is selected, a race's edges, and
// the bands of the thread and goroutine lanes shown. The painter's state is restored.
void paint_legend(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                  const TimelineStyle& style);

}  // namespace goroscope::gui
