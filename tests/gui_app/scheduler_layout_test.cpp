// The live scene's geometry: every goroutine shown once or counted in "+N", no overlaps,
// cards per P, panels for mutexes and channels with waiters.
#include <QApplication>
#include <QtTest>

#include <set>

#include "views/goroutine_colors.hpp"
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
        QVERIFY2(p.title.startsWith(QStringLiteral("jobs chan ")), qPrintable(p.title));  // as Go declares it
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

  void a_deadlock_cycle_shows_every_wait_for_edge() {
    // partial-deadlock: G2 holds accounts and waits for ledger, G3 holds ledger and waits for
    // accounts. Each card shows its holder and its waiter (a chip, or a reference to the chip
    // in the other card): never "no waiters" while one waits.
    gor::Snapshot s;
    s.now_ns = 3'000'000;
    s.procs.push_back(gor::ProcessorInfo{});
    s.goroutines = {goroutine(2, "waiting", "sync.Mutex.Lock", 20), goroutine(3, "waiting", "sync.Mutex.Lock", 10)};
    gor::MutexInfo accounts;
    accounts.id = 10;
    accounts.name = "accounts";
    accounts.holder = 2;
    accounts.waiters = {{3, 1'000'000}};
    gor::MutexInfo ledger;
    ledger.id = 20;
    ledger.name = "ledger";
    ledger.holder = 3;
    ledger.waiters = {{2, 1'000'000}};
    s.mutexes = {accounts, ledger};
    for (double width : {560.0, 1300.0}) {
      const SchedulerLayout l = compute_scheduler_layout(s, width, metrics());
      for (const gor::MutexInfo& mu : s.mutexes) {
        const QRectF card = l.object_rects.at(mu.id);
        for (uint64_t g : {mu.holder, mu.waiters.front().g}) {
          bool shown = l.chip_of(g) && card.contains(l.chip_of(g)->rect);
          for (const SceneRef& r : l.refs) shown = shown || (r.g == g && r.object == mu.id && card.contains(r.rect));
          QVERIFY2(shown, qPrintable(QStringLiteral("G%1 not in the card of %2").arg(g).arg(QString::fromStdString(mu.name))));
        }
        for (const SceneText& t : l.texts)
          QVERIFY2(!(card.contains(t.rect) && t.text == QStringLiteral("none")), "a card says no waiters");
      }
      QCOMPARE(l.chips.size(), size_t{2});  // each goroutine still has one chip
      QCOMPARE(l.refs.size(), size_t{2});
    }
  }

  void waiters_wait_times_do_not_run_together() {
    // "2.013 ms2.012 ms": captions were wider than their chips.
    const gor::Snapshot s = busy_snapshot(40);
    const SchedulerLayout l = compute_scheduler_layout(s, 560, metrics());
    std::vector<QRectF> captions;
    for (const SceneChip& c : l.chips)
      if (!c.caption.isEmpty()) captions.push_back(c.caption_rect());
    QVERIFY(captions.size() >= 2);
    QFont small = metrics().font;
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    for (const SceneChip& c : l.chips)
      if (!c.caption.isEmpty()) QVERIFY(QFontMetricsF(small).horizontalAdvance(c.caption) <= c.caption_rect().width());
    for (size_t i = 0; i < captions.size(); ++i)
      for (size_t j = i + 1; j < captions.size(); ++j) QVERIFY(!captions[i].intersects(captions[j]));
  }

  void the_context_tree_follows_the_cancels() {
    // context-cancellation: a root, two branches, a leaf under the first; G5 waits on the leaf.
    gor::Snapshot s;
    s.procs.push_back(gor::ProcessorInfo{});
    for (uint64_t id : {100, 101, 102, 103}) {
      gor::ChannelInfo c;
      c.id = id;
      c.name = "context.Done";
      s.channels.push_back(c);
    }
    s.channels[3].recvq = {5};
    s.goroutines = {goroutine(5, "waiting", "select", 103)};
    SceneFacts facts;
    // Before any cancel nothing says who is whose child: the contexts side by side, one row.
    SchedulerLayout flat = compute_scheduler_layout(s, 1300, metrics(), &facts);
    const ScenePanel* tree = nullptr;
    for (const ScenePanel& p : flat.panels)
      if (p.kind == ScenePanel::Kind::Contexts) tree = &p;
    QVERIFY(tree);
    QVERIFY(flat.context_edges.empty());
    QVERIFY(flat.object_rects.at(103).contains(flat.chip_of(5)->rect));
    int channel_cards = 0;
    for (const ScenePanel& p : flat.panels) channel_cards += p.kind == ScenePanel::Kind::Channel ? 1 : 0;
    QCOMPARE(channel_cards, 0);  // no "chan context.Done" card each
    // The cancel runs down the tree (ContextCancel: a2 is the parent's done channel).
    facts.context_parent = {{100, 0}, {101, 100}, {102, 100}, {103, 101}};
    for (gor::ChannelInfo& c : s.channels) c.closed = true;
    const SchedulerLayout cancelled = compute_scheduler_layout(s, 1300, metrics(), &facts);
    QCOMPARE(cancelled.context_edges.size(), size_t{3});  // one elbow per child
    // Rows in tree order, each child indented under its parent.
    const QRectF root = cancelled.object_rects.at(100), a = cancelled.object_rects.at(101),
                 leaf = cancelled.object_rects.at(103), b = cancelled.object_rects.at(102);
    QVERIFY(root.top() < a.top() && a.top() < leaf.top() && leaf.top() < b.top());
    QStringList labels;
    for (const SceneText& t : cancelled.texts) labels << t.text;
    QVERIFY2(labels.contains(QStringLiteral("ctx 4 · canceled")), qPrintable(labels.join(QStringLiteral(" | "))));
    // A state rebuilt from a trace knows no channel: the cancelled contexts still show.
    s.channels.clear();
    const SchedulerLayout replayed = compute_scheduler_layout(s, 1300, metrics(), &facts);
    QCOMPARE(replayed.context_edges.size(), size_t{3});
    QVERIFY(replayed.object_rects.at(103).contains(replayed.chip_of(5)->rect));
  }

  void goroutines_on_screen_at_once_have_distinct_colours() {
    // G3 and G4 were both teal (two palette entries 6 apart in CIELAB).
    const int n = goroutine_palette_size();
    QVERIFY(n >= 12);
    for (uint64_t first : {1ull, 2ull, 7ull, 100ull})
      for (uint64_t a = first; a < first + static_cast<uint64_t>(n); ++a)
        for (uint64_t b = a + 1; b < first + static_cast<uint64_t>(n); ++b)
          QVERIFY2(color_distance(goroutine_color(a), goroutine_color(b)) >= 25,
                   qPrintable(QStringLiteral("G%1 and G%2 look alike").arg(a).arg(b)));
    // None looks like the grey of "no goroutine", on either theme's window.
    for (uint64_t g = 1; g <= static_cast<uint64_t>(n); ++g) {
      QVERIFY(color_distance(goroutine_color(g), goroutine_color(0)) >= 25);
      QVERIFY(color_distance(goroutine_color(g), QColor(0x2d, 0x2f, 0x33)) >= 25);
      QVERIFY(color_distance(goroutine_color(g), Qt::white) >= 25);
    }
    QCOMPARE(goroutine_color(3), goroutine_color(3 + n));  // stable: the same id, the same colour everywhere
  }
};

QTEST_MAIN(SchedulerLayoutTest)
#include "scheduler_layout_test.moc"
