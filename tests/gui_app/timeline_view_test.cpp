// The Timeline tab offscreen: clicking a slice selects its goroutine in the shared selection
// (and a click on nothing clears it), a selection made elsewhere reaches the painted scene,
// shift-drag shows a range's statistics, keys zoom and stop following; exports write PNG and
// SVG files that load back (QImage, QSvgRenderer) with the slices' colours in them; the
// window has the tab.
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <gortrace_format.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/event_prefix.hpp"
#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/goroutine_colors.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_export.hpp"
#include "views/timeline_view.hpp"
#include "window/main_window.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

using gui_test::ev;

// store_with_slices: G1 on P0 0..400 us, G2 on P1 100..900 us, G3 on P0 500..950 us, a steal.
void fill(TraceStore& store) {
  store.append({ev(0, K::GoStart, 1, 0), ev(100'000, K::GoStart, 2, 1), ev(400'000, K::GoBlock, 1, 0),
                ev(450'000, K::GoUnblock, 1, 1, 2), ev(500'000, K::GoStart, 3, 0), ev(600'000, K::Steal, 0, 0, 1, 1),
                ev(900'000, K::GoEnd, 2, 1), ev(950'000, K::GoEnd, 3, 0), ev(1'000'000, K::RunEnd, 0, -1)});
}

// ShownTimeline is a 1000-px-wide TimelineView over fill()'s run; ready() waits until it is
// on screen, then syncs it with the whole run and fits it.
struct ShownTimeline {
  GoroutineSelection selection;
  TraceStore store;
  TimelineView view{selection};
  explicit ShownTimeline(int height) {
    fill(store);
    view.resize(1000, height);
    view.show();
  }
  bool ready() {
    if (!QTest::qWaitForWindowExposed(&view)) return false;
    view.sync(store, /*live=*/false);
    view.canvas().fit();
    return true;
  }
};

}  // namespace

class TimelineViewTest : public QObject {
  Q_OBJECT
 private slots:
  void a_backlog_too_big_for_one_frame_is_taken_over_several() {
    GoroutineSelection selection;
    TraceStore store;
    std::vector<gor::Event> events;
    const size_t n = 3 * kSyncChunk + 5;
    for (size_t i = 0; i < n; ++i) events.push_back(ev(static_cast<int64_t>(i) * 10, K::GoStart, 1 + i % 50, static_cast<int>(i % 2)));
    store.append(std::vector<gor::Event>(events));
    TimelineView view(selection);
    view.resize(1000, 240);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto spent = std::chrono::steady_clock::now() - std::chrono::seconds(1);  // a frame's budget used up
    QVERIFY(!view.sync(store, /*live=*/false, 0, spent));
    QCOMPARE(view.model().events_taken(), kSyncChunk);  // one chunk per call, never none
    QVERIFY(view.behind_ns() > 0);
    QVERIFY(view.catching_up_label().isVisible());
    QVERIFY2(view.catching_up_label().text().startsWith(QStringLiteral("Catching up: ")), qPrintable(view.catching_up_label().text()));
    int calls = 1;
    while (!view.sync(store, /*live=*/false, 0, spent)) ++calls;
    QCOMPARE(calls, 3);  // chunks 2 and 3, then the last 5 events
    QCOMPARE(view.model().events_taken(), n);
    QCOMPARE(view.behind_ns(), int64_t(0));
    QVERIFY(!view.catching_up_label().isVisible());
    TimelineModel fresh;
    fresh.append(events.data(), events.size());
    QCOMPARE(view.model().spans(0).size(), fresh.spans(0).size());
    QCOMPARE(view.model().spans(1).size(), fresh.spans(1).size());
    QCOMPARE(view.model().spans(1).back().start, fresh.spans(1).back().start);
  }

