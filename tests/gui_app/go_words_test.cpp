// go_words_test.cpp — what a learner reads is in Go's words (issue 19 item 8): the deadlock's
// dump has Go's shape with project paths and short function names, channel cards name their
// element type as Go does ("jobs chan int", "done chan struct{}", "results chan Result"), the
// main goroutine is "main goroutine" with no engine file for its creation, and the Output tab
// ends with the run's end exactly as goroscope-cli prints it.
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest>

#include <gor/control.hpp>
#include <gor/gor.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/snapshot_text.hpp"
#include "run/run_output.hpp"
#include "run_end_text.hpp"
#include "views/scheduler_layout.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

using namespace goroscope::gui;

namespace {

struct Result {
  int worker = 0;
  int64_t value = 0;
};

// deadlocked_snapshot() is the final snapshot of a run whose main fills four typed buffered
// channels and then waits forever on an unbuffered one (Go's deadlock ends it, every object
// still in place).
gor::Snapshot deadlocked_snapshot() {
  gor::RunControl control;
  gor::Config cfg;
  cfg.procs = 2;
  cfg.control = &control;
  const gor::RunResult r = gor::run(cfg, [] {
    auto jobs = gor::make_chan<int64_t>(4, "jobs");
    auto done = gor::make_chan<gor::Unit>(1, "done");
    auto results = gor::make_chan<Result>(2, "results");
    auto names = gor::make_chan<std::string>(3, "names");
    auto never = gor::make_chan<int>(0, "never");
    jobs.send(1);
    done.send({});
    results.send(Result{1, 2});
    names.send("gopher");
    (void)never.recv();
  });
  if (r.status != gor::RunStatus::Deadlock) qFatal("expected a deadlock, got %s", r.message.c_str());
  return *control.final_snapshot();
}

LayoutMetrics metrics() {
  LayoutMetrics m;
  m.font = QFont();
  return m;
}

}  // namespace

class GoWordsTest : public QObject {
  Q_OBJECT
 private slots:
  void channel_cards_name_element_types_as_go_does() {
    const gor::Snapshot s = deadlocked_snapshot();
    const SchedulerLayout l = compute_scheduler_layout(s, 1400, metrics());
    QStringList titles;
    for (const ScenePanel& p : l.panels)
      if (p.kind == ScenePanel::Kind::Channel) titles << p.title;
    titles.sort();
    QCOMPARE(titles, (QStringList{QStringLiteral("done chan struct{} · cap 1, 1 queued"),
                                  QStringLiteral("jobs chan int · cap 4, 1 queued"),
                                  QStringLiteral("names chan string · cap 3, 1 queued"),
                                  QStringLiteral("never chan int · unbuffered"),
                                  QStringLiteral("results chan Result · cap 2, 1 queued")}));
    // The Inspector's one-line details say the same.
    for (const gor::ChannelInfo& c : s.channels)
      if (c.name == "results") QVERIFY2(object_details(s, c.id).startsWith(QStringLiteral("chan Result, ")), qPrintable(object_details(s, c.id)));
  }

  void sites_are_project_paths_and_go_functions() {
    const gor::Snapshot s = deadlocked_snapshot();
    const gor::GoroutineInfo* main_g = find_goroutine(s, 1);
    QVERIFY(main_g != nullptr);
    QCOMPARE(main_g->created_at, std::string());  // main: no line of the program created it
    const QString blocked = QString::fromStdString(main_g->blocked_at);
    QVERIFY2(QRegularExpression(QStringLiteral("^tests/gui_app/go_words_test\\.cpp:\\d+ in main\\.[A-Za-z_.]+$")).match(blocked).hasMatch(),
             qPrintable(blocked));
    QCOMPARE(short_site(main_g->blocked_at), blocked);  // already short: kept whole
    for (const gor::ChannelInfo& c : s.channels)
      QVERIFY2(QString::fromStdString(c.created_at).startsWith(QStringLiteral("tests/gui_app/go_words_test.cpp:")), c.created_at.c_str());
    // An older trace's absolute path and C++ signature are still shortened.
    QCOMPARE(short_site("/src/app/main.cpp:22 in void ns::worker(int)"), QStringLiteral("main.cpp:22 in worker()"));
  }

  void deadlock_dump_and_output_read_as_go_prints_them() {
    const goroscope::Sample* sample = goroscope::find_sample("deadlock");
    QVERIFY(sample != nullptr);
    gor::RunControl control;
    gor::Config cfg = goroscope::sample_config(*sample);
    cfg.control = &control;
    const goroscope::SampleRun run = goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
    QCOMPARE(run.result.status, gor::RunStatus::Deadlock);
    const QString dump = QString::fromStdString(run.result.dump);
    QVERIFY2(QRegularExpression(QStringLiteral("^goroutine 1 \\[chan receive\\]:\\nmain\\.deadlock_main\\(\\.\\.\\.\\)\\n"
                                               "\\tsamples/deadlock\\.cpp:\\d+\\n"))
                 .match(dump)
                 .hasMatch(),
             qPrintable(dump));
    QVERIFY2(!dump.contains(QStringLiteral("goroscope::")) && !dump.contains(QStringLiteral("const ")) &&
                 !dump.contains(QStringLiteral("\t/")),
             qPrintable(dump));

    // The Output tab's text: the sample's lines, then what goroscope-cli prints on stderr.
    goroscope::gui::RunOutcome outcome;
    outcome.result = run.result;
    outcome.outcome = run.outcome;
    const std::optional<gor::Snapshot> last = control.final_snapshot();
    const QString text = output_text(outcome, last ? &*last : nullptr);
    QVERIFY(!run.outcome.lines.empty());
    QVERIFY2(text.startsWith(QString::fromStdString(run.outcome.lines.front()) + QLatin1Char('\n')), qPrintable(text));
    QVERIFY2(text.endsWith(QStringLiteral("\nfatal error: all goroutines are asleep - deadlock!\n\n") + dump), qPrintable(text));
    QCOMPARE(text.section(QLatin1Char('\n'), static_cast<int>(run.outcome.lines.size())),
             QString::fromStdString(goroscope::trace::run_end_text(run.result, last->deadlocks, false)));
  }

  void the_output_tab_ends_with_the_runs_end() {
    MainWindow w(/*persist_settings=*/false);
    w.resize(1400, 900);
    w.show();
    auto* output = w.findChild<QPlainTextEdit*>(QStringLiteral("output"));
    QVERIFY(output != nullptr);
    for (auto [id, end] : {std::pair{"deadlock", "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\nmain.deadlock_main(...)\n\tsamples/deadlock.cpp:"},
                           std::pair{"send-on-closed", "panic: send on closed channel\n\ngoroutine "}}) {
      QVERIFY(w.open_sample(QString::fromLatin1(id)));
      w.toolbar().set_dilation(1);  // engine time at wall speed: the runs last a few 100 ms
      QSignalSpy finished(&w, &MainWindow::runFinished);
      QVERIFY(w.run_current());
      QVERIFY2(finished.wait(60000), id);
      QTRY_VERIFY2_WITH_TIMEOUT(output->toPlainText().contains(QString::fromLatin1(end)), qPrintable(output->toPlainText()), 10000);
    }
  }
};

QTEST_MAIN(GoWordsTest)
#include "go_words_test.moc"
