// inspector_view_test.cpp — InspectorView over a synthetic snapshot and trace: state, wait
// reason, object, parent, children and history are shown; links select goroutines; text is
// rebuilt only when it changes.
#include <QLabel>
#include <QSignalSpy>
#include <QTextBrowser>
#include <QtTest>


#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/inspector_view.hpp"

using goroscope::gui::GoroutineSelection;
using goroscope::gui::InspectorView;
using goroscope::gui::TraceStore;

namespace {

gor::Event ev(gor::EventKind kind, int64_t ts, uint64_t g, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
              int16_t p = -1, int16_t m = -1) {
  gor::Event e;
  e.kind = kind;
  e.ts = ts;
  e.g = g;
  e.a0 = a0;
  e.a1 = a1;
  e.a2 = a2;
  e.p = p;
  e.m = m;
  return e;
}

// A run where main (G1) made a channel "jobs" and started G2 (label "worker 1") and G3; G2 ran
// and blocked receiving from jobs; G3 ran and ended; main sleeps.
void fill_store(TraceStore& store) {
  using K = gor::EventKind;
  store.add_string(1, "/src/app/main.cpp:10 in main()");
  store.add_string(2, "worker 1");
  store.add_string(3, "/src/app/main.cpp:22 in worker(int)");
  const auto chan_receive = static_cast<uint64_t>(gor::WaitReason::ChanReceive);
  store.append({ev(K::GoCreate, 1'000'000, 2, 1, 1, 2, 0, 0), ev(K::GoCreate, 1'100'000, 3, 1, 1, 0, 0, 0),
                ev(K::GoStart, 1'200'000, 2, 0, 0, 0, 1, 1), ev(K::GoBlock, 1'300'000, 2, chan_receive, 200, 3, 1, 1),
                ev(K::GoStart, 1'400'000, 3, 0, 0, 0, 0, 0), ev(K::GoEnd, 1'500'000, 3, 0, 0, 0, 0, 0)});
}

gor::Snapshot snapshot_at(int64_t now) {
  gor::Snapshot s;
  s.now_ns = now;
  gor::GoroutineInfo main_g;
  main_g.id = 1;
  main_g.state = "waiting";
  main_g.wait_reason = "sleep";
  main_g.since_ns = 1'150'000;
  gor::GoroutineInfo worker;
  worker.id = 2;
  worker.parent = 1;
  worker.label = "worker 1";
  worker.state = "waiting";
  worker.wait_reason = "chan receive";
  worker.wait_object = 200;
  worker.since_ns = 1'300'000;
  worker.created_at = "/src/app/main.cpp:10 in main()";
  worker.blocked_at = "/src/app/main.cpp:22 in worker(int)";
  s.goroutines = {main_g, worker};
  gor::ChannelInfo jobs;
  jobs.id = 200;
  jobs.name = "jobs";
  jobs.elem_type = "app::(anonymous namespace)::Job";
  jobs.cap = 4;
  jobs.recvq = {2};
  s.channels = {jobs};
  return s;
}

}  // namespace

class InspectorViewTest : public QObject {
  Q_OBJECT
 private slots:
  void shows_a_hint_without_selection() {
    GoroutineSelection selection;
    InspectorView view(selection);
    QCOMPARE(view.text(), QStringLiteral("Click a goroutine anywhere to inspect it."));
    TraceStore store;
    fill_store(store);
    const gor::Snapshot s = snapshot_at(3'300'000);
    view.set_data(&s, store);
    QVERIFY(view.text().contains("Click a goroutine"));
  }

  void describes_a_waiting_goroutine() {
    GoroutineSelection selection;
    InspectorView view(selection);
    TraceStore store;
    fill_store(store);
    const gor::Snapshot s = snapshot_at(3'300'000);
    view.set_data(&s, store);
    selection.select(2);
    const QString text = view.text();
    QVERIFY2(text.contains("Goroutine G2 · worker 1"), qPrintable(text));
    QVERIFY2(text.contains("waiting for 2.000 ms"), qPrintable(text));
    QVERIFY2(text.contains("chan receive"), qPrintable(text));
    QVERIFY2(text.contains("chan jobs: chan Job, buffer 0/4, 1 receiver waiting"), qPrintable(text));
    QVERIFY2(text.contains("at 1.000 ms by G1"), qPrintable(text));
    QVERIFY2(text.contains("main.cpp:10 in main()"), qPrintable(text));
    QVERIFY2(!text.contains("/src/app/"), qPrintable(text));  // sites are shortened
    QVERIFY2(text.contains("main.cpp:22 in worker()"), qPrintable(text));
    // History, newest first.
    const int block = text.indexOf("block: chan receive");
    const int start = text.indexOf("start on P1 / M1");
    QVERIFY2(block >= 0 && start > block, qPrintable(text));
    QVERIFY(text.contains("1.300 ms"));
  }

