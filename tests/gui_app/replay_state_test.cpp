// The scheduler rebuilt from a trace at time t (replay mode) against the live snapshot the
// engine took at t, recorded in one run: paused mid-run (world stopped, engine time still),
// every event up to the snapshot delivered, both must agree on which goroutines are alive,
// which are blocked and why, and on GOMAXPROCS; a hand-made trace checks queues and steals.
#include <QSignalSpy>
#include <QtTest>

#include <map>


#include "model/replay_state.hpp"
#include "model/trace_store.hpp"
#include "run/run_controller.hpp"

#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

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
                  ev(60, K::GoBlock, 1, 0, static_cast<uint64_t>(gor::WaitReason::ChanReceive), 9),
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

  void checkpoints_give_the_same_state_as_a_full_replay() {
    // A real run's events (steals, blocks, wake-ups), queried in a scrubbing order (forward,
    // back, repeated) through small checkpoint strides; each answer must equal a full replay.
    const goroscope::Sample* sample = goroscope::find_sample("work-stealing");
    QVERIFY(sample);
    gor::Config cfg = goroscope::sample_config(*sample);
    gor::TraceRecorder rec;
    cfg.trace = true;
    cfg.observer = &rec;
    goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
    TraceStore store;
    store.append(rec.events());
    QVERIFY(store.size() > 200);
    const int64_t end = store.end_ns();
    std::vector<int64_t> times;
    for (int i = 0; i <= 40; ++i) times.push_back(end * ((i * 17) % 41) / 40);  // a scrambled sweep
    times.push_back(-1);
    times.push_back(end + 1000);
    // (stride, most checkpoints kept): the small maxima make the index thin its checkpoints and
    // double its stride many times during the sweep.
    for (auto [stride, most] : {std::pair<size_t, size_t>{1, 24}, {7, 24}, {97, 24}, {size_t(1) << 16, 24}, {1, 4}, {3, 2}}) {
      ReplayIndex index(stride, most);
      for (int64_t t : times) {
        const gor::Snapshot a = replay_snapshot(store, t, cfg.procs);
        const gor::Snapshot b = index.snapshot(store, t, cfg.procs);
        QVERIFY(index.last_replayed() < index.stride());
        QVERIFY(index.checkpoints() <= most);
        QCOMPARE(b.gomaxprocs, a.gomaxprocs);
        QCOMPARE(b.global_queue, a.global_queue);
        QCOMPARE(b.procs.size(), a.procs.size());
        for (size_t p = 0; p < a.procs.size(); ++p) {
          QCOMPARE(b.procs[p].running, a.procs[p].running);
          QCOMPARE(b.procs[p].runnext, a.procs[p].runnext);
          QCOMPARE(b.procs[p].local_queue, a.procs[p].local_queue);
          QCOMPARE(b.procs[p].status, a.procs[p].status);
        }
        QCOMPARE(b.goroutines.size(), a.goroutines.size());
        for (size_t i = 0; i < a.goroutines.size(); ++i) {
          QCOMPARE(b.goroutines[i].id, a.goroutines[i].id);
          QCOMPARE(b.goroutines[i].state, a.goroutines[i].state);
          QCOMPARE(b.goroutines[i].wait_reason, a.goroutines[i].wait_reason);
          QCOMPARE(b.goroutines[i].since_ns, a.goroutines[i].since_ns);
          QCOMPARE(b.goroutines[i].p, a.goroutines[i].p);
        }
      }
      QVERIFY(index.stride() >= stride);
      QCOMPARE(index.checkpoints(), store.size() / index.stride() + 1);  // the sweep reached the end
      if (store.size() / stride + 1 > most) QVERIFY(index.stride() > stride);  // it had to thin
    }
    // A new trace in the store (another generation) drops the checkpoints.
    ReplayIndex index(7);
    index.snapshot(store, end, cfg.procs);
    store.clear();
    store.append({ev(0, K::GoStart, 1, 0), ev(10, K::GoCreate, 2, 0, 1)});
    const gor::Snapshot s = index.snapshot(store, 20, 2);
    QCOMPARE(index.checkpoints(), size_t(1));
    QCOMPARE(s.procs[0].runnext, uint64_t(2));
  }

  void snapshot_after_counts_events() {
    // The rewind cursor is an event index: snapshot_after(n) is the state after exactly n
    // events, even when later events share the n-th one's timestamp (at40: the Steal applied,
    // its StealMoves not yet).
    TraceStore store;
    store.append({ev(0, K::GoStart, 1, 0), ev(10, K::GoCreate, 2, 0, 1), ev(20, K::GoCreate, 3, 0, 1),
                  ev(30, K::GoCreate, 4, 0, 1), ev(40, K::Steal, 0, 1, 0, 2), ev(40, K::StealMove, 3, 1, 0),
                  ev(40, K::StealMove, 4, 1, 0), ev(50, K::GoStart, 3, 1)});
    for (auto [stride, most] : {std::pair<size_t, size_t>{1, 24}, {3, 2}, {size_t(1) << 16, 24}}) {
      ReplayIndex index(stride, most);
      const gor::Snapshot none = index.snapshot_after(store, 0, 2);
      QCOMPARE(none.now_ns, int64_t(0));
      QVERIFY(none.goroutines.empty());
      const gor::Snapshot four = index.snapshot_after(store, 4, 2);
      QCOMPARE(four.now_ns, int64_t(30));
      QCOMPARE(four.procs[0].runnext, uint64_t(4));
      QCOMPARE(four.procs[0].local_queue, (std::vector<uint64_t>{2, 3}));
      const gor::Snapshot six = index.snapshot_after(store, 6, 2);
      QCOMPARE(six.now_ns, int64_t(40));
      QCOMPARE(six.procs[1].local_queue, (std::vector<uint64_t>{3}));  // one StealMove applied
      QCOMPARE(six.procs[0].local_queue, (std::vector<uint64_t>{2}));
      QCOMPARE(six.procs[0].runnext, uint64_t(4));
      const gor::Snapshot all = index.snapshot_after(store, 1000, 2);
      QCOMPARE(all.now_ns, int64_t(50));
      QCOMPARE(all.procs[1].running, uint64_t(3));
      QCOMPARE(all.procs[1].local_queue, (std::vector<uint64_t>{4}));
    }
  }

  void replayed_state_equals_the_live_snapshot() {
    RunController c;
    c.set_snapshot_interval(std::chrono::milliseconds(20));
    RunSpec spec;
    spec.sample_id = "worker-pool";
    spec.dilation = 40;
    QString error;
    QVERIFY2(c.start(spec, &error), qPrintable(error));
    // Until the workers run (400 ms in a release build, seconds under TSan on 2 busy cores).
    QTRY_VERIFY_WITH_TIMEOUT(c.snapshot() != nullptr && c.snapshot()->goroutines.size() > 2, 60000);
    c.pause();
    QTRY_VERIFY_WITH_TIMEOUT(c.paused(), 60000);  // 15 s under TSan
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
