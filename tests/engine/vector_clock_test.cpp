// vector_clock_test.cpp — the race detector's vector clocks (engine/src/vector_clock.hpp):
// joins, sets and copies agree with a plain map on random sequences, and a big clock spreads
// by sharing its base (a receiver of a 10,000-entry clock keeps a handful of own entries).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "../../engine/src/vector_clock.hpp"

namespace {

using gor::detail::Tid;
using gor::detail::VectorClock;
using Ref = std::map<Tid, uint32_t>;

void ref_join(Ref& a, const Ref& b) {
  for (const auto& [t, c] : b) a[t] = std::max(a[t], c);
}

void expect_same(const VectorClock& v, const Ref& r, Tid max_tid, const char* what) {
  for (Tid t = 0; t <= max_tid; ++t) {
    auto it = r.find(t);
    ASSERT_EQ(v.get(t), it == r.end() ? 0u : it->second) << what << " tid " << t;
  }
}

TEST(VectorClock, RandomJoinsSetsAndCopiesMatchAMap) {
  std::mt19937 rng(12345);
  constexpr int kClocks = 12;
  constexpr Tid kTids = 300;
  std::vector<VectorClock> v(kClocks);
  std::vector<Ref> r(kClocks);
  VectorClock scratch;
  for (int step = 0; step < 20000; ++step) {
    const int a = static_cast<int>(rng() % kClocks), b = static_cast<int>(rng() % kClocks);
    switch (rng() % 5) {
      case 0: {  // a goroutine's own tick (components only grow)
        const Tid t = static_cast<Tid>(rng() % kTids);
        const uint32_t c = r[a][t] + 1 + rng() % 3;
        v[a].set(t, c);
        r[a][t] = c;
        break;
      }
      case 1:
      case 2:
        if (a != b) {
          v[a].join(v[b], scratch);
          ref_join(r[a], r[b]);
        }
        break;
      case 3:  // a release: copy
        if (a != b) {
          v[a] = v[b];
          r[a] = r[b];
        }
        break;
      case 4:
        v[a].share();
        break;
    }
    if (step % 997 == 0) {
      for (int k = 0; k < kClocks; ++k) expect_same(v[k], r[k], kTids, "clock");
    }
  }
  for (int k = 0; k < kClocks; ++k) {
    expect_same(v[k], r[k], kTids, "clock");
    EXPECT_EQ(v[k].size(), r[k].size());
  }
}

TEST(VectorClock, ABigClockSpreadsBySharingItsBase) {
  // goroutines-are-cheap's shape: a WaitGroup hears from n goroutines, main acquires it, closes
  // a channel (a release) and each of the n receivers acquires that; then each signals another
  // WaitGroup. Each receiver must share main's base and keep only its own entries.
  constexpr Tid n = 10000;
  VectorClock scratch, wg, main_vc;
  main_vc.set(1, 5);
  std::vector<VectorClock> kids(n);
  for (Tid i = 0; i < n; ++i) {
    kids[i] = main_vc;  // `go`
    kids[i].set(i + 2, 1);
    wg.join(kids[i], scratch);  // done()
  }
  wg.share();  // the detector shares a sync clock before an acquire
  main_vc.join(wg, scratch);  // wait()
  EXPECT_EQ(main_vc.get(n + 1), 1u);
  VectorClock closed = main_vc;  // close(): release
  closed.share();
  VectorClock finished;
  for (Tid i = 0; i < n; ++i) {
    kids[i].join(closed, scratch);  // the receive that observes the close
    kids[i].set(i + 2, 2);
    EXPECT_LE(kids[i].delta_size(), 10u) << i;
    EXPECT_TRUE(kids[i].shares_base(closed)) << i;
    finished.join(kids[i], scratch);  // done()
  }
  main_vc.join(finished, scratch);
  for (Tid i = 0; i < n; ++i) ASSERT_EQ(main_vc.get(i + 2), 2u) << i;
  EXPECT_EQ(main_vc.size(), size_t{n} + 1);
}

}  // namespace
