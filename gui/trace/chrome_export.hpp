// chrome_export.hpp — a trace as Chrome Trace Event JSON, for Perfetto UI and chrome://tracing.
//
// Layout (pid 1, "goroscope: SAMPLE"):
//   tid P              "P<n>": goroutine run slices (ph X) named "G<id>" or "G<id> <label>",
//                      from GoStart (or a SyscallExit that got a P) to the goroutine's next
//                      GoBlock/GoYield/GoPreempted/GoEnd/SyscallEnter (a syscall ends the run,
//                      as on the app's timeline: the P may be handed off while it lasts)
//   tid 100000*k + P   "P<n> overflow <k>": slices that would overlap on P's track (only in a
//                      trace whose events contradict each other, e.g. a GoStart on a P whose
//                      goroutine never stopped): Perfetto drops slices that overlap without
//                      nesting, so they go here
//   tid 40000 + P      "P<n> events": instants `steal`, `stolen G<id>` (one per goroutine it
//                      moved), `handoff`, `preempt`
//   tid 99999          "runtime": instants `mutex starving`, `mutex normal`, `deadlock`, `panic`,
//                      `partial deadlock`, `race`, `context canceled`, `context deadline exceeded`
//                      and gor::log texts
//   async slices (ph b/e, cat "region", id = goroutine) for gor::Region / region_begin..end,
//                      nested per goroutine; regions open at the end of the trace end there
//   flows (ph s/f, cat "flow", name "unblock") from the unblocking goroutine's slice to the
//   unblocked goroutine's next slice; counters (ph C) `goroutines` (arg "live"), `runnable`
//   (arg "count", approximate, never negative) and `chan <id>` (arg "buffered"); Perfetto
//   names a counter track "<name> <arg>".
// Instants live on tracks without slices because Perfetto binds a flow to the topmost open
// slice of its track, which could otherwise be a zero-length instant.
// Times are microseconds written with three decimals plus a trailing 3 (ns + 0.3): Perfetto
// converts µs to ns by truncating ts*1000 (newer versions round), and the 0.3 ns keeps that
// exact. A slice's start and end are each taken in whole ns and its dur is end - start,
// written with a trailing 1 (ns + 0.1): ts, dur and ts + dur then all convert to the exact
// start, end - start and end whether a reader truncates or rounds, field by field or after
// adding them, so consecutive slices on a track touch and never overlap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "gortrace_format.hpp"

namespace goroscope::trace {

// ChromeExportStats says what the export wrote.
struct ChromeExportStats {
  size_t slices = 0;           // goroutine run slices
  size_t overflow_slices = 0;  // of which on overflow tracks
  size_t flows = 0;            // unblock arrows written
  size_t flows_skipped = 0;    // unblocks with no readier slice, or a slice too short to hold an arrow end
  size_t instants = 0;
  size_t regions = 0;          // named regions (async slices)
  size_t counter_samples = 0;
  size_t events_written = 0;   // JSON trace events in all
};

// write_chrome_trace() writes `trace` as a Chrome Trace Event JSON object. Any TraceFile the
// reader accepted is exported without failing (odd events are skipped).
ChromeExportStats write_chrome_trace(const TraceFile& trace, std::ostream& out);

// export_chrome_file() writes the JSON to `path`. Throws GortraceError if it cannot
// ("gortrace: cannot write 'out.json': ...").
ChromeExportStats export_chrome_file(const TraceFile& trace, const std::string& path);

// chrome_ts() formats engine ns as the exporter's microseconds ("12.3453" for 12345 ns).
std::string chrome_ts(int64_t ns);

// chrome_dur() formats a slice's duration in engine ns as the exporter's microseconds
// ("1.0011" for 1001 ns): see the note on times above.
std::string chrome_dur(int64_t ns);

// json_escape() is `text` as a JSON string literal body: quotes, backslashes and control
// characters escaped, invalid UTF-8 bytes replaced by U+FFFD.
std::string json_escape(const std::string& text);

}  // namespace goroscope::trace
