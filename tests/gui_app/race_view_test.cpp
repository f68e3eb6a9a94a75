// Data races in the app (issue 8), offscreen: the toolbar's Race detector toggle reaches
// Config::race (race-counter's racy variant reports a race with it on, none with it off); the
// banner shows Go's "WARNING: DATA RACE" with the report and, clicked, selects both goroutines
// and shows the race on the timeline; a replayed trace shows its races too; race_hb_edges()
// finds exactly the happens-before chains of small synthetic traces; --race on the command line.
#include <QCheckBox>
#include <QSignalSpy>
#include <QToolButton>
#include <QTemporaryDir>
#include <QtTest>

#include <gortrace_format.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/event_text.hpp"
#include "model/race_edges.hpp"
#include "model/trace_store.hpp"
#include "model/selection.hpp"
#include "views/run_banner.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"
#include "window/app_options.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

using namespace goroscope::gui;
using gor::EventKind;

namespace {

gor::Event ev(int64_t ts, EventKind kind, uint64_t g, uint64_t a0 = 0, uint64_t a1 = 0, int p = 0) {
  gor::Event e;
  e.ts = ts;
  e.kind = kind;
  e.g = g;
  e.a0 = a0;
  e.a1 = a1;
  e.p = static_cast<int16_t>(p);
  return e;
}

bool has_edge(const RaceEdges& r, HbKind kind, uint64_t from, uint64_t to) {
  return std::any_of(r.edges.begin(), r.edges.end(),
                     [&](const HbEdge& e) { return e.kind == kind && e.from_g == from && e.to_g == to; });
}

bool run_and_wait(MainWindow& w) {
  QSignalSpy finished(&w, &MainWindow::runFinished);
  if (!w.run_current()) return false;
  return finished.wait(120000);
}

}  // namespace

class RaceViewTest : public QObject {
  Q_OBJECT
 private slots:
  void hb_edges_follow_create_mutex_and_stop_at_the_race() {
    // main (G1) starts G2 and G3; G2 unlocks mu at 40, G3 locks it at 50; G2 sends to main at
    // 60; G3's access at 80 races with an access of G2 (after 40: nothing later of G2 reaches G3).
    const std::vector<gor::Event> events = {
        ev(10, EventKind::GoCreate, 2, 1),
        ev(20, EventKind::GoCreate, 3, 1),
        ev(40, EventKind::MutexRelease, 2, 100, 0, 0),
        ev(50, EventKind::MutexAcquire, 3, 100, 0, 1),
        ev(60, EventKind::ChanSend, 2, 200, 0, 0),
        ev(70, EventKind::ChanRecv, 1, 200, 0, 1),
        ev(80, EventKind::Race, 3, 2, 0, 1),
        ev(90, EventKind::MutexRelease, 2, 100),  // after the race: not used
        ev(95, EventKind::MutexAcquire, 3, 100),
    };
    const RaceEdges r = race_hb_edges(events, events[6]);
    QCOMPARE(r.g, uint64_t{3});
    QCOMPARE(r.other, uint64_t{2});
    QCOMPARE(r.ts, int64_t{80});
    QCOMPARE(r.other_ordered_until, int64_t{40});  // G2's unlock is the last of it G3 has seen
    QCOMPARE(r.g_ordered_until, int64_t{-1});      // nothing of G3 reaches G2
    QVERIFY(has_edge(r, HbKind::Create, 1, 2));
    QVERIFY(has_edge(r, HbKind::Create, 1, 3));
    QVERIFY(has_edge(r, HbKind::Mutex, 2, 3));
    QVERIFY(!has_edge(r, HbKind::Channel, 2, 1));  // real, but it connects neither to the other
    QCOMPARE(r.edges.size(), size_t{3});
    for (const HbEdge& e : r.edges) QVERIFY(e.to_ts <= 80);
    for (size_t i = 1; i < r.edges.size(); ++i) QVERIFY(r.edges[i - 1].from_ts <= r.edges[i].from_ts);
    const auto m = std::find_if(r.edges.begin(), r.edges.end(), [](const HbEdge& e) { return e.kind == HbKind::Mutex; });
    QCOMPARE(m->from_ts, int64_t{40});
    QCOMPARE(m->to_ts, int64_t{50});
    QCOMPARE(m->from_p, 0);
    QCOMPARE(m->to_p, 1);
    QCOMPARE(m->object, uint64_t{100});
  }

