// The scheduler rebuilt from a trace (replay and rewind) against the engine's own snapshots:
// deterministic runs frozen at random moments must agree field by field, queue order included;
// hand-made traces check queues and steals (named by StealMove, or guessed in older traces),
// checkpoints and the event-index cursor (snapshot_after).
#include <QSignalSpy>
#include <QtTest>

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>


#include "model/replay_state.hpp"
#include "model/trace_store.hpp"
#include "run_reducer.hpp"

#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

using gui_test::ev;

// Collector keeps what a run delivers (on the engine's thread) until the test moves it into
// a TraceStore while the run is frozen.
class Collector : public gor::TraceObserver {
 public:
  void on_string(uint64_t id, const std::string& text) override {
    std::lock_guard<std::mutex> guard(mu_);
    strings_.emplace_back(id, text);
  }
  void on_events(const gor::Event* events, size_t count) override {
    std::lock_guard<std::mutex> guard(mu_);
    events_.insert(events_.end(), events, events + count);
  }
  void move_into(TraceStore& store) {
    std::lock_guard<std::mutex> guard(mu_);
    for (auto& [id, text] : strings_) store.add_string(id, std::move(text));
    strings_.clear();
    store.append(std::move(events_));
    events_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<uint64_t, std::string>> strings_;
  std::vector<gor::Event> events_;
};

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
    // Deterministic runs of samples with queues, steals, channels and mutexes, frozen at random
    // moments (RunControl::start_paused, then step()s): the app's replay of the events
    // delivered so far (a TraceStore, ReplayIndex::snapshot_after and replay_snapshot) equals
    // the engine's snapshot field by field, queue order included (first_difference skips only
    // what a trace cannot carry, run_reducer.hpp's kNotFromEvents).
    for (const char* id : {"worker-pool", "work-stealing", "mutex-starvation", "closing-channels"}) {
      const goroscope::Sample* sample = goroscope::find_sample(id);
      QVERIFY(sample);
      for (int procs : {1, 4}) {
        gor::Config cfg = goroscope::sample_config(*sample);
        cfg.deterministic = true;
        cfg.seed = 11;
        cfg.procs = procs;
        Collector collector;
        cfg.trace = true;
        cfg.observer = &collector;
        gor::RunControl control;
        control.start_paused(true);
        cfg.control = &control;
        std::thread runner([&] { goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg); });
        while (!control.active()) std::this_thread::sleep_for(std::chrono::microseconds(50));
        TraceStore store;
        ReplayIndex index(64);
        std::mt19937 rng(static_cast<unsigned>(procs));
        int freezes = 0;
        std::string diff;
        for (bool frozen = control.pause(std::chrono::seconds(30)).ok; frozen && diff.empty();
             frozen = control.step(1 + static_cast<int>(rng() % 6), std::chrono::seconds(30)).ok) {
          const std::optional<gor::Snapshot> live = control.snapshot();
          QVERIFY(live);
          collector.move_into(store);
          ++freezes;
          diff = goroscope::trace::first_difference(*live, index.snapshot_after(store, store.size(), procs));
          if (diff.empty()) diff = goroscope::trace::first_difference(*live, replay_snapshot(store, live->now_ns, procs));
          if (!diff.empty()) diff = std::string(id) + " procs " + std::to_string(procs) + ", freeze " + std::to_string(freezes) + ": " + diff;
        }
        if (!diff.empty()) control.stop();
        control.resume();
        runner.join();
        QVERIFY2(diff.empty(), diff.c_str());
        QVERIFY2(freezes >= 3, id);
      }
    }
  }
};

QTEST_MAIN(ReplayStateTest)
#include "replay_state_test.moc"
