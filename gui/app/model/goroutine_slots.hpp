// goroutine_slots.hpp — per-goroutine state looked up by goroutine id without hashing.
//
// The engine numbers goroutines 1, 2, 3, ..., so a run's ids are dense. The models that follow
// every event (TraceStore, TimelineModel, ChartData) keep what they know about each goroutine
// in a flat array indexed by id: a busy run does millions of these lookups per second on the
// UI thread, and a hash map there cost a hash, a cache miss and, for state that comes and goes
// (running, blocked, queued), a node allocation and a free per event. Ids far beyond the ones
// seen so far (a foreign or damaged trace) go to a hash map instead, so no id can make the
// array huge, and any id works.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace goroscope::gui {

// GoroutineSlots<T> maps goroutine ids to a T each. Not thread-safe. References returned by
// at() and find() stay valid only until the next at() of an id not seen before.
template <class T>
class GoroutineSlots {
 public:
  // at() is g's T, value-initialised the first time g is named.
  T& at(uint64_t g) {
    if (g < dense_.size() && present_[g]) return dense_[g];
    if (!sparse_.empty()) {
      auto it = sparse_.find(g);
      if (it != sparse_.end()) return it->second;
    }
    ++count_;
    // Dense while ids stay within a small multiple of how many there are (the engine's case).
    if (g < kDenseSlack + 2 * count_) {
      if (g >= dense_.size()) {
        const size_t n = std::max<size_t>(static_cast<size_t>(g) + 1, 2 * dense_.size());
        dense_.resize(n);
        present_.resize(n, 0);
      }
      present_[g] = 1;
      return dense_[g];
    }
    return sparse_[g];
  }
  // find() is g's T, or nullptr if at(g) was never called.
  T* find(uint64_t g) {
    if (g < dense_.size() && present_[g]) return &dense_[g];
    if (sparse_.empty()) return nullptr;
    auto it = sparse_.find(g);
    return it == sparse_.end() ? nullptr : &it->second;
  }
  const T* find(uint64_t g) const { return const_cast<GoroutineSlots*>(this)->find(g); }
  // contains() says whether at(g) was ever called.
  bool contains(uint64_t g) const { return find(g) != nullptr; }
  // size() is how many ids were named.
  size_t size() const { return count_; }
  // for_each() calls f(id, T&) for every id named: dense ids ascending, then the others.
  template <class F>
  void for_each(F&& f) {
    for (size_t g = 0; g < dense_.size(); ++g)
      if (present_[g]) f(static_cast<uint64_t>(g), dense_[g]);
    for (auto& [g, t] : sparse_) f(g, t);
  }
  template <class F>
  void for_each(F&& f) const {
    for (size_t g = 0; g < dense_.size(); ++g)
      if (present_[g]) f(static_cast<uint64_t>(g), dense_[g]);
    for (const auto& [g, t] : sparse_) f(g, t);
  }
  // clear() forgets every id and frees the memory.
  void clear() {
    dense_ = {};
    present_ = {};
    sparse_ = {};
    count_ = 0;
  }

 private:
  static constexpr size_t kDenseSlack = 4096;
  std::vector<T> dense_;
  std::vector<uint8_t> present_;
  std::unordered_map<uint64_t, T> sparse_;
  size_t count_ = 0;
};

}  // namespace goroscope::gui
