// race_edges.hpp — for one data race (an EventKind::Race event), the happens-before edges of the
// trace that connect its two goroutines, so the timeline can show that none orders the accesses.
//
// Plain C++ (no Qt). A trace recorded with the race detector on carries the edges the detector
// applied (EventKind::RaceSync: every acquire and release of a sync object's clock, and each
// unbuffered handoff); race_hb_edges() replays them in trace order exactly as the detector did,
// plus the `go` edges (GoCreate), so every edge it shows is one the detector used, including
// those no other event shows (an RWMutex read lock, a WaitGroup wait() that did not block, Once's
// fast path, a buffered channel's k-th receive -> (k+cap)-th send). For traces recorded without
// RaceSync events it falls back to guessing the edges from other events: a `go` (GoCreate), a
// wake-up by another goroutine (GoUnblock: readier -> readied), a channel send -> the receive that
// takes its value (FIFO per channel), a close -> a receive that observes it, and a Mutex release
// -> the next acquire by another goroutine.
// Either way it follows the edges forward in time with two scalar clocks (how much of each racing
// goroutine's timeline every goroutine has "seen") and returns the chains that exist: the latest
// part of the earlier goroutine ordered before the racing access (none in a real race after the
// earlier access) and the other way round, plus the `go` edges from the goroutines' nearest
// common creator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <gor/trace.hpp>

namespace goroscope::gui {

// HbKind is what made a happens-before edge.
// The kinds after Mutex come only from the detector's RaceSync events.
enum class HbKind : uint8_t { Create, Wake, Channel, Close, Mutex, RUnlock, WaitGroup, Once, Cond, Semaphore, Cancel, Sync };

// hb_kind_name() is a short label for the timeline ("go", "woke", "chan", "close", "unlock", ...).
inline const char* hb_kind_name(HbKind k) {
  switch (k) {
    case HbKind::Create: return "go";
    case HbKind::Wake: return "woke";
    case HbKind::Channel: return "chan";
    case HbKind::Close: return "close";
    case HbKind::Mutex: return "unlock";
    case HbKind::RUnlock: return "runlock";
    case HbKind::WaitGroup: return "done";
    case HbKind::Once: return "once";
    case HbKind::Cond: return "signal";
    case HbKind::Semaphore: return "release";
    case HbKind::Cancel: return "cancel";
    case HbKind::Sync: return "sync";
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
  // from_detector: the edges are the race detector's own (RaceSync events), not guessed.
  bool from_detector = false;
};

// race_hb_edges() computes the RaceEdges of `race` (an EventKind::Race event) from a run's
// events sorted by timestamp (TraceStore::events()); only events up to the race are used.
RaceEdges race_hb_edges(const std::vector<gor::Event>& events, const gor::Event& race);

// describe_race_sync() is a RaceSync event in words, for a goroutine's recent events
// ("race: acquired mutex M5 from G3").
std::string describe_race_sync(const gor::Event& e);

// RaceSummary is what a race report says in one line (parsed from Go's report text).
struct RaceSummary {
  std::string access;           // "Write" or "Read" (the second access), "" if not found
  std::string access_site;      // file:line of the second access
  std::string previous;         // "write" or "read"
  std::string previous_site;    // file:line of the earlier access
  std::string location;         // `Shared "counter"` when named, `channel "jobs"` or `channel` for a
                                // race on a channel (close vs send), else ""
};
RaceSummary summarize_race_report(const std::string& report);

}  // namespace goroscope::gui
