// timer_heap_test.cpp — the per-P timer heap (engine/src/timer_heap.hpp, internal): earliest
// first, removal from any slot, and every node knowing its slot, against a reference model.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <set>
#include <vector>

#include "../../engine/src/timer_heap.hpp"

using gor::detail::TimerHeap;
using gor::detail::TimerNode;

namespace {

// check() asserts that every node in the heap knows its slot and that the top is the earliest.
void check(const TimerHeap& h, const std::multiset<int64_t>& model) {
  ASSERT_EQ(h.size(), model.size());
  EXPECT_EQ(h.top_when(), model.empty() ? INT64_MAX : *model.begin());
  std::vector<const TimerNode*> nodes;
  h.for_each([&](const TimerNode* t) { nodes.push_back(t); });
  for (size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(nodes[i]->heap_index, static_cast<int32_t>(i));
}

}  // namespace

TEST(TimerHeap, PopsInOrderOfWhenWithTies) {
  std::deque<TimerNode> nodes(1000);
  std::mt19937_64 rng(3);
  TimerHeap h;
  std::multiset<int64_t> model;
  for (TimerNode& t : nodes) {
    t.when = static_cast<int64_t>(rng() % 200);  // many equal whens
    h.push(&t);
    model.insert(t.when);
  }
  check(h, model);
  int64_t last = INT64_MIN;
  while (!h.empty()) {
    TimerNode* t = h.top();
    EXPECT_GE(t->when, last);
    last = t->when;
    h.remove(0);
    EXPECT_EQ(t->heap_index, -1);
    model.erase(model.find(t->when));
  }
  check(h, model);
}

TEST(TimerHeap, RemovesFromAnySlotAndKeepsIndexes) {
  std::deque<TimerNode> nodes(4000);
  std::vector<TimerNode*> in_heap;
  std::mt19937_64 rng(5);
  TimerHeap h;
  std::multiset<int64_t> model;
  size_t next = 0;
  for (int step = 0; step < 12000; ++step) {
    if (next == nodes.size() && in_heap.empty()) break;
    const bool add = next < nodes.size() && (in_heap.empty() || rng() % 3 != 0);
    if (add) {
      TimerNode* t = &nodes[next++];
      t->when = static_cast<int64_t>(rng() % 100000);
      h.push(t);
      in_heap.push_back(t);
      model.insert(t->when);
    } else {
      // Stop a random timer, as timer_stop() does through its heap_index.
      size_t k = rng() % in_heap.size();
      TimerNode* t = in_heap[k];
      in_heap[k] = in_heap.back();
      in_heap.pop_back();
      ASSERT_GE(t->heap_index, 0);
      h.remove(static_cast<size_t>(t->heap_index));
      EXPECT_EQ(t->heap_index, -1);
      model.erase(model.find(t->when));
    }
    if (step % 997 == 0) check(h, model);
  }
  check(h, model);
  std::vector<TimerNode*> all = h.take_all();
  EXPECT_EQ(all.size(), model.size());
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.top_when(), INT64_MAX);
}
