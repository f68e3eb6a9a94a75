// The timeline's model and geometry without painting: run slices per P from start/stop
// events, markers, wake-ups, incremental sync equal to a fresh build (also when a late batch
// lands before what was taken), level of detail (counts kept, the longest slice shown, thick
// slices untouched), range statistics; time <-> pixel mapping, zoom about an anchor, ticks.
#include <QtTest>



#include "model/timeline_model.hpp"
#include "views/timeline_geometry.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

using gui_test::ev;

// two_ps: G1 runs on P0 0..100 then blocks (chan receive); G2 runs on P1 50..300, wakes G1 at
// 200; G1 runs on P0 250..400; P1 steals at 310; the run ends at 500 with G3 still running.
std::vector<gor::Event> two_ps() {
  return {ev(0, K::GoStart, 1, 0),
          ev(50, K::GoStart, 2, 1),
          ev(100, K::GoBlock, 1, 0, static_cast<uint64_t>(gor::WaitReason::ChanReceive)),
          ev(200, K::GoUnblock, 1, 1, 2),
          ev(250, K::GoStart, 1, 0),
          ev(300, K::GoEnd, 2, 1),
          ev(310, K::Steal, 0, 1, 0, 3),
          ev(400, K::GoYield, 1, 0),
          ev(420, K::GoStart, 3, 1),
          ev(500, K::RunEnd, 0, -1, 0)};
}

}  // namespace

class TimelineModelTest : public QObject {
  Q_OBJECT
 private slots:
  void slices_markers_and_wakes() {
    TimelineModel m;
    const auto events = two_ps();
    m.append(events.data(), events.size());
    QCOMPARE(m.lane_count(), 2);
    QCOMPARE(m.spans(0).size(), size_t(2));
    QCOMPARE(m.spans(0)[0].start, int64_t(0));
    QCOMPARE(m.spans(0)[0].end, int64_t(100));
    QCOMPARE(m.spans(0)[1].start, int64_t(250));
    QCOMPARE(m.spans(0)[1].end, int64_t(400));
    QCOMPARE(m.spans(1).size(), size_t(2));
    QCOMPARE(m.spans(1)[0].g, uint64_t(2));
    QCOMPARE(m.spans(1)[0].end, int64_t(300));
    QCOMPARE(m.spans(1)[1].end, int64_t(500));  // closed by RunEnd
    QCOMPARE(m.markers(1, MarkerKind::Steal).size(), size_t(1));
    QCOMPARE(m.markers(1, MarkerKind::Steal)[0].a1, uint64_t(3));
    QCOMPARE(m.markers(1, MarkerKind::Steal)[0].a0, uint64_t(0));  // the victim
    QVERIFY(m.markers(0, MarkerKind::Steal).empty());
    QCOMPARE(m.wakes().size(), size_t(1));
    QCOMPARE(m.wakes()[0].readier, uint64_t(2));
    QCOMPARE(m.wakes_of(2).size(), size_t(1));  // as the readier
    QCOMPARE(m.wakes_of(1).size(), size_t(1));  // as the woken
    const SpanRef* next = m.next_span_after(1, 200);
    QVERIFY(next);
    QCOMPARE(next->lane, 0u);
    QCOMPARE(next->index, 1u);
    QCOMPARE(m.blocks().size(), size_t(1));
    QCOMPARE(m.blocks()[0].end - m.blocks()[0].start, int64_t(100));
    QCOMPARE(m.spans_of(1).size(), size_t(2));
    QCOMPARE(m.end_ns(), int64_t(500));
  }

