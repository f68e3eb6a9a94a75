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
