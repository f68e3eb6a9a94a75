// RunController: a run delivers events and snapshots to the UI thread; pause freezes engine
// time, step runs exactly the asked number of goroutine starts, resume continues, stop ends
// the run, breakpoints pause it, bad requests are refused with a message.
#include <QSignalSpy>
#include <QtTest>

#include "run/run_controller.hpp"

using namespace goroscope::gui;

namespace {

// kSlow is how long a check may wait for the run: a release build needs well under a second,
// the TSan build on two busy cores up to 16 s (a pause of worker-pool); it is only reached when
// the check fails.
constexpr int kSlow = 60000;

// wait_finished() waits up to `ms` for the run to end.
bool wait_finished(RunController& c, QSignalSpy& finished, int ms = 60000) {
  return finished.count() > 0 || finished.wait(ms) || !c.running();
}

size_t go_starts(const RunController& c) { return c.store().count(gor::EventKind::GoStart); }

}  // namespace

class RunControllerTest : public QObject {
  Q_OBJECT
 private slots:
  void runs_a_sample_to_its_end() {
    RunController c;
    QSignalSpy finished(&c, &RunController::finished);
    QSignalSpy frames(&c, &RunController::frame);
    QString error;
    RunSpec spec;
    spec.sample_id = "worker-pool";
    spec.dilation = 1;
    QVERIFY2(c.start(spec, &error), qPrintable(error));
    QVERIFY(c.running());
    QVERIFY(wait_finished(c, finished));
    QCOMPARE(finished.count(), 1);
    const auto outcome = finished.at(0).at(0).value<RunOutcome>();
    QCOMPARE(outcome.result.status, gor::RunStatus::Ok);
    QVERIFY(!c.running());
    QVERIFY(frames.count() > 0);
    // Every event the engine delivered reached the store, in time order.
    QCOMPARE(static_cast<uint64_t>(c.store().size()), outcome.result.trace_events);
    QCOMPARE(c.store().count(gor::EventKind::GoCreate), static_cast<size_t>(outcome.result.goroutines_created));
    const auto& ev = c.store().events();
    for (size_t i = 1; i < ev.size(); ++i) QVERIFY(ev[i - 1].ts <= ev[i].ts);
    // Parent/child records: every goroutine but main has a parent that lists it.
    std::vector<std::pair<uint64_t, uint64_t>> child_parent;
    c.store().goroutines().for_each([&](uint64_t id, const GoroutineRecord& rec) {
      if (rec.parent != 0) child_parent.emplace_back(id, rec.parent);
    });
    QVERIFY(child_parent.size() >= 4);  // the workers, the producer and the closer
    for (const auto& [id, parent_id] : child_parent) {
      const GoroutineRecord* parent = c.store().goroutine(parent_id);
      QVERIFY(parent);
      QVERIFY(std::find(parent->children.begin(), parent->children.end(), id) != parent->children.end());
    }
  }

