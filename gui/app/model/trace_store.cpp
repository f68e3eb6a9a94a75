#include "model/trace_store.hpp"

#include <sys/mman.h>
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

std::vector<std::pair<uint64_t, std::string>> TraceStore::defined_strings() const {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (size_t id = 1; id < strings_.size(); ++id)
    if (!strings_[id].empty()) out.emplace_back(id, strings_[id]);
  return out;
}

namespace {
bool by_ts(const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; }

// advise_huge_pages() asks for 2 MiB pages in the reserved tail: the UI thread then takes one
// page fault per 43,000 events written instead of one per 85 (the faults, not the zeroing,
// were most of a busy frame's cost).
void advise_huge_pages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t a = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (b > a) (void)madvise(reinterpret_cast<void*>(a), b - a, MADV_HUGEPAGE);  // advice only
}
}  // namespace

void TraceStore::append(std::vector<gor::Event> batch) {
  if (batch.empty()) return;
  if (!events_.empty() || batch.size() < (size_t{1} << 16)) return append_copy(batch.data(), batch.size());
  // A whole trace opened from a file: take it without a copy.
  if (!std::is_sorted(batch.begin(), batch.end(), by_ts)) std::stable_sort(batch.begin(), batch.end(), by_ts);
  for (const gor::Event& e : batch) index(e);
  events_ = std::move(batch);
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
      } catch (const std::bad_alloc&) {  // strict overcommit (vm.overcommit_memory=2): grow as usual
        events_.reserve(want);
      }
      advise_huge_pages(events_.data() + events_.size(), (events_.capacity() - events_.size()) * sizeof(gor::Event));
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
    if (to > from) warmer_.warm(events_.data() + from, (to - from) * sizeof(gor::Event));
    warmed_ = to;
  }
  // Batches from different Ms may reach back before the newest stored event: merge only the
  // overlapping tail, so a frame costs O(batch + overlap), not O(run).
  if (old > 0 && events_[old].ts < events_[old - 1].ts) {
    auto first = std::upper_bound(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(old), events_[old], by_ts);
    std::inplace_merge(first, events_.begin() + static_cast<std::ptrdiff_t>(old), events_.end(), by_ts);
  }
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
  auto keep = [&](uint64_t g) {
    RecentRing& ring = recent_.at(g);
    if (ring.events.size() < kRecentPerGoroutine) {
      ring.events.push_back(e);
    } else {  // overwrite the oldest
      ring.events[ring.next] = e;
      ring.next = (ring.next + 1) % kRecentPerGoroutine;
    }
  };
  if (e.g) keep(e.g);
  if (e.kind == gor::EventKind::GoUnblock && e.a0 && e.a0 != e.g) keep(e.a0);
}

const GoroutineRecord* TraceStore::goroutine(uint64_t id) const {
  return goroutines_.find(id);
}

std::vector<gor::Event> TraceStore::recent_events_of(uint64_t g, size_t max) const {
  const RecentRing* found = recent_.find(g);
  if (!found) return {};
  const RecentRing& ring = *found;
  std::vector<gor::Event> out;
  out.reserve(ring.events.size());
  out.insert(out.end(), ring.events.begin() + static_cast<std::ptrdiff_t>(ring.next), ring.events.end());
  out.insert(out.end(), ring.events.begin(), ring.events.begin() + static_cast<std::ptrdiff_t>(ring.next));
  std::stable_sort(out.begin(), out.end(), [](const gor::Event& a, const gor::Event& b) { return a.ts < b.ts; });
  if (out.size() > max) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(max));
  return out;
}

}  // namespace goroscope::gui
