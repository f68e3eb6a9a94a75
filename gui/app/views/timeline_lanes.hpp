// timeline_lanes.hpp — the timeline's lanes under the P lanes: threads (Ms), then goroutines.
//
// A thread lane (TimelineScene::thread_lanes) shows what one M did: the goroutines it ran for a
// P (a lighter band of their colour) and the blocking syscalls it sat in (full height, hatched),
// so a run with more busy threads than Ps shows them all.
//
// A goroutine lane (TimelineScene::goroutine_lanes) shows one goroutine's life: its run slices
// (whatever P ran them) in its colour at full height, its runnable time as a lighter band,
// its blocked time as a band whose look says why (sleeping hatched, waiting on a sync object
// red, on a channel or select blue, in a syscall teal; named by the wait reason where there
// is room), and the mutexes it held as a bar along the lane's top. Only the visible range is
// drawn, at most one rectangle per pixel and kind.
#pragma once

#include <QRectF>
#include <QString>

#include <vector>

#include "views/timeline_painter.hpp"

class QPainter;

namespace goroscope::gui {

// LaneBand is how a lane draws a stretch of time.
enum class LaneBand { Run, Runnable, Sleep, SyncWait, ChanWait, Syscall, Hold, ThreadRun };

// lane_band_of() is the band a BlockSpan reason (or kRunnableReason) is drawn as.
LaneBand lane_band_of(uint32_t reason);

// paint_thread_lanes() paints scene.thread_lanes into lanes L.p_lanes ... of L.
void paint_thread_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                        const TimelineStyle& style);

// paint_goroutine_lanes() paints scene.goroutine_lanes into the lanes after the thread lanes.
void paint_goroutine_lanes(QPainter& p, const TimelineLayout& L, const TimelineModel& model, const TimelineScene& scene,
                           const TimelineStyle& style);

// LaneLegendItem is one entry of the legend for the lanes shown: a band and what it means.
struct LaneLegendItem {
  LaneBand kind;
  QString text;
};

// lane_legend() lists the bands the scene's lanes use ("runnable", "sleeping", "holds mu", ...).
std::vector<LaneLegendItem> lane_legend(const TimelineModel& model, const TimelineScene& scene, const TimelineStyle& style);

// paint_lane_swatch() draws band `kind` into `r` as the lanes draw it (legend swatches).
void paint_lane_swatch(QPainter& p, const QRectF& r, LaneBand kind, const TimelineStyle& style);

}  // namespace goroscope::gui