  void clicking_a_slice_selects_its_goroutine() {
    ShownTimeline shown(240);
    QVERIFY(shown.ready());
    GoroutineSelection& selection = shown.selection;
    TimelineView& view = shown.view;
    TimelineCanvas& c = view.canvas();
    QCOMPARE(view.model().lane_count(), 2);
    QTest::mouseClick(&c, Qt::LeftButton, {}, c.point_of(1, 0));
    QCOMPARE(selection.selected(), uint64_t(2));
    QCOMPARE(c.scene().selected, uint64_t(2));
    QTest::mouseClick(&c, Qt::LeftButton, {}, c.point_of(0, 1));
    QCOMPARE(selection.selected(), uint64_t(3));
    // Below the lanes: nothing there, the selection is cleared.
    QTest::mouseClick(&c, Qt::LeftButton, {}, QPoint(c.width() / 2, c.height() - 2));
    QCOMPARE(selection.selected(), uint64_t(0));
    selection.select(1);  // elsewhere (the table, the scene)
    QCOMPARE(c.scene().selected, uint64_t(1));
    // G1 blocked at 400 us and G2 woke it at 450 us: the message says so.
    QVERIFY2(view.stats_text().startsWith(QStringLiteral("G1 was woken 1 time(s)")), qPrintable(view.stats_text()));
    QVERIFY2(view.stats_text().contains(QStringLiteral("G1 woken by G2 at 450")), qPrintable(view.stats_text()));
    selection.select(3);  // G3 never blocked
    QVERIFY2(view.stats_text().startsWith(QStringLiteral("G3 never blocked")), qPrintable(view.stats_text()));
    selection.select(1);
    QCOMPARE(c.goroutine_at(c.point_of(0, 0)), uint64_t(1));
  }

