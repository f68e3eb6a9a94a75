// sync_map_test.cpp — gor::SyncMap: the intent of Go's sync/map_test.go.
#include <atomic>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "sync_test_util.hpp"

using gortest::ProcsTest;
using gortest::run_ok;

static_assert(!std::is_copy_constructible_v<gor::SyncMap<int, int>>);

TEST(SyncMap, SingleGoroutineSemantics) {
  run_ok(1, [] {
    gor::SyncMap<std::string, int> m;
    EXPECT_FALSE(m.load("a").has_value());
    m.store("a", 1);
    EXPECT_EQ(m.load("a"), 1);
    m.store("a", 2);
    EXPECT_EQ(m.load("a"), 2);
    auto [v, loaded] = m.load_or_store("a", 3);
    EXPECT_TRUE(loaded);
    EXPECT_EQ(v, 2);
    auto [w, loaded2] = m.load_or_store("b", 4);
    EXPECT_FALSE(loaded2);
    EXPECT_EQ(w, 4);
    EXPECT_TRUE(m.erase("a"));
    EXPECT_FALSE(m.erase("a"));
    EXPECT_FALSE(m.load("a").has_value());
    auto [x, loaded3] = m.load_or_store("a", 5);  // revive a deleted key
    EXPECT_FALSE(loaded3);
    EXPECT_EQ(x, 5);
    for (int i = 0; i < 100; ++i) m.store("k" + std::to_string(i), i);
    // Many loads promote the dirty map; values stay right across promotions.
    for (int round = 0; round < 3; ++round)
      for (int i = 0; i < 100; ++i) EXPECT_EQ(m.load("k" + std::to_string(i)), i);
    for (int i = 0; i < 100; i += 2) m.erase("k" + std::to_string(i));
    m.store("late", 7);  // forces a new dirty map: deleted entries get expunged
    m.store("k0", 1000);  // revive an expunged key
    std::map<std::string, int> seen;
    m.range([&](const std::string& k, const int& val) {
      seen[k] = val;
      return true;
    });
    EXPECT_EQ(seen.size(), 2u + 1u + 50u + 1u);  // a, b, k0, the odd ks, late
    EXPECT_EQ(seen["k0"], 1000);
    EXPECT_EQ(seen["late"], 7);
    EXPECT_EQ(seen.count("k2"), 0u);
    int visited = 0;
    m.range([&](const std::string&, const int&) { return ++visited < 3; });
    EXPECT_EQ(visited, 3);
    EXPECT_EQ(m.load_and_delete("late"), 7);
  });
}

class SyncMapTest : public ProcsTest {};
GOR_INSTANTIATE_PROCS(SyncMapTest);

TEST_P(SyncMapTest, ConcurrentDisjointWriters) {
  std::atomic<int> wrong{0};
  run_ok(GetParam(), [&] {
    gor::SyncMap<int, int> m;
    constexpr int kG = 8, kKeys = 200;
    gor::WaitGroup wg;
    wg.add(kG);
    for (int g = 0; g < kG; ++g) {
      gor::go([&, g] {
        for (int i = 0; i < kKeys; ++i) m.store(g * kKeys + i, i);
        for (int round = 0; round < 3; ++round) {
          for (int i = 0; i < kKeys; ++i) {
            if (m.load(g * kKeys + i) != i + round * 1000) wrong.fetch_add(1);
            m.store(g * kKeys + i, i + (round + 1) * 1000);
          }
          if (round == 1) gor::yield();
        }
        for (int i = 0; i < kKeys; i += 2) m.erase(g * kKeys + i);
        wg.done();
      });
    }
    wg.wait();
    int count = 0;
    m.range([&](const int& k, const int& v) {
      ++count;
      if ((k % kKeys) % 2 == 0 || v != k % kKeys + 3000) wrong.fetch_add(1);
      return true;
    });
    EXPECT_EQ(count, kG * kKeys / 2);
  });
  EXPECT_EQ(wrong.load(), 0);
}

// Racing load_or_store on the same new keys: exactly one caller stores each, and all
// callers get the stored value.
TEST_P(SyncMapTest, LoadOrStoreRaceExactlyOneStores) {
  std::atomic<int> stores{0}, wrong{0};
  constexpr int kKeys = 50, kG = 8;
  run_ok(GetParam(), [&] {
    gor::SyncMap<int, int> m;
    std::vector<std::vector<int>> got(kG, std::vector<int>(kKeys, -1));  // got[g][k]: g's result
    gor::WaitGroup wg;
    wg.add(kG);
    for (int g = 0; g < kG; ++g) {
      gor::go([&, g] {
        for (int k = 0; k < kKeys; ++k) {
          auto [v, loaded] = m.load_or_store(k, g);
          got[g][k] = v;
          if (!loaded) {
            stores.fetch_add(1);
            if (v != g) wrong.fetch_add(1);
          }
          if (k % 7 == g % 7) gor::yield();
        }
        wg.done();
      });
    }
    wg.wait();
    for (int k = 0; k < kKeys; ++k) {
      auto v = m.load(k);
      if (!v) {
        wrong.fetch_add(1);
        continue;
      }
      for (int g = 0; g < kG; ++g)
        if (got[g][k] != *v) wrong.fetch_add(1);  // every caller got the stored value
      auto [again, loaded] = m.load_or_store(k, -5);
      if (!loaded || again != *v) wrong.fetch_add(1);
    }
  });
  EXPECT_EQ(stores.load(), kKeys);
  EXPECT_EQ(wrong.load(), 0);
}
