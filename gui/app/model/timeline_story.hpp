// timeline_story.hpp — what a run's timeline needs beyond run slices to tell a sample's story:
// who held which mutex when, what each OS thread (M) did (the Ps it ran goroutines for and
// the blocking syscalls it sat in), and where contexts were cancelled.
//
// Plain C++ (no Qt), fed by TimelineModel with every event it takes, in timestamp order; every
// array is sorted by start time, so a painter finds the visible range by binary search.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <gor/trace.hpp>

#include "model/goroutine_slots.hpp"

namespace goroscope::gui {

// HoldSpan is a time goroutine g held mutex `object` (MutexAcquire -> MutexRelease; end is
// INT64_MAX while it still holds it).
struct HoldSpan {
  int64_t start = 0;
  int64_t end = INT64_MAX;
  uint64_t g = 0;
  uint64_t object = 0;
};

// ThreadSpan is a stretch of one M: holding P `p` to run goroutines (g: the first it ran; the
// stretch lasts while the M keeps the P, from goroutine to goroutine, until it parks, lets the
// P go or enters a syscall), or sitting in a blocking syscall for goroutine g, holding no P
// (p == -1). end is INT64_MAX while it lasts. One span per stretch, not per run slice, so a
// long run costs what its threads did, not what its goroutines did.
struct ThreadSpan {
  int64_t start = 0;
  int64_t end = INT64_MAX;
  uint64_t g = 0;
  int p = -1;
};

// CancelMark is one cancellation of a context tree: the root context cancelled at ts by
// goroutine g (0: its deadline timer), with `nodes` contexts cancelled with it (the root and
// every descendant the cancellation reached), `deadline` when the error is DeadlineExceeded.
struct CancelMark {
  int64_t ts = 0;
  uint64_t g = 0;
  uint64_t done = 0;  // the root's done() channel id
  uint32_t nodes = 1;
  bool deadline = false;
};

// TimelineStory keeps HoldSpans, ThreadSpans and CancelMarks of one run. Not thread-safe.
class TimelineStory {
 public:
  // clear() forgets everything.
  void clear();
  // take() follows one event (after every event taken before it in ts order).
  void take(const gor::Event& e);

  // holds() are every mutex hold, sorted by start; holds_of() are g's, as indices into holds().
  const std::vector<HoldSpan>& holds() const { return holds_; }
  const std::vector<uint32_t>& holds_of(uint64_t g) const;
  // thread_count() is 1 + the highest M id seen (0: none); thread() is M m's spans by start.
  int thread_count() const { return static_cast<int>(threads_.size()); }
  const std::vector<ThreadSpan>& thread(int m) const { return threads_[static_cast<size_t>(m)]; }
  // syscalls() counts the blocking syscalls entered so far.
  size_t syscalls() const { return syscalls_; }
  // max_threads_busy() is the most Ms at once that ran a goroutine or sat in a syscall
  // (counting a syscall's M and the M that took over its P: threads beyond the Ps).
  int max_threads_busy() const { return max_busy_; }
  // cancels() are the context cancellations, one per cancelled tree, sorted by ts.
  const std::vector<CancelMark>& cancels() const { return cancels_; }
  // object_name() is the string id of watched object `object`'s name (ObjectCreate; 0: none).
  uint64_t object_name(uint64_t object) const;

 private:
  void open_thread(int m, const ThreadSpan& s);
  void close_thread(int m, int64_t ts);
  // close_holding() ends M m's stretch on a P where its last goroutine stopped (or at ts if one
  // still runs): the M let the P go or parked.
  void close_holding(int m, int64_t ts);

  std::vector<HoldSpan> holds_;
  GoroutineSlots<std::vector<uint32_t>> holds_by_g_;
  std::unordered_map<uint64_t, uint32_t> open_hold_;   // mutex id -> its open hold
  std::vector<std::vector<ThreadSpan>> threads_;
  std::vector<int> thread_open_;                        // per M: its open ThreadSpan index, or -1
  std::vector<int64_t> thread_stopped_;                 // per M: when its last goroutine stopped (-1: one runs)
  std::unordered_map<uint64_t, int> in_syscall_;        // goroutine -> the M it sits in a syscall on
  size_t syscalls_ = 0;
  int busy_ = 0, max_busy_ = 0;
  std::vector<CancelMark> cancels_;
  std::unordered_map<uint64_t, uint32_t> cancel_root_;  // done() channel id -> its tree's CancelMark
  std::unordered_map<uint64_t, uint64_t> names_;        // object id -> name string id
};

}  // namespace goroscope::gui
