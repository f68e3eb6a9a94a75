// scheduler_view_test.cpp — SchedulerView's aggregation and caching: steals between the same
// pair of Ps share one arrow (with summed counts), and the cached background layer follows
// every new layout.
#include <QApplication>
#include <QtTest>

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
