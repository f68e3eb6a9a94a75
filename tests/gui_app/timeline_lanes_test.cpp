// The timeline's lanes under the Ps, offscreen, on real sample runs: a lock-heavy run gives
// every goroutine a lane by default with its mutex holds drawn over its sleeps
// (mutex-starvation), a run with blocking syscalls shows a lane per thread, more than the Ps
// (blocking-syscalls), a context cancellation is marked in the axis (context-cancellation),
// and a steal marker's click target is at least 8 px each way.
#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QtTest>

#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "model/selection.hpp"
#include "model/trace_store.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"

#include "test_events.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

// record() runs sample `id` deterministically into `store` (with the strings its events name).
int record(const char* id, TraceStore& store) {
  const goroscope::Sample* sample = goroscope::find_sample(id);
  if (!sample) return 0;
  gor::Config cfg = goroscope::sample_config(*sample);
  gor::TraceRecorder recorder;
  cfg.trace = true;
  cfg.observer = &recorder;
  cfg.deterministic = true;
  cfg.seed = 3;
  goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg);
  std::vector<gor::Event> events = recorder.events();
  for (const gor::Event& e : events) {
    if (e.kind == K::ObjectCreate && e.a2) store.add_string(e.a2, recorder.string(e.a2));
    if (e.kind == K::GoCreate && e.a2) store.add_string(e.a2, recorder.string(e.a2));
  }
  store.append(std::move(events));
  return cfg.procs;
}

// Shown is a TimelineView of a recorded sample, on screen and synced.
struct Shown {
  GoroutineSelection selection;
  TraceStore store;
  TimelineView view{selection};
  int procs = 0;
  Shown(const char* id, QSize size) {
    procs = record(id, store);
    view.resize(size);
    view.show();
  }
  bool ready() {
    if (procs == 0 || !QTest::qWaitForWindowExposed(&view)) return false;
    view.sync(store, /*live=*/false);
    view.canvas().fit();
    return true;
  }
};

bool near_color(const QColor& a, const QColor& b, int tolerance = 12) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
         std::abs(a.blue() - b.blue()) <= tolerance;
}

}  // namespace

class TimelineLanesTest : public QObject {
  Q_OBJECT
 private slots:
  void a_lock_heavy_run_gives_every_goroutine_a_lane_with_its_holds() {
    Shown shown("mutex-starvation", QSize(1400, 520));
    QVERIFY(shown.ready());
    TimelineView& view = shown.view;
    TimelineCanvas& c = view.canvas();
    QCOMPARE(view.lane_mode(), TimelineView::LaneMode::Auto);
    QVERIFY(view.lanes_all_in_auto());
    const std::vector<uint64_t> all = view.model().goroutine_ids();
    QCOMPARE(c.scene().goroutine_lanes, all);
    QVERIFY(all.size() >= 4);  // main, the greedy one, the polite ones
    // The greedy goroutine: one that sleeps while it holds the lock. Zoom on such a sleep.
    const TimelineStory& story = view.model().story();
    const BlockSpan* sleep = nullptr;
    for (const BlockSpan& b : view.model().blocks()) {
      if (b.reason != static_cast<uint32_t>(gor::WaitReason::Sleep)) continue;
      for (uint32_t k : story.holds_of(b.g))
        if (story.holds()[k].start <= b.start && b.end <= story.holds()[k].end) sleep = &b;
      if (sleep) break;
    }
    QVERIFY(sleep);
    c.show_range(sleep->start, sleep->end);
    const TimelineLayout L = c.current_layout();
    const size_t k = static_cast<size_t>(std::find(all.begin(), all.end(), sleep->g) - all.begin());
    const QRectF band = L.lane_rect(L.p_lanes + L.thread_lanes + static_cast<int>(k));
    QImage img(c.size(), QImage::Format_ARGB32);
    c.render(&img);
    const int x = static_cast<int>(L.plot.center().x());
    // The hold bar along the lane's top, in the lock colour, over the middle of the sleep.
    QVERIFY2(near_color(img.pixelColor(x, static_cast<int>(band.top() + 4)), QColor(0xc0, 0x8a, 0x00)),
             qPrintable(img.pixelColor(x, static_cast<int>(band.top() + 4)).name()));
    // Below it the sleep band, not the lane's background.
    const QColor bg = img.pixelColor(static_cast<int>(L.plot.left()) + 2, static_cast<int>(band.bottom() - 1));
    int painted = 0;
    for (int dx = 0; dx < 12; ++dx) painted += img.pixelColor(x + dx, static_cast<int>(band.center().y() + 3)) != bg;
    QVERIFY2(painted >= 6, qPrintable(QString::number(painted)));
    // Its tooltip says it sleeps while it holds the lock.
    const QString tip = c.lane_tip(QPoint(x, static_cast<int>(band.center().y())));
    QVERIFY2(tip.contains(QStringLiteral("blocked: sleep")) && tip.contains(QStringLiteral("holds")), qPrintable(tip));
    // Mode None takes the lanes away; Auto gives them back.
    view.set_lane_mode(TimelineView::LaneMode::None);
    QVERIFY(c.scene().goroutine_lanes.empty());
    view.set_lane_mode(TimelineView::LaneMode::Auto);
    QCOMPARE(c.scene().goroutine_lanes, all);
  }

