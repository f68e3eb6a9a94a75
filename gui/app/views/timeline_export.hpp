// timeline_export.hpp — the timeline as a PNG or SVG file, from the same painter as the widget.
//
// QtGui + QtSvg only (no widgets): the desktop app's File menu and goroscope-cli --timeline
// both end here.
#pragma once

#include <QSize>
#include <QString>

#include <cstdint>
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
  std::vector<uint64_t> goroutine_lanes;  // goroutines with a lane of their own under the Ps (as shown)
  double dpi = 96;
  TimelineStyle style = TimelineStyle::light();
};

// export_timeline() writes `model` to `path`: PNG for *.png, SVG for *.svg (by suffix, case-
// insensitive). False with `error` set for another suffix or a file that cannot be written.
bool export_timeline(const TimelineModel& model, const QString& path, const TimelineExport& what, QString* error);

// export_trace_timeline() builds a model from a whole trace and exports it (goroscope-cli).
// Creates an offscreen QGuiApplication if there is none (fonts need one). The title names
// the sample and its parameters.
bool export_trace_timeline(const trace::TraceFile& trace, const std::string& path, int width, int height,
                           std::string* error);

}  // namespace goroscope::gui
