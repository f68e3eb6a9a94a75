// glossary_test.cpp — explanations where the jargon is (issue 19 item 10): Help > Glossary has
// an entry for each scheduler word a learner meets, every phrase of the Inspector's event list
// has one (on hover and behind its "(?)" link), and hovering the scene's words (runnext, a
// local queue, the global queue, a P, a spinning M, a STARVING badge) names the right one.
#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QTextBlock>
#include <QTextBrowser>
#include <QtTest>

#include <set>

#include "model/glossary.hpp"
#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/glossary_dialog.hpp"
#include "views/inspector_view.hpp"
#include "views/scene_glossary.hpp"
#include "views/scheduler_layout.hpp"
#include "window/main_window.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

gor::Event ev(K kind, int64_t ts, uint64_t g, uint64_t a0, uint64_t a1, int p) {
  gor::Event e;
  e.kind = kind;
  e.ts = ts;
  e.g = g;
  e.a0 = a0;
  e.a1 = a1;
  e.p = p;
  return e;
}

gor::GoroutineInfo goroutine(uint64_t id, const char* state) {
  gor::GoroutineInfo g;
  g.id = id;
  g.state = state;
  return g;
}

// scene_snapshot() has a P running G1 with G2 in runnext and G3 queued, G4 in the global
// queue, a spinning M on P1, and a starving mutex held by G1 with G5 waiting.
gor::Snapshot scene_snapshot() {
  gor::Snapshot s;
  s.gomaxprocs = 2;
  gor::ProcessorInfo p0;
  p0.id = 0;
  p0.status = "running";
  p0.m = 0;
  p0.running = 1;
  p0.runnext = 2;
  p0.local_queue = {3};
  gor::ProcessorInfo p1;
  p1.id = 1;
  p1.status = "running";
  p1.m = 1;
  s.procs = {p0, p1};
  s.global_queue = {4};
  s.machines = {{0, "running", 0, 1}, {1, "spinning", 1, 0}};
  s.goroutines = {goroutine(1, "running"), goroutine(2, "runnable"), goroutine(3, "runnable"), goroutine(4, "runnable")};
  gor::GoroutineInfo waiter = goroutine(5, "waiting");
  waiter.wait_reason = "sync.Mutex.Lock";
  waiter.wait_object = 900;
  s.goroutines.push_back(waiter);
  gor::MutexInfo mu;
  mu.id = 900;
  mu.name = "mu";
  mu.kind = "Mutex";
  mu.holder = 1;
  mu.starving = true;
  mu.waiters = {{5, 0}};
  s.mutexes = {mu};
  return s;
}

}  // namespace

class GlossaryTest : public QObject {
  Q_OBJECT
 private slots:
  void every_word_of_the_issue_has_an_entry() {
    std::set<QString> ids;
    for (const GlossaryEntry& e : glossary()) {
      QVERIFY2(ids.insert(e.id).second, qPrintable(e.id + " twice"));
      QVERIFY2(e.text.size() > 60, qPrintable(e.id));  // a real explanation, not a stub
    }
    for (const char* id : {"runnext", "local-queue", "global-queue", "steal", "handoff", "spinning", "idle-m",
                           "idle-p", "stopped-p", "preemption", "starvation", "gomaxprocs", "sysmon"})
      QVERIFY2(glossary_entry(QString::fromLatin1(id)) != nullptr, id);
    QVERIFY(glossary_entry(QStringLiteral("runnext"))->text.contains(QStringLiteral("runs next")));
    QVERIFY(glossary_entry(QStringLiteral("starvation"))->text.contains(QStringLiteral("1 ms")));
    QVERIFY(glossary_entry(QStringLiteral("preemption"))->text.contains(QStringLiteral("10 ms")));
    QVERIFY(glossary_tooltip(QStringLiteral("steal")).contains(QStringLiteral("<b>steal (work stealing)</b>")));
    QCOMPARE(glossary_tooltip(QStringLiteral("no such word")), QString());
  }

  void every_inspector_phrase_has_an_entry() {
    // Every event kind the Inspector describes in the scheduler's words has an explanation;
    // only the program's own texts (log lines, regions) and bookkeeping need none.
    const std::set<K> own_words = {K::Log, K::RegionBegin, K::RegionEnd, K::RunEnd, K::ObjectCreate};
    for (int k = 0; k < static_cast<int>(K::Count_); ++k) {
      const K kind = static_cast<K>(k);
      gor::Event e = ev(kind, 0, 1, 0, 0, 0);
      const QString id = glossary_id_for_event(e);
      if (own_words.count(kind)) continue;
      QVERIFY2(glossary_entry(id) != nullptr, gor::event_kind_name(kind));
    }
    // A wake-up names where the goroutine went.
    QCOMPARE(glossary_id_for_event(ev(K::GoUnblock, 0, 2, 1, static_cast<uint64_t>(gor::Placement::Runnext), 0)), QStringLiteral("runnext"));
    QCOMPARE(glossary_id_for_event(ev(K::GoUnblock, 0, 2, 1, static_cast<uint64_t>(gor::Placement::Global), 0)), QStringLiteral("global-queue"));
    QCOMPARE(glossary_id_for_event(ev(K::Steal, 0, 0, 0, 2, 1)), QStringLiteral("steal"));
    QCOMPARE(glossary_id_for_event(ev(K::SyscallExit, 0, 2, 0, 0, 0)), QStringLiteral("handoff"));
  }

