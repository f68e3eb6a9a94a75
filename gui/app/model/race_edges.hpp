// race_edges.hpp — for one data race (an EventKind::Race event), the happens-before edges of the
// trace that connect its two goroutines, so the timeline can show that none orders the accesses.
//
// Plain C++ (no Qt). The edges come from the synchronisation events the trace records: a `go`
// (GoCreate: parent -> child), a wake-up by another goroutine (GoUnblock: readier -> readied,
// e.g. wg.Done -> Wait, Cond.Signal), a channel send -> the receive that takes its value (FIFO
// per channel), a close -> a receive that observes it, and a Mutex release -> the next acquire
// by another goroutine. race_hb_edges() follows them forward in time with two scalar clocks (how
// much of each racing goroutine's timeline every goroutine has "seen") and returns the chains
// that exist: the latest part of the earlier goroutine ordered before the racing access (none in
// a real race after the earlier access) and the other way round, plus the `go` edges from the
// goroutines' nearest common creator. The race detector itself uses full vector clocks; this
// reconstruction only explains its verdict on the timeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gor/trace.hpp>

namespace goroscope::gui {

// HbKind is what made a happens-before edge.
enum class HbKind : uint8_t { Create, Wake, Channel, Close, Mutex };

// hb_kind_name() is a short label for the timeline ("go", "woke", "chan", "close", "unlock").
inline const char* hb_kind_name(HbKind k) {
  switch (k) {
    case HbKind::Create: return "go";
    case HbKind::Wake: return "woke";
    case HbKind::Channel: return "chan";
    case HbKind::Close: return "close";
    case HbKind::Mutex: return "unlock";
  }
  return "?";
}

// HbEdge orders goroutine from_g at from_ts before to_g at to_ts (p: the events' Ps, -1 none).
struct HbEdge {
  HbKind kind = HbKind::Create;
  uint64_t from_g = 0, to_g = 0;
  int64_t from_ts = 0, to_ts = 0;
  int from_p = -1, to_p = -1;
  uint64_t object = 0;  // channel or mutex id (0: none)
  bool operator==(const HbEdge&) const = default;
};

// RaceEdges is one race and the edges that exist between its goroutines.
struct RaceEdges {
  int64_t ts = 0;       // the racing (second) access: the Race event
  uint64_t g = 0;       // goroutine of the second access
  uint64_t other = 0;   // goroutine of the earlier access
  int p = -1;           // P of the Race event
  std::vector<HbEdge> edges;  // sorted by from_ts, each once
  // other_ordered_until: the latest instant of `other` that happens before g's access (-1: no
  // instant of it does). The earlier access came after it, or there would be no race.
  int64_t other_ordered_until = -1;
  // g_ordered_until: the latest instant of g that happens before `other`'s point at ts (-1: none).
  int64_t g_ordered_until = -1;
};

// race_hb_edges() computes the RaceEdges of `race` (an EventKind::Race event) from a run's
// events sorted by timestamp (TraceStore::events()); only events up to the race are used.
RaceEdges race_hb_edges(const std::vector<gor::Event>& events, const gor::Event& race);

// RaceSummary is what a race report says in one line (parsed from Go's report text).
struct RaceSummary {
  std::string access;           // "Write" or "Read" (the second access), "" if not found
  std::string access_site;      // file:line of the second access
  std::string previous;         // "write" or "read"
  std::string previous_site;    // file:line of the earlier access
  std::string location;         // `Shared "counter"` when named, else ""
};
RaceSummary summarize_race_report(const std::string& report);

}  // namespace goroscope::gui
