// pace.hpp — how fast a recorded run is played back: one control from one scheduling event
// per second, through fractions of engine time, up to as fast as possible.
//
// A deterministic run is recorded ahead of what the learner sees (the engine is far faster
// than a person); the playback cursor then moves over its events at a Pace. Two kinds of pace
// make sense to a learner and both are on one slider:
//   - events per second: each scheduling event gets the same screen time (1 event/s lets one
//     read every step), whatever engine time it took;
//   - a fraction of engine time (×1/1000: one engine microsecond per wall millisecond): the
//     gaps between events keep their proportions, so a sleep looks long and a burst looks fast.
// Plain C++ (no Qt): the app, its command line and the tests share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace goroscope::gui {

// Pace is one playback speed. Invariant: value > 0 unless kind is Fastest.
struct Pace {
  enum class Kind { EventsPerSecond, EngineFraction, Fastest };
  Kind kind = Kind::EngineFraction;
  double value = 1e-3;  // events per wall second, or engine ns per wall ns

  static Pace events_per_second(double r) { return Pace{Kind::EventsPerSecond, r}; }
  static Pace engine_fraction(double f) { return Pace{Kind::EngineFraction, f}; }
  static Pace fastest() { return Pace{Kind::Fastest, 0}; }

  // parse() reads "fastest", "N" or "N/s" (scheduling events per second), "1/1000" or
  // "x1/1000" (a fraction of engine time) or "0.001x". nullopt, with a one-line `error`, for
  // anything else, zero, a negative or a fraction above 1.
  static std::optional<Pace> parse(std::string_view text, std::string* error);
  // text() is how the app shows it: "1 event/s", "20 events/s", "×1/1000", "×1", "fastest".
  std::string text() const;
  // spec() is what parse() reads back to the same pace ("20", "1/1000", "fastest").
  std::string spec() const;
  // play_seconds() is how long a run of `engine_ns` and `events` plays at this pace (0 for fastest).
  double play_seconds(int64_t engine_ns, size_t events) const;

  bool operator==(const Pace& o) const { return kind == o.kind && value == o.value; }
};

// pace_stops() is the slider's stops, slowest first: 1..500 events/s, then ×1/100000 .. ×1,
// then fastest.
const std::vector<Pace>& pace_stops();
// nearest_pace_stop() is the index of the stop closest to `p` (same kind first).
int nearest_pace_stop(const Pace& p);
// suggested_pace() is the stop at which a run of `engine_ns` and `events` plays for about
// `target_seconds` (the pace the app suggests: engine-time fractions when the run has enough
// engine time to spread over, else events per second).
Pace suggested_pace(int64_t engine_ns, size_t events, double target_seconds = 45);

}  // namespace goroscope::gui
