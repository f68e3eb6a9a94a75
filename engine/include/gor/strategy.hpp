// strategy.hpp — who decides a deterministic run's choices: the seeded default, or a schedule
// explorer's strategy (random walks, PCT, preemption bounding).
//
// A deterministic run (Config::deterministic) has two kinds of choice points, both recorded in
// its Schedule and re-executed by Config::replay:
//   - Thread: two or more threads of the run (Ms, sysmon) could move next at the same virtual
//     instant; one is chosen.
//   - Preempt (only with Config::preemption_points): a goroutine is at a scheduling point
//     (every engine call, Shared<T> access and race annotation); choice 1 preempts it there
//     (it goes to the global run queue as if sysmon had preempted it), choice 0 lets it go on.
// Without a strategy the seeded chooser decides (threads uniformly, never a forced
// preemption). With one, the strategy decides each choice that is not replayed.
#pragma once

#include <cstdint>

namespace gor {

// ChoiceKind is what a choice point decides (see above).
enum class ChoiceKind : uint8_t { Thread, Preempt };

// ChoicePoint describes one choice to a Strategy.
struct ChoicePoint {
  ChoiceKind kind = ChoiceKind::Thread;
  uint32_t candidates = 0;           // >= 2; Preempt: always 2 (0 = go on, 1 = preempt)
  // goroutines[i] is the goroutine candidate i is running (0: none, e.g. sysmon or an idle
  // M). Preempt: goroutines[0] == goroutines[1] == the goroutine at the point.
  const uint64_t* goroutines = nullptr;
  uint64_t index = 0;                // choice points of this run so far (0-based)
  int64_t now_ns = 0;                // virtual engine time
};

// Strategy decides a deterministic run's choices. choose() returns an index < candidates.
// Called on the run's own thread, one call at a time; it must be deterministic in its
// inputs for the run to be repeatable from its Schedule (the Schedule records the answers).
class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual uint32_t choose(const ChoicePoint& point) = 0;
};

}  // namespace gor
