// trace_store_test.cpp — TraceStore: batches kept in time order (late batches merged into the
// tail, stored events first on ties), no event lost or duplicated, storage that stops moving
// once a run is big, a file's events taken without a copy, per-goroutine recent events.
#include <QtTest>

#include <algorithm>
#include <vector>

#include "model/trace_store.hpp"

#include "test_events.hpp"

using goroscope::gui::TraceStore;

namespace {

gor::Event ev(int64_t ts, uint64_t g, gor::EventKind k = gor::EventKind::GoStart, uint64_t a0 = 0) {
  gor::Event e;
  e.ts = ts;
  e.g = g;
  e.kind = k;
  e.a0 = a0;
  e.p = 0;
  return e;
}

}  // namespace

class TraceStoreTest : public QObject {
  Q_OBJECT
 private slots:
  void batchesInOrderAreAppended() {
    TraceStore store;
    std::vector<gor::Event> a{ev(1, 1), ev(2, 1), ev(3, 2)};
    store.append_copy(a.data(), a.size());
    std::vector<gor::Event> b{ev(3, 3), ev(5, 1, gor::EventKind::GoEnd)};
    store.append_copy(b.data(), b.size());
    QCOMPARE(store.size(), size_t(5));
    QCOMPARE(store.end_ns(), int64_t(5));
    QCOMPARE(store.count(gor::EventKind::GoStart), size_t(4));
    QCOMPARE(store.count(gor::EventKind::GoEnd), size_t(1));
    const std::vector<uint64_t> gs{1, 1, 2, 3, 1};
    for (size_t i = 0; i < gs.size(); ++i) QCOMPARE(store.events()[i].g, gs[i]);
    QVERIFY(store.goroutine(1) && store.goroutine(1)->ended_ns == 5);
  }

  void unsortedAndLateBatchesAreMerged() {
    TraceStore store;
    std::vector<gor::Event> a{ev(10, 1), ev(30, 1), ev(20, 2)};  // two Ms' runs in one batch
    store.append_copy(a.data(), a.size());
    QCOMPARE(store.events()[1].ts, int64_t(20));
    // A batch reaching back before the newest stored event; equal timestamps keep the stored
    // event first.
    std::vector<gor::Event> b{ev(20, 7), ev(25, 8), ev(40, 9)};
    store.append_copy(b.data(), b.size());
    const std::vector<std::pair<int64_t, uint64_t>> want{{10, 1}, {20, 2}, {20, 7}, {25, 8}, {30, 1}, {40, 9}};
    QCOMPARE(store.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      QCOMPARE(store.events()[i].ts, want[i].first);
      QCOMPARE(store.events()[i].g, want[i].second);
    }
    // The by-value path merges the same way.
    store.append(std::vector<gor::Event>{ev(5, 10)});
    QCOMPARE(store.events().front().g, uint64_t(10));
    QCOMPARE(store.size(), want.size() + 1);
  }

  void bigRunStopsMovingAndLosesNothing() {
    TraceStore store;
    std::vector<gor::Event> batch;
    const size_t kBatch = 20000, kBatches = 30;  // 600K events, a few seconds of a busy run
    const gor::Event* data = nullptr;
    size_t moves_after_reserve = 0;
    int64_t ts = 0;
    for (size_t b = 0; b < kBatches; ++b) {
      batch.clear();
      for (size_t i = 0; i < kBatch; ++i) batch.push_back(ev(ts++, 1 + (i % 100)));
      std::reverse(batch.begin(), batch.end());  // arrives unsorted: sorted on append
      store.append_copy(batch.data(), batch.size());
      if (data && data != store.events().data()) ++moves_after_reserve;
      if (store.size() > (size_t{1} << 17)) data = store.events().data();
    }
    QCOMPARE(moves_after_reserve, size_t(0));
    QVERIFY(store.reserved_events() >= (size_t{1} << 20));
    QCOMPARE(store.size(), kBatch * kBatches);
    QCOMPARE(store.count(gor::EventKind::GoStart), kBatch * kBatches);
    for (size_t i = 0; i < store.size(); ++i)
      if (store.events()[i].ts != static_cast<int64_t>(i)) QFAIL(qPrintable(QStringLiteral("event %1 out of place").arg(i)));
    store.clear();
    QCOMPARE(store.size(), size_t(0));
    QCOMPARE(store.reserved_events(), size_t(0));
  }

