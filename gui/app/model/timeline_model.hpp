// timeline_model.hpp — a run's events as timeline lanes: run slices per P, markers, wake-ups.
//
// Plain C++ (no Qt, no QObject), shared by the desktop app's timeline, the exports and
// goroscope-cli's --timeline. Everything lives in flat sorted arrays (one per lane, no
// allocation per event beyond amortised vector growth), built incrementally from events in
// timestamp order; queries for the visible range use binary search, and level_of_detail()
// merges slices thinner than a pixel so a frame's cost follows the pixels, not the run.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gor/trace.hpp>

#include "model/event_prefix.hpp"

#include "model/goroutine_slots.hpp"
#include "model/timeline_story.hpp"

namespace goroscope::gui {

class PageWarmer;

// kOpenEnd is the end of a slice whose goroutine is still running (drawn up to end_ns()).
inline constexpr int64_t kOpenEnd = std::numeric_limits<int64_t>::max();

// RunSpan is one run slice on a P: goroutine g ran from start to end (kOpenEnd: still running).
struct RunSpan {
  int64_t start = 0;
  int64_t end = kOpenEnd;
  uint64_t g = 0;
};

// MarkerKind is what a timeline marker shows.
enum class MarkerKind : uint8_t { Steal, Handoff, Preempt, MutexStarving, MutexNormal, Panic, Deadlock,
                                  PartialDeadlock, Race, Count_ };

// marker_kind_name() is a short lower-case name ("steal", "handoff", ...).
const char* marker_kind_name(MarkerKind k);

// Marker is one point event on a lane (or on the run, see TimelineModel::run_markers()).
struct Marker {
  int64_t ts = 0;
  uint64_t g = 0;
  uint64_t a0 = 0, a1 = 0;  // as in the event (Steal: victim P, count taken)
  MarkerKind kind = MarkerKind::Steal;
};

// Wake is one GoUnblock: `readier` (0: scheduler/timer) made `g` runnable at ts, on P `p`.
struct Wake {
  int64_t ts = 0;
  uint64_t g = 0;
  uint64_t readier = 0;
  int p = -1;
};

// BlockSpan is a time a goroutine spent blocked (GoBlock -> GoUnblock) or in a syscall.
struct BlockSpan {
  int64_t start = 0;
  int64_t end = kOpenEnd;
  uint64_t g = 0;
  uint32_t reason = 0;  // gor::WaitReason, or kSyscallReason
  uint64_t object = 0;  // the object waited on (GoBlock's a1; 0: none or not known)
};
inline constexpr uint32_t kSyscallReason = 0xffff;
// kRunnableReason marks a waits_of() interval in which the goroutine was runnable (queued).
inline constexpr uint32_t kRunnableReason = 0xfffe;

// DrawSpan is what level_of_detail() returns: one slice, or a block of `count` merged slices
// covering [start, end] shown as its longest slice (g, longest_start, longest_end).
struct DrawSpan {
  int64_t start = 0, end = 0;
  uint64_t g = 0;
  uint32_t count = 1;
  int64_t longest_start = 0, longest_end = 0;
};

// SpanRef names one slice: lane and index in spans(lane).
struct SpanRef {
  uint32_t lane = 0;
  uint32_t index = 0;
};

// RangeStats summarises [t0, t1): per-P utilisation (0..1), goroutines and slices run,
// steals, wake-ups, and blocked time by reason (ns, largest first).
struct RangeStats {
  int64_t t0 = 0, t1 = 0;
  std::vector<double> utilisation;
  size_t goroutines_run = 0;
  size_t slices = 0;
  size_t steals = 0;
  size_t stolen = 0;
  size_t wakes = 0;
  std::vector<std::pair<std::string, int64_t>> blocked;
};

// TimelineModel holds the lanes of one run. Not thread-safe; cheap to build again.
class TimelineModel {
 public:
  // clear() forgets everything.
  void clear();
  // append() takes events in timestamp order (after every event appended before).
  void append(const gor::Event* events, size_t count);
  // sync() brings the model up to date with `events` (sorted by ts, as TraceStore keeps
  // them): it appends those with ts <= upto not taken yet. If the events it already took
  // changed (a late batch merged in before them), it rebuilds from scratch, so the model
  // always equals one built from events[0 .. upper_bound(upto)). It takes at most
  // `max_events` (the views spread a big catch-up over frames); the rest waits for next time.
  void sync(const std::vector<gor::Event>& events, int64_t upto, size_t max_events = SIZE_MAX);
  // events_taken() is how many events the model was built from.
  size_t events_taken() const { return prefix_.taken; }

