// sample_timing.hpp — how long each sample's story plays in the app, from its measured
// deterministic run.
//
// A sample's default pace is chosen so its story plays for 20–90 s of wall time. That needs
// the run's engine time and event count, which are known only by running it; the table in
// sample_timing.cpp holds them as measured (deterministic mode, the sample's defaults, seed 1),
// and sample_timing_test re-measures every sample and fails, printing the new table line, when
// an entry is missing or no longer within a factor of two of the run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "run/pace.hpp"

namespace goroscope::gui {

// SampleTiming is one sample's measured deterministic run with its default parameters.
struct SampleTiming {
  std::string_view sample;
  int64_t engine_ns = 0;  // engine time from the first event to the last
  size_t events = 0;      // trace events
};

// sample_timing() is the measurement of sample `id`, or nullopt if the table lacks it.
std::optional<SampleTiming> sample_timing(std::string_view id);
// sample_pace() is the pace the app suggests for sample `id`: suggested_pace() of its
// measurement (×1/1000 when it has none).
Pace sample_pace(std::string_view id);

}  // namespace goroscope::gui