  void aWholeFileIsTakenWithoutACopy() {
    TraceStore store;
    std::vector<gor::Event> file;
    for (int64_t i = 0; i < 100000; ++i) file.push_back(ev(i, 1 + i % 3));
    const gor::Event* data = file.data();
    store.append(std::move(file));
    QCOMPARE(store.size(), size_t(100000));
    QCOMPARE(store.events().data(), data);
  }

  void recentEventsAreTheLatestInOrder() {
    TraceStore store;
    std::vector<gor::Event> batch;
    for (int64_t i = 0; i < 300; ++i) batch.push_back(ev(i, i % 2 ? 1 : 2));
    // G2 readies G1 at the end: the event counts for both.
    batch.push_back(ev(1000, 1, gor::EventKind::GoUnblock, 2));
    store.append_copy(batch.data(), batch.size());
    const std::vector<gor::Event> r1 = store.recent_events_of(1, 10);
    QCOMPARE(r1.size(), size_t(10));
    QCOMPARE(r1.back().ts, int64_t(1000));
    QCOMPARE(r1.front().ts, int64_t(283));
    QVERIFY(std::is_sorted(r1.begin(), r1.end(), [](auto& a, auto& b) { return a.ts < b.ts; }));
    const std::vector<gor::Event> r2 = store.recent_events_of(2, 1000);
    QCOMPARE(r2.size(), size_t(151));  // all of G2's: 150 of its own, then readying G1
    QCOMPARE(r2.back().ts, int64_t(1000));
    QCOMPARE(r2[r2.size() - 2].ts, int64_t(298));
    QVERIFY(store.recent_events_of(99, 10).empty());
  }

  void recentEventsFollowLateBatchesMergedIn() {
    // Random batches, some reaching back before events already stored (another M's batch
    // drained late), with wake-ups between goroutines: after each batch every goroutine's
    // recent events are exactly what a scan of the store finds, in store order.
    TraceStore store;
    gui_test::Lcg rnd{12345};
    int64_t now = 0;
    for (int b = 0; b < 200; ++b) {
      std::vector<gor::Event> batch;
      const int64_t from = rnd(4) == 0 ? std::max<int64_t>(0, now - static_cast<int64_t>(rnd(50))) : now;
      for (int i = 0, n = 1 + static_cast<int>(rnd(20)); i < n; ++i) {
        const int64_t ts = from + static_cast<int64_t>(rnd(30));
        const uint64_t g = 1 + rnd(6);
        batch.push_back(rnd(3) == 0 ? ev(ts, g, gor::EventKind::GoUnblock, 1 + rnd(6)) : ev(ts, g));
        now = std::max(now, ts);
      }
      store.append_copy(batch.data(), batch.size());
      const auto& all = store.events();
      QVERIFY(std::is_sorted(all.begin(), all.end(), [](auto& x, auto& y) { return x.ts < y.ts; }));
      for (uint64_t g = 1; g <= 6; ++g) {
        std::vector<gor::Event> want;
        for (const gor::Event& e : all)
          if (e.g == g || (e.kind == gor::EventKind::GoUnblock && e.a0 == g && e.a0 != e.g)) want.push_back(e);
        const size_t max = 1 + rnd(40);
        if (want.size() > max) want.erase(want.begin(), want.end() - static_cast<std::ptrdiff_t>(max));
        const std::vector<gor::Event> got = store.recent_events_of(g, max);
        QCOMPARE(got.size(), want.size());
        for (size_t i = 0; i < got.size(); ++i) {
          QCOMPARE(got[i].ts, want[i].ts);
          QCOMPARE(got[i].g, want[i].g);
          QCOMPARE(got[i].a0, want[i].a0);
        }
      }
    }
  }
};

QTEST_GUILESS_MAIN(TraceStoreTest)
#include "trace_store_test.moc"
