// timer_heap.hpp — a P's timers ordered by when: a 4-ary min-heap (as Go's runtime uses).
//
// Each slot holds the timer's `when` next to its node, so sifting compares slots in the
// heap's own array (four children share one cache line) instead of dereferencing a node per
// comparison; a 100,000-timer heap is 9 levels deep instead of 17. Nodes still learn their
// slot (TimerNode::heap_index) so a stop or reset removes them in O(log n).
// Not synchronised: the owner P's timers_lock protects it, and a node's `when` may change
// only while the node is out of every heap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gor/detail/timer.hpp"

namespace gor::detail {

class TimerHeap {
 public:
  struct Slot {
    int64_t when;
    TimerNode* node;
  };

  bool empty() const noexcept { return slots_.empty(); }
  size_t size() const noexcept { return slots_.size(); }
  // top() is the earliest timer; top_when() its when (INT64_MAX when empty).
  TimerNode* top() const noexcept { return slots_.front().node; }
  int64_t top_when() const noexcept { return slots_.empty() ? INT64_MAX : slots_.front().when; }

  // push() adds t, keyed by t->when.
  void push(TimerNode* t) {
    slots_.push_back(Slot{t->when, t});
    sift_up(slots_.size() - 1);
  }
  // remove() takes out the node in slot i (its heap_index) and sets its heap_index to -1.
  void remove(size_t i) noexcept {
    slots_[i].node->heap_index = -1;
    const Slot last = slots_.back();
    slots_.pop_back();
    if (i == slots_.size()) return;
    place(i, last);
    sift_down(i);
    sift_up(static_cast<size_t>(last.node->heap_index));
  }
  // take_all() empties the heap and returns its nodes (in heap order), heap_index untouched.
  std::vector<TimerNode*> take_all() {
    std::vector<TimerNode*> out;
    out.reserve(slots_.size());
    for (const Slot& s : slots_) out.push_back(s.node);
    slots_.clear();
    return out;
  }
  // for_each() calls f(const TimerNode*) for every timer, in heap order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) f(static_cast<const TimerNode*>(s.node));
  }

 private:
  static constexpr size_t kArity = 4;

  void place(size_t i, const Slot& s) noexcept {
    slots_[i] = s;
    s.node->heap_index = static_cast<int32_t>(i);
  }
  void sift_up(size_t i) noexcept {
    const Slot s = slots_[i];
    while (i > 0) {
      size_t parent = (i - 1) / kArity;
      if (s.when >= slots_[parent].when) break;
      place(i, slots_[parent]);
      i = parent;
    }
    place(i, s);
  }
  void sift_down(size_t i) noexcept {
    const Slot s = slots_[i];
    const size_t n = slots_.size();
    for (;;) {
      size_t first = kArity * i + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = first + kArity < n ? first + kArity : n;
      for (size_t c = first + 1; c < end; ++c) {
        if (slots_[c].when < slots_[best].when) best = c;
      }
      if (slots_[best].when >= s.when) break;
      place(i, slots_[best]);
      i = best;
    }
    place(i, s);
  }

  std::vector<Slot> slots_;
};

}  // namespace gor::detail
