// The playback cursor and its pace: exact positions for a given wall time, breakpoints that
// stop with their event as the last one shown, steps forwards and back by event and by
// goroutine switch, jumps to a goroutine's or a P's events, and the RunPlayer over a store
// (deterministic runs recorded ahead and played to their end).
#include <QSignalSpy>
#include <QtTest>

#include "model/trace_store.hpp"
#include "run/pace.hpp"
#include "run/playback.hpp"
#include "run/run_controller.hpp"
#include "run/run_player.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;
using gui_test::ev;

namespace {

// ten_events() is G1 running on P0, creating G2..G4, a steal by P1, G3 running there.
std::vector<gor::Event> ten_events() {
  return {ev(0, K::GoStart, 1, 0),        ev(100, K::GoCreate, 2, 0, 1), ev(200, K::GoCreate, 3, 0, 1),
          ev(300, K::GoCreate, 4, 0, 1),  ev(400, K::Steal, 0, 1, 0, 1), ev(400, K::StealMove, 2, 1, 0),
          ev(500, K::GoStart, 2, 1),      ev(600, K::GoEnd, 2, 1),       ev(700, K::GoStart, 3, 1),
          ev(800, K::GoEnd, 1, 0)};
}

constexpr int64_t kSecond = 1'000'000'000;

}  // namespace

class PlaybackTest : public QObject {
  Q_OBJECT
 private slots:
  void pace_parses_every_form_and_rejects_the_rest() {
    std::string why;
    QCOMPARE(Pace::parse("fastest", &why)->kind, Pace::Kind::Fastest);
    QCOMPARE(*Pace::parse("5", &why), Pace::events_per_second(5));
    QCOMPARE(*Pace::parse("5/s", &why), Pace::events_per_second(5));
    QCOMPARE(*Pace::parse("1/1000", &why), Pace::engine_fraction(1e-3));
    QCOMPARE(*Pace::parse("x1/1000", &why), Pace::engine_fraction(1e-3));
    QCOMPARE(*Pace::parse("0.5x", &why), Pace::engine_fraction(0.5));
    for (const char* bad : {"", "0", "-3", "fast", "2/1", "1/0", "x5", "abc/s", "1e999", "0x"}) {
      why.clear();
      QVERIFY2(!Pace::parse(bad, &why), bad);
      QVERIFY2(!why.empty(), bad);
    }
    QCOMPARE(Pace::engine_fraction(1e-3).text(), std::string("\u00d71/1000"));
    QCOMPARE(Pace::events_per_second(1).text(), std::string("1 event/s"));
    QCOMPARE(Pace::events_per_second(20).text(), std::string("20 events/s"));
    for (const Pace& p : pace_stops()) QCOMPARE(*Pace::parse(p.spec(), &why), p);  // spec() reads back
  }

  void the_stops_run_from_one_event_per_second_to_fastest() {
    const auto& stops = pace_stops();
    QCOMPARE(stops.front(), Pace::events_per_second(1));
    QCOMPARE(stops.back().kind, Pace::Kind::Fastest);
    QVERIFY(std::find(stops.begin(), stops.end(), Pace::engine_fraction(1e-3)) != stops.end());
    QVERIFY(std::find(stops.begin(), stops.end(), Pace::engine_fraction(1)) != stops.end());
    QCOMPARE(nearest_pace_stop(Pace::engine_fraction(1.0 / 900)), int(std::find(stops.begin(), stops.end(), Pace::engine_fraction(1e-3)) - stops.begin()));
  }

  void the_suggested_pace_plays_between_20_and_90_seconds() {
    // From a run of a few hundred events in 50 us to one of millions in seconds of engine time.
    for (auto [engine_ns, events] : std::vector<std::pair<int64_t, size_t>>{
             {50'000, 300}, {1'000'000, 2'000}, {30'000'000, 40'000}, {2'000'000'000, 5'000'000}, {100, 40}}) {
      const Pace p = suggested_pace(engine_ns, events);
      const double s = p.play_seconds(engine_ns, events);
      QVERIFY2(s >= 20 && s <= 90, qPrintable(QStringLiteral("%1 ns, %2 events: %3 plays %4 s")
                                                  .arg(engine_ns).arg(events).arg(QString::fromStdString(p.text())).arg(s)));
    }
  }

