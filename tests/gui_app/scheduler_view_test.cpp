// scheduler_view_test.cpp — SchedulerView's aggregation and caching: steals between the same
// pair of Ps share one arrow (with summed counts), badges for what just happened sit in their
// panel's title row (repeats counted, never on a chip), and the cached background layer
// follows every new layout.
#include <QApplication>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>

#include <vector>

#include "model/selection.hpp"
#include "views/scheduler_view.hpp"

using namespace goroscope::gui;

namespace {

gor::Event steal(int thief, int victim, int count) {
  gor::Event e;
  e.kind = gor::EventKind::Steal;
  e.p = static_cast<int16_t>(thief);
  e.a0 = static_cast<uint64_t>(victim);
  e.a1 = static_cast<uint64_t>(count);
  return e;
}

gor::Snapshot procs_only(int n) {
  gor::Snapshot s;
  s.gomaxprocs = n;
  for (int i = 0; i < n; ++i) {
    gor::ProcessorInfo p;
    p.id = i;
    p.status = "idle";
    s.procs.push_back(p);
  }
  return s;
}

}  // namespace

class SchedulerViewTest : public QObject {
  Q_OBJECT
 private slots:
  void stealsBetweenTheSamePsShareOneArrow() {
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.resize(900, 600);
    view.set_snapshot(procs_only(4));
    std::vector<gor::Event> events;
    for (int i = 0; i < 50; ++i) events.push_back(steal(1, 0, 2));  // a burst P0 -> P1
    events.push_back(steal(2, 3, 1));
    view.add_events(events, 0);
    QCOMPARE(view.steals_in_flight(), 2);
    events.push_back(steal(1, 0, 4));  // later, while the arrow is still up
    view.add_events(events, events.size() - 1);
    QCOMPARE(view.steals_in_flight(), 2);
    events.push_back(steal(0, 1, 1));  // the other direction is another arrow
    view.add_events(events, events.size() - 1);
    QCOMPARE(view.steals_in_flight(), 3);
    QImage image = view.grab().toImage();  // paints the arrows with their labels
    QVERIFY(!image.isNull());
  }

  void badgesSitInTheTitleRowNotOnTheChips() {
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.resize(900, 600);
    gor::Snapshot s = procs_only(2);
    for (uint64_t g = 2; g <= 40; ++g) {
      gor::GoroutineInfo info;
      info.id = g;
      info.state = "runnable";
      s.goroutines.push_back(info);
      s.procs[g % 2].local_queue.push_back(g);
    }
    view.set_snapshot(s);
    std::vector<gor::Event> events;
    for (int i = 0; i < 3; ++i) {  // the same goroutine preempted three times on P0
      gor::Event e;
      e.kind = gor::EventKind::GoPreempted;
      e.p = 0;
      e.g = 7;
      events.push_back(e);
    }
    events.push_back(steal(1, 0, 4));
    view.add_events(events, 0);
    QVERIFY(!view.grab().toImage().isNull());
    const auto& badges = view.badges();
    QCOMPARE(badges.size(), size_t(2));
    QStringList texts;
    for (const auto& b : badges) texts << b.text;
    QVERIFY2(texts.contains(QStringLiteral("preempted G7 ×3")), qPrintable(texts.join(QStringLiteral(" | "))));
    QVERIFY2(texts.contains(QStringLiteral("stole 4 from P0")), qPrintable(texts.join(QStringLiteral(" | "))));
    const SchedulerLayout& layout = view.scene_layout();
    QVERIFY(!layout.chips.empty());
    for (const auto& b : badges) {
      bool in_a_title_row = false;
      for (const ScenePanel& panel : layout.panels)
        if (panel.rect.contains(b.rect) && b.rect.bottom() <= panel.rect.top() + 26) in_a_title_row = true;
      QVERIFY2(in_a_title_row, qPrintable(b.text));
      for (const SceneChip& c : layout.chips) QVERIFY2(!b.rect.intersects(c.rect), qPrintable(b.text));
      for (const auto& other : badges)
        if (&other != &b) QVERIFY(!b.rect.intersects(other.rect));
    }
  }

