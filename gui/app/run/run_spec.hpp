// run_spec.hpp — what the user asked to run, and how a run ended: plain values.
#pragma once

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gor/runtime.hpp>
#include <goroscope/sample.hpp>

namespace goroscope::gui {

// RunSpec is one run request: a sample, its parameters as typed text, and engine settings.
struct RunSpec {
  std::string sample_id;
  std::vector<std::pair<std::string, std::string>> params;  // key, value text (validated at start)
  int procs = 0;            // 0: the sample's default
  uint64_t seed = 0;
  double dilation = 0;      // 0: the sample's suggested slow motion
  bool start_paused = false;
  bool race = false;        // run the happens-before race detector (Config::race)
  // deterministic: virtual time and a seeded, recorded schedule (Config::deterministic); the
  // app plays the recorded events at a pace (its toolbar's default). False: real threads and
  // wall time ("Real threads"), sampled live by snapshots.
  bool deterministic = false;
  // replay (deterministic): re-execute this recorded schedule, up to `replay_events` trace
  // events when that is not 0 and freely after them ("Run from here", Config::replay_events).
  std::shared_ptr<const gor::Schedule> replay;
  uint64_t replay_events = 0;
};

// RunOutcome is how a run ended, copied to the UI thread.
struct RunOutcome {
  gor::RunResult result;
  SampleOutcome outcome;
  double wall_seconds = 0;
};

// BreakpointSet says when a run pauses by itself. Checked on the engine's event stream
// (and on snapshots for queue lengths), so the pause lands a few events after the cause.
struct BreakpointSet {
  bool on_steal = false;
  bool on_starving = false;        // a mutex switches into starvation mode
  bool on_partial_deadlock = false;
  bool on_panic = false;           // hold a run ending in a panic at that instant (RunControl::hold_at_end)
  bool on_deadlock = false;        // the same for Go's global deadlock
  int run_queue_longer_than = 0;   // 0: off; checked on each snapshot
  uint64_t on_goroutine_block = 0; // 0: off; else pause when this goroutine blocks
  bool on_race = false;            // the race detector finds a data race (RunSpec::race)
};

}  // namespace goroscope::gui

Q_DECLARE_METATYPE(goroscope::gui::RunOutcome)
