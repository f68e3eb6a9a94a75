// The Source pane offscreen: every sample of samples.def has its source embedded; sites are
// read in every shape the app meets (engine, shortened, dump line); goroutines blocked at a
// line carry chips in the gutter (a click selects one); a site jumps to its line (in another
// sample's file too); the selected goroutine's line is highlighted and follows its state.
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTextBlock>
#include <QtTest>

#include <memory>

#include <gor/control.hpp>
#include <goroscope/registry.hpp>

#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/inspector_view.hpp"
#include "model/source_site.hpp"
#include "views/source_view.hpp"

using namespace goroscope::gui;

namespace {

gor::GoroutineInfo goroutine(uint64_t id, const char* state, const char* blocked_at, const char* created_at = "") {
  gor::GoroutineInfo g;
  g.id = id;
  g.state = state;
  g.wait_reason = std::string(state) == "waiting" ? "chan receive" : "";
  g.blocked_at = blocked_at;
  g.created_at = created_at;
  return g;
}

// line_of() is the first line of `file`'s embedded source containing `text` (0: none).
int line_of(const QString& file, const QString& text) {
  const QStringList lines = SourceView::embedded_source(file).split(QLatin1Char('\n'));
  for (int i = 0; i < lines.size(); ++i)
    if (lines[i].contains(text)) return i + 1;
  return 0;
}

}  // namespace

class SourceViewTest : public QObject {
  Q_OBJECT
 private slots:
  void every_sample_has_its_source_embedded() {
    for (const goroscope::Sample& s : goroscope::all_samples()) {
      const QString file = QString::fromStdString(sample_source_file(s.info.id));
      const QString text = SourceView::embedded_source(file);
      QVERIFY2(!text.isEmpty(), qPrintable(file));
      // It is that sample's file: it names the sample's id.
      QVERIFY2(text.contains(QStringLiteral("\"%1\"").arg(QString::fromStdString(s.info.id))), qPrintable(file));
    }
    QVERIFY(SourceView::embedded_source(QStringLiteral("no_such_sample.cpp")).isEmpty());
    QVERIFY(SourceView::embedded_source(QStringLiteral("run.cpp")).isEmpty());  // engine files are not samples
  }

  void sites_are_read_in_every_shape() {
    const SourceSite want{"deadlock.cpp", 30};
    QCOMPARE(parse_site("/home/u/goroscope/samples/deadlock.cpp:30 in void goroscope::samples::{anonymous}::deadlock_main("
                        "const goroscope::SampleParams&, goroscope::SampleOutcome&)"),
             std::optional<SourceSite>(want));
    QCOMPARE(parse_site("samples/deadlock.cpp:30 in main.deadlock_main"), std::optional<SourceSite>(want));
    QCOMPARE(parse_site("\tsamples/deadlock.cpp:30"), std::optional<SourceSite>(want));
    QCOMPARE(parse_site("deadlock.cpp:30"), std::optional<SourceSite>(want));
    QCOMPARE(parse_site("created by main.main in goroutine 1 at samples/deadlock.cpp:30 +0x1d"), std::optional<SourceSite>(want));
    QCOMPARE(parse_site("worker_pool.cpp:7:12"), std::optional<SourceSite>(SourceSite{"worker_pool.cpp", 7}));
    QVERIFY(!parse_site("goroutine 1 [chan receive]:"));
    QVERIFY(!parse_site("deadlock.cpp:0"));
    QVERIFY(!parse_site("std::vector<int>::size"));
    QVERIFY(!parse_site("notes.txt:12"));
    QCOMPARE(sample_source_file("worker-pool"), std::string("worker_pool.cpp"));
  }

  void blocked_goroutines_carry_chips_at_their_line() {
    GoroutineSelection selection;
    SourceView view(selection);
    view.resize(700, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.show_sample(QStringLiteral("deadlock")));
    QCOMPARE(view.file(), QStringLiteral("deadlock.cpp"));
    const int send = line_of(view.file(), QStringLiteral("ch.send(i)"));
    QVERIFY(send > 0);
    QVERIFY(view.line_text(send).contains(QStringLiteral("ch.send(i)")));
    auto snap = std::make_shared<gor::Snapshot>();
    const std::string shortened = "samples/deadlock.cpp:" + std::to_string(send) + " in main.deadlock_main";
    const std::string engine = "/abs/samples/deadlock.cpp:" + std::to_string(send) + " in void goroscope::samples::x()";
    snap->goroutines = {goroutine(1, "waiting", "samples/other.cpp:3 in main"), goroutine(2, "waiting", shortened.c_str()),
                        goroutine(5, "waiting", engine.c_str()), goroutine(7, "running", shortened.c_str())};
    view.set_snapshot(snap);
    QCOMPARE(view.chips_at(send), (std::vector<uint64_t>{2, 5}));  // running G7 is not blocked there
    QVERIFY(view.chips_at(send + 1).empty());
    QTest::mouseClick(&view.gutter(), Qt::LeftButton, {}, view.chip_point(send, 1));
    QCOMPARE(selection.selected(), uint64_t(5));
    QCOMPARE(view.selected_line(), send);  // the selected goroutine's line is highlighted
    QVERIFY2(view.status_text().contains(QStringLiteral("G5 is blocked at line %1").arg(send)), qPrintable(view.status_text()));
    // Stepping on: G5 runs now; its line is where it last blocked, and the chip is gone.
    auto next = std::make_shared<gor::Snapshot>(*snap);
    next->goroutines[2].state = "running";
    view.set_snapshot(next);
    QCOMPARE(view.chips_at(send), (std::vector<uint64_t>{2}));
    QCOMPARE(view.selected_line(), send);
    QVERIFY2(view.status_text().contains(QStringLiteral("last blocked at line")), qPrintable(view.status_text()));
    selection.select(0);
    QCOMPARE(view.selected_line(), 0);
  }

