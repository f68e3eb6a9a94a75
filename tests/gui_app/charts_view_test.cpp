// The Charts tab: step series keep one point per microsecond with the extremes, sample a
// range into at most two points per bucket, value_at() reads the step; ChartData counts
// goroutines alive and runnable and channel levels; the view replaces its series for the
// timeline's visible range (point counts bounded by the buckets, not the events), and the
// mutex wait histogram counts waits ending in the range by duration.
#include <QtTest>

#include <algorithm>
#include <QAbstractSeries>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QLegend>
#include <QValueAxis>

#include <cmath>


#include "model/chart_data.hpp"
#include "model/timeline_model.hpp"
#include "model/trace_store.hpp"
#include "views/charts_view.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

using gui_test::ev;

}  // namespace

class ChartsViewTest : public QObject {
  Q_OBJECT
 private slots:
  void step_series_merge_and_sample() {
    StepSeries s;
    s.set(0, 1);
    s.set(100, 5);    // same microsecond: merged, extremes kept
    s.set(200, 2);
    s.set(5'000, 3);
    QCOMPARE(s.points().size(), size_t(2));
    QCOMPARE(s.points()[0].value, 2);
    QCOMPARE(s.points()[0].hi, 5);
    QCOMPARE(s.points()[0].lo, 1);
    QCOMPARE(s.value_at(4'999), 2);
    QCOMPARE(s.value_at(5'000), 3);
    QCOMPARE(s.value_at(-1), 0);
    std::vector<std::pair<double, double>> out;
    s.sample(0, 10'000, 10, out);
    QVERIFY(out.size() <= 20);
    QCOMPARE(out.front().second, 1.0);
    bool saw_peak = false;
    for (const auto& [x, y] : out) saw_peak |= y == 5.0;
    QVERIFY(saw_peak);  // the bucket's maximum survives sampling
    QCOMPARE(out.back().second, 3.0);
  }

  void sampling_with_block_summaries_equals_reading_every_point() {
    // A long random series sampled over random ranges and bucket counts gives exactly what a
    // walk over every point gives (the lowest and highest value per bucket, in order).
    StepSeries s;
    gui_test::Lcg lcg{7};
    auto rnd = [&](int64_t n) { return static_cast<int64_t>(lcg(static_cast<uint64_t>(n))); };
    int64_t ts = 0;
    for (int i = 0; i < 20000; ++i) {
      ts += rnd(3000);  // some within one resolution step (merged), most not
      s.set(ts, static_cast<int32_t>(rnd(1000)) - 100);
    }
    const std::vector<StepPoint>& pts = s.points();
    for (int round = 0; round < 200; ++round) {
      const int64_t t0 = rnd(ts), t1 = t0 + 1 + rnd(ts - t0 + 10);
      const int buckets = 1 + static_cast<int>(rnd(300));
      std::vector<std::pair<double, double>> got, want;
      s.sample(t0, t1, buckets, got);
      const double width = static_cast<double>(t1 - t0) / buckets;
      auto it = std::partition_point(pts.begin(), pts.end(), [&](const StepPoint& p) { return p.ts < t0; });
      bool known = it != pts.begin();
      int32_t current = known ? std::prev(it)->value : 0;
      for (int b = 0; b < buckets; ++b) {
        const double start = static_cast<double>(t0) + b * width;
        const int64_t end = static_cast<int64_t>(start + width);
        int32_t lo = current, hi = current;
        for (; it != pts.end() && it->ts < end; ++it) {
          lo = known ? std::min({lo, it->lo, it->value}) : std::min(it->lo, it->value);
          hi = known ? std::max({hi, it->hi, it->value}) : std::max(it->hi, it->value);
          known = true;
          current = it->value;
        }
        want.emplace_back(start, lo);
        if (hi != lo) want.emplace_back(start, hi);
      }
      QCOMPARE(got, want);
    }
  }

  void chart_data_counts_goroutines_and_channels() {
    ChartData d;
    const gor::Event e[] = {
        ev(0, K::ObjectCreate, 1, 0, 77, 1 | (4 << 8), 0),  // channel 77, capacity 4
        ev(1'000, K::GoCreate, 2, 0, 1), ev(2'000, K::GoCreate, 3, 0, 1), ev(3'000, K::GoStart, 2, 0),
        ev(4'000, K::ChanSend, 2, 0, 77, 1), ev(5'000, K::ChanSend, 2, 0, 77, 2), ev(6'000, K::GoEnd, 2, 0),
        ev(7'000, K::ChanRecv, 3, 1, 77, 1)};
    d.append(e, std::size(e));
    QCOMPARE(d.alive().value_at(2'500), 3);  // main + 2
    QCOMPARE(d.alive().value_at(6'500), 2);
    QCOMPARE(d.runnable().value_at(2'500), 2);
    QCOMPARE(d.runnable().value_at(3'500), 1);
    const auto busiest = d.busiest_channels(6);
    QCOMPARE(busiest.size(), size_t(1));
    QCOMPARE(busiest[0]->id, uint64_t(77));
    QCOMPARE(busiest[0]->capacity, uint64_t(4));
    QCOMPARE(busiest[0]->level.value_at(5'500), 2);
    QCOMPARE(busiest[0]->level.value_at(7'500), 1);
  }

  void runnable_per_queue_follows_placements_and_named_steals() {
    ChartData d;
    const auto local = static_cast<uint64_t>(gor::Placement::Local);
    const auto global = static_cast<uint64_t>(gor::Placement::Global);
    const gor::Event e[] = {
        ev(500, K::GoCreate, 5, 1, 1),
        ev(1'000, K::GoCreate, 2, 0, 1), ev(2'000, K::GoCreate, 3, 0, 1), ev(3'000, K::GoCreate, 4, 0, 1),
        ev(4'000, K::GoStart, 5, 1), ev(5'000, K::GoYield, 5, 1),                   // G5 to the global queue
        ev(6'000, K::GoUnblock, 6, 1, 1, local), ev(7'000, K::GoUnblock, 7, 1, 1, global),
        ev(8'000, K::Steal, 0, 2, 0, 2), ev(8'000, K::StealMove, 4, 2, 0), ev(8'100, K::StealMove, 3, 2, 0),
        ev(9'000, K::GoStart, 4, 2), ev(10'000, K::GoStart, 5, 0), ev(11'000, K::GoEnd, 2, 0)};
    d.append(e, std::size(e));
    QCOMPARE(d.procs_seen(), 3);
    QCOMPARE(d.runnable_on(0).value_at(3'500), 3);
    QCOMPARE(d.runnable_on(1).value_at(6'500), 1);
    QCOMPARE(d.runnable_global().value_at(5'500), 1);
    QCOMPARE(d.runnable_global().value_at(7'500), 2);
    QCOMPARE(d.runnable_on(0).value_at(8'500), 1);  // G3 and G4 moved to P2; G2 stays
    QCOMPARE(d.runnable_on(2).value_at(8'500), 2);
    QCOMPARE(d.runnable_on(2).value_at(9'500), 1);  // G4 started there
    QCOMPARE(d.runnable_global().value_at(10'500), 1);  // G5 started on P0
    QCOMPARE(d.runnable_on(0).value_at(11'500), 0);  // G2 ended without running (never queued twice)
    QCOMPARE(d.runnable_on(7).value_at(5'000), 0);   // a P never seen
    for (int64_t t : {3'500, 6'500, 8'500, 9'500})  // every queued goroutine is in exactly one queue
      QCOMPARE(d.runnable_global().value_at(t) + d.runnable_on(0).value_at(t) + d.runnable_on(1).value_at(t) +
                   d.runnable_on(2).value_at(t),
               d.runnable().value_at(t));

    // The view shows them: one series per P seen and the global one, replaced in bulk.
    TraceStore store;
    store.append(std::vector<gor::Event>(std::begin(e), std::end(e)));
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 240);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    QVERIFY(view.series_points(QStringLiteral("queue global")) > 0);
    QVERIFY(view.series_points(QStringLiteral("queue P2")) > 0);
    QCOMPARE(view.series_points(QStringLiteral("queue P3")), 0);  // no P3 in this run
    QCOMPARE(view.series_max(QStringLiteral("queue P0")), 3.0);
    QCOMPARE(view.series_max(QStringLiteral("queue P2")), 2.0);
    QCOMPARE(view.series_max(QStringLiteral("queue global")), 2.0);
  }

  void the_view_replaces_series_for_the_visible_range() {
    TraceStore store;
    std::vector<gor::Event> events;
    int64_t t = 0;
    const uint64_t mutex_lock = static_cast<uint64_t>(gor::WaitReason::MutexLock);
    for (uint64_t g = 2; g < 20'002; ++g) {  // 20,000 goroutines: create, run, wait 50 us on a mutex, end
      events.push_back(ev(t, K::GoCreate, g, 0, 1));
      events.push_back(ev(t + 100, K::GoStart, g, static_cast<int>(g % 2)));
      events.push_back(ev(t + 200, K::GoBlock, g, static_cast<int>(g % 2), mutex_lock));
      events.push_back(ev(t + 50'200, K::GoUnblock, g, static_cast<int>(g % 2), 1));
      events.push_back(ev(t + 50'300, K::GoEnd, g, static_cast<int>(g % 2)));
      if (g % 100 == 0) events.push_back(ev(t + 50'300, K::Steal, 0, 1, 0, 1));
      t += 60'000;
    }
    std::stable_sort(events.begin(), events.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
    store.append(events);
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 240);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, /*live=*/false);
    view.refresh();
    QCOMPARE(view.data().events_taken(), events.size());
    const int whole = view.series_points(QStringLiteral("alive"));
    QVERIFY(whole > 0);
    QVERIFY(whole <= 2 * 400);  // bounded by the buckets, not by the 100,000 events
    QVERIFY(view.series_points(QStringLiteral("steals")) > 0);
    std::vector<double> waits = view.mutex_waits();
    QCOMPARE(waits.size(), size_t(5));
    QCOMPARE(waits[1], 20'000.0);  // every wait took 50 us: the 10-100 us bin
    QCOMPARE(waits[0] + waits[2] + waits[3] + waits[4], 0.0);
    view.set_range(0, 600'000);  // the first 10 goroutines' worth
    view.refresh();
    QVERIFY(view.series_points(QStringLiteral("alive")) > 0);
    QVERIFY(view.mutex_waits()[1] <= 10.0);
    QVERIFY(view.mutex_waits()[1] >= 9.0);

    // The time axes tick at round 1-2-5 steps of ms, for the whole run and for a zoomed range
    // (not a fixed count of ticks at odd values like 25.076).
    auto round_step = [](double ms) {
      const double mag = std::pow(10.0, std::floor(std::log10(ms)));
      const double m = ms / mag;
      return std::abs(m - 1) < 1e-6 || std::abs(m - 2) < 1e-6 || std::abs(m - 5) < 1e-6;
    };
    for (auto [t0, t1] : {std::pair<int64_t, int64_t>{0, -1}, {1'234'567, 1'334'567}}) {
      view.set_range(t0, t1);
      view.refresh();
      int time_axes = 0;
      for (QChartView* cv : view.findChildren<QChartView*>()) {
        if (!cv->isVisible()) continue;  // a panel with nothing to show is hidden
        if (cv->chart()->title().startsWith(QStringLiteral("Mutex waits"))) continue;  // a count axis
        for (QAbstractAxis* a : cv->chart()->axes(Qt::Horizontal)) {
          auto* x = qobject_cast<QValueAxis*>(a);
          if (x == nullptr) continue;
          ++time_axes;
          QCOMPARE(x->tickType(), QValueAxis::TicksDynamic);
          QVERIFY2(round_step(x->tickInterval()), qPrintable(QString::number(x->tickInterval())));
          const double ticks = (x->max() - x->min()) / x->tickInterval();
          QVERIFY2(ticks >= 1 && ticks <= 12, qPrintable(QString::number(ticks)));
        }
      }
      QCOMPARE(time_axes, 3);  // goroutines, run queues, steals: no buffered channel, no select here
    }
  }

  // A run without steals, buffered channels, mutex waits or selects shows only the goroutine
  // and run-queue panels, two to a row; each kind of event brings its panel back.
  void empty_panels_are_hidden() {
    TraceStore store;
    std::vector<gor::Event> events{ev(1'000, K::GoCreate, 2, 0, 1), ev(2'000, K::GoStart, 2, 0),
                                   ev(3'000, K::GoEnd, 2, 0)};
    store.append(events);
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    QVERIFY(view.panel_shown(ChartsView::Goroutines));
    QVERIFY(view.panel_shown(ChartsView::Queues));
    for (ChartsView::Part p : {ChartsView::Steals, ChartsView::Channels, ChartsView::MutexWaits, ChartsView::Choices}) {
      QVERIFY2(!view.panel_shown(p), qPrintable(view.chart(p)->title()));
      QVERIFY(!view.chart(p)->scene()->views().front()->isVisible());
    }
    QVERIFY(view.chart(ChartsView::Goroutines)->scene()->views().front()->width() > 500);  // the room is shared

    const uint64_t mutex_lock = static_cast<uint64_t>(gor::WaitReason::MutexLock);
    store.append(std::vector<gor::Event>{
        ev(4'000, K::ObjectCreate, 1, 0, 77, 1 | (4 << 8), 0), ev(5'000, K::ChanSend, 1, 0, 77, 1),
        ev(6'000, K::Steal, 0, 1, 0, 1), ev(7'000, K::GoCreate, 3, 0, 1), ev(7'100, K::GoStart, 3, 0),
        ev(7'200, K::GoBlock, 3, 0, mutex_lock), ev(9'000, K::GoUnblock, 3, 0, 1), ev(9'100, K::GoStart, 3, 0),
        ev(9'500, K::Select, 3, 0, 2, 1, 77)});
    view.sync(store, false);
    view.refresh();
    for (int p = 0; p < ChartsView::kParts; ++p)
      QVERIFY2(view.panel_shown(static_cast<ChartsView::Part>(p)), qPrintable(view.chart(static_cast<ChartsView::Part>(p))->title()));
  }

  // Every axis of every shown panel has a title and ticks at a 1-2-5 step (counts at whole
  // steps); the legend shows a tooltip for an entry it shortens.
  void axes_have_titles_and_round_ticks() {
    TraceStore store;
    std::vector<gor::Event> events;
    const uint64_t mutex_lock = static_cast<uint64_t>(gor::WaitReason::MutexLock);
    events.push_back(ev(0, K::ObjectCreate, 1, 0, 77, 1 | (7 << 8), 0));
    for (uint64_t g = 2; g < 40; ++g) {
      const int64_t t = static_cast<int64_t>(g) * 13'000;
      events.push_back(ev(t, K::GoCreate, g, 0, 1));
      events.push_back(ev(t + 100, K::GoStart, g, 0));
      events.push_back(ev(t + 200, K::ChanSend, g, 0, 77, g % 7));
      events.push_back(ev(t + 300, K::GoBlock, g, 0, mutex_lock));
      events.push_back(ev(t + 300 + static_cast<int64_t>(g) * 7'000, K::GoUnblock, g, 0, 1));
      events.push_back(ev(t + 400 + static_cast<int64_t>(g) * 7'000, K::GoStart, g, 0));
      events.push_back(ev(t + 500 + static_cast<int64_t>(g) * 7'000, K::GoEnd, g, 0));
      if (g % 3 == 0) events.push_back(ev(t + 150, K::Steal, 0, 1, 0, 1));
      events.push_back(ev(t + 250, K::Select, 1, 0, 2, g % 2, g % 2 ? 77 : 0));
    }
    std::stable_sort(events.begin(), events.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
    store.append(events);
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1400, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    auto one_two_five = [](double step) {
      const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
      const double m = step / mag;
      return std::abs(m - 1) < 1e-6 || std::abs(m - 2) < 1e-6 || std::abs(m - 5) < 1e-6;
    };
    for (int p = 0; p < ChartsView::kParts; ++p) {
      QChart* chart = view.chart(static_cast<ChartsView::Part>(p));
      QVERIFY2(view.panel_shown(static_cast<ChartsView::Part>(p)), qPrintable(chart->title()));
      QVERIFY(chart->legend()->showToolTips());
      for (QAbstractAxis* a : chart->axes()) {
        QVERIFY2(!a->titleText().isEmpty(), qPrintable(chart->title()));
        auto* v = qobject_cast<QValueAxis*>(a);
        if (v == nullptr) continue;  // the histogram's bins
        QCOMPARE(v->tickType(), QValueAxis::TicksDynamic);
        QVERIFY2(one_two_five(v->tickInterval()), qPrintable(chart->title() + " " + QString::number(v->tickInterval())));
        QVERIFY2(v->min() == 0 || a->orientation() == Qt::Horizontal, qPrintable(chart->title()));
      }
    }
  }

  // Two steals in a run read as 1 per window, not as thousands per second; the window is a
  // round duration of about a twentieth of the range and the title names it.
  void steals_are_counted_per_window() {
    TraceStore store;
    store.append(std::vector<gor::Event>{ev(0, K::GoCreate, 2, 0, 1), ev(1'000'000, K::Steal, 0, 1, 0, 1),
                                         ev(6'000'000, K::Steal, 0, 1, 0, 2), ev(10'000'000, K::GoEnd, 2, 0)});
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    QCOMPARE(view.steal_window_ns(), int64_t(500'000));  // 10 ms / 20
    QCOMPARE(view.series_max(QStringLiteral("steals")), 1.0);
    QCOMPARE(view.chart(ChartsView::Steals)->title(), QStringLiteral("Steals per 500 us"));
    view.set_range(0, 2'000'000);
    view.refresh();
    QCOMPARE(view.steal_window_ns(), int64_t(100'000));
    QCOMPARE(view.series_max(QStringLiteral("steals")), 1.0);
  }

  // Timers' channels (time.After & co.) are no buffer a program sees: the channel panel leaves
  // them out, and stays hidden when they are the only buffered channels.
  void timer_channels_are_not_buffers() {
    TraceStore store;
    store.add_string(5, "time.After");
    store.add_string(6, "jobs");
    store.append(std::vector<gor::Event>{ev(0, K::ObjectCreate, 1, 0, 10, 1 | (1 << 8), 5), ev(1'000, K::ChanSend, 0, 0, 10, 1),
                                         ev(2'000, K::ChanRecv, 1, 0, 10, 0)});
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    QVERIFY(!view.panel_shown(ChartsView::Channels));
    store.append(std::vector<gor::Event>{ev(3'000, K::ObjectCreate, 1, 0, 11, 1 | (4 << 8), 6), ev(4'000, K::ChanSend, 1, 0, 11, 1)});
    view.sync(store, false);
    view.refresh();
    QVERIFY(view.panel_shown(ChartsView::Channels));
    QStringList names;
    for (QAbstractSeries* s : view.chart(ChartsView::Channels)->series())
      if (s->isVisible()) names << s->name();
    QCOMPARE(names, QStringList{QStringLiteral("jobs (cap 4)")});
  }

  // select-fairness's chart: each channel's running count of choices, named with its share;
  // channels of one name count together.
  void select_choices_count_each_channel() {
    TraceStore store;
    store.add_string(5, "left");
    store.add_string(6, "right");
    std::vector<gor::Event> events{ev(0, K::ObjectCreate, 1, 0, 10, 1 | (8 << 8), 5),
                                   ev(0, K::ObjectCreate, 1, 0, 11, 1 | (8 << 8), 6)};
    const int picks[] = {0, 1, 1, 0, 1, 1, 1, 0};  // 3 left, 5 right
    for (int i = 0; i < 8; ++i)
      events.push_back(ev(1'000 * (i + 1), K::Select, 1, 0, 2, static_cast<uint64_t>(picks[i]), picks[i] ? 11 : 10));
    events.push_back(ev(1'000, K::ChanRecv, 1, 0, 99, 0));  // not a select: not counted
    // Two "done" channels (as every context's Done is "context.Done"): one series.
    store.add_string(7, "done");
    events.push_back(ev(0, K::ObjectCreate, 1, 0, 20, 1, 7));
    events.push_back(ev(0, K::ObjectCreate, 1, 0, 21, 1, 7));
    events.push_back(ev(8'500, K::Select, 1, 0, 3, 2, 20));
    events.push_back(ev(8'600, K::Select, 1, 0, 3, 2, 21));
    std::stable_sort(events.begin(), events.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
    events.push_back(ev(9'500, K::Select, 1, 0, 1, 0, 10));  // one case: no choice, not counted
    store.append(events);
    ChartData d;
    d.sync(store.events(), std::numeric_limits<int64_t>::max());
    const std::vector<ChoiceSeries>& choices = d.select_choices();
    QCOMPARE(choices.size(), size_t(3));
    QCOMPARE(choices[0].channel, uint64_t(10));
    QCOMPARE(choices[0].count, 3);
    QCOMPARE(choices[1].count, 5);
    QCOMPARE(choices[2].channel, uint64_t(20));
    QCOMPARE(choices[2].count, 2);
    QCOMPARE(choices[1].so_far.value_at(3'500), 2);
    TimelineModel timeline;
    timeline.sync(store.events(), std::numeric_limits<int64_t>::max());
    ChartsView view(timeline);
    view.resize(1200, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    view.refresh();
    QVERIFY(view.panel_shown(ChartsView::Choices));
    QStringList names;
    for (QAbstractSeries* s : view.chart(ChartsView::Choices)->series())
      if (s->isVisible()) names << s->name();
    QCOMPARE(names, (QStringList{QStringLiteral("left: 3 (30.0%)"), QStringLiteral("right: 5 (50.0%)"),
                                 QStringLiteral("done: 2 (20.0%)")}));
    QCOMPARE(view.series_max(QStringLiteral("choice 1")), 5.0);
  }

  // The charts follow the app's palette: a dark palette paints their background, titles and
  // axis labels dark-theme colours.
  void charts_follow_the_palette() {
    TraceStore store;
    TimelineModel timeline;
    ChartsView view(timeline);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    view.setPalette(dark);
    for (int p = 0; p < ChartsView::kParts; ++p) {
      QChart* chart = view.chart(static_cast<ChartsView::Part>(p));
      QCOMPARE(chart->backgroundBrush().color(), QColor(0x1e, 0x1e, 0x1e));
      QCOMPARE(chart->titleBrush().color(), QColor(0xe0, 0xe0, 0xe0));
      for (QAbstractAxis* a : chart->axes()) QCOMPARE(a->labelsBrush().color(), QColor(0xe0, 0xe0, 0xe0));
    }
  }
};

QTEST_MAIN(ChartsViewTest)
#include "charts_view_test.moc"
