// cli_timeline_test.cpp — goroscope-cli's timeline picture (issue 19 item 12): its range
// starts at the run's first event, goroutine lanes come only with --lanes, thread lanes when
// the run made blocking syscalls, the default height fits every lane, and the legend names
// only the kinds of marker that occur (nothing about a selection a static image cannot have).
#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <gortrace_format.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/timeline_model.hpp"
#include "views/timeline_export.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

// recorded() is a deterministic run of sample `id` (seed 1) as goroscope-cli records it.
goroscope::trace::TraceFile recorded(const char* id) {
  const goroscope::Sample* sample = goroscope::find_sample(id);
  if (sample == nullptr) qFatal("no sample %s", id);
  gor::Config cfg = goroscope::sample_config(*sample);
  cfg.deterministic = true;
  cfg.seed = 1;
  goroscope::trace::TraceHeader header;
  header.procs = cfg.procs;
  header.sample = id;
  goroscope::trace::MemoryTrace memory(header);
  cfg.trace = true;
  cfg.observer = &memory;
  const goroscope::SampleRun run = goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
  memory.finish(run.result);
  return memory.trace();
}

TimelineModel model_of(const goroscope::trace::TraceFile& t) {
  TimelineModel model;
  model.ensure_lanes(t.header.procs);
  model.append(t.events.data(), t.events.size());
  return model;
}

QImage exported(const goroscope::trace::TraceFile& t, const TraceTimelineOptions& options, QTemporaryDir& dir) {
  std::string error;
  const std::string png = dir.filePath(QStringLiteral("t.png")).toStdString();
  if (!export_trace_timeline(t, png, options, &error)) qFatal("export failed: %s", error.c_str());
  return QImage(QString::fromStdString(png));
}

}  // namespace

class CliTimelineTest : public QObject {
  Q_OBJECT
 private slots:
  void the_range_starts_at_the_first_event() {
    goroscope::trace::TraceFile t;
    t.header.procs = 1;
    t.events = {gui_test::ev(5'000'000, K::GoStart, 1, 0), gui_test::ev(7'000'000, K::GoEnd, 1, 0)};
    const TimelineModel model = model_of(t);
    const TimelineExport what = trace_timeline_export(t, model, TraceTimelineOptions{});
    QCOMPARE(what.t0, int64_t(5'000'000));
    QCOMPARE(what.t1, int64_t(7'000'000));
    QVERIFY2(what.title.endsWith(QStringLiteral("2.000 ms")) || what.title.contains(QStringLiteral("2 ms")), qPrintable(what.title));
    // A real run: from its first event, whatever engine time that is.
    const goroscope::trace::TraceFile ws = recorded("work-stealing");
    const TimelineModel ws_model = model_of(ws);
    QCOMPARE(trace_timeline_export(ws, ws_model, TraceTimelineOptions{}).t0, ws.events.front().ts);
  }

  void goroutine_lanes_come_with_lanes_and_the_height_fits_them() {
    const goroscope::trace::TraceFile t = recorded("mutex-starvation");
    const TimelineModel model = model_of(t);
    TraceTimelineOptions plain;
    const TimelineExport without = trace_timeline_export(t, model, plain);
    QVERIFY(without.goroutine_lanes.empty());
    TraceTimelineOptions lanes;
    lanes.goroutine_lanes = true;
    const TimelineExport with = trace_timeline_export(t, model, lanes);
    QCOMPARE(with.goroutine_lanes, model.goroutine_ids(kMaxExportGoroutineLanes));
    QVERIFY(with.goroutine_lanes.size() >= 4);  // main, the greedy one, the polite ones
    QCOMPARE(with.goroutines_without_lane, size_t(0));
    QTemporaryDir dir;
    const int p_lanes = model.lane_count();
    QCOMPARE(exported(t, plain, dir).height(), timeline_height(p_lanes, true, true));
    QCOMPARE(exported(t, lanes, dir).height(),
             timeline_height(p_lanes + static_cast<int>(with.goroutine_lanes.size()), true, true));
  }

  void threads_get_lanes_when_the_run_made_syscalls() {
    const goroscope::trace::TraceFile t = recorded("blocking-syscalls");
    const TimelineModel model = model_of(t);
    const TimelineExport what = trace_timeline_export(t, model, TraceTimelineOptions{});
    QVERIFY2(what.thread_lanes.size() > static_cast<size_t>(t.header.procs), "more threads than Ps show");
    QTemporaryDir dir;
    QCOMPARE(exported(t, TraceTimelineOptions{}, dir).height(),
             timeline_height(model.lane_count() + static_cast<int>(what.thread_lanes.size()), true, true));
    const goroscope::trace::TraceFile ws = recorded("work-stealing");
    QVERIFY(trace_timeline_export(ws, model_of(ws), TraceTimelineOptions{}).thread_lanes.empty());
  }

  void the_legend_names_only_what_occurs() {
    // One steal and nothing else: the legend says "steal" and no other kind, and nothing about
    // a selected goroutine.
    goroscope::trace::TraceFile t;
    t.header.procs = 2;
    t.events = {gui_test::ev(0, K::GoCreate, 2, 0, 1),      gui_test::ev(100, K::GoStart, 1, 0),
                gui_test::ev(1'000, K::Steal, 0, 1, 0, 1),  gui_test::ev(1'100, K::GoStart, 2, 1),
                gui_test::ev(9'000, K::GoEnd, 2, 1),        gui_test::ev(9'500, K::GoEnd, 1, 0)};
    QTemporaryDir dir;
    std::string error;
    const std::string svg = dir.filePath(QStringLiteral("t.svg")).toStdString();
    QVERIFY2(export_trace_timeline(t, svg, TraceTimelineOptions{}, &error), error.c_str());
    QFile f(QString::fromStdString(svg));
    QVERIFY(f.open(QIODevice::ReadOnly));
    // The picture's words: every <text> element's content (the SVG's description names all kinds).
    QStringList words;
    const QString svg_text = QString::fromUtf8(f.readAll());
    for (const QRegularExpressionMatch& m : QRegularExpression(QStringLiteral(">([^<>]*)</text>")).globalMatch(svg_text))
      words << m.captured(1);
    const QString text = words.join(QLatin1Char('|'));
    QVERIFY2(words.contains(QStringLiteral("steal")), qPrintable(text));
    for (const char* absent : {"handoff", "preempt", "mutex", "woke", "wake-up", "race", "cancel"})
      QVERIFY2(!text.contains(QString::fromLatin1(absent)), absent);
  }
};

QTEST_MAIN(CliTimelineTest)
#include "cli_timeline_test.moc"