  void hb_edges_chain_through_a_third_goroutine_and_both_ways() {
    // G2 sends on a buffered channel at 30 and 35; G4 takes the first value at 45 and wakes G3
    // at 50 (so G3 sees G2 up to 30); G3 closes done at 60 and G2 receives the close at 70 (G2
    // sees G3 up to 60). The race: G2's access at 80 against G3's earlier one.
    const std::vector<gor::Event> events = {
        ev(30, EventKind::ChanSend, 2, 300),
        ev(35, EventKind::ChanSend, 2, 300),
        ev(45, EventKind::ChanRecv, 4, 300),
        ev(50, EventKind::GoUnblock, 3, 4),
        ev(60, EventKind::ChanClose, 3, 400),
        ev(70, EventKind::ChanRecv, 2, 400),
        ev(80, EventKind::Race, 2, 3),
    };
    const RaceEdges r = race_hb_edges(events, events.back());
    QCOMPARE(r.other_ordered_until, int64_t{60});  // G3 up to its close happens before G2's access
    QCOMPARE(r.g_ordered_until, int64_t{30});      // G2 up to its first send happens before G3 at 80
    QVERIFY(has_edge(r, HbKind::Channel, 2, 4));
    QVERIFY(has_edge(r, HbKind::Wake, 4, 3));
    QVERIFY(has_edge(r, HbKind::Close, 3, 2));
    QCOMPARE(r.edges.size(), size_t{3});
    const auto c = std::find_if(r.edges.begin(), r.edges.end(), [](const HbEdge& e) { return e.kind == HbKind::Channel; });
    QCOMPARE(c->from_ts, int64_t{30});  // FIFO: the first receive took the first send
  }

  void hb_edges_none_between_two_unsynchronised_siblings() {
    // race-counter's racy shape: main starts G2 and G3; they only yield; main waits for both.
    const std::vector<gor::Event> events = {
        ev(10, EventKind::GoCreate, 2, 1), ev(11, EventKind::GoCreate, 3, 1), ev(20, EventKind::GoStart, 2),
        ev(30, EventKind::GoYield, 2),     ev(31, EventKind::GoStart, 3),     ev(40, EventKind::Race, 3, 2),
        ev(50, EventKind::GoUnblock, 1, 3),
    };
    const RaceEdges r = race_hb_edges(events, events[5]);
    QCOMPARE(r.other_ordered_until, int64_t{-1});
    QCOMPARE(r.g_ordered_until, int64_t{-1});
    QCOMPARE(r.edges.size(), size_t{2});  // only the common creator's two `go` edges
    QVERIFY(has_edge(r, HbKind::Create, 1, 2));
    QVERIFY(has_edge(r, HbKind::Create, 1, 3));
    QVERIFY(!has_edge(r, HbKind::Wake, 3, 1));
  }

