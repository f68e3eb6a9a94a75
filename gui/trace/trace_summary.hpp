// trace_summary.hpp — what `goroscope-cli dump FILE.gortrace` prints: counts per event kind,
// goroutines, steals, mutex mode switches and how the run ended.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "gortrace_format.hpp"

namespace goroscope::trace {

// TraceSummary is computed from a TraceFile's events and footer.
struct TraceSummary {
  std::array<uint64_t, static_cast<size_t>(gor::EventKind::Count_)> per_kind{};  // events of each kind
  uint64_t events = 0;
  uint64_t goroutines = 0;         // distinct goroutines created (GoCreate)
  uint64_t max_live_goroutines = 0;// most alive at once (GoCreate minus GoEnd)
  uint64_t steals = 0;             // Steal events
  uint64_t goroutines_stolen = 0;  // sum of their counts
  uint64_t mutex_mode_switches = 0;// MutexMode events
  uint64_t mutex_starving = 0;     // of which into starvation mode
  uint64_t handoffs = 0;           // Handoff events
  uint64_t preempt_requests = 0;   // PreemptRequest events
  uint64_t logs = 0;               // Log events
  int procs_seen = 0;              // highest P id in the events, plus one
  int64_t duration_ns = 0;         // last event's ts minus first's
  gor::RunStatus status = gor::RunStatus::Ok;
  std::string message;
};

// summarize() counts a trace.
TraceSummary summarize(const TraceFile& trace);

// write_summary() writes the text `goroscope-cli dump` prints: the header, the run's ending,
// the totals, then one line per event kind that occurred ("  go_start  120").
void write_summary(const TraceFile& trace, const TraceSummary& s, std::ostream& out);

}  // namespace goroscope::trace
