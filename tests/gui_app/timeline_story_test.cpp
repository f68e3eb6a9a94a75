// What the timeline shows beyond run slices (TimelineStory, through TimelineModel): mutex
// hold spans (ended by whoever unlocks), threads' run and syscall spans with the most busy at
// once, context cancellations one per cancelled tree; and the real samples whose story they
// tell: mutex-starvation's greedy goroutine sleeps while it holds the lock and the polite ones
// wait on it, blocking-syscalls has more busy threads than Ps, context-cancellation's cascade
// is one mark naming every node.
#include <QtTest>

#include <algorithm>

#include <gor/trace.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/timeline_model.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;
using gui_test::ev;

namespace {

// with_m() is e on M m.
gor::Event with_m(gor::Event e, int m) {
  e.m = static_cast<int16_t>(m);
  return e;
}

// recorded() runs sample `id` deterministically (virtual time: sleeps cost nothing) with its
// default parameters and returns its events in ts order.
std::vector<gor::Event> recorded(const char* id, int* procs = nullptr) {
  const goroscope::Sample* sample = goroscope::find_sample(id);
  if (!sample) return {};
  gor::Config cfg = goroscope::sample_config(*sample);
  gor::TraceRecorder recorder;
  cfg.trace = true;
  cfg.observer = &recorder;
  cfg.deterministic = true;
  cfg.seed = 7;
  goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
  if (procs) *procs = cfg.procs;
  return recorder.events();
}

TimelineModel model_of(const std::vector<gor::Event>& events) {
  TimelineModel m;
  m.append(events.data(), events.size());
  return m;
}

}  // namespace

class TimelineStoryTest : public QObject {
  Q_OBJECT
 private slots:
  void a_hold_lasts_from_lock_to_unlock_whoever_unlocks() {
    const std::vector<gor::Event> e = {ev(0, K::GoStart, 1, 0),       ev(10, K::MutexAcquire, 1, 0, 77),
                                       ev(30, K::MutexRelease, 1, 0, 77), ev(40, K::MutexAcquire, 2, 0, 77),
                                       ev(60, K::MutexRelease, 1, 0, 77),  // G1 unlocks G2's lock: Go allows it
                                       ev(70, K::MutexAcquire, 2, 0, 78), ev(100, K::RunEnd, 0, -1)};
    const TimelineModel m = model_of(e);
    const TimelineStory& s = m.story();
    QCOMPARE(s.holds().size(), size_t(3));
    QCOMPARE(s.holds()[0].start, int64_t(10));
    QCOMPARE(s.holds()[0].end, int64_t(30));
    QCOMPARE(s.holds()[1].g, uint64_t(2));
    QCOMPARE(s.holds()[1].end, int64_t(60));
    QCOMPARE(s.holds()[2].end, int64_t(100));  // still held when the run ended
    QCOMPARE(s.holds_of(2).size(), size_t(2));
    QCOMPARE(s.holds_of(1).size(), size_t(1));
    QVERIFY(s.holds_of(9).empty());
  }

  void threads_hold_ps_and_sit_in_syscalls() {
    // G1 on P0 by M0 enters a syscall; M1 takes P0 and runs G2, then G1 (back without a P), then
    // parks; later M1 runs G3 on P1 and lets P1 go.
    const std::vector<gor::Event> e = {with_m(ev(0, K::GoStart, 1, 0), 0),     with_m(ev(10, K::SyscallEnter, 1, 0), 0),
                                       with_m(ev(15, K::GoStart, 2, 0), 1),    with_m(ev(40, K::SyscallExit, 1, -1), 0),
                                       with_m(ev(50, K::GoEnd, 2, 0), 1),      with_m(ev(55, K::GoStart, 1, 0), 1),
                                       with_m(ev(70, K::GoEnd, 1, 0), 1),      with_m(ev(75, K::MPark, 0, -1), 1),
                                       with_m(ev(90, K::GoStart, 3, 1), 1),    with_m(ev(95, K::GoBlock, 3, 1), 1),
                                       with_m(ev(97, K::ProcIdle, 0, 1), 1),   ev(100, K::RunEnd, 0, -1)};
    const TimelineModel m = model_of(e);
    const TimelineStory& s = m.story();
    QCOMPARE(s.thread_count(), 2);
    QCOMPARE(s.syscalls(), size_t(1));
    QCOMPARE(s.thread(0).size(), size_t(2));
    QCOMPARE(s.thread(0)[0].p, 0);
    QCOMPARE(s.thread(0)[0].end, int64_t(10));
    QCOMPARE(s.thread(0)[1].p, -1);  // in the syscall, holding no P
    QCOMPARE(s.thread(0)[1].start, int64_t(10));
    QCOMPARE(s.thread(0)[1].end, int64_t(40));
    QCOMPARE(s.thread(1).size(), size_t(2));  // one stretch per P it held, not one per goroutine
    QCOMPARE(s.thread(1)[0].p, 0);
    QCOMPARE(s.thread(1)[0].start, int64_t(15));
    QCOMPARE(s.thread(1)[0].end, int64_t(70));  // its last goroutine stopped there; it parked at 75
    QCOMPARE(s.thread(1)[1].p, 1);
    QCOMPARE(s.thread(1)[1].start, int64_t(90));
    QCOMPARE(s.thread(1)[1].end, int64_t(95));  // P1 let go after G3 blocked
    QCOMPARE(s.max_threads_busy(), 2);  // M0 in the syscall while M1 held P0: one P, two threads
  }