  void blocking_syscalls_show_more_busy_threads_than_ps() {
    Shown shown("blocking-syscalls", QSize(1400, 560));
    QVERIFY(shown.ready());
    TimelineView& view = shown.view;
    TimelineCanvas& c = view.canvas();
    QVERIFY(view.thread_lanes_toggle().isChecked());  // on by itself: the run made syscalls
    const std::vector<int>& threads = c.scene().thread_lanes;
    QVERIFY2(static_cast<int>(threads.size()) > shown.procs, qPrintable(QString::number(threads.size())));
    // A syscall span in a thread lane: its tooltip says the thread holds no P.
    const TimelineStory& story = view.model().story();
    const TimelineLayout L = c.current_layout();
    bool found = false;
    for (size_t i = 0; i < threads.size() && !found; ++i)
      for (const ThreadSpan& s : story.thread(threads[i])) {
        if (s.p >= 0) continue;
        c.show_range(s.start, s.end);
        const QPoint at(static_cast<int>(L.plot.center().x()), static_cast<int>(L.lane_rect(L.p_lanes + static_cast<int>(i)).center().y()));
        const QString tip = c.lane_tip(at);
        QVERIFY2(tip.contains(QStringLiteral("blocking syscall")) && tip.contains(QStringLiteral("G%1").arg(s.g)), qPrintable(tip));
        QCOMPARE(c.goroutine_at(at), s.g);
        found = true;
        break;
      }
    QVERIFY(found);
    view.thread_lanes_toggle().click();  // the user turns them off: they stay off
    QVERIFY(c.scene().thread_lanes.empty());
    view.sync(shown.store, false);
    QVERIFY(c.scene().thread_lanes.empty());
  }

  void a_context_cancellation_is_marked() {
    Shown shown("context-cancellation", QSize(1400, 600));
    QVERIFY(shown.ready());
    TimelineCanvas& c = shown.view.canvas();
    const std::vector<CancelMark>& cancels = shown.view.model().story().cancels();
    QVERIFY(!cancels.empty());
    const TimelineLayout L = c.current_layout();
    QImage img(c.size(), QImage::Format_ARGB32);
    c.render(&img);
    const int x = static_cast<int>(L.plot.left() + c.geometry().x_of(cancels.front().ts));
    int marked = 0;  // the label box in the axis, in the cancellation colour
    for (int dx = -40; dx <= 40; ++dx)
      marked += near_color(img.pixelColor(std::clamp(x + dx, 0, img.width() - 1), static_cast<int>(L.axis.top() + 5)), QColor(0xd9, 0x48, 0x0f));
    QVERIFY2(marked >= 20, qPrintable(QString::number(marked)));
  }

  // Half of an AB/BA deadlock, as its lane tells it: G2 holds accounts and waits for ledger.
  void a_wait_names_its_object_and_the_locks_held_meanwhile() {
    using gui_test::ev;
    GoroutineSelection selection;
    TraceStore store;
    store.add_string(1, "accounts");
    store.add_string(2, "ledger");
    const uint64_t mutex = 2;  // ObjectCreate's kind code
    store.append({ev(0, K::ObjectCreate, 0, -1, 10, mutex, 1), ev(0, K::ObjectCreate, 0, -1, 11, mutex, 2),
                  ev(0, K::GoStart, 2, 0), ev(10'000, K::MutexAcquire, 2, 0, 10),
                  ev(20'000, K::GoBlock, 2, 0, static_cast<uint64_t>(gor::WaitReason::MutexLock), 11),
                  ev(1'000'000, K::RunEnd, 0, -1)});
    TimelineView view(selection);
    view.resize(1000, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.set_lane_mode(TimelineView::LaneMode::All);
    view.sync(store, false);
    TimelineCanvas& c = view.canvas();
    c.fit();
    QCOMPARE(c.scene().goroutine_lanes, (std::vector<uint64_t>{2}));
    const TimelineLayout L = c.current_layout();
    const QPoint at(static_cast<int>(L.plot.left() + c.geometry().x_of(500'000)), static_cast<int>(L.lane_rect(L.p_lanes).center().y()));
    const QString tip = c.lane_tip(at);
    QVERIFY2(tip.contains(QStringLiteral("blocked: sync.Mutex.Lock ledger")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("holds accounts")), qPrintable(tip));
  }

  void a_steal_marker_is_a_target_of_at_least_8_px() {
    GoroutineSelection selection;
    TraceStore store;
    using gui_test::ev;
    store.append({ev(0, K::GoStart, 1, 0), ev(100'000, K::GoStart, 2, 1), ev(200'000, K::GoEnd, 2, 1),
                  ev(500'000, K::Steal, 0, 1, 0, 1), ev(500'000, K::StealMove, 5, 1, 0), ev(510'000, K::GoStart, 5, 1),
                  ev(900'000, K::GoEnd, 5, 1), ev(950'000, K::GoEnd, 1, 0), ev(1'000'000, K::RunEnd, 0, -1)});
    TimelineView view(selection);
    view.resize(1000, 200);  // short lanes: the hardest case
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.sync(store, false);
    TimelineCanvas& c = view.canvas();
    c.fit();
    const QPoint at = c.steal_point(1, 0);
    int hits_x = 0, hits_y = 0;
    for (int d = -10; d <= 10; ++d) {
      hits_x += c.steal_marker_at(at + QPoint(d, 0), nullptr) == 0;
      hits_y += c.steal_marker_at(at + QPoint(0, d), nullptr) == 0;
    }
    QVERIFY2(hits_x >= 8, qPrintable(QString::number(hits_x)));
    QVERIFY2(hits_y >= 8, qPrintable(QString::number(hits_y)));
    QCOMPARE(c.steal_marker_at(c.point_of(1, 1), nullptr), -1L);  // the slice's middle is not the marker
  }
};

QTEST_MAIN(TimelineLanesTest)
#include "timeline_lanes_test.moc"
