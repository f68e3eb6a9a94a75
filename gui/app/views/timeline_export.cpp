#include "views/timeline_export.hpp"

#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include <algorithm>
#include <memory>
#include <unordered_map>

#include <gortrace_format.hpp>

namespace goroscope::gui {

namespace {

// lane_count() is every lane of the picture: the Ps, then the threads, then the goroutines.
int lane_count(const TimelineModel& model, const TimelineExport& what) {
  return model.lane_count() + static_cast<int>(what.thread_lanes.size() + what.goroutine_lanes.size());
}

TimelineScene scene_for(const TimelineModel& model, const TimelineExport& what, const QSize& size) {
  TimelineScene scene;
  scene.title = what.title;
  scene.selected = what.selected;
  scene.thread_lanes = what.thread_lanes;
  scene.goroutine_lanes = what.goroutine_lanes;
  scene.goroutines_without_lane = what.goroutines_without_lane;
  scene.object_name = what.object_name;
  const int lanes = lane_count(model, what);
  const TimelineLayout L = timeline_layout(QRectF(QPointF(0, 0), QSizeF(size)), lanes, !what.title.isEmpty(), true);
  scene.geometry.set_width(L.plot.width());
  if (what.t1 > what.t0)
    scene.geometry.show(what.t0, what.t1);
  else
    scene.geometry.show(0, std::max<int64_t>(model.end_ns(), 1000));
  return scene;
}

}  // namespace

bool export_timeline(const TimelineModel& model, const QString& path, const TimelineExport& what, QString* error) {
  auto fail = [&](const QString& text) {
    if (error) *error = text;
    return false;
  };
  QSize size = what.size;
  if (size.width() < 200) size.setWidth(200);
  if (size.height() <= 0)
    size.setHeight(timeline_height(lane_count(model, what), !what.title.isEmpty(), true));
  const QString suffix = QFileInfo(path).suffix().toLower();
  const TimelineScene scene = scene_for(model, what, size);
  const QRectF area(QPointF(0, 0), QSizeF(size));
  if (suffix == QLatin1String("png")) {
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(what.style.background);
    {
      QPainter p(&image);
      paint_timeline(p, area, model, scene, what.style);
    }
    if (!image.save(path, "PNG")) return fail(QStringLiteral("cannot write %1").arg(path));
    return true;
  }
  if (suffix == QLatin1String("svg")) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(area);
    svg.setResolution(static_cast<int>(what.dpi));  // else text comes out tiny in viewers
    svg.setTitle(what.title.isEmpty() ? QStringLiteral("Goroscope timeline") : what.title);
    svg.setDescription(QStringLiteral("Run slices per P, steals, handoffs, preemptions and mutex mode switches"));
    QPainter p;
    if (!p.begin(&svg)) return fail(QStringLiteral("cannot write %1").arg(path));
    paint_timeline(p, area, model, scene, what.style);
    if (!p.end()) return fail(QStringLiteral("cannot write %1").arg(path));
    if (!QFileInfo(path).exists() || QFileInfo(path).size() == 0) return fail(QStringLiteral("cannot write %1").arg(path));
    return true;
  }
  return fail(QStringLiteral("%1: the timeline is exported as .png or .svg").arg(path));
}

TimelineExport trace_timeline_export(const trace::TraceFile& trace, const TimelineModel& model,
                                     const TraceTimelineOptions& options) {
  TimelineExport what;
  what.size = QSize(options.width, options.height);
  // From the first event: a run traced from its start has none before main's first slice, and
  // an empty stretch there would take the picture's width for nothing.
  const int64_t first = trace.events.empty() ? 0 : trace.events.front().ts;
  what.t0 = first;
  what.t1 = std::max<int64_t>(model.end_ns(), first + 1000);
  if (model.story().syscalls() > 0)
    for (int m = 0; m < model.story().thread_count(); ++m)
      if (!model.story().thread(m).empty()) what.thread_lanes.push_back(m);
  if (options.goroutine_lanes) {
    what.goroutine_lanes = model.goroutine_ids(kMaxExportGoroutineLanes);
    what.goroutines_without_lane = model.goroutine_count() - what.goroutine_lanes.size();
  }
  // Mutexes (and every object) by the names their ObjectCreate gave.
  auto names = std::make_shared<std::unordered_map<uint64_t, QString>>();
  for (const gor::Event& e : trace.events) {
    if (e.kind != gor::EventKind::ObjectCreate) continue;
    const gor::ObjectFields o = gor::object_fields(e);
    if (o.name != 0) (*names)[o.object] = QString::fromStdString(trace.string(o.name));
  }
  what.object_name = [names](uint64_t id) {
    auto it = names->find(id);
    return it == names->end() ? QString() : it->second;
  };
  QString title = QString::fromStdString(trace.header.sample.empty() ? std::string("run") : trace.header.sample);
  if (!trace.header.params.empty()) title += QStringLiteral("  (%1)").arg(QString::fromStdString(trace.header.params));
  title += QStringLiteral("  ·  %1 P  ·  %2 events  ·  %3")
               .arg(trace.header.procs)
               .arg(static_cast<qulonglong>(trace.events.size()))
               .arg(QString::fromStdString(format_span(what.t1 - what.t0)));
  what.title = title;
  return what;
}

bool export_trace_timeline(const trace::TraceFile& trace, const std::string& path, const TraceTimelineOptions& options,
                           std::string* error) {
  std::unique_ptr<QGuiApplication> app;
  static int argc = 1;
  static char name[] = "goroscope-cli";
  static char* argv[] = {name, nullptr};
  if (!QGuiApplication::instance()) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    app = std::make_unique<QGuiApplication>(argc, argv);
  }
  TimelineModel model;
  model.ensure_lanes(trace.header.procs);
  model.append(trace.events.data(), trace.events.size());
  QString message;
  const bool ok = export_timeline(model, QString::fromStdString(path), trace_timeline_export(trace, model, options), &message);
  if (!ok && error) *error = message.toStdString();
  return ok;
}

bool export_trace_timeline(const trace::TraceFile& trace, const std::string& path, int width, int height,
                           std::string* error) {
  TraceTimelineOptions options;
  options.width = width;
  options.height = height;
  return export_trace_timeline(trace, path, options, error);
}

}  // namespace goroscope::gui
