// vector_clock.hpp — vector clocks for the race detector (race_detector.hpp).
//
// A goroutine gets a race id (Tid) when it is created, never reused within a run. A vector
// clock maps Tid -> logical time; it is stored sparse (sorted (tid, clock) pairs) because
// most goroutines only ever learn about a few others: a child copies its parent's clock, a
// receiver joins its sender's. An Epoch is one component, tid@clock: the time of one access.
//
// A clock is a shared immutable base plus a small private delta (entries newer than the base
// or missing from it). Knowledge spreads by whole clocks: a WaitGroup that heard from 10,000
// goroutines, a close that wakes 10,000 receivers. Joining such a clock into a small one
// adopts its base (a reference count) and keeps only the few own entries the base lacks; a
// release copies the base pointer and the delta; two clocks with the same base join by their
// deltas. Without the base, each of those receivers copied 10,000 entries (quadratic time and
// memory). A delta that grows past a fraction of its base is folded into a new base.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
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
  using Entries = std::vector<Entry>;

  // get() is the component of t (0 when absent).
  uint32_t get(Tid t) const noexcept {
    const uint32_t d = find(d_, t);
    return base_ ? std::max(d, find(base_->e, t)) : d;
  }
  // set() raises the component of t to c (components never decrease).
  void set(Tid t, uint32_t c) {
    auto it = lower(d_, t);
    if (it != d_.end() && it->first == t) {
      it->second = std::max(it->second, c);
    } else {
      d_.insert(it, Entry{t, c});
    }
  }
  // join() makes this the component-wise maximum of this and o. scratch is reused storage.
  void join(const VectorClock& o, VectorClock& scratch) {
    if (o.base_ == nullptr || o.base_ == base_ || descends(base_.get(), o.base_.get())) {
      // o's base is ours or one ours was folded from (or it has none): only its delta is news.
      merge_into(d_, o.d_, scratch.d_);
    } else if (base_ == nullptr || descends(o.base_.get(), base_.get())) {
      // o's base covers ours: adopt it, keeping the entries of our delta that it lacks.
      Entries& keep = scratch.d_;
      keep.clear();
      for (const Entry& x : d_)
        if (x.second > o.get(x.first)) keep.push_back(x);
      d_.swap(keep);
      base_ = o.base_;
      merge_into(d_, o.d_, scratch.d_);
    } else {
      // Unrelated bases: flatten both into a new one.
      Entries flat = flatten();
      Entries other = o.flatten();
      merge_into(flat, other, scratch.d_);
      rebase(std::move(flat));
      return;
    }
    compact();
  }
  // share() folds a delta of more than a few entries into the base (a small clock stays as it
  // is): the detector calls it on a sync clock before a goroutine acquires it, so that every
  // acquirer adopts the same base and copies only the few entries on top.
  void share() {
    if (d_.size() > 8 && (base_ != nullptr || d_.size() > 64)) rebase(flatten());
  }
  // covers() is whether epoch x happens before (or is) a point with this clock.
  bool covers(Epoch x) const noexcept { return x.clock <= get(x.tid); }
  void clear() noexcept {
    base_.reset();
    d_.clear();
  }
  void release_memory() {
    base_.reset();
    Entries().swap(d_);
  }
  // size() is the number of distinct components.
  size_t size() const { return flatten().size(); }
  // shares_base() is whether this and o share their base (tests).
  bool shares_base(const VectorClock& o) const noexcept { return base_ != nullptr && base_ == o.base_; }
  size_t delta_size() const noexcept { return d_.size(); }

 private:
  static Entries::const_iterator lower(const Entries& e, Tid t) noexcept {
    return std::lower_bound(e.begin(), e.end(), t, [](const Entry& x, Tid k) { return x.first < k; });
  }
  static Entries::iterator lower(Entries& e, Tid t) noexcept {
    return std::lower_bound(e.begin(), e.end(), t, [](const Entry& x, Tid k) { return x.first < k; });
  }
  static uint32_t find(const Entries& e, Tid t) noexcept {
    auto it = lower(e, t);
    return (it != e.end() && it->first == t) ? it->second : 0;
  }
  // Base is an immutable shared base. It knows the serial numbers of the last kMaxAncestors
  // bases it was folded from (each covered by it), so clocks still on an older base join it by
  // their deltas. Serials are never reused (a freed base's address may be).
  static constexpr size_t kMaxAncestors = 8;
  struct Base {
    Entries e;
    uint64_t serial = 0;
    std::array<uint64_t, kMaxAncestors> ancestors{};  // most recent first; 0: none
  };
  static uint64_t next_serial() noexcept {
    static std::atomic<uint64_t> serial{0};
    return serial.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  // descends() is whether b is a or was folded from it.
  static bool descends(const Base* b, const Base* a) noexcept {
    if (b == nullptr || a == nullptr) return false;
    if (b->serial == a->serial) return true;
    for (uint64_t s : b->ancestors)
      if (s == a->serial) return true;
    return false;
  }
  // rebase() makes flat (which covers the current base) the new base, with an empty delta.
  void rebase(Entries flat) {
    auto b = std::make_shared<Base>();
    b->e = std::move(flat);
    b->serial = next_serial();
    if (base_) {
      b->ancestors[0] = base_->serial;
      for (size_t i = 1; i < kMaxAncestors; ++i) b->ancestors[i] = base_->ancestors[i - 1];
    }
    base_ = std::move(b);
    d_.clear();
  }
  // merge_into() makes a the component-wise maximum of a and b (sorted entries).
  static void merge_into(Entries& a, const Entries& b, Entries& scratch) {
    if (b.empty()) return;
    if (b.size() * 16 < a.size()) {
      // A small clock into a big one: binary search each entry, insert the new ones in place
      // (new tids are usually the largest, so the inserts move little).
      for (const Entry& x : b) {
        auto it = lower(a, x.first);
        if (it != a.end() && it->first == x.first) {
          it->second = std::max(it->second, x.second);
        } else {
          a.insert(it, x);
        }
      }
      return;
    }
    Entries& out = scratch;
    out.clear();
    out.reserve(a.size() + b.size());
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && a[i].first < b[j].first)) {
        out.push_back(a[i++]);
      } else if (i == a.size() || b[j].first < a[i].first) {
        out.push_back(b[j++]);
      } else {
        out.emplace_back(a[i].first, std::max(a[i].second, b[j].second));
        ++i;
        ++j;
      }
    }
    a.swap(out);
  }
  Entries flatten() const {
    if (!base_) return d_;
    Entries out, scratch;
    out = base_->e;
    merge_into(out, d_, scratch);
    return out;
  }
  // compact() folds a delta that outgrew its base into a new base (a big clock with no base
  // becomes one, so that copies of it share it).
  void compact() {
    const size_t b = base_ ? base_->e.size() : 0;
    if (d_.size() <= 64 + b / 8) return;
    rebase(flatten());
  }

  std::shared_ptr<const Base> base_;  // immutable once made
  Entries d_;                            // sorted by tid; entries above (or missing from) the base
};

}  // namespace gor::detail