  int lane_count() const { return static_cast<int>(lanes_.size()); }
  // ensure_lanes() gives the model at least `procs` lanes (at most 4096): a P that never ran a
  // goroutine still has its lane, as GOMAXPROCS says (exports of recorded traces).
  void ensure_lanes(int procs);
  // spans() are lane's slices, sorted by start, never overlapping.
  const std::vector<RunSpan>& spans(int lane) const { return lanes_[static_cast<size_t>(lane)].spans; }
  // markers() are lane's markers of kind k sorted by ts (one array per kind, so a painter can
  // skip a pixel's worth of them by binary search); run_markers() those of no P (panic, ...).
  const std::vector<Marker>& markers(int lane, MarkerKind k) const {
    return lanes_[static_cast<size_t>(lane)].markers[static_cast<size_t>(k)];
  }
  const std::vector<Marker>& run_markers() const { return run_markers_; }
  // stolen_by() are the goroutines that steal marker `index` of `lane` (the thief P) moved, in
  // the order the engine named them (its StealMove events); empty for a trace recorded before
  // the engine named them, or for an index out of range.
  std::span<const uint64_t> stolen_by(int lane, size_t index) const;
  // wakes() are all GoUnblock events, sorted by ts.
  const std::vector<Wake>& wakes() const { return wakes_; }
  // wakes_of() are the indices in wakes() where g was readied or was the readier, in ts order.
  const std::vector<uint32_t>& wakes_of(uint64_t g) const;
  const std::vector<BlockSpan>& blocks() const { return blocks_; }
  // spans_of() are goroutine g's slices in start order (empty if it never ran).
  const std::vector<SpanRef>& spans_of(uint64_t g) const;
  // waits_of() appends to `out`, in time order, goroutine g's intervals off a P that overlap
  // [t0, t1]: blocked (reason as in blocks(), from its block to its wake-up) and runnable
  // (kRunnableReason: from its creation, wake-up, yield or preemption until it next runs, or
  // until the run's end if it never ran again). None after it ended, nor after a syscall (the
  // goroutine may go on running without a new slice). Costs O(log n + what it appends).
  void waits_of(uint64_t g, int64_t t0, int64_t t1, std::vector<BlockSpan>& out) const;
  // end_ns() is the latest timestamp taken (0 when empty); open slices end there.
  int64_t end_ns() const { return end_ns_; }
  // span_end() is s's end, with a running slice ending at end_ns().
  int64_t span_end(const RunSpan& s) const { return s.end == kOpenEnd ? end_ns_ : s.end; }