  void clicking_a_steal_marker_lists_the_moved_goroutines() {
    GoroutineSelection selection;
    TraceStore store;
    store.add_string(1, "worker");
    store.append({ev(0, K::GoStart, 1, 0), ev(10'000, K::GoCreate, 5, 0, 1, 0, 1), ev(20'000, K::GoCreate, 6, 0, 1),
                  ev(100'000, K::GoStart, 2, 1), ev(200'000, K::GoEnd, 2, 1), ev(500'000, K::Steal, 0, 1, 0, 2),
                  ev(500'000, K::StealMove, 5, 1, 0), ev(500'010, K::StealMove, 6, 1, 0),
                  ev(510'000, K::GoStart, 5, 1), ev(900'000, K::GoEnd, 5, 1), ev(950'000, K::GoEnd, 1, 0),
                  ev(1'000'000, K::RunEnd, 0, -1)});
    TimelineView view(selection);
    view.resize(1000, 240);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    TimelineCanvas& c = view.canvas();
    c.fit();
    QCOMPARE(view.model().markers(1, MarkerKind::Steal).size(), size_t(1));
    const QPoint marker = c.steal_point(1, 0);
    int lane = -1;
    QCOMPARE(c.steal_marker_at(marker, &lane), 0L);
    QCOMPARE(lane, 1);
    QCOMPARE(c.steal_marker_at(c.point_of(1, 1), &lane), -1L);  // the slice below it is not the marker
    QTest::mouseClick(&c, Qt::LeftButton, {}, marker);
    QCOMPARE(selection.selected(), uint64_t(0));  // a steal click lists, it does not select
    QCOMPARE(view.shown_steal(), (std::vector<uint64_t>{5, 6}));
    const QString text = view.stats_label().text();
    QVERIFY2(text.contains(QStringLiteral("P1 took 2 goroutine(s) from P0")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("G5 worker")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("href=\"g:6\"")), qPrintable(text));
    // A listed goroutine's link selects it everywhere; the list stays, with it marked.
    emit view.stats_label().linkActivated(QStringLiteral("g:6"));
    QCOMPARE(selection.selected(), uint64_t(6));
    QCOMPARE(c.scene().selected, uint64_t(6));
    QCOMPARE(view.shown_steal(), (std::vector<uint64_t>{5, 6}));
    QVERIFY2(view.stats_label().text().contains(QStringLiteral("<b>G6</b>")), qPrintable(view.stats_label().text()));
    // Selecting something else replaces the list.
    selection.select(1);
    QVERIFY(view.shown_steal().empty());
    QVERIFY(view.stats_text().startsWith(QStringLiteral("G1")));
  }

  void goroutine_lanes_follow_the_selection_when_turned_on() {
    ShownTimeline shown(300);
    QVERIFY(shown.ready());
    GoroutineSelection& selection = shown.selection;
    TimelineView& view = shown.view;
    TimelineCanvas& c = view.canvas();
    QCOMPARE(view.lane_mode(), TimelineView::LaneMode::Auto);
    QVERIFY(!view.lanes_all_in_auto());  // these goroutines run more than they wait: the selected one only
    view.set_lane_mode(TimelineView::LaneMode::None);
    selection.select(1);
    QVERIFY(c.scene().goroutine_lanes.empty());
    QCOMPARE(c.current_layout().lanes, 2);
    view.set_lane_mode(TimelineView::LaneMode::Selected);
    QCOMPARE(c.scene().goroutine_lanes, (std::vector<uint64_t>{1}));
    const TimelineLayout L = c.current_layout();
    QCOMPARE(L.lanes, 3);
    // Selected elsewhere with a related goroutine: a lane each; a click in one selects it.
    selection.select_with(2, {3});
    QCOMPARE(c.scene().goroutine_lanes, (std::vector<uint64_t>{2, 3}));
    const TimelineLayout L2 = c.current_layout();
    QCOMPARE(L2.lanes, 4);
    const QPoint in_g3_lane(static_cast<int>(L2.plot.center().x()), static_cast<int>(L2.slice_rect(3).center().y()));
    QCOMPARE(c.goroutine_at(in_g3_lane), uint64_t(3));
    QCOMPARE(c.steal_marker_at(in_g3_lane, nullptr), -1L);
    QTest::mouseMove(&c, in_g3_lane);  // hovering a goroutine lane must not index a P lane
    QTest::mouseClick(&c, Qt::LeftButton, {}, in_g3_lane);
    QCOMPARE(selection.selected(), uint64_t(3));
    QCOMPARE(c.scene().goroutine_lanes, (std::vector<uint64_t>{3}));
    // G3's lane holds its slice in its colour.
    QImage img(c.size(), QImage::Format_ARGB32);
    c.render(&img);
    const TimelineLayout L3 = c.current_layout();
    const QPoint g3_slice(c.point_of(0, 1).x(), static_cast<int>(L3.slice_rect(2).center().y()));
    QCOMPARE(img.pixelColor(g3_slice).rgb(), goroutine_color(3).rgb());
    view.set_lane_mode(TimelineView::LaneMode::All);  // every goroutine, ascending
    QCOMPARE(c.scene().goroutine_lanes, (std::vector<uint64_t>{1, 2, 3}));
    view.set_lane_mode(TimelineView::LaneMode::None);
    QVERIFY(c.scene().goroutine_lanes.empty());
  }

  void shift_drag_shows_range_statistics_and_keys_zoom() {
    ShownTimeline shown(240);
    QVERIFY(shown.ready());
    TimelineView& view = shown.view;
    TimelineCanvas& c = view.canvas();
    const TimelineLayout L = c.current_layout();
    const int y = static_cast<int>(L.slice_rect(0).center().y());
    const int x0 = static_cast<int>(L.plot.left() + c.geometry().x_of(0));
    const int x1 = static_cast<int>(L.plot.left() + c.geometry().x_of(1'000'000));
    QTest::mousePress(&c, Qt::LeftButton, Qt::ShiftModifier, QPoint(x0, y));
    QTest::mouseMove(&c, QPoint((x0 + x1) / 2, y));
    QTest::mouseRelease(&c, Qt::LeftButton, Qt::ShiftModifier, QPoint(x1, y));
    QVERIFY2(view.stats_text().contains(QStringLiteral("3 goroutines")), qPrintable(view.stats_text()));
    QVERIFY2(view.stats_text().contains(QStringLiteral("1 steals")), qPrintable(view.stats_text()));
    QVERIFY2(view.stats_text().contains(QStringLiteral("P0 ")), qPrintable(view.stats_text()));
    QTest::keyClick(&c, Qt::Key_Escape);  // clears the range
    QVERIFY(view.stats_text().isEmpty());
    QTest::mousePress(&c, Qt::LeftButton, Qt::ShiftModifier, QPoint(x0, y));
    QTest::mouseRelease(&c, Qt::LeftButton, Qt::ShiftModifier, QPoint(x1, y));
    const double before = c.geometry().ns_per_px();
    QVERIFY(c.following());
    c.setFocus();
    QTest::keyClick(&c, Qt::Key_Plus);
    QCOMPARE(c.geometry().ns_per_px(), before / 1.5);
    QVERIFY(!c.following());
    QTest::keyClick(&c, Qt::Key_Home);
    QCOMPARE(c.geometry().t0(), int64_t(0));
  }

  void exports_are_valid_png_and_svg() {
    TraceStore store;
    fill(store);
    TimelineModel model;
    model.sync(store.events(), std::numeric_limits<int64_t>::max());
    QTemporaryDir dir;
    TimelineExport what;
    what.size = QSize(1200, 0);
    what.title = QStringLiteral("test run");
    QString error;
    const QString png = dir.filePath(QStringLiteral("t.png"));
    QVERIFY2(export_timeline(model, png, what, &error), qPrintable(error));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), 1200);
    QVERIFY(image.height() >= 100);
    // G2's colour is somewhere on P1's lane.
    const TimelineLayout L = timeline_layout(QRectF(0, 0, image.width(), image.height()), 2, true, true);
    TimelineGeometry g;
    g.set_width(L.plot.width());
    g.show(0, 1'000'000);
    const QPoint at(static_cast<int>(L.plot.left() + g.x_of(300'000)), static_cast<int>(L.slice_rect(1).center().y()));
    QCOMPARE(image.pixelColor(at).rgb(), goroutine_color(2).rgb());
    const QString svg = dir.filePath(QStringLiteral("t.svg"));
    QVERIFY2(export_timeline(model, svg, what, &error), qPrintable(error));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF().width(), 1200.0);
    QFile f(svg);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("test run"));
    QVERIFY(!export_timeline(model, dir.filePath(QStringLiteral("t.bmp")), what, &error));
    QVERIFY(error.contains(QStringLiteral(".png or .svg")));
    QVERIFY(!export_timeline(model, QStringLiteral("/nonexistent-dir/x.png"), what, &error));

    // Goroutine lanes shown in the window are exported too: one more lane, with G2's colour
    // on it at the same time as on P1's lane.
    TimelineExport with_lane = what;
    with_lane.goroutine_lanes = {2};
    const QString lanes_png = dir.filePath(QStringLiteral("lanes.png"));
    QVERIFY2(export_timeline(model, lanes_png, with_lane, &error), qPrintable(error));
    QImage lanes_image(lanes_png);
    QVERIFY(!lanes_image.isNull());
    QCOMPARE(lanes_image.height(), timeline_height(3, true, true));
    QVERIFY(lanes_image.height() > image.height());
    const TimelineLayout L3 = timeline_layout(QRectF(0, 0, lanes_image.width(), lanes_image.height()), 3, true, true);
    const QPoint on_lane(static_cast<int>(L3.plot.left() + g.x_of(300'000)), static_cast<int>(L3.slice_rect(2).center().y()));
    QCOMPARE(lanes_image.pixelColor(on_lane).rgb(), goroutine_color(2).rgb());
  }

  void a_recorded_run_draws_as_goroscope_cli_does() {
    const goroscope::Sample* sample = goroscope::find_sample("work-stealing");
    QVERIFY(sample);
    gor::Config cfg = goroscope::sample_config(*sample);
    goroscope::trace::TraceHeader header;
    header.procs = cfg.procs;
    goroscope::trace::MemoryTrace memory(header);
    cfg.trace = true;
    cfg.observer = &memory;
    const goroscope::SampleRun run = goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
    memory.finish(run.result);
    QTemporaryDir dir;
    std::string error;
    const std::string png = dir.filePath(QStringLiteral("ws.png")).toStdString();
    QVERIFY2(export_trace_timeline(memory.trace(), png, 1000, 0, &error), error.c_str());
    QImage image(QString::fromStdString(png));
    QCOMPARE(image.width(), 1000);
    // Every P of the run has a lane: the picture is at least as tall as their lanes.
    QVERIFY(image.height() >= timeline_height(cfg.procs, true, true) - 1);
    QVERIFY(!export_trace_timeline(memory.trace(), dir.filePath(QStringLiteral("ws.gif")).toStdString(), 1000, 0, &error));
  }

  // A P that never ran a goroutine (an idle P on a busy machine) still gets its lane in the
  // export of a recorded trace: the header's GOMAXPROCS decides, not the events.
  void every_p_of_a_recorded_trace_has_a_lane() {
    goroscope::trace::TraceFile t;
    t.header.procs = 4;
    t.events = {gui_test::ev(0, gor::EventKind::GoStart, 1, 0), gui_test::ev(1000, gor::EventKind::GoEnd, 1, 0)};
    QTemporaryDir dir;
    std::string error;
    const std::string png = dir.filePath(QStringLiteral("idle_ps.png")).toStdString();
    QVERIFY2(export_trace_timeline(t, png, 800, 0, &error), error.c_str());
    QCOMPARE(QImage(QString::fromStdString(png)).height(), timeline_height(4, true, true));
  }

  // Zoomed views of recorded runs with a woken goroutine selected (wake-up arrows, outlines)
  // export as valid pictures. GOROSCOPE_TEST_ARTIFACTS=DIR keeps them for people to look at.
  void zoomed_exports_of_recorded_runs() {
    for (const char* id : {"work-stealing", "producer-consumer", "mutex-starvation"}) {
      const goroscope::Sample* sample = goroscope::find_sample(id);
      QVERIFY(sample);
      gor::Config cfg = goroscope::sample_config(*sample);
      goroscope::trace::MemoryTrace memory(goroscope::trace::TraceHeader{});
      cfg.trace = true;
      cfg.observer = &memory;
      memory.finish(goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg).result);
      TimelineModel model;
      model.append(memory.trace().events.data(), memory.trace().events.size());
      uint64_t woken = 0;
      int64_t at = model.end_ns() / 2;
      for (const Wake& w : model.wakes())  // a goroutine woken near the middle, by another
        if (!woken && w.readier && w.ts > model.end_ns() / 2 - model.end_ns() / 70 && model.next_span_after(w.g, w.ts)) {
          woken = w.g;
          at = w.ts;
        }
      QTemporaryDir dir;
      const QString keep = qEnvironmentVariable("GOROSCOPE_TEST_ARTIFACTS");
      for (int zoom : {1, 8, 64}) {
        TimelineExport what;
        what.size = QSize(1400, 0);
        what.t0 = std::max<int64_t>(0, at - model.end_ns() / (2 * zoom));
        what.t1 = at + model.end_ns() / (2 * zoom);
        what.selected = woken;
        what.title = QStringLiteral("%1 x%2, G%3 selected").arg(QString::fromLatin1(id)).arg(zoom).arg(woken);
        const QString out = (keep.isEmpty() ? dir.path() : keep) + QStringLiteral("/%1-x%2.png").arg(QString::fromLatin1(id)).arg(zoom);
        QString message;
        QVERIFY2(export_timeline(model, out, what, &message), qPrintable(message));
        QVERIFY(!QImage(out).isNull());
      }
    }
  }

  void the_window_has_a_timeline_tab() {
    MainWindow w(false);
    w.show_bottom_tab(QStringLiteral("timeline"));
    QCOMPARE(w.bottom_tabs().currentWidget(), static_cast<QWidget*>(&w.timeline()));
    QCOMPARE(w.bottom_tabs().tabText(w.bottom_tabs().currentIndex()), QStringLiteral("Timeline"));
  }
};

QTEST_MAIN(TimelineViewTest)
#include "timeline_view_test.moc"