  void report_summary() {
    struct Case {
      std::string report, access, access_site, previous, previous_site, location;
    };
    const Case cases[] = {
        {"==================\nWARNING: DATA RACE\nWrite at 0x000012345678 by goroutine 5:\n  f()\n      /src/samples/race_counter.cpp:46\n\n"
         "Previous read at 0x000012345678 by goroutine 4:\n  f()\n      /src/samples/race_counter.cpp:44\n\n"
         "Location is Shared \"counter\" of size 8 at 0x000012345678\n\n==================\n",
         "Write", "race_counter.cpp:46", "read", "race_counter.cpp:44", "Shared \"counter\""},
        // A close racing with a send: the runtime frame on top of each access is skipped.
        {"==================\nWARNING: DATA RACE\nWrite at 0x000012345678 by goroutine 5:\n  runtime.closechan()\n"
         "  f()\n      /src/samples/x.cpp:20\n\nPrevious read at 0x000012345678 by goroutine 4:\n"
         "  runtime.chansend()\n  g()\n      /src/samples/x.cpp:12\n\n"
         "Location is channel \"jobs\" at 0x000012345678\n\n==================\n",
         "Write", "x.cpp:20", "read", "x.cpp:12", "channel \"jobs\""},
    };
    for (const Case& c : cases) {
      const RaceSummary s = summarize_race_report(c.report);
      QCOMPARE(s.access, c.access);
      QCOMPARE(s.access_site, c.access_site);
      QCOMPARE(s.previous, c.previous);
      QCOMPARE(s.previous_site, c.previous_site);
      QCOMPARE(s.location, c.location);
    }
  }

  void race_event_text() {
    TraceStore store;
    store.add_string(7, "/src/samples/race_counter.cpp:46 in f()");
    gor::Event e = ev(80, EventKind::Race, 5, 4, 7);
    const QString text = describe_event(e, store);
    QVERIFY2(text.contains(QStringLiteral("DATA RACE with G4")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("race_counter.cpp:46")) && !text.contains(QStringLiteral("/src")), qPrintable(text));
  }

  void selection_with_related_goroutines() {
    GoroutineSelection sel;
    QSignalSpy changed(&sel, &GoroutineSelection::changed);
    sel.select_with(5, {4});
    QCOMPARE(changed.count(), 1);
    QVERIFY(sel.is_selected(5) && sel.is_selected(4) && !sel.is_selected(3));
    sel.select_with(5, {4});  // the same: nothing
    QCOMPARE(changed.count(), 1);
    sel.select(5);  // same primary, but the related ones go
    QCOMPARE(changed.count(), 2);
    QVERIFY(sel.related().empty());
    sel.select(5);
    QCOMPARE(changed.count(), 2);
  }