  void events_per_second_moves_exactly_that_many_events() {
    const auto events = ten_events();
    Playback p;
    p.set_pace(Pace::events_per_second(4), events, 0);
    p.play(events, 0);
    QVERIFY(!p.advance(events, events.size(), kSecond / 8, {}).moved);  // half an event
    QVERIFY(p.advance(events, events.size(), kSecond / 4, {}).moved);
    QCOMPARE(p.cursor(), size_t(1));
    p.advance(events, events.size(), kSecond, {});
    QCOMPARE(p.cursor(), size_t(4));
    p.advance(events, 6, 10 * kSecond, {});  // only 6 recorded so far
    QCOMPARE(p.cursor(), size_t(6));
    p.advance(events, events.size(), 10 * kSecond, {});
    QCOMPARE(p.cursor(), events.size());
  }

  void an_engine_fraction_keeps_the_runs_rhythm() {
    const auto events = ten_events();
    Playback p;
    p.set_pace(Pace::engine_fraction(1e-6), events, 0);  // 1 engine ns per wall ms
    p.play(events, 0);
    p.advance(events, events.size(), 250'000'000, {});  // 250 ms: engine 250 ns
    QCOMPARE(p.cursor(), size_t(3));                    // events at 0, 100, 200
    p.advance(events, events.size(), 400'000'000, {});  // both events at 400 ns
    QCOMPARE(p.cursor(), size_t(6));
    p.pause();
    QVERIFY(!p.advance(events, events.size(), 900'000'000, {}).moved);  // paused: stays
    p.play(events, 900'000'000);                                       // resumes from 400 ns
    p.advance(events, events.size(), 1'000'000'000, {});
    QCOMPARE(p.cursor(), size_t(7));  // 500 ns
  }

  void a_breakpoint_stops_with_its_event_shown_last() {
    const auto events = ten_events();
    Playback p;
    p.set_pace(Pace::fastest(), events, 0);
    p.play(events, 0);
    BreakpointSet b;
    b.on_steal = true;
    const Playback::Tick t = p.advance(events, events.size(), 1, b);
    QVERIFY(t.hit.has_value());
    QCOMPARE(t.hit->index, size_t(4));
    QCOMPARE(p.cursor(), size_t(5));  // the steal is the last event shown
    QVERIFY(!p.playing());
    QCOMPARE(t.hit->reason, std::string("P1 stole 1 goroutine from P0"));
    b = {};
    b.on_goroutine_block = 7;
    QVERIFY(breakpoint_reason(ev(0, K::GoBlock, 7, 0, static_cast<uint64_t>(gor::WaitReason::ChanSend)), b) ==
            "G7 blocked (chan send)");
    QVERIFY(breakpoint_reason(ev(0, K::GoBlock, 8, 0), b).empty());
  }

  void steps_go_forwards_and_back_by_event_and_by_switch() {
    const auto events = ten_events();
    Playback p;
    QVERIFY(!p.step_back(events, StepUnit::Event));
    QVERIFY(p.step_forward(events, events.size(), StepUnit::Event));
    QCOMPARE(p.cursor(), size_t(1));
    QVERIFY(p.step_forward(events, events.size(), StepUnit::GoroutineSwitch));
    QCOMPARE(p.cursor(), size_t(7));  // right after G2's start on P1
    QVERIFY(p.step_forward(events, events.size(), StepUnit::GoroutineSwitch));
    QCOMPARE(p.cursor(), size_t(9));
    QVERIFY(p.step_back(events, StepUnit::GoroutineSwitch));
    QCOMPARE(p.cursor(), size_t(7));
    QVERIFY(p.step_back(events, StepUnit::Event));
    QCOMPARE(p.cursor(), size_t(6));
    p.seek(events.size(), events, events.size(), 0);
    QVERIFY(!p.step_forward(events, events.size(), StepUnit::Event));
  }

  void jumps_follow_one_goroutine_or_one_p() {
    const auto events = ten_events();
    Playback p;
    QVERIFY(p.jump_to_goroutine(2, true, events, events.size()));
    QCOMPARE(p.cursor(), size_t(2));  // G2's creation
    QVERIFY(p.jump_to_goroutine(2, true, events, events.size()));
    QCOMPARE(p.cursor(), size_t(6));  // moved by the steal
    QVERIFY(p.jump_to_goroutine(2, false, events, events.size()));
    QCOMPARE(p.cursor(), size_t(2));
    QVERIFY(!p.jump_to_goroutine(2, false, events, events.size()));
    QVERIFY(p.jump_to_proc(1, true, events, events.size()));
    QCOMPARE(p.cursor(), size_t(5));  // the steal, on the thief P1
    p.seek_time(650, events, events.size(), 0);
    QCOMPARE(p.cursor(), size_t(8));
  }

  void the_player_plays_a_store_to_its_end_and_back() {
    TraceStore store;
    store.append(ten_events());
    RunPlayer player(store);
    QSignalSpy moved(&player, &RunPlayer::moved);
    QSignalSpy ended(&player, &RunPlayer::reachedEnd);
    player.set_pace(Pace::fastest());
    player.begin(2, /*paused=*/false, /*recording=*/true);
    player.tick();
    QCOMPARE(player.cursor(), store.size());
    QCOMPARE(ended.count(), 0);  // still recording: not the end
    player.end_recording();
    QCOMPARE(ended.count(), 1);
    QVERIFY(player.at_end());
    QVERIFY(player.step_back(StepUnit::Event));
    QCOMPARE(player.cursor(), store.size() - 1);
    QCOMPARE(player.state()->procs.size(), size_t(2));
    // At the cursor after G3 started on P1, P1 runs G3 and P0 still runs G1.
    QCOMPARE(player.state()->procs[1].running, uint64_t(3));
    QCOMPARE(player.state()->procs[0].running, uint64_t(1));
    QVERIFY(player.step_forward(StepUnit::Event));
    player.tick();
    QCOMPARE(ended.count(), 2);  // arriving at the end again
    QVERIFY(moved.count() >= 3);
  }

  void a_deterministic_run_is_recorded_and_played_back_the_same_twice() {
    // Two recordings of the same sample and seed give the same events; the player shows the
    // same state at the same cursor for both.
    std::vector<gor::Snapshot> states;
    std::vector<size_t> sizes;
    for (int round = 0; round < 2; ++round) {
      RunController c;
      RunSpec spec;
      spec.sample_id = "work-stealing";
      spec.seed = 7;
      spec.procs = 2;
      spec.deterministic = true;
      QString error;
      QVERIFY2(c.start(spec, &error), qPrintable(error));
      QSignalSpy finished(&c, &RunController::finished);
      QVERIFY(finished.wait(60000));
      QVERIFY(c.deterministic());
      QCOMPARE(c.seed(), uint64_t(7));
      RunPlayer player(c.store());
      player.adopt_finished(2);
      player.seek(c.store().size() / 2);
      states.push_back(*player.state());
      sizes.push_back(c.store().size());
    }
    QCOMPARE(sizes[0], sizes[1]);
    QCOMPARE(states[0].now_ns, states[1].now_ns);
    QCOMPARE(states[0].goroutines.size(), states[1].goroutines.size());
    for (size_t p = 0; p < states[0].procs.size(); ++p) {
      QCOMPARE(states[0].procs[p].running, states[1].procs[p].running);
      QCOMPARE(states[0].procs[p].local_queue, states[1].procs[p].local_queue);
    }
  }
};

QTEST_MAIN(PlaybackTest)
#include "playback_test.moc"