  void the_inspector_explains_its_phrases() {
    GoroutineSelection selection;
    InspectorView view(selection);
    view.resize(500, 600);
    TraceStore store;
    store.append({ev(K::GoCreate, 1'000, 2, 1, 0, 0), ev(K::GoStart, 2'000, 2, 0, 0, 1),
                  ev(K::GoBlock, 3'000, 2, static_cast<uint64_t>(gor::WaitReason::ChanReceive), 0, 1),
                  ev(K::GoUnblock, 4'000, 2, 1, static_cast<uint64_t>(gor::Placement::Runnext), 0)});
    gor::Snapshot s;
    s.now_ns = 5'000;
    gor::ProcessorInfo p;
    p.id = 0;
    p.runnext = 2;
    s.procs = {p};
    s.goroutines = {goroutine(1, "running"), goroutine(2, "runnable")};
    view.set_data(&s, store);
    selection.select(2);
    // "in runnext of P0" links to the glossary.
    auto* details = view.findChild<QLabel*>(QStringLiteral("inspectorDetails"));
    QVERIFY(details && details->text().contains(QStringLiteral("href=\"glossary:runnext\"")));
    // Each phrase has a tooltip (the entry's text) and a "(?)" link to the glossary.
    auto* events = view.findChild<QTextBrowser*>(QStringLiteral("inspectorEvents"));
    QVERIFY(events);
    QVERIFY(events->toHtml().contains(QStringLiteral("glossary:runnext")));
    QVERIFY(events->toHtml().contains(QStringLiteral("glossary:blocked")));
    QStringList tips;
    for (QTextBlock b = events->document()->begin(); b.isValid(); b = b.next())
      for (auto it = b.begin(); !it.atEnd(); ++it)
        if (!it.fragment().charFormat().toolTip().isEmpty()) tips << it.fragment().charFormat().toolTip();
    QVERIFY2(tips.join(QLatin1Char('\n')).contains(QStringLiteral("runnext: One slot per P")), qPrintable(tips.join('\n')));
    // A click on "(?)" opens the glossary at that word.
    QVERIFY(view.open_link(QStringLiteral("glossary:runnext")));
    auto* dialog = view.window()->findChild<GlossaryDialog*>(QStringLiteral("glossary"));
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->shown_term(), QStringLiteral("runnext"));
    QVERIFY(dialog->html().contains(QStringLiteral("One slot per P")));
    dialog->close();
  }

  void the_scene_explains_its_words() {
    const gor::Snapshot s = scene_snapshot();
    LayoutMetrics m;
    m.font = QApplication::font();
    const SchedulerLayout l = compute_scheduler_layout(s, 1200, m);
    std::set<QString> found;
    for (const SceneText& t : l.texts) {
      const QString id = scene_glossary_id_at(l, t.rect.center());
      if (t.text == QLatin1String("runnext")) QCOMPARE(id, QStringLiteral("runnext"));
      found.insert(id);
    }
    for (const SceneMachine& mach : l.machines) found.insert(scene_glossary_id_at(l, mach.rect.center()));
    for (const ScenePanel& p : l.panels) {
      const QRectF row = p.title_rect();
      found.insert(scene_glossary_id_at(l, QPointF(row.left() + 4, row.center().y())));
      found.insert(scene_glossary_id_at(l, QPointF(row.right() - 4, row.center().y())));
      if (p.kind == ScenePanel::Kind::Global) QCOMPARE(scene_glossary_id_at(l, QPointF(row.left() + 4, row.center().y())), QStringLiteral("global-queue"));
      if (p.kind == ScenePanel::Kind::Mutex) QCOMPARE(scene_glossary_id_at(l, QPointF(row.right() - 4, row.center().y())), QStringLiteral("starvation"));
    }
    for (const char* id : {"runnext", "local-queue", "global-queue", "p", "spinning", "starvation"})
      QVERIFY2(found.count(QString::fromLatin1(id)), id);
    QCOMPARE(scene_glossary_id_at(l, QPointF(-100, -100)), QString());
    // The words themselves, as the scene and its badges spell them.
    QCOMPARE(glossary_id_for_scene_text(QStringLiteral("queue 3")), QStringLiteral("local-queue"));
    QCOMPARE(glossary_id_for_scene_text(QStringLiteral("stole 2 from P1")), QStringLiteral("steal"));
    QCOMPARE(glossary_id_for_scene_text(QStringLiteral("stopped")), QStringLiteral("stopped-p"));
    QCOMPARE(glossary_id_for_scene_text(QStringLiteral("G7")), QString());
  }

  void help_menu_opens_the_glossary() {
    MainWindow w(/*persist_settings=*/false);
    w.show();
    QAction* glossary_action = nullptr;
    for (QAction* menu : w.menuBar()->actions())
      if (menu->text() == QStringLiteral("&Help") && menu->menu())
        for (QAction* a : menu->menu()->actions())
          if (a->text().contains(QStringLiteral("Glossary"))) glossary_action = a;
    QVERIFY(glossary_action);
    glossary_action->trigger();
    auto* dialog = w.findChild<GlossaryDialog*>(QStringLiteral("glossary"));
    QVERIFY(dialog && dialog->isVisible());
    for (const GlossaryEntry& e : glossary()) QVERIFY2(dialog->html().contains(e.term.toHtmlEscaped()), qPrintable(e.term));
  }
};

QTEST_MAIN(GlossaryTest)
#include "glossary_test.moc"