  // Goroutines blocking at lines out of view bring the first of them into view (here before the
  // pane is first shown, as a dock's before the window is laid out).
  void blocked_lines_come_into_view() {
    GoroutineSelection selection;
    SourceView view(selection);  // not shown yet, as a dock before the window is laid out
    QVERIFY(view.show_sample(QStringLiteral("worker-pool")));
    const int last = view.line_count() - 3;
    auto snap = std::make_shared<gor::Snapshot>();
    const std::string site = "samples/worker_pool.cpp:" + std::to_string(last) + " in main.worker";
    snap->goroutines = {goroutine(4, "waiting", site.c_str())};
    view.set_snapshot(snap);
    view.resize(600, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto* code = view.findChild<QPlainTextEdit*>();
    QCOMPARE(code->textCursor().blockNumber() + 1, last);
    QVERIFY2(code->cursorRect().top() >= 0 && code->cursorRect().bottom() <= code->viewport()->height(),
             qPrintable(QStringLiteral("%1 of %2").arg(code->cursorRect().top()).arg(code->viewport()->height())));
  }

  void a_site_jumps_to_its_line_in_any_sample() {
    GoroutineSelection selection;
    SourceView view(selection);
    view.resize(700, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.show_sample(QStringLiteral("deadlock")));
    const QString file = QStringLiteral("worker_pool.cpp");
    const int last = SourceView::embedded_source(file).count(QLatin1Char('\n'));
    QVERIFY(last > 40);
    QVERIFY(view.show_site(QStringLiteral("samples/worker_pool.cpp:%1 in main.worker").arg(last - 2)));
    QCOMPARE(view.file(), file);
    QCOMPARE(view.site_line(), last - 2);
    // The line is scrolled into view: its text is where the code's cursor is.
    auto* code = view.findChild<QPlainTextEdit*>();
    QVERIFY(code);
    QCOMPARE(code->textCursor().blockNumber() + 1, last - 2);
    QVERIFY(code->cursorRect().top() >= 0 && code->cursorRect().bottom() <= code->viewport()->height());
    QVERIFY(!view.show_site(QStringLiteral("run.cpp:34 in run()")));  // not a sample's file
    QVERIFY(!view.show_site(QStringLiteral("no site here")));
    QCOMPARE(view.file(), file);  // still shown
  }

  // A site clicked in the Inspector (its "Blocked at" link) or on a dump's line opens that line.
  void inspector_and_dump_sites_open_their_line() {
    GoroutineSelection selection;
    SourceView source(selection);
    source.resize(600, 400);
    source.show();
    QVERIFY(QTest::qWaitForWindowExposed(&source));
    QVERIFY(source.show_sample(QStringLiteral("worker-pool")));
    const QString file = QStringLiteral("deadlock.cpp");
    const int send = line_of(file, QStringLiteral("ch.send(i)"));
    InspectorView inspector(selection);
    QObject::connect(&inspector, &InspectorView::siteActivated, &source, &SourceView::show_site);
    TraceStore store;
    auto snap = std::make_shared<gor::Snapshot>();
    const std::string site = "/abs/samples/deadlock.cpp:" + std::to_string(send) + " in void goroscope::samples::x()";
    snap->goroutines = {goroutine(2, "waiting", site.c_str())};
    inspector.set_data(snap, store);
    selection.select(2);
    const QString html = inspector.findChild<QLabel*>(QStringLiteral("inspectorDetails"))->text();
    const QRegularExpressionMatch link = QRegularExpression(QStringLiteral("href=\"(site:[^\"]+)\"")).match(html);
    QVERIFY2(link.hasMatch(), qPrintable(html));
    QVERIFY(inspector.open_link(link.captured(1)));
    QCOMPARE(source.file(), file);
    QCOMPARE(source.site_line(), send);
    // A dump: a click on its site line opens it; a click on another line does nothing.
    QPlainTextEdit dump;
    dump.setPlainText(QStringLiteral("goroutine 1 [chan receive]:\nmain.deadlock_main(...)\n\tsamples/worker_pool.cpp:12\n"));
    dump.resize(400, 200);
    dump.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dump));
    SiteLinker* linker = SiteLinker::attach(&dump);
    QObject::connect(linker, &SiteLinker::siteActivated, &source, &SourceView::show_site);
    auto line_point = [&](int block) {
      QTextCursor c(dump.document()->findBlockByNumber(block));
      return dump.cursorRect(c).center() + QPoint(20, 0);
    };
    QTest::mouseClick(dump.viewport(), Qt::LeftButton, {}, line_point(0));
    QCOMPARE(source.file(), file);  // no site on that line
    QTest::mouseClick(dump.viewport(), Qt::LeftButton, {}, line_point(2));
    QCOMPARE(source.file(), QStringLiteral("worker_pool.cpp"));
    QCOMPARE(source.site_line(), 12);
  }
};

QTEST_MAIN(SourceViewTest)
#include "source_view_test.moc"