  void toggle_reaches_the_engine_and_the_banner_selects_both() {
    MainWindow w(/*persist_settings=*/false);
    w.resize(1400, 900);
    w.show();
    QVERIFY(w.open_sample(QStringLiteral("race-counter")));
    QVERIFY(w.toolbar().race());  // on by default for the Races samples
    w.toolbar().set_dilation(1);

    w.toolbar().set_race(false);  // off: the racy variant races, but nobody looks
    QVERIFY(run_and_wait(w));
    QCOMPARE(w.controller().store().count(EventKind::Race), size_t{0});
    QVERIFY(!w.banner().showing_race());
    QVERIFY(w.races().empty());

    QCheckBox* box = nullptr;  // the toolbar's Race detector check box
    for (QCheckBox* b : w.toolbar().settings_bar()->findChildren<QCheckBox*>())
      if (b->text().contains(QStringLiteral("Race"))) box = b;
    QVERIFY(box && box->text().contains(QStringLiteral("Race")));
    QVERIFY(!box->isChecked());
    box->click();  // on, as a user would
    QVERIFY(w.toolbar().race());
    QVERIFY(w.toolbar().race_action()->isChecked());
    QVERIFY(run_and_wait(w));
    QVERIFY(w.controller().store().count(EventKind::Race) > 0);
    QVERIFY(!w.races().empty());
    QVERIFY(w.banner().isVisible());
    QVERIFY(w.banner().showing_race());
    QVERIFY2(w.banner().title().contains(QStringLiteral("WARNING: DATA RACE")), qPrintable(w.banner().title()));
    QVERIFY2(w.banner().dump().contains(QStringLiteral("WARNING: DATA RACE")), qPrintable(w.banner().dump()));
    QVERIFY(w.banner().dump().contains(QStringLiteral("Previous ")));
    QVERIFY2(w.banner().detail().contains(QStringLiteral("Finished")), qPrintable(w.banner().detail()));
    QVERIFY2(w.banner().detail().contains(QStringLiteral("race_counter.cpp")), qPrintable(w.banner().detail()));

    const gor::Event race = w.races().front();
    QVERIFY(race.g != 0 && race.a0 != 0 && race.g != race.a0);
    QVERIFY(w.banner().race_button()->isVisible());
    w.banner().race_button()->click();
    QCOMPARE(w.selection().selected(), race.g);
    QCOMPARE(w.selection().related(), std::vector<uint64_t>{race.a0});
    QCOMPARE(w.bottom_tabs().currentWidget(), static_cast<QWidget*>(&w.timeline()));
    const TimelineScene& scene = w.timeline().canvas().scene();
    QVERIFY(scene.race);
    QCOMPARE(scene.race->g, race.g);
    QCOMPARE(scene.race->other, race.a0);
    QCOMPARE(scene.related, std::vector<uint64_t>{race.a0});
    QVERIFY(!w.timeline().canvas().following());
    QVERIFY(scene.geometry.t0() <= race.ts && race.ts <= scene.geometry.t1());  // the race is in view
    // The workers share nothing: main's two `go` edges are all that connects them.
    QCOMPARE(scene.race->other_ordered_until, int64_t{-1});
    QVERIFY(has_edge(*scene.race, HbKind::Create, 1, race.g));
    QVERIFY(has_edge(*scene.race, HbKind::Create, 1, race.a0));
    // Selecting one goroutine afterwards drops the race from the timeline.
    w.selection().select(race.a0);
    QVERIFY(!w.timeline().canvas().scene().race);
    QVERIFY(w.timeline().canvas().scene().related.empty());
    // A click on the race's marker on the timeline selects both again.
    TimelineCanvas& canvas = w.timeline().canvas();
    QTRY_VERIFY_WITH_TIMEOUT(canvas.isVisible() && canvas.width() > 300, 5000);
    QVERIFY(race.p >= 0 && race.p < w.timeline().model().lane_count());
    const TimelineLayout L = canvas.current_layout();
    const QPoint at(static_cast<int>(std::lround(L.plot.left() + canvas.geometry().x_of(race.ts))),
                    static_cast<int>(L.lane_rect(race.p).top() + 5));
    QVERIFY(canvas.race_marker_at(at));
    QVERIFY(!canvas.race_marker_at(at + QPoint(0, static_cast<int>(L.lane_height) * 8)));
    QSignalSpy clicked(&canvas, &TimelineCanvas::raceClicked);
    QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(w.selection().related().size(), size_t{1});
    QVERIFY(w.timeline().canvas().scene().race);
    // The report opens below the banner, like the deadlock dump.
    w.banner().toggle_button()->click();
    QVERIFY(w.banner().toggle_button()->text().contains(QStringLiteral("Hide report")));
    const QString keep = qEnvironmentVariable("GOROSCOPE_TEST_ARTIFACTS");  // DIR: keep a picture to look at
    if (!keep.isEmpty()) QVERIFY(w.save_screenshot(keep + QStringLiteral("/race-window.png")));
  }

