// chart_data.hpp — the run's counters over time for the Charts tab: goroutines alive, runnable,
// channel buffer levels, as step series that the charts sample for the visible range.
//
// Plain C++ (no Qt). Built incrementally from events in timestamp order like TimelineModel
// (sync() has the same contract). A series keeps at most one point per kResolutionNs (the
// last value, with the bucket's minimum and maximum), so 10 million events stay a few MB.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gor/trace.hpp>

#include "model/event_prefix.hpp"
#include "model/goroutine_slots.hpp"

namespace goroscope::gui {

// StepPoint is a series' value from ts on (lo and hi: the extremes it took within its bucket).
struct StepPoint {
  int64_t ts = 0;
  int32_t value = 0, lo = 0, hi = 0;
};

// StepSeries is a value over time. set() calls come in time order.
class StepSeries {
 public:
  static constexpr int64_t kResolutionNs = 1000;
  void clear() {
    points_.clear();
    blocks_.clear();
  }
  void set(int64_t ts, int32_t value);
  const std::vector<StepPoint>& points() const { return points_; }
  // value_at() is the value at ts (0 before the first point).
  int32_t value_at(int64_t ts) const;
  // sample() appends to `out` up to 2 points per bucket for `buckets` equal buckets over
  // [t0, t1): (bucket start, lowest) and (bucket start, highest) value in it, in ns. A bucket
  // reads whole blocks of kBlock points from their summaries, so the cost follows the buckets,
  // not the millions of points a busy run's whole range holds.
  void sample(int64_t t0, int64_t t1, int buckets, std::vector<std::pair<double, double>>& out) const;

 private:
  static constexpr size_t kBlock = 64;
  struct Extremes {
    int32_t lo, hi;
  };
  std::vector<StepPoint> points_;
  // blocks_[b] are the lowest and highest value of points_[b * kBlock, (b + 1) * kBlock), for
  // every block followed by a later point (set() changes only the last point).
  std::vector<Extremes> blocks_;
};

// ChannelSeries is one channel's buffer level over time (from ChanSend/ChanRecv).
struct ChannelSeries {
  uint64_t id = 0;
  uint64_t name = 0;      // string id from ObjectCreate (0: unnamed)
  uint64_t capacity = 0;  // from ObjectCreate
  size_t operations = 0;
  StepSeries level;
};

// ChoiceSeries is how often selects of two or more cases chose one channel (or the default
// case, channel 0), as a running count over time (from Select events). Channels of one name
// count together (every "context.Done", every "time.After": one series each).
struct ChoiceSeries {
  uint64_t channel = 0;   // object id of the (first) chosen case's channel; 0: the default case
  uint64_t name = 0;      // string id of the channels' name (0: unnamed, or the default case)
  int32_t count = 0;      // choices so far
  StepSeries so_far;
};

class ChartData {
 public:
  void clear();
  void append(const gor::Event* events, size_t count);
  // sync() as TimelineModel::sync(): takes events with ts <= upto, rebuilding if a late batch
  // landed before what was taken; at most `max_events` at a time.
  void sync(const std::vector<gor::Event>& events, int64_t upto, size_t max_events = SIZE_MAX);
  size_t events_taken() const { return prefix_.taken; }
  // end_ns() is the timestamp of the last event taken (0 before any).
  int64_t end_ns() const { return prefix_.taken ? prefix_.last_ts : 0; }

  const StepSeries& alive() const { return alive_; }
  const StepSeries& runnable() const { return runnable_; }
  // runnable_global() is how many goroutines wait in the global run queue; runnable_on(p) how
  // many in P p's local queue and runnext slot (empty series for a P never seen). A goroutine
  // is queued where GoCreate (its creator's P), GoUnblock (its placement), GoYield/GoPreempted
  // and SyscallExit without a P (global) put it, moves with StealMove, and leaves at GoStart
  // (in a trace recorded before StealMove existed, stolen goroutines count on the victim until
  // they start).
  const StepSeries& runnable_global() const { return global_.series; }
  const StepSeries& runnable_on(int p) const;
  int procs_seen() const { return static_cast<int>(per_p_.size()); }
  // channels() are the channels with buffer operations, most operations first (at most `n`).
  std::vector<const ChannelSeries*> busiest_channels(size_t n) const;
  // WaitEnd is one wait for a sync.Mutex or RWMutex that ended: when, and how long it took.
  struct WaitEnd {
    int64_t end = 0;
    int64_t duration = 0;
  };
  // mutex_waits() are the ended mutex waits, by end time (the Charts tab's histogram reads
  // the range's by binary search instead of scanning every block of the run).
  const std::vector<WaitEnd>& mutex_waits() const { return mutex_waits_; }
  // select_choices() are the cases chosen by selects with two or more cases, one series per
  // channel name (an unnamed channel on its own, the default case as channel 0), in the order
  // each was first chosen.
  const std::vector<ChoiceSeries>& select_choices() const { return choices_; }
  // channel_name() is the string id of channel `id`'s name from its ObjectCreate (0: unnamed
  // or never seen).
  uint64_t channel_name(uint64_t id) const;
  // steal_times() are the timestamps of every steal (Steal events: one per steal, however
  // many goroutines it moved), in time order.
  const std::vector<int64_t>& steal_times() const { return steals_; }

 private:
  void take(const gor::Event& e);
  ChannelSeries& channel(uint64_t id);
  // queue_at() puts g in queue q (-1: global, else a P), leaving the one it was in.
  void queue_at(uint64_t g, int q, int64_t ts);
  void unqueue(uint64_t g, int64_t ts);

  struct Queue {
    StepSeries series;
    int32_t now = 0;
  };
  Queue& queue(int q);  // -1: the global queue

  StepSeries alive_, runnable_;
  int32_t alive_now_ = 1;  // main exists before tracing sees it
  int32_t runnable_now_ = 0;
  Queue global_;
  std::vector<Queue> per_p_;
  // QueuedIn is the run queue a goroutine waits in (-1 the global one, a P's otherwise) and
  // since when it waits for a mutex (-1: it does not).
  struct QueuedIn {
    static constexpr int kNone = -2;
    int queue = kNone;
    int64_t mutex_wait_since = -1;
  };
  void end_mutex_wait(uint64_t g, int64_t ts);
  GoroutineSlots<QueuedIn> queued_in_;
  std::vector<WaitEnd> mutex_waits_;
  std::vector<ChoiceSeries> choices_;
  std::vector<int64_t> steals_;
  size_t last_channel_ = ~size_t{0};  // index in channels_ of the channel used last
  std::vector<ChannelSeries> channels_;
  std::unordered_map<uint64_t, size_t> channel_index_;
  TakenPrefix prefix_;  // the store events taken so far
};

}  // namespace goroscope::gui
