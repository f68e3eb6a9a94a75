// timeline_export.hpp — the timeline as a PNG or SVG file, from the same painter as the widget.
//
// QtGui + QtSvg only (no widgets): the desktop app's File menu and goroscope-cli --timeline
// both end here.
#pragma once

#include <QSize>
#include <QString>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "views/timeline_painter.hpp"

namespace goroscope::trace {
struct TraceFile;
}

namespace goroscope::gui {

// TimelineExport says what to export: the time range (t1 <= t0: the whole run), the picture
// size (height 0: fit the lanes), a title, a highlighted goroutine, the SVG resolution.
struct TimelineExport {
  int64_t t0 = 0, t1 = -1;
  QSize size{1600, 0};
  QString title;
  uint64_t selected = 0;
  std::vector<int> thread_lanes;           // Ms with a lane of their own under the Ps (as shown)
  std::vector<uint64_t> goroutine_lanes;  // goroutines with a lane of their own under those (as shown)
  size_t goroutines_without_lane = 0;     // goroutines left without a lane (said in the legend)
  std::function<QString(uint64_t)> object_name;  // a mutex's name for its hold spans (empty: "lock")
  double dpi = 96;
  TimelineStyle style = TimelineStyle::light();
};

// export_timeline() writes `model` to `path`: PNG for *.png, SVG for *.svg (by suffix, case-
// insensitive). False with `error` set for another suffix or a file that cannot be written.
bool export_timeline(const TimelineModel& model, const QString& path, const TimelineExport& what, QString* error);

// TraceTimelineOptions is how goroscope-cli draws a saved run: the picture's width, its height
// (0: fit the lanes) and whether each goroutine gets a lane of its own (--lanes).
struct TraceTimelineOptions {
  int width = 1600;
  int height = 0;
  bool goroutine_lanes = false;
};

// kMaxExportGoroutineLanes is the most goroutine lanes an export draws; the legend counts the rest.
inline constexpr size_t kMaxExportGoroutineLanes = 64;

// trace_timeline_export() is what export_trace_timeline() draws of `trace` (whose events
// `model` holds): the range from its first event to its last (no empty start), a lane per M
// when the run made a blocking syscall (as the app shows them), with options.goroutine_lanes
// a lane per goroutine by id (at most kMaxExportGoroutineLanes, the others counted), mutexes
// named from the trace, and a title naming the sample, its parameters, the Ps, the events
// and the span.
TimelineExport trace_timeline_export(const trace::TraceFile& trace, const TimelineModel& model,
                                     const TraceTimelineOptions& options);

// export_trace_timeline() builds a model from a whole trace and exports it as
// trace_timeline_export() says (goroscope-cli --timeline). Creates an offscreen
// QGuiApplication if there is none (fonts need one).
bool export_trace_timeline(const trace::TraceFile& trace, const std::string& path, const TraceTimelineOptions& options,
                           std::string* error);
// export_trace_timeline() with a width and height (0: fit) and no goroutine lanes.
bool export_trace_timeline(const trace::TraceFile& trace, const std::string& path, int width, int height,
                           std::string* error);

}  // namespace goroscope::gui
