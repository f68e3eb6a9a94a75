// File > Save trace and File > Export Chrome JSON, offscreen: a finished run saved as .gortrace
// reads back with the same events (count and kinds) and strings; replayed and saved again it is
// unchanged; the Chrome JSON parses with QJsonDocument and holds slices; an unwritable path or
// an empty store gives an error banner, never a crash, and leaves no file behind.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include <gortrace_format.hpp>

#include "model/trace_saver.hpp"
#include "views/run_banner.hpp"
#include "window/run_toolbar.hpp"
#include "window/main_window.hpp"

using namespace goroscope::gui;
namespace trace = goroscope::trace;

namespace {

std::map<int, size_t> kinds_of(const std::vector<gor::Event>& events) {
  std::map<int, size_t> n;
  for (const gor::Event& e : events) ++n[static_cast<int>(e.kind)];
  return n;
}

bool same_events(const std::vector<gor::Event>& a, const std::vector<gor::Event>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].ts != b[i].ts || a[i].g != b[i].g || a[i].a0 != b[i].a0 || a[i].a1 != b[i].a1 || a[i].a2 != b[i].a2 ||
        a[i].p != b[i].p || a[i].m != b[i].m || a[i].kind != b[i].kind)
      return false;
  return true;
}

// save_and_wait() saves and returns traceSaved's (ok, message).
std::pair<bool, QString> save_and_wait(MainWindow& w, const QString& path, SaveFormat format) {
  QSignalSpy saved(&w, &MainWindow::traceSaved);
  w.save_trace(path, format);
  if (saved.isEmpty() && !saved.wait(60000)) return {false, QStringLiteral("no traceSaved signal")};
  const QList<QVariant> args = saved.takeFirst();
  return {args.at(0).toBool(), args.at(1).toString()};
}

void run_to_end(MainWindow& w, const char* sample) {
  QVERIFY(w.open_sample(QString::fromLatin1(sample)));
  w.toolbar().set_dilation(1);
  QSignalSpy finished(&w, &MainWindow::runFinished);
  QVERIFY(w.run_current());
  QVERIFY(finished.wait(60000));
}

}  // namespace

class TraceSaveTest : public QObject {
  Q_OBJECT
 private slots:
  void a_finished_run_saves_and_reads_back() {
    QTemporaryDir dir;
    MainWindow w(false);
    w.show();
    run_to_end(w, "work-stealing");
    const TraceStore& store = w.controller().store();
    QVERIFY(store.size() > 100);
    const QString path = dir.filePath(QStringLiteral("ws.gortrace"));
    const auto [ok, message] = save_and_wait(w, path, SaveFormat::Gortrace);
    QVERIFY2(ok, qPrintable(message));
    QVERIFY(message.contains(QString::number(store.size())));
    QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
    const trace::TraceFile t = trace::read_gortrace_file(path.toStdString());
    QCOMPARE(t.events.size(), store.size());
    QVERIFY(kinds_of(t.events) == kinds_of(store.events()));
    QVERIFY(same_events(t.events, store.events()));
    QCOMPARE(t.header.sample, std::string("work-stealing"));
    QCOMPARE(t.header.procs, w.controller().procs());
    QCOMPARE(t.footer.steals, store.count(gor::EventKind::Steal));
    QVERIFY(t.footer.goroutines_created > 0);
    for (const auto& [id, text] : store.defined_strings()) QCOMPARE(t.string(id), text);

    // Replayed, then saved again: the same trace.
    MainWindow r(false);
    r.show();
    QSignalSpy opened(&r, &MainWindow::traceOpened);
    QVERIFY(r.open_trace(path));
    QVERIFY(opened.wait(30000));
    QVERIFY(opened.takeFirst().at(0).toBool());
    const QString again = dir.filePath(QStringLiteral("again.gortrace"));
    QVERIFY(save_and_wait(r, again, SaveFormat::Gortrace).first);
    const trace::TraceFile t2 = trace::read_gortrace_file(again.toStdString());
    QVERIFY(same_events(t2.events, t.events));
    QCOMPARE(t2.strings.size(), t.strings.size());
    QCOMPARE(t2.header.sample, t.header.sample);
    QCOMPARE(t2.header.seed, t.header.seed);
    QCOMPARE(t2.footer.status, t.footer.status);
    QCOMPARE(t2.footer.goroutines_created, t.footer.goroutines_created);
  }

  void the_chrome_json_parses_and_has_trace_events() {
    QTemporaryDir dir;
    MainWindow w(false);
    w.show();
    run_to_end(w, "mutex-starvation");
    const QString path = dir.filePath(QStringLiteral("ms.json"));
    const auto [ok, message] = save_and_wait(w, path, SaveFormat::ChromeJson);
    QVERIFY2(ok, qPrintable(message));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonArray events = doc.object().value(QStringLiteral("traceEvents")).toArray();
    QVERIFY(events.size() > 10);
    size_t slices = 0;
    for (const QJsonValue& v : events)
      if (v.toObject().value(QStringLiteral("ph")).toString() == QLatin1String("X")) ++slices;
    QVERIFY(slices > 0);
  }

  void an_unwritable_path_shows_an_error_and_the_app_stays_up() {
    QTemporaryDir dir;
    MainWindow w(false);
    w.show();
    // Nothing to save yet.
    QVERIFY(!w.save_trace(dir.filePath(QStringLiteral("empty.gortrace")), SaveFormat::Gortrace));
    QVERIFY(w.banner().title().contains(QStringLiteral("Nothing saved")));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("empty.gortrace"))));
    run_to_end(w, "mutex-starvation");
    for (SaveFormat format : {SaveFormat::Gortrace, SaveFormat::ChromeJson}) {
      for (const QString& bad : {dir.filePath(QStringLiteral("no/such/dir/x.out")), dir.path()}) {
        const auto [ok, message] = save_and_wait(w, bad, format);
        QVERIFY2(!ok, qPrintable(bad));
        QVERIFY2(message.startsWith(QStringLiteral("gortrace: cannot")), qPrintable(message));
        QVERIFY2(w.banner().title().contains(QStringLiteral("Cannot save")), qPrintable(w.banner().title()));
        QVERIFY(w.isVisible());
      }
    }
    QVERIFY(QDir(dir.path()).entryList(QDir::Files).isEmpty());  // no .part left behind
    QVERIFY(save_and_wait(w, dir.filePath(QStringLiteral("ok.gortrace")), SaveFormat::Gortrace).first);  // still works
  }
};

QTEST_MAIN(TraceSaveTest)
#include "trace_save_test.moc"
