// trace_store.hpp — every event of one run (live or replayed from a file), for the views.
//
// Owned and used by the UI thread only: the RunController hands it copied batches once per
// frame. Events stay sorted by timestamp (batches from different Ms are merged in), and a
// per-goroutine record (parent, children, label, sites, lifetime) is kept up to date, so
// the inspector and tables never scan the whole run.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gor/trace.hpp>

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

  // append() adds a batch (any order); events() stays sorted by ts (stable for equal ts).
  void append(std::vector<gor::Event> batch);
  const std::vector<gor::Event>& events() const { return events_; }
  size_t size() const { return events_.size(); }
  // end_ns() is the latest timestamp seen (0 when empty).
  int64_t end_ns() const { return events_.empty() ? 0 : events_.back().ts; }
  // count() is how many events of kind k the run has so far.
  size_t count(gor::EventKind k) const { return counts_[static_cast<size_t>(k)]; }

  // goroutine() is the record of goroutine `id`, or nullptr if the trace never named it.
  const GoroutineRecord* goroutine(uint64_t id) const;
  const std::unordered_map<uint64_t, GoroutineRecord>& goroutines() const { return goroutines_; }

  // recent_events_of() is up to `max` latest events about goroutine `g` (as g, or as the
  // readier of a GoUnblock), oldest first.
  std::vector<gor::Event> recent_events_of(uint64_t g, size_t max) const;

 private:
  void index(const gor::Event& e);
  GoroutineRecord& record(uint64_t id);

  uint64_t generation_ = 0;
  std::vector<gor::Event> events_;
  std::vector<std::string> strings_;
  std::unordered_map<uint64_t, GoroutineRecord> goroutines_;
  // per goroutine: timestamps-ordered positions are unstable under merges, so keep the
  // goroutine's own events (bounded ring of the latest kRecentPerGoroutine).
  std::unordered_map<uint64_t, std::vector<gor::Event>> recent_;
  size_t counts_[static_cast<size_t>(gor::EventKind::Count_) + 1] = {};
};

// kRecentPerGoroutine is how many latest events TraceStore keeps per goroutine for the inspector.
inline constexpr size_t kRecentPerGoroutine = 64;

}  // namespace goroscope::gui
