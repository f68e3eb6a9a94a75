// event_prefix.hpp — for models built incrementally from a TraceStore's events (sorted by ts):
// how far to read, and whether what was already read is still the store's prefix.
#pragma once

#include <algorithm>
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

// prefix_changed() says whether a model that took the first `taken` events, the last of them at
// `taken_ts`, must start over: the store was replaced, or a late batch was merged in before
// taken_ts (batches from different Ms may reach back in time).
inline bool prefix_changed(const std::vector<gor::Event>& events, size_t taken, int64_t taken_ts) {
  return taken > 0 && (events.size() < taken || count_through(events, taken_ts) != taken);
}

}  // namespace goroscope::gui