  void a_cancelled_tree_is_one_mark_counting_its_nodes() {
    // Root done=10 cancelled by G1 with children 11 and 12 (12's child 13); later 20 alone by its timer.
    const std::vector<gor::Event> e = {ev(100, K::ContextCancel, 1, 0, 10, 1, 0), ev(100, K::ContextCancel, 1, 0, 11, 1, 10),
                                       ev(100, K::ContextCancel, 1, 0, 12, 1, 10), ev(100, K::ContextCancel, 1, 0, 13, 1, 12),
                                       ev(300, K::ContextCancel, 0, -1, 20, 2, 5)};
    const TimelineModel m = model_of(e);
    const std::vector<CancelMark>& c = m.story().cancels();
    QCOMPARE(c.size(), size_t(2));
    QCOMPARE(c[0].nodes, uint32_t(4));
    QCOMPARE(c[0].g, uint64_t(1));
    QVERIFY(!c[0].deadline);
    QCOMPARE(c[1].ts, int64_t(300));
    QCOMPARE(c[1].nodes, uint32_t(1));  // its ancestor 5 was never cancelled: a tree of its own
    QVERIFY(c[1].deadline);
  }

  // mutex-starvation: the greedy goroutine sleeps while it holds the lock (a Sleep block inside
  // one of its holds), and the polite goroutines wait for the lock (sync.Mutex.Lock blocks).
  void mutex_starvation_shows_the_lock_held_through_a_sleep() {
    const std::vector<gor::Event> events = recorded("mutex-starvation");
    QVERIFY(!events.empty());
    const TimelineModel m = model_of(events);
    const TimelineStory& s = m.story();
    QVERIFY(s.holds().size() >= 20);
    size_t slept_holding = 0, lock_waits = 0;
    for (const BlockSpan& b : m.blocks()) {
      if (b.reason == static_cast<uint32_t>(gor::WaitReason::MutexLock)) ++lock_waits;
      if (b.reason != static_cast<uint32_t>(gor::WaitReason::Sleep)) continue;
      for (uint32_t k : s.holds_of(b.g)) {
        const HoldSpan& h = s.holds()[k];
        if (h.start <= b.start && b.end <= h.end) ++slept_holding;
      }
    }
    QVERIFY2(slept_holding >= 10, qPrintable(QString::number(slept_holding)));
    QVERIFY2(lock_waits >= 10, qPrintable(QString::number(lock_waits)));
    QVERIFY(m.blocked_ns() > m.run_ns());  // a waiting run: the view gives every goroutine a lane
  }

  // blocking-syscalls: every syscall is a thread span without a P, and at some moment more
  // threads are busy than there are Ps.
  void blocking_syscalls_have_more_busy_threads_than_ps() {
    int procs = 0;
    const std::vector<gor::Event> events = recorded("blocking-syscalls", &procs);
    QVERIFY(!events.empty());
    const TimelineModel m = model_of(events);
    const TimelineStory& s = m.story();
    const size_t entered = static_cast<size_t>(
        std::count_if(events.begin(), events.end(), [](const gor::Event& e) { return e.kind == K::SyscallEnter; }));
    QVERIFY(entered > 0);
    QCOMPARE(s.syscalls(), entered);
    size_t syscall_spans = 0;
    for (int t = 0; t < s.thread_count(); ++t)
      for (const ThreadSpan& span : s.thread(t)) {
        if (span.p >= 0) continue;
        ++syscall_spans;
        QVERIFY(span.end != INT64_MAX && span.end >= span.start);
      }
    QCOMPARE(syscall_spans, entered);
    QVERIFY2(s.max_threads_busy() > procs, qPrintable(QStringLiteral("%1 threads for %2 Ps").arg(s.max_threads_busy()).arg(procs)));
  }

  void context_cancellation_is_one_cascade_mark() {
    const std::vector<gor::Event> events = recorded("context-cancellation");
    const size_t cancelled = static_cast<size_t>(
        std::count_if(events.begin(), events.end(), [](const gor::Event& e) { return e.kind == K::ContextCancel; }));
    QVERIFY(cancelled > 1);
    const TimelineModel m = model_of(events);
    const std::vector<CancelMark>& c = m.story().cancels();
    QVERIFY(!c.empty());
    QVERIFY(c.size() < cancelled);  // a tree is one mark, not one per node
    size_t nodes = 0;
    for (const CancelMark& mark : c) nodes += mark.nodes;
    QCOMPARE(nodes, cancelled);
  }

  void times_woken_counts_the_wake_ups_of_a_goroutine() {
    const std::vector<gor::Event> e = {ev(0, K::GoStart, 1, 0), ev(10, K::GoBlock, 1, 0, static_cast<uint64_t>(gor::WaitReason::Sleep)),
                                       ev(20, K::GoUnblock, 1, 0, 0), ev(25, K::GoStart, 1, 0),
                                       ev(30, K::GoBlock, 1, 0, static_cast<uint64_t>(gor::WaitReason::ChanReceive)),
                                       ev(35, K::GoStart, 2, 0), ev(40, K::GoUnblock, 1, 0, 2), ev(45, K::GoEnd, 2, 0)};
    const TimelineModel m = model_of(e);
    QCOMPARE(m.times_woken(1, 100), size_t(2));
    QCOMPARE(m.times_woken(1, 20), size_t(1));
    QCOMPARE(m.times_woken(2, 100), size_t(0));  // it woke G1: that is not being woken
    QCOMPARE(m.blocks_of(1).size(), size_t(2));
    QCOMPARE(m.goroutine_ids(), (std::vector<uint64_t>{1, 2}));
  }
};

QTEST_GUILESS_MAIN(TimelineStoryTest)
#include "timeline_story_test.moc"