  void highlightsLastUntilTheNextOnTheirPOrObject() {
    // Issue 15: a steal, handoff or mode switch stays highlighted until the next such event on
    // that P or object, however long that takes; a preemption only flashes.
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.resize(900, 600);
    gor::Snapshot s = procs_only(2);
    gor::MutexInfo mu;
    mu.id = 50;
    mu.name = "mu";
    mu.kind = "Mutex";
    mu.holder = 9;
    gor::GoroutineInfo holder;
    holder.id = 9;
    holder.state = "waiting";
    holder.wait_reason = "sleep";
    s.goroutines.push_back(holder);
    s.mutexes.push_back(mu);
    s.now_ns = 1000;
    view.set_snapshot(s);
    std::vector<gor::Event> events{steal(1, 0, 3)};
    gor::Event mode;
    mode.kind = gor::EventKind::MutexMode;
    mode.a0 = 50;
    mode.a1 = 1;
    events.push_back(mode);
    gor::Event preempt;
    preempt.kind = gor::EventKind::GoPreempted;
    preempt.p = 0;
    preempt.g = 9;
    events.push_back(preempt);
    for (gor::Event& e : events) e.ts = 900;
    view.add_events(events, 0);
    QTest::qWait(1600);  // longer than any flash
    QVERIFY(!view.grab().toImage().isNull());
    QStringList texts;
    for (const auto& b : view.badges()) texts << b.text;
    QVERIFY2(texts.contains(QStringLiteral("stole 3 from P0")), qPrintable(texts.join(QStringLiteral(" | "))));
    QVERIFY2(texts.contains(QStringLiteral("→ STARVING")), qPrintable(texts.join(QStringLiteral(" | "))));
    QVERIFY2(!texts.contains(QStringLiteral("preempted G9")), qPrintable(texts.join(QStringLiteral(" | "))));
    QCOMPARE(view.steals_in_flight(), 1);
    // An event later than the snapshot shown waits for a snapshot of its time.
    gor::Event handoff;
    handoff.kind = gor::EventKind::Handoff;
    handoff.p = 1;
    handoff.ts = 2000;
    view.add_events({handoff}, 0);
    QCOMPARE(view.steals_in_flight(), 1);
    s.now_ns = 2000;
    view.set_snapshot(s);
    QCOMPARE(view.steals_in_flight(), 0);  // the next highlight on P1 replaced the steal
    QVERIFY(!view.grab().toImage().isNull());
    texts.clear();
    for (const auto& b : view.badges()) texts << b.text;
    QVERIFY2(texts.contains(QStringLiteral("handoff")), qPrintable(texts.join(QStringLiteral(" | "))));
    // Back to before the handoff: its highlight goes.
    s.now_ns = 1500;
    view.set_snapshot(s);
    QVERIFY(!view.grab().toImage().isNull());
    texts.clear();
    for (const auto& b : view.badges()) texts << b.text;
    QVERIFY2(!texts.contains(QStringLiteral("handoff")), qPrintable(texts.join(QStringLiteral(" | "))));
  }

  void aChipMovedAgainMidGlideLandsAtOnce() {
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.set_animation_ms(100);  // at least kMinGlideMs
    view.resize(900, 600);
    gor::Snapshot s = procs_only(2);
    gor::GoroutineInfo g;
    g.id = 5;
    g.state = "runnable";
    s.goroutines.push_back(g);
    s.procs[0].local_queue = {5};
    view.set_snapshot(s);
    QTest::qWait(SchedulerView::kMinGlideMs + 50);
    s.procs[0].local_queue.clear();
    s.procs[1].local_queue = {5};
    view.set_snapshot(s);  // glides to P1 ...
    const QRectF on_p1 = view.scene_layout().chip_of(5)->rect;
    QTest::qWait(SchedulerView::kMinGlideMs / 3);
    QVERIFY(view.chip_rect_shown(5) != on_p1);  // ... and takes its time: it is on its way
    s.procs[1].local_queue.clear();
    s.global_queue = {5};
    view.set_snapshot(s);  // moved again mid-glide
    QCOMPARE(view.chip_rect_shown(5), view.scene_layout().chip_of(5)->rect);
  }

  void postedSnapshotsAreLaidOutOffTheUiThreadNewestWins() {
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.resize(900, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy applied(&view, &SchedulerView::layoutApplied);
    std::atomic<int> made{0};
    const Qt::HANDLE ui = QThread::currentThreadId();
    std::atomic<bool> made_on_ui{false};
    for (int n = 1; n <= 4; ++n) {
      view.post_snapshot([n, &made, &made_on_ui, ui] {
        ++made;
        if (QThread::currentThreadId() == ui) made_on_ui = true;
        return procs_only(n);
      });
    }
    QVERIFY(view.layout_pending());
    QTRY_VERIFY_WITH_TIMEOUT(!view.layout_pending(), 10000);
    QVERIFY(!made_on_ui);
    // The first was being built when the others came: the 2nd and 3rd were replaced.
    QCOMPARE(made.load(), 2);
    QCOMPARE(applied.count(), 2);
    QCOMPARE(view.scene_layout().proc_rects.size(), size_t(4));
    const SchedulerLayout sync = compute_scheduler_layout(procs_only(4), std::max(320, view.width()), LayoutMetrics{view.font()});
    QCOMPARE(view.scene_layout().panels.size(), sync.panels.size());
    QVERIFY(!view.grab().toImage().isNull());
    // A snapshot set directly wins over one still being laid out.
    view.post_snapshot([] { return procs_only(3); });
    view.set_snapshot(procs_only(2));
    QTRY_VERIFY_WITH_TIMEOUT(!view.layout_pending(), 10000);
    QTest::qWait(20);
    QCOMPARE(view.scene_layout().proc_rects.size(), size_t(2));
  }

  void theCachedBackgroundFollowsTheLayout() {
    GoroutineSelection selection;
    SchedulerView view(selection);
    view.set_animation_ms(0);
    view.resize(900, 600);
    view.set_snapshot(procs_only(2));
    const QImage two = view.grab().toImage();
    QCOMPARE(view.grab().toImage(), two);  // repainting from the cache draws the same
    view.set_snapshot(procs_only(4));
    const QImage four = view.grab().toImage();
    QVERIFY(four != two);
    view.set_snapshot(procs_only(2));
    QCOMPARE(view.grab().toImage(), two);
  }
};

QTEST_MAIN(SchedulerViewTest)
#include "scheduler_view_test.moc"
