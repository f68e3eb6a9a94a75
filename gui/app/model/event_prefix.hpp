// event_prefix.hpp — for models built incrementally from a TraceStore's events (sorted by ts):
// how far to read, and whether what was already read is still the store's prefix.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <gor/trace.hpp>

namespace goroscope::gui {

// count_through() is how many of `events` (sorted by ts) have ts <= t; all of them for INT64_MAX.
inline size_t count_through(const std::vector<gor::Event>& events, int64_t t) {
  if (t == std::numeric_limits<int64_t>::max()) return events.size();
  const auto by_ts = [](const gor::Event& e, int64_t v) { return e.ts < v; };
  return static_cast<size_t>(std::lower_bound(events.begin(), events.end(), t + 1, by_ts) - events.begin());
}

// TakenPrefix is how much of a store's events (sorted by ts, stable) a model has taken, and
// whether that is still the store's prefix.
struct TakenPrefix {
  size_t taken = 0;                                    // events taken
  int64_t last_ts = std::numeric_limits<int64_t>::min();  // ts of the last one
  size_t before_last = 0;                              // taken events with ts < last_ts

  // took() records that the model took `count` more events, `batch` (sorted by ts).
  void took(const gor::Event* batch, size_t count) {
    if (count == 0) return;
    const int64_t ts = batch[count - 1].ts;
    const auto by_ts = [](const gor::Event& e, int64_t v) { return e.ts < v; };
    const size_t first_at_ts = static_cast<size_t>(std::lower_bound(batch, batch + count, ts, by_ts) - batch);
    if (first_at_ts > 0 || ts != last_ts) before_last = taken + first_at_ts;
    taken += count;
    last_ts = ts;
  }
  // changed() says whether a model built from the first `taken` events must start over: the
  // store was replaced, or a late batch was merged in among them (batches from different Ms
  // may reach back in time). A late event with ts == last_ts is not a change: a stable merge
  // puts it after every stored event of that ts, so after the prefix (checking only "how many
  // events have ts <= last_ts" would rebuild the whole model on each such tie).
  bool changed(const std::vector<gor::Event>& events) const {
    if (taken == 0) return false;
    if (events.size() < taken || events[taken - 1].ts != last_ts) return true;
    const auto by_ts = [](const gor::Event& e, int64_t v) { return e.ts < v; };
    const auto first = events.begin();
    return static_cast<size_t>(std::lower_bound(first, first + static_cast<std::ptrdiff_t>(taken), last_ts, by_ts) - first) !=
           before_last;
  }
};

// kSyncChunk is how many events sync_within() takes between looks at the clock (~0.3-1 ms).
inline constexpr size_t kSyncChunk = 4096;

// sync_within() brings `model` (a TimelineModel or ChartData) up to date with `events`
// through `upto`, kSyncChunk events at a time, until it is or `deadline` has passed (checked
// after each chunk, so each call makes progress). Returns true once it is up to date. This is
// how a view keeps the UI thread's frames short when a run produces more events than the
// model can take in one frame: it falls behind for a while instead of stalling the window.
template <class Model>
bool sync_within(Model& model, const std::vector<gor::Event>& events, int64_t upto,
                 std::chrono::steady_clock::time_point deadline) {
  const bool unlimited = deadline == std::chrono::steady_clock::time_point::max();
  for (;;) {
    model.sync(events, upto, unlimited ? SIZE_MAX : kSyncChunk);
    if (model.events_taken() >= count_through(events, upto)) return true;
    if (!unlimited && std::chrono::steady_clock::now() >= deadline) return false;
  }
}

}  // namespace goroscope::gui
