// Replay of saved traces in the main window, offscreen: a recorded .gortrace opens with no
// engine and feeds the store and the timeline; truncated, garbage and missing files show an
// error banner and leave the window working (a good file opens right after); the command
// line takes FILE.gortrace.
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <gortrace_format.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "views/run_banner.hpp"
#include "views/scheduler_view.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"
#include "window/app_options.hpp"
#include "window/main_window.hpp"

using namespace goroscope::gui;

namespace {

// record() runs `id` traced into `path` and returns how many events were written.
uint64_t record(const char* id, const QString& path) {
  const goroscope::Sample* sample = goroscope::find_sample(id);
  gor::Config cfg = goroscope::sample_config(*sample);
  goroscope::trace::TraceHeader h;
  h.procs = cfg.procs;
  h.sample = id;
  goroscope::trace::GortraceWriter writer(path.toStdString(), h);
  cfg.trace = true;
  cfg.observer = &writer;
  const goroscope::SampleRun run = goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
  const uint64_t n = writer.events_written();
  writer.finish(run.result);
  return n;
}

bool open_and_wait(MainWindow& w, const QString& path) {
  QSignalSpy opened(&w, &MainWindow::traceOpened);
  w.open_trace(path);
  if (!opened.wait(30000)) return false;
  return opened.takeFirst().at(0).toBool();
}

}  // namespace

class ReplayTest : public QObject {
  Q_OBJECT
 private slots:
  void a_saved_trace_replays_without_an_engine() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ws.gortrace"));
    const uint64_t events = record("work-stealing", path);
    QVERIFY(events > 0);
    MainWindow w(false);
    w.show();
    QVERIFY(open_and_wait(w, path));
    QVERIFY(!w.controller().running());
    QCOMPARE(w.controller().store().size(), size_t(events));
    QCOMPARE(w.replay_path(), path);
    QVERIFY(w.timeline().model().lane_count() >= 2);
    QCOMPARE(w.timeline().model().events_taken(), size_t(events));
    QVERIFY(w.banner().title().contains(QStringLiteral("Replay")));
    QVERIFY(w.windowTitle().contains(QStringLiteral("replay")));
    // The cursor: a click on the timeline moves it; the scheduler scene shows that moment.
    TimelineCanvas& c = w.timeline().canvas();
    w.show_bottom_tab(QStringLiteral("timeline"));
    c.fit();
    const TimelineLayout L = c.current_layout();
    const QPoint middle(static_cast<int>(L.plot.center().x()), static_cast<int>(L.slice_rect(0).center().y()));
    QTest::mouseClick(&c, Qt::LeftButton, {}, middle);
    QVERIFY(c.cursor() > 0);
    QVERIFY(c.cursor() < w.timeline().model().end_ns());
    QTRY_VERIFY_WITH_TIMEOUT(w.status_text().contains(QStringLiteral("replay at")), 5000);
    QVERIFY(!w.scheduler_view().scene_layout().panels.empty());
  }

  void a_corrupt_trace_shows_an_error_and_the_app_stays_up() {
    QTemporaryDir dir;
    const QString good = dir.filePath(QStringLiteral("good.gortrace"));
    record("mutex-starvation", good);
    QFile in(good);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    const QString truncated = dir.filePath(QStringLiteral("truncated.gortrace"));
    const QString garbage = dir.filePath(QStringLiteral("garbage.gortrace"));
    const QString flipped = dir.filePath(QStringLiteral("flipped.gortrace"));
    auto write = [](const QString& p, const QByteArray& b) {
      QFile f(p);
      return f.open(QIODevice::WriteOnly) && f.write(b) == b.size();
    };
    QVERIFY(write(truncated, bytes.left(bytes.size() / 2)));
    QVERIFY(write(garbage, QByteArray(4096, '\x5a')));
    QByteArray corrupt = bytes;
    for (int i = 64; i < corrupt.size(); i += 97) corrupt[i] = static_cast<char>(~corrupt[i]);
    QVERIFY(write(flipped, corrupt));
    MainWindow w(false);
    w.show();
    for (const QString& bad : {truncated, garbage, flipped, dir.filePath(QStringLiteral("missing.gortrace"))}) {
      QVERIFY2(!open_and_wait(w, bad), qPrintable(bad));
      QVERIFY(w.banner().isVisible());
      QVERIFY2(w.banner().title().contains(QStringLiteral("Cannot open")), qPrintable(w.banner().title()));
      QVERIFY(w.banner().title().contains(QFileInfo(bad).fileName()));
      QVERIFY(w.isVisible());
    }
    QVERIFY(open_and_wait(w, good));  // still works
    QVERIFY(w.controller().store().size() > 0);
  }

  void the_command_line_takes_a_trace_file() {
    QString error, help;
    auto o = parse_app_options({"goroscope", "run.gortrace"}, &error, &help);
    QVERIFY(o);
    QCOMPARE(o->trace_file, QStringLiteral("run.gortrace"));
    QVERIFY(!parse_app_options({"goroscope", "run.txt"}, &error, &help));
    QVERIFY(error.contains(QStringLiteral(".gortrace")));
    QVERIFY(!parse_app_options({"goroscope", "--tab", "nope"}, &error, &help));
  }
};

QTEST_MAIN(ReplayTest)
#include "replay_test.moc"