  void pause_step_resume_and_stop() {
    RunController c;
    QSignalSpy finished(&c, &RunController::finished);
    QSignalSpy paused(&c, &RunController::pausedChanged);
    RunSpec spec;
    spec.sample_id = "mutex-starvation";
    spec.dilation = 200;  // slow: the run cannot end while we look
    spec.start_paused = true;
    QString error;
    QVERIFY2(c.start(spec, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(c.paused(), kSlow);
    QTRY_VERIFY_WITH_TIMEOUT(c.snapshot() != nullptr && c.snapshot()->paused, kSlow);
    // Engine time stands still while paused.
    const int64_t frozen = c.snapshot()->now_ns;
    QTest::qWait(150);
    c.step(0);  // a zero step only re-samples
    QTRY_VERIFY_WITH_TIMEOUT(c.snapshot()->now_ns == frozen, kSlow);

    // step(3) runs exactly three goroutine starts.
    c.deliver_pending();
    QTest::qWait(100);
    c.deliver_pending();
    const size_t before = go_starts(c);
    c.step(3);
    QTRY_COMPARE_WITH_TIMEOUT(go_starts(c), before + 3, kSlow);
    QTest::qWait(200);
    c.deliver_pending();
    QCOMPARE(go_starts(c), before + 3);
    QVERIFY(c.paused());

    // Resume: events flow again.
    c.resume();
    QTRY_VERIFY_WITH_TIMEOUT(!c.paused(), kSlow);
    QTRY_VERIFY_WITH_TIMEOUT(go_starts(c) > before + 3, kSlow);

    c.stop();
    QVERIFY(wait_finished(c, finished));
    const auto outcome = finished.at(0).at(0).value<RunOutcome>();
    QVERIFY(outcome.result.stopped);
    QVERIFY(paused.count() >= 2);
  }

  void steal_breakpoint_pauses_the_run() {
    RunController c;
    QSignalSpy finished(&c, &RunController::finished);
    QSignalSpy hit(&c, &RunController::breakpointHit);
    BreakpointSet b;
    b.on_steal = true;
    c.set_breakpoints(b);
    RunSpec spec;
    spec.sample_id = "work-stealing";
    spec.dilation = 50;
    QString error;
    QVERIFY2(c.start(spec, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(hit.count() > 0 || finished.count() > 0, kSlow);
    QVERIFY2(hit.count() > 0, "the run ended without hitting the steal breakpoint");
    QVERIFY(hit.at(0).at(0).toString().contains(QStringLiteral("stole")));
    QTRY_VERIFY_WITH_TIMEOUT(c.paused(), kSlow);
    QVERIFY(c.store().count(gor::EventKind::Steal) >= 1);
    c.stop();
    QVERIFY(wait_finished(c, finished));
  }

  void refuses_bad_requests() {
    RunController c;
    QString error;
    RunSpec spec;
    spec.sample_id = "no-such-sample";
    QVERIFY(!c.start(spec, &error));
    QVERIFY(error.contains(QStringLiteral("Unknown sample")));
    spec.sample_id = "worker-pool";
    spec.params = {{"workers", "0"}};
    QVERIFY(!c.start(spec, &error));
    QVERIFY2(error.contains(QStringLiteral("workers")), qPrintable(error));
    spec.params = {{"no-such-param", "1"}};
    QVERIFY(!c.start(spec, &error));
    QVERIFY(!c.running());
  }

  void panic_and_deadlock_are_reported() {
    for (const char* id : {"send-on-closed", "deadlock"}) {
      RunController c;
      QSignalSpy finished(&c, &RunController::finished);
      RunSpec spec;
      spec.sample_id = id;
      spec.dilation = 1;
      QString error;
      QVERIFY2(c.start(spec, &error), qPrintable(error));
      QVERIFY(wait_finished(c, finished));
      const auto outcome = finished.at(0).at(0).value<RunOutcome>();
      // The views keep the engine's picture of the end, not the last periodic sample.
      QVERIFY(c.snapshot() != nullptr);
      QVERIFY(c.snapshot()->ended);
      if (std::string(id) == "deadlock") {
        QCOMPARE(outcome.result.status, gor::RunStatus::Deadlock);
        bool main_waits = false;
        for (const gor::GoroutineInfo& g : c.snapshot()->goroutines)
          main_waits = main_waits || (g.id == 1 && g.wait_reason == "chan receive");
        QVERIFY2(main_waits, "the final snapshot shows main blocked in its range loop");
        QCOMPARE(QString::fromStdString(outcome.result.message), QStringLiteral("all goroutines are asleep - deadlock!"));
      } else {
        QCOMPARE(outcome.result.status, gor::RunStatus::Panic);
        QCOMPARE(QString::fromStdString(outcome.result.message), QStringLiteral("send on closed channel"));
      }
      QVERIFY(!outcome.result.dump.empty());
    }
  }
};

QTEST_MAIN(RunControllerTest)
#include "run_controller_test.moc"
