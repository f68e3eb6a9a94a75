#include "run/sample_timing.hpp"


namespace goroscope::gui {

namespace {

// Measured with the sample's defaults in deterministic mode, seed 1 (sample_timing_test prints
// this table afresh when it fails).
constexpr SampleTiming kTimings[] = {
    {"worker-pool", 50008000, 707},
    {"goroutines-are-cheap", 2003000, 60441},
    {"unbuffered-vs-buffered", 344011000, 2096},
    {"send-on-closed", 10004000, 302},
    {"deadlock", 100001000, 139},
    {"partial-deadlock", 300001000, 266},
    {"mutex-starvation", 96020000, 1898},
    {"select-fairness", 2003000, 40032},
    {"context-cancellation", 200004000, 1496},
    {"pipeline", 310014000, 2210},
    {"gomaxprocs", 909056000, 645},
    {"semaphore", 160002000, 539},
    {"go-and-waiting", 3000, 26},
    {"producer-consumer", 205002000, 818},
    {"closing-channels", 90005000, 1191},
    {"closed-channel-spin", 100016000, 1000374},
    {"timeouts", 500021000, 5924},
    {"waitgroup-fan-in", 120002000, 149},
    {"once-lazy-init", 50005000, 196},
    {"race-counter", 43000, 43},
    {"happens-before", 20000, 312},
    {"concurrent-map", 874000, 224397},
    {"work-stealing", 32015000, 333},
    {"blocking-syscalls", 150061000, 1168},
    {"preemption", 212001000, 255},
    {"chan-mutex", 16017000, 1945},
    {"defer-unlock", 3000, 29},
    {"context-values", 3000, 57},
    {"select-send-closed", 70000, 510},
    {"lock-timeouts", 500000000, 71},
    {"lost-wakeup", 3000, 59},
    {"close-while-sending", 3000, 27},
    {"bank-transfer", 6000, 54},
    {"timeout-leak", 15000000, 70},
};

}  // namespace

std::optional<SampleTiming> sample_timing(std::string_view id) {
  for (const SampleTiming& t : kTimings)
    if (t.sample == id) return t;
  return std::nullopt;
}

Pace sample_pace(std::string_view id) {
  const std::optional<SampleTiming> t = sample_timing(id);
  return t ? suggested_pace(t->engine_ns, t->events) : Pace::engine_fraction(1e-3);
}

}  // namespace goroscope::gui