  void links_select_parent_and_children() {
    GoroutineSelection selection;
    InspectorView view(selection);
    TraceStore store;
    fill_store(store);
    const gor::Snapshot s = snapshot_at(3'300'000);
    view.set_data(&s, store);
    selection.select(1);
    const QString text = view.text();
    QVERIFY2(text.contains("Goroutine G1 · main"), qPrintable(text));
    QVERIFY2(text.contains("Children (2)"), qPrintable(text));
    QVERIFY2(text.contains("G2, G3"), qPrintable(text));
    auto* details = view.findChild<QLabel*>(QStringLiteral("inspectorDetails"));
    QVERIFY(details);
    QVERIFY(details->text().contains("href=\"goroutine:3\""));

    // The user activates the child link G3: the selection follows, and G3's end is shown.
    QSignalSpy changed(&selection, &GoroutineSelection::changed);
    emit details->linkActivated(QStringLiteral("goroutine:3"));
    QCOMPARE(selection.selected(), uint64_t{3});
    QCOMPARE(changed.count(), 1);
    QVERIFY2(view.text().contains("ended at 1.500 ms"), qPrintable(view.text()));
    QVERIFY2(view.text().contains("created by G1"), qPrintable(view.text()));  // its GoCreate event

    // From G3 back to its parent through the parent link.
    QVERIFY(details->text().contains("href=\"goroutine:1\""));
    emit details->linkActivated(QStringLiteral("goroutine:1"));
    QCOMPARE(selection.selected(), uint64_t{1});
    QVERIFY(!view.open_link(QStringLiteral("https://go.dev")));
    QCOMPARE(selection.selected(), uint64_t{1});

    // Links in the event list work the same way (G2's "created by G1" event).
    emit details->linkActivated(QStringLiteral("goroutine:2"));
    QCOMPARE(selection.selected(), uint64_t{2});
    auto* events = view.findChild<QTextBrowser*>(QStringLiteral("inspectorEvents"));
    QVERIFY(events->toHtml().contains("goroutine:1"));
    emit events->anchorClicked(QUrl(QStringLiteral("goroutine:1")));
    QCOMPARE(selection.selected(), uint64_t{1});
  }

  void compresses_long_child_lists() {
    GoroutineSelection selection;
    InspectorView view(selection);
    TraceStore store;
    std::vector<gor::Event> batch;
    for (uint64_t g = 2; g < 32; ++g) batch.push_back(ev(gor::EventKind::GoCreate, static_cast<int64_t>(g) * 1000, g, 1));
    store.append(batch);
    view.set_data(nullptr, store);
    selection.select(1);
    const QString text = view.text();
    QVERIFY2(text.contains("Children (30)"), qPrintable(text));
    QVERIFY2(text.contains("+18 more"), qPrintable(text));
    QVERIFY2(!text.contains("G31"), qPrintable(text.section("Recent events", 0, 0)));
    QVERIFY2(text.contains("unknown (no snapshot of the run)"), qPrintable(text));
  }

  void rebuilds_only_when_something_changed() {
    GoroutineSelection selection;
    InspectorView view(selection);
    TraceStore store;
    fill_store(store);
    gor::Snapshot s = snapshot_at(3'300'000);
    view.set_data(&s, store);
    selection.select(1);
    const int after_select = view.rebuild_count();
    // Main is asleep; its sleep clock advances: one rebuild per new duration, none for repeats.
    for (int i = 0; i < 5; ++i) view.set_data(&s, store);
    QCOMPARE(view.rebuild_count(), after_select);
    s.now_ns += 1'000'000;
    view.set_data(&s, store);
    QCOMPARE(view.rebuild_count(), after_select + 1);
    view.set_data(&s, store);
    QCOMPARE(view.rebuild_count(), after_select + 1);
    // A change to a goroutine that is not shown does not rebuild.
    s.goroutines[1].state = "runnable";
    s.goroutines[1].wait_reason.clear();
    s.goroutines[1].wait_object = 0;
    view.set_data(&s, store);
    QCOMPARE(view.rebuild_count(), after_select + 1);
    // The run ends: without a snapshot the store still knows who main is.
    view.set_data(nullptr, store);
    QVERIFY2(view.text().contains("Children (2)"), qPrintable(view.text()));
    QVERIFY2(view.text().contains("unknown (no snapshot of the run)"), qPrintable(view.text()));
    // A shared snapshot is kept, not copied, and shown the same way.
    auto shared = std::make_shared<const gor::Snapshot>(snapshot_at(4'150'000));
    view.set_data(shared, store);
    QVERIFY2(view.text().contains("waiting for 3.000 ms"), qPrintable(view.text()));
    QCOMPARE(shared.use_count(), 2);
  }
};

QTEST_MAIN(InspectorViewTest)
#include "inspector_view_test.moc"