  // visible() is the index range [first, last) of lane's slices overlapping [t0, t1).
  std::pair<size_t, size_t> visible(int lane, int64_t t0, int64_t t1) const;
  // level_of_detail() appends to `out` lane's slices overlapping [t0, t1) as drawn at
  // ns_per_px: a slice at least min_px wide stays itself; runs of thinner neighbouring slices
  // (gaps under min_px) merge into one DrawSpan, under 3 min_px wide, that counts them and
  // shows the longest. Every slice in the range is counted exactly once. Dense runs (16 or
  // more thin slices within 2 min_px) are skipped by binary search and longest_in(), so a
  // frame costs about O(pixels * log) however many slices are visible.
  void level_of_detail(int lane, int64_t t0, int64_t t1, double ns_per_px, std::vector<DrawSpan>& out,
                       double min_px = 1.0) const;
  // longest_in() is the index of lane's longest slice in [first, last) (first < last), in
  // O(64 + (last - first) / 64) with a per-64-slices cache of closed slices.
  size_t longest_in(int lane, size_t first, size_t last) const;
  // span_at() is the index of lane's slice nearest t within `tolerance` ns, or -1.
  long span_at(int lane, int64_t t, int64_t tolerance) const;
  // next_span_after() is g's first slice starting at or after t (nullptr if none).
  const SpanRef* next_span_after(uint64_t g, int64_t t) const;
  // wake_chain() answers "why did g run only then?": the last wake-up of g at or before t, then
  // the last wake-up of its readier before that, and so on, newest first; it ends at a wake by
  // the scheduler or a timer (readier 0), a goroutine never woken, after `max` links, or at a
  // cycle.
  std::vector<Wake> wake_chain(uint64_t g, int64_t t, size_t max = 8) const;
  // times_woken() is how many wake-ups g had at or before t (as the woken one).
  size_t times_woken(uint64_t g, int64_t t) const;
  // blocks_of() are the indices in blocks() of g's blocked times (syscalls included), in order.
  const std::vector<uint32_t>& blocks_of(uint64_t g) const;
  // goroutine_ids() are the first `max` goroutines the model has seen (created, run or named
  // as a readier), ascending (ids far beyond the rest last); goroutine_count() how many.
  std::vector<uint64_t> goroutine_ids(size_t max = SIZE_MAX) const;
  size_t goroutine_count() const { return tracks_.size(); }
  // run_ns() is the total time of all closed run slices; blocked_ns() that of all closed
  // blocked times (syscalls included): together they say whether a run mostly computes or
  // mostly waits.
  int64_t run_ns() const { return run_ns_; }
  int64_t blocked_ns() const { return blocked_ns_; }
  // story() is what the run's timeline shows beyond slices: mutex holds, threads, cancellations.
  const TimelineStory& story() const { return story_; }
  // stats() summarises [t0, t1).
  RangeStats stats(int64_t t0, int64_t t1) const;

 private:
  struct Lane {
    std::vector<RunSpan> spans;
    std::array<std::vector<Marker>, static_cast<size_t>(MarkerKind::Count_)> markers;
    long open = -1;  // index of the running slice (always the last one), or -1
    std::vector<uint64_t> moved;       // goroutines moved to this P by its steals, in order
    std::vector<uint32_t> moved_from;  // per steal marker: its first index in `moved`
    mutable std::vector<uint32_t> longest64;  // per full chunk of 64 closed slices: its longest
  };
  Lane& lane(int p);
  void take(const gor::Event& e);
  void close_run(uint64_t g, int64_t ts);
  void add_marker(int p, MarkerKind k, const gor::Event& e);

  std::vector<Lane> lanes_;
  std::vector<Marker> run_markers_;
  std::vector<Wake> wakes_;
  std::vector<BlockSpan> blocks_;
  // Track is what the model keeps per goroutine.
  struct Track {
    static constexpr size_t kNone = ~size_t{0};
    std::vector<SpanRef> spans;    // its slices, in start order
    std::vector<uint32_t> wakes;   // indices into wakes_ (readied or readier)
    std::vector<uint32_t> blocks;  // indices into blocks_
    int64_t created = -1;          // its GoCreate's ts (-1: none seen)
    int64_t ended = -1;            // its GoEnd's ts (-1: none seen)
    SpanRef running{};             // its open slice, when is_running
    bool is_running = false;
    size_t blocked = kNone;        // its open BlockSpan, or kNone
  };
  GoroutineSlots<Track> tracks_;
  TimelineStory story_;
  std::shared_ptr<PageWarmer> warmer_;  // commits the big arrays' pages ahead (made on first need)
  int64_t end_ns_ = 0;
  int64_t run_ns_ = 0, blocked_ns_ = 0;
  TakenPrefix prefix_;  // the store events taken so far
};

// wait_reason_name() is the text for a BlockSpan reason ("chan receive", "syscall", ...).
std::string wait_reason_name(uint32_t reason);

}  // namespace goroscope::gui
