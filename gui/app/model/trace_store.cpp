#include "model/trace_store.hpp"

#include <algorithm>

namespace goroscope::gui {

void TraceStore::clear() {
  ++generation_;
  events_.clear();
  events_.shrink_to_fit();
  strings_.clear();
  goroutines_.clear();
  recent_.clear();
  std::fill(std::begin(counts_), std::end(counts_), 0);
}

void TraceStore::add_string(uint64_t id, std::string text) {
  if (id >= strings_.size()) strings_.resize(id + 1);
  strings_[id] = std::move(text);
}

const std::string& TraceStore::string(uint64_t id) const {
  static const std::string none;
  return id < strings_.size() ? strings_[id] : none;
}

void TraceStore::append(std::vector<gor::Event> batch) {
  if (batch.empty()) return;
  const auto by_ts = [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; };
  if (!std::is_sorted(batch.begin(), batch.end(), by_ts)) std::stable_sort(batch.begin(), batch.end(), by_ts);
  for (const gor::Event& e : batch) index(e);
  if (events_.empty()) {  // a whole trace opened from a file: take it without a copy
    events_ = std::move(batch);
    return;
  }
  const size_t old = events_.size();
  events_.insert(events_.end(), batch.begin(), batch.end());
  // Batches from different Ms may reach back before the newest stored event: merge only the
  // overlapping tail, so a frame costs O(batch + overlap), not O(run).
  if (old > 0 && events_[old].ts < events_[old - 1].ts) {
    auto first = std::upper_bound(events_.begin(), events_.begin() + old, events_[old], by_ts);
    std::inplace_merge(first, events_.begin() + old, events_.end(), by_ts);
  }
}

GoroutineRecord& TraceStore::record(uint64_t id) {
  GoroutineRecord& r = goroutines_[id];
  r.id = id;
  return r;
}

void TraceStore::index(const gor::Event& e) {
  ++counts_[std::min(static_cast<size_t>(e.kind), static_cast<size_t>(gor::EventKind::Count_))];
  if (e.kind == gor::EventKind::GoCreate) {
    GoroutineRecord& r = record(e.g);
    r.parent = e.a0;
    r.created_at = string(e.a1);
    r.label = e.a2 ? string(e.a2) : std::string();
    r.created_ns = e.ts;
    if (e.a0) record(e.a0).children.push_back(e.g);
  } else if (e.kind == gor::EventKind::GoEnd) {
    record(e.g).ended_ns = e.ts;
  } else if (e.g && goroutines_.find(e.g) == goroutines_.end()) {
    record(e.g);  // main, or a goroutine created before tracing saw it
  }
  auto keep = [&](uint64_t g) {
    std::vector<gor::Event>& ring = recent_[g];
    if (ring.size() >= 2 * kRecentPerGoroutine) ring.erase(ring.begin(), ring.begin() + kRecentPerGoroutine);
    ring.push_back(e);
  };
  if (e.g) keep(e.g);
  if (e.kind == gor::EventKind::GoUnblock && e.a0 && e.a0 != e.g) keep(e.a0);
}

const GoroutineRecord* TraceStore::goroutine(uint64_t id) const {
  auto it = goroutines_.find(id);
  return it == goroutines_.end() ? nullptr : &it->second;
}

std::vector<gor::Event> TraceStore::recent_events_of(uint64_t g, size_t max) const {
  auto it = recent_.find(g);
  if (it == recent_.end()) return {};
  std::vector<gor::Event> out = it->second;
  std::stable_sort(out.begin(), out.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
  if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max));
  return out;
}

}  // namespace goroscope::gui