  void steal_markers_know_the_goroutines_they_moved() {
    TimelineModel m;
    const std::vector<gor::Event> events = {
        ev(0, K::GoStart, 1, 0),
        ev(10, K::Steal, 0, 1, 0, 2), ev(10, K::StealMove, 5, 1, 0), ev(11, K::StealMove, 6, 1, 0),
        ev(12, K::StealMove, 9, 2, 0),  // P2's, with no steal of P2's before it: ignored
        ev(20, K::Steal, 0, 1, 0, 1), ev(20, K::StealMove, 7, 1, 0),
        ev(30, K::Steal, 0, 2, 0, 1),  // an older trace's steal: nobody named
        ev(40, K::RunEnd, 0, -1)};
    m.append(events.data(), events.size());
    QCOMPARE(m.markers(1, MarkerKind::Steal).size(), size_t(2));
    auto ids = [](std::span<const uint64_t> s) { return std::vector<uint64_t>(s.begin(), s.end()); };
    QCOMPARE(ids(m.stolen_by(1, 0)), (std::vector<uint64_t>{5, 6}));
    QCOMPARE(ids(m.stolen_by(1, 1)), (std::vector<uint64_t>{7}));
    QVERIFY(m.stolen_by(2, 0).empty());
    QVERIFY(m.stolen_by(1, 2).empty());
    QVERIFY(m.stolen_by(7, 0).empty());
    QVERIFY(m.stolen_by(-1, 0).empty());
  }

