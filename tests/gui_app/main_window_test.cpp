// The main window end to end, offscreen: every sample opens, runs to its end and fills the
// views; Go's ending (panic, deadlock) shows in the banner with the dump; pause/step work
// from the toolbar; the command line is checked; a screenshot is a real PNG.
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <goroscope/registry.hpp>

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
      w.toolbar().set_dilation(std::min(5.0, std::max(1.0, sample.info.suggested_dilation)));
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

  void toolbar_pause_and_step() {
    MainWindow w(false);
    w.show();
    QVERIFY(w.open_sample(QStringLiteral("mutex-starvation")));
    w.toolbar().set_dilation(50);
    QSignalSpy finished(&w, &MainWindow::runFinished);
    QVERIFY(w.run_current());
    w.toolbar().pause_action()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(w.controller().paused(), 10000);
    QVERIFY(w.status_text().contains(QStringLiteral("paused")));
    QVERIFY(w.toolbar().pause_action()->text().contains(QStringLiteral("Resume")));
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
    QVERIFY(!parse_app_options({"goroscope", "--help"}, &error, &help));
    QVERIFY(help.contains(QStringLiteral("--sample")));
  }

  void speed_slider_is_logarithmic() {
    QCOMPARE(RunToolbar::slider_to_dilation(0), 1.0);
    QCOMPARE(RunToolbar::slider_to_dilation(300), 1000.0);
    QVERIFY(std::abs(RunToolbar::slider_to_dilation(200) - 100.0) < 1e-9);
    QCOMPARE(RunToolbar::dilation_to_slider(100), 200);
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
