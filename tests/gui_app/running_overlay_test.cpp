// restore_running(): a sampling snapshot shows what each P ran just before the sample
// stopped it, every goroutine still once; user-paused snapshots stay as they are.
#include <QtTest>

#include "model/running_overlay.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;

namespace {

gor::Event ev(gor::EventKind k, uint64_t g, int p) {
  gor::Event e;
  e.kind = k;
  e.g = g;
  e.p = static_cast<int16_t>(p);
  return e;
}

// sampled() is the world stopped by a sample: G5 was running on P0 and went back to P0's
// queue; G7 blocked on P1 just before the stop; P2 idle.
gor::Snapshot sampled() {
  gor::Snapshot s;
  for (int p = 0; p < 3; ++p) {
    gor::ProcessorInfo pi;
    pi.id = p;
    pi.status = "stopped";
    s.procs.push_back(pi);
  }
  s.procs[0].local_queue = {6, 5};
  gor::GoroutineInfo g5, g6, g7;
  g5.id = 5;
  g5.state = "runnable";
  g6.id = 6;
  g6.state = "runnable";
  g7.id = 7;
  g7.state = "waiting";
  s.goroutines = {g5, g6, g7};
  return s;
}

ProcessorTracker tracked() {
  ProcessorTracker t;
  t.apply(ev(gor::EventKind::ProcBusy, 0, 0));
  t.apply(ev(gor::EventKind::GoStart, 5, 0));
  t.apply(ev(gor::EventKind::ProcBusy, 0, 1));
  t.apply(ev(gor::EventKind::GoStart, 7, 1));
  t.apply(ev(gor::EventKind::GoBlock, 7, 1));
  t.apply(ev(gor::EventKind::ProcBusy, 0, 2));
  t.apply(ev(gor::EventKind::ProcIdle, 0, 2));
  return t;
}

}  // namespace

class RunningOverlayTest : public QObject {
  Q_OBJECT
 private slots:
  void puts_the_preempted_goroutine_back_on_its_p() {
    gor::Snapshot s = sampled();
    restore_running(s, tracked());
    QCOMPARE(s.procs[0].running, uint64_t{5});
    QCOMPARE(s.procs[0].status, std::string("running"));
    QCOMPARE(s.procs[0].local_queue, std::vector<uint64_t>{6});  // G5 left the queue: shown once
    QCOMPARE(s.goroutines[0].state, std::string("running"));
    QCOMPARE(s.goroutines[0].p, 0);
    QCOMPARE(s.procs[1].running, uint64_t{0});  // G7 really blocked
    QCOMPARE(s.procs[1].status, std::string("running"));
    QCOMPARE(s.procs[2].status, std::string("idle"));
  }

  void leaves_user_paused_snapshots_alone() {
    gor::Snapshot s = sampled();
    s.paused = true;
    restore_running(s, tracked());
    QCOMPARE(s.procs[0].running, uint64_t{0});
    QCOMPARE(s.procs[0].status, std::string("stopped"));
    QCOMPARE(s.procs[0].local_queue.size(), size_t{2});
  }

  void ended_goroutine_is_not_restored() {
    gor::Snapshot s = sampled();
    ProcessorTracker t = tracked();
    t.apply(ev(gor::EventKind::GoEnd, 5, 0));
    restore_running(s, t);
    QCOMPARE(s.procs[0].running, uint64_t{0});
    QCOMPARE(s.procs[0].local_queue.size(), size_t{2});
  }

  void a_syscall_stops_the_run_and_leaving_it_on_a_p_runs_there() {
    ProcessorTracker t = tracked();
    t.apply(ev(gor::EventKind::SyscallEnter, 5, 0));
    QCOMPARE(t.running(0), uint64_t{0});
    t.apply(ev(gor::EventKind::SyscallExit, 5, 2));  // it got the idle P2
    QCOMPARE(t.running(2), uint64_t{5});
    QVERIFY(t.busy(2));
    t.apply(ev(gor::EventKind::SyscallExit, 7, -1));  // no P: nothing runs it yet
    QCOMPARE(t.running(1), uint64_t{0});
    ProcessorTracker back;
    std::vector<gor::Event> events = {ev(gor::EventKind::GoStart, 5, 0), ev(gor::EventKind::SyscallEnter, 5, 0),
                                      ev(gor::EventKind::SyscallExit, 5, 0)};
    QVERIFY(back.rewind_from(events, events.size(), 1, events.size()));
    QCOMPARE(back.running(0), uint64_t{5});
  }

  void rewinding_from_the_end_equals_following_every_event() {
    // Random event streams over 3 Ps: the state read backwards from any point is the state
    // apply() of every event up to it leaves; with too short a reach it says so instead.
    using K = gor::EventKind;
    const K kinds[] = {K::GoStart, K::GoStart, K::GoStart, K::GoBlock, K::GoEnd, K::GoYield, K::GoPreempted,
                       K::SyscallEnter, K::SyscallExit, K::ProcIdle, K::ProcBusy, K::GoUnblock, K::GoCreate};
    gui_test::Lcg rnd{99};
    int refused = 0;
    for (int round = 0; round < 300; ++round) {
      std::vector<gor::Event> events;
      const size_t n = 1 + rnd(200);
      for (size_t i = 0; i < n; ++i) events.push_back(ev(kinds[rnd(std::size(kinds))], 1 + rnd(5), static_cast<int>(rnd(4)) - 1));
      const size_t end = rnd(n + 1);
      ProcessorTracker forward;
      for (size_t i = 0; i < end; ++i) forward.apply(events[i]);
      ProcessorTracker back;
      QVERIFY(back.rewind_from(events, end, 3, events.size()));
      for (int p = 0; p < 3; ++p) {
        QCOMPARE(back.running(p), forward.running(p));
        QCOMPARE(back.busy(p), forward.busy(p));
      }
      ProcessorTracker short_reach;
      short_reach.apply(ev(K::GoStart, 42, 0));  // kept when the reach is too short
      if (short_reach.rewind_from(events, end, 3, 3)) {
        for (int p = 0; p < 3; ++p) {
          QCOMPARE(short_reach.running(p), forward.running(p));
          QCOMPARE(short_reach.busy(p), forward.busy(p));
        }
      } else {
        ++refused;
        QCOMPARE(short_reach.running(0), uint64_t(42));
      }
    }
    QVERIFY(refused > 0);  // short reaches do run out
  }
};

QTEST_MAIN(RunningOverlayTest)
#include "running_overlay_test.moc"