  void a_goroutines_waits_are_blocked_then_runnable_between_its_slices() {
    TimelineModel m;
    std::vector<gor::Event> events = two_ps();
    events.insert(events.begin(), ev(0, K::GoCreate, 3, 1, 2));  // G3 created at 0, first runs at 420
    std::stable_sort(events.begin(), events.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
    m.append(events.data(), events.size());
    std::vector<BlockSpan> w;
    m.waits_of(1, 0, 500, w);
    QCOMPARE(w.size(), size_t(3));
    QCOMPARE(w[0].start, int64_t(100));  // blocked on the channel until G2 woke it
    QCOMPARE(w[0].end, int64_t(200));
    QCOMPARE(w[0].reason, static_cast<uint32_t>(gor::WaitReason::ChanReceive));
    QCOMPARE(w[1].start, int64_t(200));  // then runnable until P0 ran it
    QCOMPARE(w[1].end, int64_t(250));
    QCOMPARE(w[1].reason, kRunnableReason);
    QCOMPARE(w[2].start, int64_t(400));  // yielded, never ran again: runnable to the end
    QCOMPARE(w[2].end, int64_t(500));
    QCOMPARE(w[2].reason, kRunnableReason);
    w.clear();
    m.waits_of(1, 210, 240, w);  // only what overlaps the range
    QCOMPARE(w.size(), size_t(1));
    QCOMPARE(w[0].reason, kRunnableReason);
    w.clear();
    m.waits_of(2, 0, 500, w);  // G2: created before the trace, ran once, ended
    QVERIFY(w.empty());
    w.clear();
    m.waits_of(3, 0, 500, w);  // G3: runnable from its creation to its first slice
    QCOMPARE(w.size(), size_t(1));
    QCOMPARE(w[0].start, int64_t(0));
    QCOMPARE(w[0].end, int64_t(420));
    QCOMPARE(w[0].reason, kRunnableReason);
  }

  void wake_chains_go_back_through_the_readiers() {
    TimelineModel m;
    const gor::Event e[] = {
        ev(0, K::GoStart, 1, 0),  ev(5, K::GoBlock, 1, 0),       // G1 waits
        ev(6, K::GoStart, 2, 0),  ev(8, K::GoBlock, 2, 0),       // G2 waits
        ev(9, K::GoUnblock, 2, -1, 0),                            // a timer wakes G2
        ev(10, K::GoStart, 2, 1), ev(20, K::GoUnblock, 3, 1, 2),  // G2 wakes G3
        ev(21, K::GoEnd, 2, 1),   ev(22, K::GoStart, 3, 1),
        ev(30, K::GoUnblock, 1, 1, 3),                            // G3 wakes G1
        ev(31, K::GoStart, 1, 0), ev(40, K::GoUnblock, 4, 0, 1)}; // G1 wakes G4 (not G1's own wake)
    m.append(e, std::size(e));
    const std::vector<Wake> chain = m.wake_chain(1, 31);
    QCOMPARE(chain.size(), size_t(3));
    QCOMPARE(chain[0].readier, uint64_t(3));
    QCOMPARE(chain[0].ts, int64_t(30));
    QCOMPARE(chain[1].g, uint64_t(3));
    QCOMPARE(chain[1].readier, uint64_t(2));
    QCOMPARE(chain[2].g, uint64_t(2));
    QCOMPARE(chain[2].readier, uint64_t(0));  // the timer: the chain ends
    QVERIFY(m.wake_chain(1, 29).empty());     // before anyone woke it
    QCOMPARE(m.wake_chain(1, 100, 1).size(), size_t(1));
  }

  void a_syscall_ends_the_slice_and_leaving_it_on_a_p_starts_one() {
    TimelineModel m;
    const gor::Event e[] = {ev(0, K::GoStart, 1, 0),      ev(10, K::SyscallEnter, 1, 0), ev(12, K::Handoff, 0, 0),
                            ev(15, K::GoStart, 2, 0),     ev(30, K::SyscallExit, 1, 1), ev(40, K::GoBlock, 1, 1),
                            ev(50, K::GoStart, 1, 1),     ev(55, K::SyscallEnter, 1, 1), ev(60, K::SyscallExit, 1, -1),
                            ev(70, K::GoStart, 1, 1),     ev(80, K::GoEnd, 1, 1)};
    m.append(e, std::size(e));
    QCOMPARE(m.spans(0).size(), size_t(2));
    QCOMPARE(m.spans(0)[0].end, int64_t(10));  // the syscall ended G1's run on P0
    QCOMPARE(m.spans(1).size(), size_t(3));
    QCOMPARE(m.spans(1)[0].start, int64_t(30));  // back on P1: it ran on until it blocked
    QCOMPARE(m.spans(1)[0].end, int64_t(40));
    QCOMPARE(m.spans(1)[1].end, int64_t(55));
    QCOMPARE(m.spans(1)[2].start, int64_t(70));  // no P at 60: it ran again only at its GoStart
    QCOMPARE(m.spans_of(1).size(), size_t(4));
  }

  void only_a_data_race_becomes_a_race_marker() {
    // RaceSync (one per acquire and release the detector applies) is a happens-before edge,
    // not a race: a run with the detector on has thousands of them and no marker for any.
    TimelineModel m;
    const gor::Event e[] = {ev(0, K::GoStart, 1, 0), ev(5, K::RaceSync, 1, 0, 0, 7, 1 | (4 << 8)),
                            ev(10, K::Race, 1, 0, 2), ev(12, K::RaceSync, 1, 0, 0, 7, 2 | (4 << 8))};
    m.append(e, std::size(e));
    QCOMPARE(m.markers(0, MarkerKind::Race).size(), size_t(1));
    QCOMPARE(m.markers(0, MarkerKind::Race)[0].a0, uint64_t(2));
    QCOMPARE(m.markers(0, MarkerKind::Race)[0].ts, int64_t(10));
  }

  void sync_equals_a_fresh_build_even_after_a_late_batch() {
    std::vector<gor::Event> events = two_ps();
    const gor::Event late = events[2];  // G1's block at 100, delivered late
    events.erase(events.begin() + 2);
    TimelineModel live;
    live.sync(events, 260);
    QCOMPARE(live.events_taken(), size_t(4));  // ts <= 260
    events.insert(events.begin() + 2, late);  // merged in before what was taken
    live.sync(events, 1000);
    TimelineModel fresh;
    fresh.append(events.data(), events.size());
    QCOMPARE(live.events_taken(), events.size());
    QCOMPARE(live.spans(0).size(), fresh.spans(0).size());
    QCOMPARE(live.spans(0)[0].end, int64_t(100));
    QCOMPARE(live.blocks().size(), fresh.blocks().size());
  }

  void a_late_event_tied_with_the_last_taken_one_does_not_rebuild() {
    // Ticks of the same nanosecond from different Ms: stable merging puts a late event with
    // the same ts after every stored one, so the taken prefix is intact.
    std::vector<gor::Event> events = {ev(10, K::GoStart, 1, 0), ev(20, K::GoBlock, 1, 0, 1), ev(20, K::GoStart, 2, 1)};
    TakenPrefix prefix;
    prefix.took(events.data(), events.size());
    QCOMPARE(prefix.before_last, size_t(1));
    events.push_back(ev(20, K::GoUnblock, 1, 1, 2));  // late, at the same ts
    QVERIFY(!prefix.changed(events));
    prefix.took(events.data() + 3, 1);
    QCOMPARE(prefix.taken, size_t(4));
    QCOMPARE(prefix.before_last, size_t(1));  // still only the GoStart at 10 is before ts 20
    events.insert(events.begin() + 1, ev(15, K::GoCreate, 3, 0));  // late and earlier: changed
    QVERIFY(prefix.changed(events));
    QVERIFY(TakenPrefix{}.changed(events) == false);  // nothing taken yet
    std::vector<gor::Event> shorter(events.begin(), events.begin() + 2);  // a replaced store
    QVERIFY(prefix.changed(shorter));

    // A model synced across such ties equals a fresh build.
    TimelineModel live;
    std::vector<gor::Event> store = {ev(10, K::GoStart, 1, 0), ev(20, K::GoBlock, 1, 0, 1), ev(20, K::GoStart, 2, 1)};
    store.reserve(8);
    live.sync(store, 20);
    store.push_back(ev(20, K::GoUnblock, 1, 1, 2));
    store.push_back(ev(30, K::GoStart, 1, 0));
    live.sync(store, 1000);
    TimelineModel fresh;
    fresh.append(store.data(), store.size());
    QCOMPARE(live.events_taken(), store.size());
    QCOMPARE(live.blocks().size(), fresh.blocks().size());
    QCOMPARE(live.wakes().size(), fresh.wakes().size());
  }

  void goroutine_slots_take_any_id() {
    GoroutineSlots<int> table;
    QVERIFY(!table.contains(1));
    table.at(1) = 10;
    table.at(3) = 30;
    table.at(uint64_t{1} << 40) = 40;  // far beyond the others: kept aside, not a huge array
    table.at(0) = 5;
    QCOMPARE(table.size(), size_t(4));
    QCOMPARE(*table.find(1), 10);
    QCOMPARE(*table.find(3), 30);
    QCOMPARE(*table.find(uint64_t{1} << 40), 40);
    QVERIFY(table.find(2) == nullptr);
    QCOMPARE(table.at(3), 30);  // at() of a known id keeps its value
    std::vector<std::pair<uint64_t, int>> seen;
    table.for_each([&](uint64_t g, int v) { seen.emplace_back(g, v); });
    const std::vector<std::pair<uint64_t, int>> want = {{0, 5}, {1, 10}, {3, 30}, {uint64_t{1} << 40, 40}};
    QCOMPARE(seen, want);
    table.clear();
    QCOMPARE(table.size(), size_t(0));
    QVERIFY(!table.contains(1));
  }

  void visible_range_by_binary_search() {
    TimelineModel m;
    std::vector<gor::Event> e;
    for (int i = 0; i < 100; ++i) {
      e.push_back(ev(i * 100, K::GoStart, static_cast<uint64_t>(i + 1), 0));
      e.push_back(ev(i * 100 + 50, K::GoBlock, static_cast<uint64_t>(i + 1), 0));
    }
    m.append(e.data(), e.size());
    const auto [a, b] = m.visible(0, 1020, 1260);  // slice 10 ends at 1050, slice 12 starts at 1200
    QCOMPARE(a, size_t(10));
    QCOMPARE(b, size_t(13));
    QCOMPARE(m.span_at(0, 1225, 0), 12L);
    QCOMPARE(m.span_at(0, 1070, 5), -1L);   // in a gap, too far from either slice
    QCOMPARE(m.span_at(0, 1052, 5), 10L);   // near slice 10's end
  }

  void level_of_detail_keeps_counts_and_the_longest_slice() {
    TimelineModel m;
    std::vector<gor::Event> e;
    int64_t t = 0;
    // 1000 thin slices (10..19 ns, 5 ns gaps), one long slice of 5000 ns, 1000 thin again.
    uint64_t g = 1;
    auto slice = [&](int64_t dur) {
      e.push_back(ev(t, K::GoStart, g, 0));
      e.push_back(ev(t + dur, K::GoBlock, g, 0));
      t += dur + 5;
      ++g;
    };
    for (int i = 0; i < 1000; ++i) slice(10 + i % 10);
    const uint64_t long_g = g;
    slice(5000);
    for (int i = 0; i < 1000; ++i) slice(10 + (i * 7) % 10);
    m.append(e.data(), e.size());
    const double ns_per_px = 100;  // thin slices are a fifth of a pixel
    std::vector<DrawSpan> out;
    m.level_of_detail(0, 0, t, ns_per_px, out);
    size_t total = 0;
    bool long_seen = false;
    for (const DrawSpan& d : out) {
      total += d.count;
      QVERIFY(d.end - d.start >= d.longest_end - d.longest_start);
      if (d.g == long_g) {
        long_seen = true;
        QCOMPARE(d.count, 1u);
        QCOMPARE(d.end - d.start, int64_t(5000));
      }
      if (d.count > 1) {
        QVERIFY(d.end - d.start < static_cast<int64_t>(3 * ns_per_px));  // merged blocks stay under 3 px
        int64_t longest = 0;  // the block shows the longest slice it merged
        for (const RunSpan& r : m.spans(0))
          if (r.start >= d.start && r.end <= d.end) longest = std::max(longest, r.end - r.start);
        QCOMPARE(d.longest_end - d.longest_start, longest);
      }
    }
    QCOMPARE(total, size_t(2001));
    QVERIFY(long_seen);
    QVERIFY(out.size() < 400);  // ~one block per 1-2 px instead of 2001 slices
    // Zoomed in enough, nothing merges.
    out.clear();
    m.level_of_detail(0, 0, 2000, 1.0, out);
    for (const DrawSpan& d : out) QCOMPARE(d.count, 1u);
  }

  void dense_runs_are_skipped_with_counts_and_longest_kept() {
    TimelineModel m;
    std::vector<gor::Event> e;
    int64_t t = 0;
    const int n = 100'000;
    for (int i = 0; i < n; ++i) {  // 1..3 ns slices, 1 ns gaps; slice 54321 is the longest (7 ns)
      const int64_t dur = i == 54321 ? 7 : 1 + i % 3;
      e.push_back(ev(t, K::GoStart, static_cast<uint64_t>(i + 1), 0));
      e.push_back(ev(t + dur, K::GoYield, static_cast<uint64_t>(i + 1), 0));
      t += dur + 1;
    }
    m.append(e.data(), e.size());
    std::vector<DrawSpan> out;
    m.level_of_detail(0, 0, t, 1000.0, out);  // ~600 slices per 2-pixel block
    QVERIFY(out.size() < 400);
    size_t total = 0;
    bool seen = false;
    size_t first = 0;
    for (const DrawSpan& d : out) {
      total += d.count;
      int64_t longest = 0;  // brute force over the slices the block covers
      for (size_t k = first; k < first + d.count; ++k)
        longest = std::max(longest, m.spans(0)[k].end - m.spans(0)[k].start);
      QCOMPARE(d.longest_end - d.longest_start, longest);
      QCOMPARE(d.start, m.spans(0)[first].start);
      first += d.count;
      if (d.g == 54322) seen = true;
    }
    QCOMPARE(total, size_t(n));
    QVERIFY(seen);
    QCOMPARE(m.longest_in(0, 0, n), size_t(54321));
    QCOMPARE(m.longest_in(0, 54322, 54400), size_t(54323));  // first of the 3 ns slices after it
  }

  void range_statistics() {
    TimelineModel m;
    const auto events = two_ps();
    m.append(events.data(), events.size());
    const RangeStats s = m.stats(0, 500);
    QCOMPARE(s.utilisation.size(), size_t(2));
    QCOMPARE(s.utilisation[0], (100.0 + 150.0) / 500.0);
    QCOMPARE(s.utilisation[1], (250.0 + 80.0) / 500.0);
    QCOMPARE(s.goroutines_run, size_t(3));
    QCOMPARE(s.slices, size_t(4));
    QCOMPARE(s.steals, size_t(1));
    QCOMPARE(s.stolen, size_t(3));
    QCOMPARE(s.wakes, size_t(1));
    QCOMPARE(s.blocked.size(), size_t(1));
    QCOMPARE(s.blocked[0].first, std::string("chan receive"));
    QCOMPARE(s.blocked[0].second, int64_t(100));
    const RangeStats part = m.stats(150, 260);  // blocked 150..200 only
    QCOMPARE(part.blocked[0].second, int64_t(50));
    QCOMPARE(part.steals, size_t(0));
  }

  void geometry_maps_time_and_pixels_both_ways() {
    TimelineGeometry g(1000, 10.0, 800);  // t0 = 1 us, 10 ns per pixel
    QCOMPARE(g.x_of(1000), 0.0);
    QCOMPARE(g.x_of(9000), 800.0);
    QCOMPARE(g.t1(), int64_t(9000));
    QCOMPARE(g.t_of(400), int64_t(5000));
    for (int64_t t : {1000LL, 1234LL, 5555LL, 8999LL}) QVERIFY(std::llabs(g.t_of(g.x_of(t)) - t) <= 1);
    g.show(0, 1'000'000);
    QCOMPARE(g.ns_per_px(), 1250.0);
    QCOMPARE(g.t1(), int64_t(1'000'000));
    const int64_t under = g.t_of(200);
    g.zoom(4, 200);  // zoom in, the time under x=200 stays there
    QCOMPARE(g.ns_per_px(), 312.5);
    QVERIFY(std::llabs(g.t_of(200) - under) <= 1);
    g.pan(100);
    QVERIFY(std::llabs(g.t_of(100) - under) <= 1);
    g.zoom(1e9, 0);  // clamped at the deepest zoom
    QCOMPARE(g.ns_per_px(), TimelineGeometry::kMinNsPerPx);
    TimelineGeometry v(0, 100, 1000);
    v.pan(-500);
    v.keep_within(0, 1'000'000);
    QCOMPARE(v.t0(), int64_t(0));
  }

  void ticks_use_units_that_fit() {
    TimelineGeometry g(0, 10'000.0, 1000);  // 0 .. 10 ms
    const auto ticks = g.ticks(90);
    QVERIFY(ticks.size() >= 5);
    QCOMPARE(QString::fromStdString(ticks[0].label), QStringLiteral("0 ms"));
    QCOMPARE(QString::fromStdString(ticks[1].label), QStringLiteral("1 ms"));
    for (size_t i = 1; i < ticks.size(); ++i) QVERIFY(ticks[i].x - ticks[i - 1].x >= 90);
    TimelineGeometry us(1'230'100, 2.0, 1000);  // 2 us around 1.23 ms
    const auto fine = us.ticks(90);
    QVERIFY(!fine.empty());
    QCOMPARE(QString::fromStdString(fine[0].label), QStringLiteral("1.2302 ms"));
    TimelineGeometry ns(0, 0.5, 1000);  // 500 ns
    QCOMPARE(QString::fromStdString(ns.ticks(90)[1].label), QStringLiteral("50 ns"));
    TimelineGeometry s(0, 1e7, 1000);  // 10 s
    QCOMPARE(QString::fromStdString(s.ticks(90)[1].label), QStringLiteral("1 s"));
    QCOMPARE(QString::fromStdString(format_span(1'250'000)), QStringLiteral("1.250 ms"));
  }
};

QTEST_GUILESS_MAIN(TimelineModelTest)
#include "timeline_model_test.moc"
