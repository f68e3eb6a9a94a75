#include "model/trace_store.hpp"

#include <unistd.h>

#include <algorithm>
#include <new>

namespace goroscope::gui {

void TraceStore::clear() {
  ++generation_;
  warmer_.drop();
  warmed_ = 0;
  events_.clear();
  events_.shrink_to_fit();
  strings_.clear();
  goroutines_.clear();
  previous_.clear();
  previous_.shrink_to_fit();
  readier_previous_.clear();
  readier_previous_.shrink_to_fit();
  chain_end_.clear();
  linked_ = 0;
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

std::vector<std::pair<uint64_t, std::string>> TraceStore::defined_strings() const {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (size_t id = 1; id < strings_.size(); ++id)
    if (!strings_[id].empty()) out.emplace_back(id, strings_[id]);
  return out;
}

namespace {
bool by_ts(const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; }

}  // namespace

void TraceStore::append(std::vector<gor::Event> batch) {
  if (batch.empty()) return;
  if (!events_.empty() || batch.size() < (size_t{1} << 16)) return append_copy(batch.data(), batch.size());
  // A whole trace opened from a file: take it without a copy.
  if (!std::is_sorted(batch.begin(), batch.end(), by_ts)) std::stable_sort(batch.begin(), batch.end(), by_ts);
  for (const gor::Event& e : batch) index(e);
  events_ = std::move(batch);
  previous_.reserve(events_.size());
  link(0);
}

void TraceStore::append_copy(gor::Event* batch, size_t count) {
  if (count == 0) return;
  if (!std::is_sorted(batch, batch + count, by_ts)) std::stable_sort(batch, batch + count, by_ts);
  for (size_t i = 0; i < count; ++i) index(batch[i]);
  const size_t old = events_.size();
  if (old + count > events_.capacity()) {
    static const size_t reserved = reserved_events_for_this_machine();
    const size_t want = 2 * (old + count);
    if (want <= (size_t{1} << 17)) {
      events_.reserve(want);
    } else {  // big: once per run
      warmer_.drop();
      try {
        events_.reserve(std::max(reserved, want));
        previous_.reserve(events_.capacity());
      } catch (const std::bad_alloc&) {  // strict overcommit (vm.overcommit_memory=2): grow as usual
        events_.reserve(want);
      }
      advise_huge_pages(events_.data() + events_.size(), (events_.capacity() - events_.size()) * sizeof(gor::Event));
      advise_huge_pages(previous_.data() + previous_.size(), (previous_.capacity() - previous_.size()) * sizeof(uint32_t));
      warmed_ = events_.size() + count;
    }
  }
  events_.insert(events_.end(), batch, batch + count);
  // Keep the next kWarmAhead events' pages committed by the warmer thread, not by page faults
  // on this one.
  constexpr size_t kWarmAhead = size_t{1} << 20;  // 48 MiB, about a second of a busy run
  if (events_.capacity() > (size_t{1} << 17) && warmed_ < std::min(events_.capacity(), events_.size() + kWarmAhead)) {
    const size_t from = std::max(warmed_, events_.size());
    const size_t to = std::min(events_.capacity(), events_.size() + 2 * kWarmAhead);
    if (to > from) {
      warmer_.warm(events_.data() + from, (to - from) * sizeof(gor::Event));
      if (previous_.capacity() >= to) warmer_.warm(previous_.data() + from, (to - from) * sizeof(uint32_t));  // their links
    }
    warmed_ = to;
  }
  // Batches from different Ms may reach back before the newest stored event: merge only the
  // overlapping tail, so a frame costs O(batch + overlap), not O(run).
  if (old > 0 && events_[old].ts < events_[old - 1].ts) {
    auto first = std::upper_bound(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(old), events_[old], by_ts);
    unlink_from(static_cast<size_t>(first - events_.begin()));  // those events are about to move
    std::inplace_merge(first, events_.begin() + static_cast<std::ptrdiff_t>(old), events_.end(), by_ts);
  }
  link(linked_);
}

void TraceStore::link(size_t from) {
  previous_.resize(std::min(from, previous_.size()));
  const size_t end = std::min(events_.size(), size_t{kNoLink});  // indices must fit the links
  for (size_t i = from; i < end; ++i) {
    const gor::Event& e = events_[i];
    const auto at = static_cast<uint32_t>(i);
    if (e.g) {
      ChainEnd& c = chain_end_.at(e.g);
      previous_.push_back(c.last);
      c.last = at;
    } else {
      previous_.push_back(kNoLink);
    }
    if (e.kind == gor::EventKind::GoUnblock && e.a0 && e.a0 != e.g) {
      ChainEnd& r = chain_end_.at(e.a0);
      readier_previous_.emplace_back(at, r.last);
      r.last = at;
    }
  }
  linked_ = std::max(linked_, end);
}

void TraceStore::unlink_from(size_t from) {
  if (from >= linked_) return;
  // Every goroutine whose chain reaches into [from, linked_) appears there: move its chain's
  // end back before `from`, following the links while they still describe these positions.
  auto rewind = [&](uint64_t g) {
    ChainEnd* c = chain_end_.find(g);
    while (c && c->last != kNoLink && c->last >= from) c->last = previous_of(g, c->last);
  };
  for (size_t i = from; i < linked_; ++i) {
    const gor::Event& e = events_[i];
    if (e.g) rewind(e.g);
    if (e.kind == gor::EventKind::GoUnblock && e.a0 && e.a0 != e.g) rewind(e.a0);
  }
  previous_.resize(from);
  const auto cut = std::lower_bound(readier_previous_.begin(), readier_previous_.end(),
                                    std::pair<uint32_t, uint32_t>{static_cast<uint32_t>(from), 0});
  readier_previous_.erase(cut, readier_previous_.end());
  linked_ = from;
}

uint32_t TraceStore::previous_of(uint64_t g, uint32_t i) const {
  if (events_[i].g == g) return previous_[i];
  // g was the readier of this GoUnblock.
  const auto it = std::lower_bound(readier_previous_.begin(), readier_previous_.end(), std::pair<uint32_t, uint32_t>{i, 0});
  return it != readier_previous_.end() && it->first == i ? it->second : kNoLink;
}

size_t reserved_events_for_this_machine() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  const double bytes = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 8e9;
  const double events = bytes / 8 / sizeof(gor::Event);
  return static_cast<size_t>(std::clamp(events, double(size_t{1} << 20), double(size_t{1} << 26)));
}

GoroutineRecord& TraceStore::record(uint64_t id) {
  GoroutineRecord& r = goroutines_.at(id);
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
  } else if (e.g && !goroutines_.contains(e.g)) {
    record(e.g);  // main, or a goroutine created before tracing saw it
  }
}

const GoroutineRecord* TraceStore::goroutine(uint64_t id) const {
  return goroutines_.find(id);
}

std::vector<gor::Event> TraceStore::recent_events_of(uint64_t g, size_t max) const {
  const ChainEnd* c = chain_end_.find(g);
  std::vector<gor::Event> out;
  for (uint32_t i = c ? c->last : kNoLink; i != kNoLink && out.size() < max; i = previous_of(g, i)) out.push_back(events_[i]);
  std::reverse(out.begin(), out.end());  // the chain runs newest first
  return out;
}

}  // namespace goroscope::gui