  void breakpoint_stops_the_playback_at_the_race() {
    // A deterministic run (the app's default): the cursor stops with the race as the last
    // event shown, both goroutines selected.
    MainWindow w(false);
    w.resize(1400, 900);
    w.show();
    QVERIFY(w.open_sample(QStringLiteral("race-counter")));
    w.toolbar().set_dilation(1);
    w.toolbar().set_race(true);
    w.toolbar().race_breakpoint_action()->setChecked(true);
    QSignalSpy finished(&w, &MainWindow::runFinished);
    QVERIFY(w.run_current());
    QTRY_VERIFY_WITH_TIMEOUT(w.banner().showing_race(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.player().playing(), 10000);
    const size_t at = w.player().cursor();
    QVERIFY(at > 0);
    QCOMPARE(w.controller().store().events()[at - 1].kind, EventKind::Race);
    QCOMPARE(finished.count(), 0);
    QVERIFY(w.show_race(0));
    QCOMPARE(w.selection().selected(), w.races().front().g);
    w.toolbar().race_breakpoint_action()->setChecked(false);
    w.toolbar().set_pace(Pace::fastest());
    w.toolbar().pause_action()->trigger();  // play on
    QVERIFY(finished.wait(120000));
    QVERIFY(w.banner().showing_race());
  }

  void breakpoint_pauses_a_real_threads_run_at_a_race() {
    MainWindow w(false);
    w.resize(1400, 900);
    w.show();
    w.toolbar().set_deterministic(false);
    QVERIFY(w.open_sample(QStringLiteral("race-counter")));
    w.toolbar().set_dilation(1);
    w.toolbar().set_race(true);
    w.toolbar().race_breakpoint_action()->setChecked(true);
    QSignalSpy finished(&w, &MainWindow::runFinished);
    // The breakpoint's pause is asynchronous (the control thread acts on the drain thread's
    // request), so the run must outlast it even on a loaded machine: the most increments.
    QVERIFY(w.run_current({{"increments", "100000"}}));
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().paused(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(w.banner().showing_race(), 10000);
    QVERIFY(w.controller().running());
    QVERIFY2(w.banner().detail().contains(QStringLiteral("Paused here")), qPrintable(w.banner().detail()));
    QVERIFY(w.show_race(0));
    QCOMPARE(w.selection().selected(), w.races().front().g);
    w.toolbar().race_breakpoint_action()->setChecked(false);
    w.toolbar().pause_action()->trigger();  // resume
    QVERIFY(finished.wait(120000));
    QVERIFY(w.banner().showing_race());
    QVERIFY(w.banner().detail().contains(QStringLiteral("Finished")));
  }

  void a_replayed_trace_shows_its_race() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("race.gortrace"));
    {
      const goroscope::Sample* sample = goroscope::find_sample("race-counter");
      QVERIFY(sample);
      gor::Config cfg = goroscope::sample_config(*sample);
      goroscope::trace::TraceHeader h;
      h.procs = cfg.procs;
      h.sample = "race-counter";
      goroscope::trace::GortraceWriter writer(path.toStdString(), h);
      cfg.trace = true;
      cfg.observer = &writer;
      cfg.race = true;
      const goroscope::SampleRun run = goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
      writer.finish(run.result);
      QVERIFY(run.result.races > 0);
    }
    MainWindow w(false);
    w.show();
    QSignalSpy opened(&w, &MainWindow::traceOpened);
    QVERIFY(w.open_trace(path));
    QVERIFY(opened.wait(30000));
    QVERIFY(opened.takeFirst().at(0).toBool());
    QVERIFY(!w.races().empty());
    QVERIFY(w.banner().showing_race());
    QVERIFY(w.banner().dump().contains(QStringLiteral("WARNING: DATA RACE")));
    QVERIFY(w.show_race(0));
    QVERIFY(w.timeline().canvas().scene().race);
    QCOMPARE(w.selection().selected(), w.races().front().g);
  }

  void command_line_race() {
    QString error, help;
    auto o = parse_app_options({"goroscope", "--sample", "race-counter", "--race", "--run"}, &error, &help);
    QVERIFY2(o, qPrintable(error));
    QVERIFY(o->race && *o->race);
    o = parse_app_options({"goroscope", "--no-race"}, &error, &help);
    QVERIFY(o && o->race && !*o->race);
    o = parse_app_options({"goroscope"}, &error, &help);
    QVERIFY(o && !o->race);
    QVERIFY(!parse_app_options({"goroscope", "--race", "--no-race"}, &error, &help));
  }
};

QTEST_MAIN(RaceViewTest)
#include "race_view_test.moc"
