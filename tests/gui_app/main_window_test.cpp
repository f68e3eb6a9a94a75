// The main window end to end, offscreen: every sample opens, runs to its end and fills the
// views; Go's ending (panic, deadlock) shows in the banner with the dump; pause/step work
// from the toolbar; the command line is checked; a screenshot is a real PNG.
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSlider>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <goroscope/registry.hpp>

#include <tuple>

#include "views/run_banner.hpp"
#include "views/scheduler_view.hpp"
#include "views/timeline_view.hpp"
#include "window/app_options.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

using namespace goroscope::gui;

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void every_sample_runs_in_the_window() {
    MainWindow w(/*persist_settings=*/false);
    w.resize(1400, 900);
    w.show();
    w.controller().set_snapshot_interval(std::chrono::milliseconds(5));
    for (const goroscope::Sample& sample : goroscope::all_samples()) {
      const QString id = QString::fromStdString(sample.info.id);
      QVERIFY(w.open_sample(id));
      QCOMPARE(w.current_sample(), id);
      w.toolbar().set_dilation(1);  // deterministic (the default), played at engine speed
      QSignalSpy finished(&w, &MainWindow::runFinished);
      QVERIFY2(w.run_current(), qPrintable(id));
      QVERIFY2(finished.wait(120000), qPrintable(id + " did not finish"));
      QVERIFY2(w.controller().store().size() > 0, qPrintable(id + ": no events"));
      QVERIFY2(w.controller().store().count(gor::EventKind::GoStart) > 0, qPrintable(id));
      QVERIFY2(w.banner().isVisible(), qPrintable(id + ": no end-of-run banner"));
      QTRY_VERIFY2_WITH_TIMEOUT(!w.scheduler_view().layout_pending(), qPrintable(id + ": the last snapshot was not laid out"), 10000);
      QVERIFY2(!w.scheduler_view().scene_layout().panels.empty(), qPrintable(id + ": the scene stayed empty"));
      // The timeline takes the whole run, between frames if it is big.
      QTRY_VERIFY2_WITH_TIMEOUT(w.timeline().model().events_taken() == w.controller().store().size(),
                                qPrintable(id + ": the timeline did not catch up"), 30000);
      QCOMPARE(w.timeline().behind_ns(), int64_t(0));
      QVERIFY2(w.timeline().model().stats(0, w.timeline().model().end_ns() + 1).slices > 0,
               qPrintable(id + ": no run slices on the timeline"));
      QVERIFY(!w.status_text().contains(QStringLiteral("running")));
      QVERIFY2(w.run_state() == "finished" || w.run_state() == "panic" || w.run_state() == "deadlock", qPrintable(w.run_state()));
      QVERIFY(w.player().at_end());
    }
  }

  void panic_and_deadlock_banners_carry_go_text_and_dump() {
    MainWindow w(false);
    w.show();
    for (auto [id, title] : {std::pair{"send-on-closed", "panic: send on closed channel"},
                             std::pair{"deadlock", "fatal error: all goroutines are asleep - deadlock!"}}) {
      QVERIFY(w.open_sample(QString::fromLatin1(id)));
      w.toolbar().set_dilation(1);
      QSignalSpy finished(&w, &MainWindow::runFinished);
      QVERIFY(w.run_current());
      QVERIFY(finished.wait(60000));
      QVERIFY2(w.banner().title().contains(QString::fromLatin1(title)), qPrintable(w.banner().title()));
      // A panic's dump shows the panicking goroutine (Go's GOTRACEBACK=single), [running];
      // a fatal error's every goroutine, main first.
      const bool panic = QString::fromLatin1(title).startsWith(QStringLiteral("panic"));
      QVERIFY2(w.banner().dump().contains(panic ? QStringLiteral(" [running]") : QStringLiteral("goroutine 1 [")),
               qPrintable(w.banner().dump()));
    }
  }

  void panic_and_deadlock_breakpoints_hold_the_end_until_resumed() {
    MainWindow w(false);
    w.show();
    struct Case {
      const char* sample;
      QAction* action;
      const char* ending;
    };
    w.toolbar().set_deterministic(false);  // the engine itself holds a real-threads run at its end
    for (const Case& c : {Case{"send-on-closed", w.toolbar().panic_breakpoint_action(), "panic: send on closed channel"},
                          Case{"deadlock", w.toolbar().deadlock_breakpoint_action(), "fatal error: all goroutines are asleep - deadlock!"}}) {
      QVERIFY(w.open_sample(QString::fromLatin1(c.sample)));
      w.toolbar().set_dilation(1);
      c.action->setChecked(true);
      QSignalSpy finished(&w, &MainWindow::runFinished);
      QVERIFY(w.run_current());
      QTRY_VERIFY_WITH_TIMEOUT(w.controller().paused(), 30000);
      QVERIFY2(w.banner().title().contains(QStringLiteral("Paused")), qPrintable(w.banner().title()));
      QVERIFY2(w.banner().detail().contains(QString::fromLatin1(c.ending)), qPrintable(w.banner().detail()));
      QTRY_VERIFY_WITH_TIMEOUT(w.controller().snapshot() && w.controller().snapshot()->paused, 5000);
      QVERIFY(!w.controller().snapshot()->goroutines.empty());  // the instant it would end: nothing unwound
      for (const gor::MachineInfo& m : w.controller().snapshot()->machines) QCOMPARE(m.state, std::string("stopped"));
      QTest::qWait(150);
      QCOMPARE(finished.count(), 0);  // held as long as nobody resumes
      w.toolbar().pause_action()->trigger();  // Space: resume, the run ends as Go's would
      QVERIFY(finished.wait(30000));
      QVERIFY2(w.banner().title().contains(QString::fromLatin1(c.ending)), qPrintable(w.banner().title()));
      c.action->setChecked(false);
    }
  }

  void deterministic_end_breakpoints_stop_the_cursor_before_the_end() {
    MainWindow w(false);
    w.show();
    for (auto [sample, action, ending] : {std::tuple{"send-on-closed", w.toolbar().panic_breakpoint_action(), "panic: send on closed channel"},
                                          std::tuple{"deadlock", w.toolbar().deadlock_breakpoint_action(), "all goroutines are asleep"}}) {
      QVERIFY(w.open_sample(QString::fromLatin1(sample)));
      w.toolbar().set_pace(Pace::fastest());
      action->setChecked(true);
      QSignalSpy finished(&w, &MainWindow::runFinished);
      QVERIFY(w.run_current());
      QTRY_VERIFY_WITH_TIMEOUT(w.banner().title().contains(QStringLiteral("breakpoint")), 30000);
      QVERIFY(!w.player().playing());
      QCOMPARE(w.player().cursor() + 1, w.controller().store().size());  // the run's end is the next event
      QCOMPARE(w.controller().store().events().back().kind, gor::EventKind::RunEnd);
      QCOMPARE(finished.count(), 0);
      w.toolbar().pause_action()->trigger();  // Space: play on, the run ends as Go's would
      QVERIFY(finished.wait(30000));
      QVERIFY2(w.banner().title().contains(QString::fromLatin1(ending)), qPrintable(w.banner().title()));
      action->setChecked(false);
    }
  }

  void deterministic_pause_step_and_step_back() {
    MainWindow w(false);
    w.show();
    QVERIFY(w.open_sample(QStringLiteral("work-stealing")));
    w.toolbar().set_start_paused(true);
    QVERIFY(w.run_current());
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller().running(), 30000);  // recorded ahead; the cursor waits at 0
    QCOMPARE(w.player().cursor(), size_t(0));
    QCOMPARE(w.run_state(), QStringLiteral("paused"));
    QVERIFY(w.toolbar().step_action()->isEnabled());
    for (int i = 0; i < 5; ++i) w.toolbar().step_action()->trigger();
    QCOMPARE(w.player().cursor(), size_t(5));
    w.toolbar().back_action()->trigger();
    QCOMPARE(w.player().cursor(), size_t(4));
    QCOMPARE(w.player().state()->now_ns, w.controller().store().events()[3].ts);
    // Rewinding to a time shows the state after the last event at or before it.
    const int64_t t = w.controller().store().events()[100].ts;
    QVERIFY(w.rewind_to(t));
    QVERIFY(w.player().cursor() >= 101);
    QCOMPARE(w.controller().store().events()[w.player().cursor() - 1].ts, t);
    const QJsonObject json = QJsonDocument::fromJson(w.state_json()).object();
    QCOMPARE(json.value("mode").toString(), QStringLiteral("deterministic"));
    QCOMPARE(json.value("state").toString(), QStringLiteral("paused"));
    QCOMPARE(json.value("engine_ns").toInteger(), t);
    QCOMPARE(json.value("events").toInteger(), static_cast<qint64>(w.player().cursor()));
    QCOMPARE(json.value("seed").toString(), QString::number(w.controller().seed()));
    QVERIFY(json.value("goroutines").toInteger() > 0);
  }

  void real_threads_pause_and_step() {
    MainWindow w(false);
    w.show();
    w.toolbar().set_deterministic(false);
    QVERIFY(w.open_sample(QStringLiteral("mutex-starvation")));
    w.toolbar().set_dilation(50);
    QSignalSpy finished(&w, &MainWindow::runFinished);
    QVERIFY(w.run_current());
    w.toolbar().pause_action()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().paused(), 10000);
    QVERIFY(w.status_text().contains(QStringLiteral("paused")));
    QVERIFY(w.toolbar().pause_action()->text().contains(QStringLiteral("Play")));
    QTest::qWait(100);
    w.controller().deliver_pending();
    const size_t before = w.controller().store().count(gor::EventKind::GoStart);
    w.toolbar().step_action()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w.controller().store().count(gor::EventKind::GoStart), before + 1, 10000);
    w.toolbar().pause_action()->trigger();  // resume
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller().paused(), 10000);
    w.toolbar().stop_action()->trigger();
    QVERIFY(finished.wait(30000));
    QVERIFY(w.banner().title().contains(QStringLiteral("Stopped")));
  }

  void unknown_sample_is_an_error_not_a_crash() {
    MainWindow w(false);
    QVERIFY(!w.open_sample(QStringLiteral("nope")));
    QVERIFY(w.banner().isVisibleTo(&w));
    QVERIFY(w.banner().title().contains(QStringLiteral("Unknown sample")));
  }

  void screenshot_is_a_png() {
    MainWindow w(false);
    w.resize(1200, 800);
    w.show();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shot.png"));
    QVERIFY(w.save_screenshot(path));
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), w.width() * static_cast<int>(w.devicePixelRatio()));
    QVERIFY(!w.save_screenshot(QStringLiteral("/nonexistent-dir/x.png")));
  }

  void command_line() {
    QString error, help;
    auto o = parse_app_options({"goroscope", "--sample", "deadlock", "--procs", "3", "--speed", "50", "--run"}, &error, &help);
    QVERIFY2(o, qPrintable(error));
    QCOMPARE(o->sample, QStringLiteral("deadlock"));
    QCOMPARE(*o->procs, 3);
    QCOMPARE(*o->speed, 50.0);
    QVERIFY(o->run);
    QVERIFY(!parse_app_options({"goroscope", "--sample", "nope"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral("unknown sample 'nope'")));
    QVERIFY(!parse_app_options({"goroscope", "--procs", "0"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral("--procs")));
    QVERIFY(!parse_app_options({"goroscope", "--speed", "abc"}, &error, &help));
    QVERIFY(!parse_app_options({"goroscope", "--bogus"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral("bogus")));
    o = parse_app_options({"goroscope", "--mode", "real", "--pace", "1/1000", "--paused", "--screenshot", "x.png", "--rewind-to", "5000"},
                          &error, &help);
    QVERIFY2(o, qPrintable(error));
    QCOMPARE(*o->deterministic, false);
    QCOMPARE(*o->pace, std::string("1/1000"));
    QVERIFY(o->paused);
    QCOMPARE(*o->rewind_to_ns, qint64(5000));
    QVERIFY(!parse_app_options({"goroscope", "--mode", "fast"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral("--mode")));
    QVERIFY(!parse_app_options({"goroscope", "--pace", "0"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral("--pace")));
    QVERIFY(!parse_app_options({"goroscope", "--rewind-to", "5"}, &error, &help));  // needs --screenshot
    QVERIFY(!parse_app_options({"goroscope", "--help"}, &error, &help));
    QVERIFY(help.contains(QStringLiteral("--sample")));
  }

  void one_pace_control_from_one_event_per_second_to_fastest() {
    RunToolbar bar;
    bar.pace_slider()->setValue(bar.pace_slider()->minimum());
    QCOMPARE(bar.pace(), Pace::events_per_second(1));
    bar.pace_slider()->setValue(bar.pace_slider()->maximum());
    QCOMPARE(bar.pace().kind, Pace::Kind::Fastest);
    bar.set_dilation(1000);  // --speed 1000 keeps its meaning: x1/1000, 1000x slower on real threads
    QCOMPARE(bar.pace(), Pace::engine_fraction(1e-3));
    QCOMPARE(bar.dilation(), 1000.0);
    bar.set_dilation(1);
    QCOMPARE(bar.pace(), Pace::engine_fraction(1));
    QCOMPARE(bar.dilation(), 1.0);
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
