// The scheduler rebuilt from a trace at time t (replay mode) against the live snapshot the
// engine took at t, recorded in one run: paused mid-run (world stopped, engine time still),
// every event up to the snapshot delivered, both must agree on which goroutines are alive,
// which are blocked and why, and on GOMAXPROCS; a hand-made trace checks queues and steals.
#include <QSignalSpy>
#include <QtTest>

#include <map>

#include <gor/detail/park.hpp>

#include "model/replay_state.hpp"
#include "model/trace_store.hpp"
#include "run/run_controller.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

using gui_test::ev;

const gor::GoroutineInfo* find(const gor::Snapshot& s, uint64_t g) {
  for (const gor::GoroutineInfo& i : s.goroutines)
    if (i.id == g) return &i;
  return nullptr;
}

}  // namespace

class ReplayStateTest : public QObject {
  Q_OBJECT
 private slots:
  void queues_and_steals_from_events() {
    TraceStore store;
    store.append({ev(0, K::GoStart, 1, 0), ev(10, K::GoCreate, 2, 0, 1), ev(20, K::GoCreate, 3, 0, 1),
                  ev(30, K::GoCreate, 4, 0, 1), ev(40, K::Steal, 0, 1, 0, 1), ev(50, K::GoStart, 3, 1),
                  ev(60, K::GoBlock, 1, 0, static_cast<uint64_t>(gor::detail::WaitReason::ChanReceive), 9),
                  ev(70, K::GoUnblock, 1, 1, 3, static_cast<uint64_t>(gor::Placement::Runnext))});
    const gor::Snapshot at35 = replay_snapshot(store, 35, 2);
    QCOMPARE(at35.procs.size(), size_t(2));
    QCOMPARE(at35.procs[0].running, uint64_t(1));
    QCOMPARE(at35.procs[0].runnext, uint64_t(4));  // the newest goroutine; older ones kicked to the queue
    QCOMPARE(at35.procs[0].local_queue, (std::vector<uint64_t>{2, 3}));
    const gor::Snapshot at45 = replay_snapshot(store, 45, 2);
    QCOMPARE(at45.procs[1].local_queue, (std::vector<uint64_t>{2}));  // the victim's oldest
    const gor::Snapshot at65 = replay_snapshot(store, 65, 2);
    QCOMPARE(at65.procs[1].running, uint64_t(3));
    QCOMPARE(at65.procs[0].running, uint64_t(0));
    QCOMPARE(find(at65, 1)->state, std::string("waiting"));
    QCOMPARE(find(at65, 1)->wait_reason, std::string("chan receive"));
    const gor::Snapshot at80 = replay_snapshot(store, 80, 2);
    QCOMPARE(find(at80, 1)->state, std::string("runnable"));
    QCOMPARE(at80.procs[1].runnext, uint64_t(1));
  }

  void steal_moves_move_exactly_the_named_goroutines() {
    // P0 queues G2, G3, G4 (runnext G4); P1 steals two the engine names: G3 and G2 (not the
    // oldest-first guess), then starts G3.
    TraceStore store;
    store.append({ev(0, K::GoStart, 1, 0), ev(10, K::GoCreate, 2, 0, 1), ev(20, K::GoCreate, 3, 0, 1),
                  ev(30, K::GoCreate, 4, 0, 1), ev(40, K::Steal, 0, 1, 0, 2), ev(40, K::StealMove, 3, 1, 0),
                  ev(41, K::StealMove, 4, 1, 0), ev(50, K::GoStart, 3, 1)});
    const gor::Snapshot at45 = replay_snapshot(store, 45, 2);
    QCOMPARE(at45.procs[1].local_queue, (std::vector<uint64_t>{3, 4}));
    QCOMPARE(at45.procs[0].local_queue, (std::vector<uint64_t>{2}));
    QCOMPARE(at45.procs[0].runnext, uint64_t(0));
    const gor::Snapshot at55 = replay_snapshot(store, 55, 2);
    QCOMPARE(at55.procs[1].running, uint64_t(3));
    QCOMPARE(at55.procs[1].local_queue, (std::vector<uint64_t>{4}));
  }

  void replayed_state_equals_the_live_snapshot() {
    RunController c;
    c.set_snapshot_interval(std::chrono::milliseconds(20));
    RunSpec spec;
    spec.sample_id = "worker-pool";
    spec.dilation = 40;
    QString error;
    QVERIFY2(c.start(spec, &error), qPrintable(error));
    QTest::qWait(400);
    c.pause();
    QTRY_VERIFY_WITH_TIMEOUT(c.paused(), 10000);
    QTest::qWait(300);  // the paused world's last batches and its snapshot reach the UI thread
    c.deliver_pending();
    QVERIFY(c.snapshot());
    const gor::Snapshot live = *c.snapshot();
    const gor::Snapshot replayed = replay_snapshot(c.store(), live.now_ns, spec.procs ? spec.procs : 4);
    std::map<uint64_t, std::string> a, b;  // goroutine -> "waiting: reason" or "not waiting"
    for (const gor::GoroutineInfo& g : live.goroutines)
      a[g.id] = g.state == "waiting" ? "waiting: " + g.wait_reason : "not waiting";
    for (const gor::GoroutineInfo& g : replayed.goroutines)
      b[g.id] = g.state == "waiting" ? "waiting: " + g.wait_reason : "not waiting";
    QSignalSpy finished(&c, &RunController::finished);
    c.resume();
    c.stop();
    QVERIFY(finished.wait(30000));
    QVERIFY(a.size() > 1);
    for (const auto& [g, what] : a) {
      QVERIFY2(b.count(g), qPrintable(QStringLiteral("G%1 alive in the live snapshot only").arg(g)));
      QVERIFY2(b[g] == what, qPrintable(QStringLiteral("G%1: live %2, replayed %3").arg(g).arg(QString::fromStdString(what), QString::fromStdString(b[g]))));
    }
    QCOMPARE(b.size(), a.size());
    QCOMPARE(replayed.gomaxprocs, live.gomaxprocs);
  }
};

QTEST_MAIN(ReplayStateTest)
#include "replay_state_test.moc"
