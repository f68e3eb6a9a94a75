// vector_clock.hpp — vector clocks for the race detector (race_detector.hpp).
//
// A goroutine gets a race id (Tid) when it is created, never reused within a run. A vector
// clock maps Tid -> logical time; it is stored sparse (sorted (tid, clock) pairs) because
// most goroutines only ever learn about a few others: a child copies its parent's clock, a
// receiver joins its sender's. An Epoch is one component, tid@clock: the time of one access.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace gor::detail {

using Tid = uint32_t;

struct Epoch {
  Tid tid = 0;
  uint32_t clock = 0;
};

class VectorClock {
 public:
  using Entry = std::pair<Tid, uint32_t>;

  // get() is the component of t (0 when absent).
  uint32_t get(Tid t) const noexcept {
    auto it = std::lower_bound(e_.begin(), e_.end(), t, [](const Entry& x, Tid k) { return x.first < k; });
    return (it != e_.end() && it->first == t) ? it->second : 0;
  }
  // set() makes the component of t equal c.
  void set(Tid t, uint32_t c) {
    auto it = std::lower_bound(e_.begin(), e_.end(), t, [](const Entry& x, Tid k) { return x.first < k; });
    if (it != e_.end() && it->first == t) {
      it->second = c;
    } else {
      e_.insert(it, Entry{t, c});
    }
  }
  // join() makes this the component-wise maximum of this and o. scratch is reused storage.
  void join(const VectorClock& o, VectorClock& scratch) {
    if (o.e_.empty()) return;
    if (o.e_.size() * 16 < e_.size()) {
      // A small clock into a big one (a goroutine's done() into a WaitGroup that has heard from
      // thousands): binary search each entry, insert the new ones in place. New tids are
      // usually the largest, so the inserts move little. A full merge here made spawning n
      // goroutines that each signal one WaitGroup quadratic.
      for (const Entry& x : o.e_) {
        auto it = std::lower_bound(e_.begin(), e_.end(), x.first, [](const Entry& y, Tid k) { return y.first < k; });
        if (it != e_.end() && it->first == x.first) {
          it->second = std::max(it->second, x.second);
        } else {
          e_.insert(it, x);
        }
      }
      return;
    }
    // Fast path: every tid of o is already here (the common steady state): in place.
    size_t i = 0;
    bool subset = true;
    for (const Entry& x : o.e_) {
      while (i < e_.size() && e_[i].first < x.first) ++i;
      if (i == e_.size() || e_[i].first != x.first) {
        subset = false;
        break;
      }
      ++i;
    }
    if (subset) {
      i = 0;
      for (const Entry& x : o.e_) {
        while (e_[i].first < x.first) ++i;
        e_[i].second = std::max(e_[i].second, x.second);
        ++i;
      }
      return;
    }
    std::vector<Entry>& out = scratch.e_;
    out.clear();
    out.reserve(e_.size() + o.e_.size());
    size_t a = 0, b = 0;
    while (a < e_.size() || b < o.e_.size()) {
      if (b == o.e_.size() || (a < e_.size() && e_[a].first < o.e_[b].first)) {
        out.push_back(e_[a++]);
      } else if (a == e_.size() || o.e_[b].first < e_[a].first) {
        out.push_back(o.e_[b++]);
      } else {
        out.emplace_back(e_[a].first, std::max(e_[a].second, o.e_[b].second));
        ++a;
        ++b;
      }
    }
    e_.swap(out);
  }
  // covers() is whether epoch x happens before (or is) a point with this clock.
  bool covers(Epoch x) const noexcept { return x.clock <= get(x.tid); }
  void clear() noexcept { e_.clear(); }
  void release_memory() { std::vector<Entry>().swap(e_); }
  size_t size() const noexcept { return e_.size(); }
  const std::vector<Entry>& entries() const noexcept { return e_; }

 private:
  std::vector<Entry> e_;
};

}  // namespace gor::detail
