// trace_store.hpp — every event of one run (live or replayed from a file), for the views.
//
// Owned and used by the UI thread only: the RunController hands it copied batches once per
// frame (already sorted on its drain thread). Events stay sorted by timestamp (a batch that
// reaches back before the newest stored event is merged into the overlapping tail only), and
// a per-goroutine record (parent, children, label, sites, lifetime) is kept up to date, so
// the inspector and tables never scan the whole run.
//
// Growth: a live run adds ~20,000 events per frame to millions already stored. A vector
// that doubles would copy (and page-fault) hundreds of MB on the UI thread each time, so
// once a run passes 64K events the store reserves address space for many at once
// (reserved_events_for_this_machine()): pages are committed only as events are written, and
// the events never move again unless the run outgrows that (then it doubles as usual). A
// PageWarmer thread commits those pages ahead of the writes, so the UI thread does not spend
// its frames in page faults.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gor/trace.hpp>

#include "model/goroutine_slots.hpp"
#include "model/page_warmer.hpp"

namespace goroscope::gui {

// GoroutineRecord is what the trace tells about one goroutine over the whole run.
struct GoroutineRecord {
  uint64_t id = 0;
  uint64_t parent = 0;
  std::string label;
  std::string created_at;
  int64_t created_ns = -1;   // -1: created before tracing saw it (main)
  int64_t ended_ns = -1;     // -1: still alive
  std::vector<uint64_t> children;
};

// TraceStore keeps a run's events and strings. Not thread-safe (UI thread only).
class TraceStore {
 public:
  // clear() forgets everything; generation() changes so views can drop caches.
  void clear();
  uint64_t generation() const { return generation_; }

  // add_string() defines string id `id` (sites, labels, log texts).
  void add_string(uint64_t id, std::string text);
  // string() is the text of a string id ("" if unknown).
  const std::string& string(uint64_t id) const;
  // defined_strings() is every string id with a non-empty text, ids ascending (for saving).
  std::vector<std::pair<uint64_t, std::string>> defined_strings() const;

  // append() adds a batch (any order); events() stays sorted by ts (stable for equal ts).
  // The first batch of an empty store (a whole trace file) is taken without a copy.
  void append(std::vector<gor::Event> batch);
  // append_copy() adds a batch by copying it (sorting it in place first if it is not sorted),
  // so the caller can reuse its buffer.
  void append_copy(gor::Event* batch, size_t count);
  const std::vector<gor::Event>& events() const { return events_; }
  // reserved_events() is how many events fit before the storage must move (tests).
  size_t reserved_events() const { return events_.capacity(); }
  size_t size() const { return events_.size(); }
  // end_ns() is the latest timestamp seen (0 when empty).
  int64_t end_ns() const { return events_.empty() ? 0 : events_.back().ts; }
  // count() is how many events of kind k the run has so far.
  size_t count(gor::EventKind k) const { return counts_[static_cast<size_t>(k)]; }

  // goroutine() is the record of goroutine `id`, or nullptr if the trace never named it.
  const GoroutineRecord* goroutine(uint64_t id) const;
  // goroutines() is every goroutine the trace named, by id (ascending for the engine's ids).
  const GoroutineSlots<GoroutineRecord>& goroutines() const { return goroutines_; }

  // recent_events_of() is up to `max` latest events about goroutine `g` (as g, or as the
  // readier of a GoUnblock), oldest first. Costs O(max log n), however long ago they were.
  std::vector<gor::Event> recent_events_of(uint64_t g, size_t max) const;

 private:
  void index(const gor::Event& e);
  GoroutineRecord& record(uint64_t id);
  // link() threads events_[from, size) onto their goroutines' chains (events_ in final order).
  void link(size_t from);
  // unlink_from() takes events_[from, size) off the chains before a merge reorders them.
  void unlink_from(size_t from);
  // previous_of() is the event before `i` on goroutine g's chain (events_[i] is about g).
  uint32_t previous_of(uint64_t g, uint32_t i) const;

  uint64_t generation_ = 0;
  std::vector<gor::Event> events_;
  PageWarmer warmer_;   // commits the reserved pages ahead of events_.size()
  size_t warmed_ = 0;   // events_ index up to which warming was asked for
  std::vector<std::string> strings_;
  GoroutineSlots<GoroutineRecord> goroutines_;
  // Each goroutine's events form a chain backwards through events_, so the inspector finds a
  // goroutine's latest events without a scan and without a copy of them per goroutine (that
  // was a 3 KB ring each, written at a random place for every event: cache misses on the UI
  // thread). Per event one 4-byte link written in order, per goroutine the index of its
  // latest event (a small, hot array). Invariant: every link points to an earlier index.
  static constexpr uint32_t kNoLink = ~uint32_t{0};
  struct ChainEnd {
    uint32_t last = kNoLink;  // index of the goroutine's latest event
  };
  std::vector<uint32_t> previous_;  // per event: the previous event of its e.g (kNoLink: none)
  // (index of a GoUnblock, the previous event of its readier a0), ascending by index.
  std::vector<std::pair<uint32_t, uint32_t>> readier_previous_;
  GoroutineSlots<ChainEnd> chain_end_;
  size_t linked_ = 0;  // events_[0, linked_) are on the chains
  size_t counts_[static_cast<size_t>(gor::EventKind::Count_) + 1] = {};
};

// reserved_events_for_this_machine() is how many events a big run's store reserves address
// space for: an eighth of physical memory's worth, between 1M and 64M events (48 MiB to 3 GiB).
size_t reserved_events_for_this_machine();


}  // namespace goroscope::gui
