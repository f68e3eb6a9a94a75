// The live scene's geometry: every goroutine shown once or counted in "+N", no overlaps,
// cards per P, panels for mutexes and channels with waiters.
#include <QApplication>
#include <QtTest>

#include <set>

#include "views/scheduler_layout.hpp"

using namespace goroscope::gui;

namespace {

gor::GoroutineInfo goroutine(uint64_t id, const char* state, const char* reason = "", uint64_t object = 0) {
  gor::GoroutineInfo g;
  g.id = id;
  g.state = state;
  g.wait_reason = reason;
  g.wait_object = object;
  return g;
}

// busy_snapshot() has 4 Ps with long queues, a global queue, a contended mutex, a channel
// with a buffer and a sendq, and sleepers: `n` goroutines in all.
gor::Snapshot busy_snapshot(uint64_t n) {
  gor::Snapshot s;
  s.now_ns = 5'000'000;
  s.gomaxprocs = 4;
  uint64_t next = 1;
  for (int p = 0; p < 4; ++p) {
    gor::ProcessorInfo pi;
    pi.id = p;
    pi.status = "running";
    pi.m = p;
    pi.running = next;
    s.goroutines.push_back(goroutine(next++, "running"));
    pi.runnext = next;
    s.goroutines.push_back(goroutine(next++, "runnable"));
    for (uint64_t k = 0; k < n / 10; ++k) {
      pi.local_queue.push_back(next);
      s.goroutines.push_back(goroutine(next++, "runnable"));
    }
    s.procs.push_back(pi);
    s.machines.push_back({p, "running", p, pi.running});
  }
  for (uint64_t k = 0; k < n / 10; ++k) {
    s.global_queue.push_back(next);
    s.goroutines.push_back(goroutine(next++, "runnable"));
  }
  gor::MutexInfo mu;
  mu.id = 900;
  mu.name = "mu";
  mu.kind = "Mutex";
  mu.holder = 1;
  mu.starving = true;
  for (int k = 0; k < 5; ++k) {
    mu.waiters.push_back({next, 1'000'000 * k});
    s.goroutines.push_back(goroutine(next++, "waiting", "sync.Mutex.Lock", 900));
  }
  s.mutexes.push_back(mu);
  gor::ChannelInfo ch;
  ch.id = 901;
  ch.name = "jobs";
  ch.cap = 4;
  ch.len = 4;
  ch.buffer = {"1", "2", "3", "4"};
  ch.sendq = {next};
  s.goroutines.push_back(goroutine(next++, "waiting", "chan send", 901));
  s.channels.push_back(ch);
  while (next <= n) s.goroutines.push_back(goroutine(next++, "waiting", "sleep"));
  return s;
}

LayoutMetrics metrics() {
  LayoutMetrics m;
  m.font = QApplication::font();
  return m;
}

}  // namespace

class SchedulerLayoutTest : public QObject {
  Q_OBJECT
 private slots:
  void every_goroutine_is_shown_once_or_counted() {
    for (uint64_t n : {40ull, 400ull, 10000ull}) {
      for (double width : {400.0, 900.0, 1600.0}) {
        const gor::Snapshot s = busy_snapshot(n);
        const SchedulerLayout l = compute_scheduler_layout(s, width, metrics());
        std::set<uint64_t> shown;
        for (const SceneChip& c : l.chips) QVERIFY2(shown.insert(c.g).second, qPrintable(QStringLiteral("G%1 twice").arg(c.g)));
        size_t hidden = 0;
        for (const SceneOverflow& o : l.overflows) hidden += static_cast<size_t>(o.hidden);
        QCOMPARE(shown.size() + hidden, s.goroutines.size());
        // Compression keeps the scene bounded even with 10,000 goroutines.
        QVERIFY(l.chips.size() < 600);
      }
    }
  }

  void chips_do_not_overlap_and_stay_inside() {
    for (double width : {360.0, 1000.0}) {
      const SchedulerLayout l = compute_scheduler_layout(busy_snapshot(400), width, metrics());
      std::vector<QRectF> rects;
      for (const SceneChip& c : l.chips) rects.push_back(c.rect);
      for (const SceneOverflow& o : l.overflows) rects.push_back(o.rect);
      for (size_t i = 0; i < rects.size(); ++i) {
        QVERIFY(rects[i].right() <= width);
        QVERIFY(rects[i].bottom() <= l.height);
        for (size_t j = i + 1; j < rects.size(); ++j)
          QVERIFY2(!rects[i].adjusted(0.5, 0.5, -0.5, -0.5).intersects(rects[j]),
                   qPrintable(QStringLiteral("chips %1 and %2 overlap").arg(i).arg(j)));
      }
    }
  }

  void one_card_per_processor_and_panels_for_objects() {
    const gor::Snapshot s = busy_snapshot(40);
    const SchedulerLayout l = compute_scheduler_layout(s, 1200, metrics());
    QCOMPARE(l.proc_rects.size(), size_t{4});
    int mutexes = 0, channels = 0;
    for (const ScenePanel& p : l.panels) {
      if (p.kind == ScenePanel::Kind::Mutex) {
        ++mutexes;
        QCOMPARE(p.badge, QStringLiteral("STARVING"));
        QCOMPARE(p.title, QStringLiteral("mutex mu"));
      }
      if (p.kind == ScenePanel::Kind::Channel) {
        ++channels;
        QVERIFY(p.title.startsWith(QStringLiteral("chan jobs")));
      }
    }
    QCOMPARE(mutexes, 1);
    QCOMPARE(channels, 1);
    QCOMPARE(l.buffer_slots.size(), size_t{4});
    QCOMPARE(l.buffer_slots[2].value, QStringLiteral("3"));
    // The running goroutine of P0 sits inside P0's card, runnext too.
    const SceneChip* running = l.chip_of(1);
    QVERIFY(running && running->running);
    QVERIFY(l.proc_rects.at(0).contains(running->rect));
    QVERIFY(l.proc_rects.at(0).contains(l.chip_of(2)->rect));
    // Mutex waiters carry their wait time; the oldest one is past the 1 ms threshold.
    const SceneChip* oldest = l.chip_of(s.mutexes[0].waiters.front().g);
    QVERIFY(oldest);
    QVERIFY(oldest->urgency >= 1.0);
    QVERIFY(!oldest->caption.isEmpty());
  }

  void cards_wrap_to_the_width() {
    const gor::Snapshot s = busy_snapshot(40);
    const SchedulerLayout narrow = compute_scheduler_layout(s, 500, metrics());
    const SchedulerLayout wide = compute_scheduler_layout(s, 1400, metrics());
    QVERIFY(narrow.proc_rects.at(0).top() < narrow.proc_rects.at(3).top());   // stacked
    QCOMPARE(wide.proc_rects.at(0).top(), wide.proc_rects.at(3).top());       // one row
    QVERIFY(narrow.height > wide.height);
  }
};

QTEST_MAIN(SchedulerLayoutTest)
#include "scheduler_layout_test.moc"
