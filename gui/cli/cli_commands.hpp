// cli_commands.hpp — what goroscope-cli's commands do, writing to the given streams.
#pragma once

#include <iosfwd>
#include <string>

#include "cli_args.hpp"
#include <gor/runtime.hpp>

namespace goroscope::trace {
struct TraceFile;
}

namespace goroscope::cli {

// list_command() writes one line per registered sample: its id, two spaces, its summary.
// Returns kExitOk.
int list_command(std::ostream& out);

// info_command() writes a sample's title, topic, summary, parameters (with defaults and
// ranges) and explanation. Throws UsageError for an unknown sample.
int info_command(const std::string& id, std::ostream& out);

// run_command() runs a sample as `goroscope-cli run` does: sample output on `out`, then Go's
// ending for a panic or deadlock (message, blank line, dump) on `err`, then the summary line
// on `out`. Returns the exit status for the run's status (kExitOk, kExitPanic, kExitDeadlock).
// Throws UsageError for an unknown sample or a bad parameter, before running anything. With
// a timeout, if the run has not ended in time it writes a message on `err`, flushes stdout and
// stderr and ends the process with std::_Exit(kExitTimeout): the engine cannot interrupt a run.
int run_command(const RunOptions& opts, std::ostream& out, std::ostream& err);

// With opts.trace_path and/or opts.chrome_path the run is traced (Config::trace): the .gortrace
// file is written while the run goes (its footer after it), the JSON after it; a line per file
// follows the summary on `out`. An output file that cannot be created is reported on `err`
// before anything runs, and one that cannot be written after the run; both return
// kExitCantWrite.
int run_command(const RunOptions& opts, std::ostream& out, std::ostream& err);

// export_command() reads `input` (.gortrace) and writes it as Chrome Trace Event JSON to
// `chrome`, with a line on `out`. A bad input file: message on `err`, kExitBadInput; an
// unwritable output: kExitCantWrite.
int export_command(const std::string& input, const std::string& chrome, std::ostream& out, std::ostream& err);

// dump_command() reads `input` and writes its summary (goroscope::trace::write_summary) on
// `out`. A bad input file: message on `err`, kExitBadInput.
int dump_command(const std::string& input, std::ostream& out, std::ostream& err);

// TimelineWriter draws a whole trace's timeline to a .png or .svg file, with a lane per
// goroutine when `goroutine_lanes` (--lanes); false with `error` set if it cannot.
// goroscope-cli's main() installs one when built with Qt (the library stays Qt-free); without
// one, --timeline fails with kExitCantWrite.
using TimelineWriter = bool (*)(const trace::TraceFile& trace, const std::string& path, bool goroutine_lanes,
                                std::string* error);
// set_timeline_writer() installs the writer used by run_command() for --timeline.
void set_timeline_writer(TimelineWriter writer);

// exit_status() maps a run's status to goroscope-cli's exit status.
int exit_status(gor::RunStatus status);

// status_name() is "ok", "panic" or "deadlock".
const char* status_name(gor::RunStatus status);

}  // namespace goroscope::cli
