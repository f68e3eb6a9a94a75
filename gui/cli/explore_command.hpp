// explore_command.hpp — `goroscope-cli explore`: search a sample's schedules for failures.
#pragma once

#include <iosfwd>
#include <string>

#include "cli_args.hpp"
#include "goroscope/explore.hpp"

namespace goroscope::cli {

// explore_command() explores `args.sample` as `goroscope-cli explore` does: its runs spread
// over args.jobs forked worker processes (a progress bar on `err` when `progress` is set),
// then every outcome other than ok shrunk, each outcome's run saved as a replayable .gortrace
// (args.save_dir, else a directory under the system's temporary directory), and the report
// (or with args.json one JSON object) on `out`. Returns 0 when every run was ok, 1 otherwise.
// Throws UsageError for an unknown sample, strategy, parameter or a bad depth before any run;
// an unwritable save directory is reported on `err` and returns kExitCantWrite.
int explore_command(const ExploreArgs& args, std::ostream& out, std::ostream& err, bool progress);

// save_run() writes `rec` (re-executed from its schedule in a forked child, this process
// untouched) to `path` as a .gortrace of the same run. `goroscope-cli run SAMPLE --replay path`
// matches it event for event only if this process had run nothing before (object ids are
// process-wide): explore_command() therefore records through a saver process forked before
// its first run, and uses save_run() only when that saver could not be started. False with
// `error` set if the file cannot be written.
bool save_run(const explore::ExplorePlan& plan, const explore::RunRecord& rec, const std::string& path,
              std::string* error);

// json_string() is s as a JSON string literal (quotes included).
std::string json_string(const std::string& s);

}  // namespace goroscope::cli
