// cli_args.cpp — parse_args() and usage_text().
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "cli_args.hpp"

namespace goroscope::cli {

namespace {

bool is_help(const std::string& a) { return a == "help" || a == "--help" || a == "-h"; }

template <class T>
bool parse_number(const std::string& text, T& value) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = first + text.size();
  if constexpr (std::is_integral_v<T>) {
    if (*first == '+') ++first;
  }
  auto [ptr, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && ptr == last;
}

[[noreturn]] void bad_value(const std::string& flag, const std::string& must, const std::string& got) {
  throw UsageError(flag + " must be " + must + " (got '" + got + "')");
}

// apply_flag() stores the value of `flag` in `opts`.
void apply_flag(const std::string& flag, const std::string& value, RunOptions& opts) {
  if (flag == "--procs") {
    int n = 0;
    if (!parse_number(value, n) || n < 1 || n > 256) bad_value(flag, "an integer between 1 and 256", value);
    opts.procs = n;
  } else if (flag == "--seed") {
    uint64_t s = 0;
    if (!parse_number(value, s)) bad_value(flag, "a non-negative integer", value);
    opts.seed = s;
  } else if (flag == "--replay") {
    if (value.empty()) bad_value(flag, "a .gortrace file name", value);
    opts.replay_path = value;
  } else if (flag == "--dilation") {
    double k = 0;
    if (!parse_number(value, k) || !(k >= 0.01 && k <= 1e6)) bad_value(flag, "a number between 0.01 and 1e6", value);
    opts.dilation = k;
  } else if (flag == "--timeout") {
    double t = 0;
    if (!parse_number(value, t) || !std::isfinite(t) || t <= 0 || t > 1e7)
      bad_value(flag, "a positive number of seconds", value);
    opts.timeout_seconds = t;
  } else if (flag == "--trace" || flag == "--chrome") {
    if (value.empty()) bad_value(flag, "a file name", value);
    (flag == "--trace" ? opts.trace_path : opts.chrome_path) = value;
  } else if (flag == "--timeline") {
    const auto ends_with = [&](const char* s) {
      const std::string suffix(s);
      if (value.size() < suffix.size()) return false;
      std::string tail = value.substr(value.size() - suffix.size());
      for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return tail == suffix;
    };
    if (!ends_with(".png") && !ends_with(".svg")) bad_value(flag, "a .png or .svg file name", value);
    opts.timeline_path = value;
  } else if (flag == "--param") {
    const size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) bad_value(flag, "KEY=VALUE", value);
    opts.params.emplace_back(value.substr(0, eq), value.substr(eq + 1));
  } else {
    throw UsageError("unknown flag '" + flag + "' (run 'goroscope-cli --help')");
  }
}

RunOptions parse_run(const std::vector<std::string>& args) {
  RunOptions opts;
  bool have_sample = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--race") {  // a switch: takes no value
      opts.race = true;
    } else if (a == "--deterministic") {
      opts.deterministic = true;
    } else if (a == "--lanes") {
      opts.timeline_lanes = true;
    } else if (a.rfind("-", 0) == 0 && a.size() > 1) {
      std::string flag = a;
      std::string value;
      const size_t eq = a.find('=');
      if (eq != std::string::npos) {
        flag = a.substr(0, eq);
        value = a.substr(eq + 1);
      } else {
        if (flag != "--procs" && flag != "--seed" && flag != "--dilation" && flag != "--timeout" && flag != "--param" &&
            flag != "--trace" && flag != "--chrome" && flag != "--timeline" && flag != "--replay")
          throw UsageError("unknown flag '" + flag + "' (run 'goroscope-cli --help')");
        if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
        value = args[++i];
      }
      apply_flag(flag, value, opts);
    } else if (!have_sample) {
      opts.sample = a;
      have_sample = true;
    } else {
      throw UsageError("unexpected argument '" + a + "' after sample '" + opts.sample + "'");
    }
  }
  if (!have_sample) throw UsageError("run: missing SAMPLE (run 'goroscope-cli list' to see them)");
  if (opts.replay_path && (opts.seed || !opts.params.empty() || opts.procs || opts.race)) {
    throw UsageError("--replay takes the seed, procs, race and parameters from the recorded file");
  }
  if (opts.timeline_lanes && !opts.timeline_path) throw UsageError("--lanes draws goroutine lanes on --timeline's picture: give --timeline FILE");
  if (opts.replay_path) opts.deterministic = true;
  return opts;
}

// parse_export() parses `export FILE.gortrace --chrome FILE.json` (the flag may come first).
void parse_export(const std::vector<std::string>& args, Command& cmd) {
  bool have_input = false;
  bool have_chrome = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--chrome" || a.rfind("--chrome=", 0) == 0) {
      std::string value;
      if (a == "--chrome") {
        if (i + 1 >= args.size()) throw UsageError("--chrome needs a value");
        value = args[++i];
      } else {
        value = a.substr(std::string("--chrome=").size());
      }
      if (value.empty()) bad_value("--chrome", "a file name", value);
      cmd.chrome = value;
      have_chrome = true;
    } else if (a.rfind("-", 0) == 0 && a.size() > 1) {
      const size_t eq = a.find('=');
      throw UsageError("unknown flag '" + a.substr(0, eq) + "' (run 'goroscope-cli --help')");
    } else if (!have_input) {
      cmd.input = a;
      have_input = true;
    } else {
      throw UsageError("export: unexpected argument '" + a + "'");
    }
  }
  if (!have_input) throw UsageError("export: missing FILE.gortrace");
  if (!have_chrome) throw UsageError("export: missing --chrome FILE.json (the only export format so far)");
}

}  // namespace

Command parse_args(const std::vector<std::string>& args) {
  Command cmd;
  for (const std::string& a : args) {
    if (is_help(a)) return cmd;  // Kind::Help
  }
  if (args.empty()) throw UsageError("missing command (run 'goroscope-cli --help')");
  const std::string& verb = args[0];
  if (verb == "list") {
    if (args.size() > 1) throw UsageError("list: unexpected argument '" + args[1] + "'");
    cmd.kind = Command::Kind::List;
  } else if (verb == "info") {
    if (args.size() != 2) throw UsageError("info: expected exactly one SAMPLE");
    cmd.kind = Command::Kind::Info;
    cmd.sample = args[1];
  } else if (verb == "run") {
    cmd.kind = Command::Kind::Run;
    cmd.run = parse_run(args);
  } else if (verb == "explore") {
    cmd.kind = Command::Kind::Explore;
    cmd.explore = parse_explore(args);
  } else if (verb == "export") {
    cmd.kind = Command::Kind::Export;
    parse_export(args, cmd);
  } else if (verb == "dump") {
    if (args.size() != 2) throw UsageError("dump: expected exactly one FILE.gortrace");
    if (args[1].rfind("-", 0) == 0 && args[1].size() > 1)
      throw UsageError("unknown flag '" + args[1].substr(0, args[1].find('=')) + "' (run 'goroscope-cli --help')");
    cmd.kind = Command::Kind::Dump;
    cmd.input = args[1];
  } else if (verb.rfind("-", 0) == 0) {
    throw UsageError("unknown flag '" + verb + "' (run 'goroscope-cli --help')");
  } else {
    throw UsageError("unknown command '" + verb + "' (run 'goroscope-cli --help')");
  }
  return cmd;
}

std::string usage_text() {
  return R"(goroscope-cli: run Goroscope's Go-concurrency samples headless on the gor engine.

Usage:
  goroscope-cli list                 one sample per line: its id, then its one-line summary
  goroscope-cli info SAMPLE          a sample's explanation and parameters
  goroscope-cli run SAMPLE [options] run a sample, print what it reports and how the run ended
  goroscope-cli explore SAMPLE [options]
                                     search the sample's schedules for failures (see below)
  goroscope-cli export FILE.gortrace --chrome FILE.json
                                     convert a recorded trace to Chrome Trace Event JSON
  goroscope-cli dump FILE.gortrace   summarize a recorded trace: events per kind, goroutines,
                                     steals, mutex mode switches, how the run ended
  goroscope-cli help | --help | -h   this text

Options of run (each also accepted as --flag=VALUE):
  --procs N          GOMAXPROCS, 1..256 (default: the sample's own)
  --seed S           seed of the scheduler's and select's random choices (default: a random
                     one, printed in the summary line, so that any run can be repeated)
  --deterministic    deterministic mode: one M moves at a time in virtual engine time and a
                     seeded chooser decides who moves; the same sample, parameters, procs and
                     seed give the same run, event for event (and the same .gortrace bytes)
  --replay FILE      re-execute the schedule recorded in FILE.gortrace (a --deterministic run
                     of the same sample): same parameters, procs and seed, same output; a run
                     that no longer matches it ends with "replay diverged" and the first
                     event that differs
  --dilation K       slow motion: engine time runs K times slower than wall time, 0.01..1e6 (default 1)
  --timeout SECONDS  give up if the run has not ended after SECONDS of wall time
  --param KEY=VALUE  set a sample parameter (repeatable; 'info SAMPLE' lists them)
  --trace FILE       record the run's scheduler events to FILE (.gortrace, written while the
                     run goes; format: docs/gortrace-format.md)
  --chrome FILE      write the run's events as Chrome Trace Event JSON to FILE, for Perfetto UI
                     (ui.perfetto.dev) or chrome://tracing: one track per P, goroutine slices,
                     unblock arrows, steal/handoff/preempt/mutex-mode instants, counters
  --race             run with the race detector (like go run -race): print each data race
                     found, Go's "WARNING: DATA RACE" report, once per pair of source sites,
                     then a count (Found N data race(s)); a run with races exits with 66
  --timeline FILE    draw the run's timeline (a lane per P, run slices, steals, handoffs,
                     preemptions, mutex mode switches; a lane per thread when the run made
                     a blocking syscall) to FILE.png or FILE.svg, from its first event to
                     its last, as the desktop app's Timeline tab does (needs the build with Qt)
  --lanes            with --timeline: a lane per goroutine too (its run slices, runnable,
                     sleeping and blocked time, mutexes held; at most 64, the rest counted)

Options of explore (deterministic runs with a preemption point at every engine call and
Shared access; each run ends in one outcome: ok, panic, fatal, deadlock, partial-deadlock,
check (the sample's own invariant failed), leak or race):
  --runs N           how many runs (default 1000)
  --strategy S       random (a walk over seeds), pct (random priorities with D-1 change
                     points, the default) or bounded (every schedule with at most D forced
                     preemptions, fewest first, as CHESS)
  --depth D          pct's depth (default 3, >= 1) or bounded's preemption bound (default 2)
  --procs N          GOMAXPROCS, 1..256 (default: the sample's own)
  --seed S           the exploration's seed (default 1): the same options find the same runs
  --param KEY=VALUE  set a sample parameter (repeatable)
  --jobs J           worker processes, 1..256 (default: the machine's cores)
  --json             print one JSON object instead of the report
  --save-dir DIR     write each outcome's shrunk run as DIR/SAMPLE-OUTCOME.gortrace, for
                     'goroscope-cli run SAMPLE --replay FILE' and the desktop app
  --no-race          explore without the race detector (no race outcome; faster)
  --shrink-runs N    runs spent shrinking each failing outcome (default 600; 0: none)
explore exits 0 when every run was ok, 1 when any other outcome was found.

After the sample's own output, run prints Go's ending when the program failed
("panic: MESSAGE" or "fatal error: all goroutines are asleep - deadlock!", then the
goroutine dump, on stderr) and a one-line summary of the run. A run cut short by
--timeout leaves a .gortrace without its footer, which export and dump reject as truncated.

Exit status:
  0   the run ended normally (or list, info, export, dump, help succeeded)
  2   a goroutine panicked
  3   deadlock: all goroutines were asleep
  4   --timeout elapsed before the run ended
  66  --race found data races (and the run otherwise ended normally), as go run -race
  64  usage error: unknown command, sample, flag or parameter, or a bad value
  65  bad input file: export/dump/--replay could not read FILE.gortrace (missing, unreadable,
      not a .gortrace file, unsupported version, truncated or corrupt), or --replay's file
      holds no schedule or was recorded from another sample
  73  an output file (--trace, --chrome, --timeline) could not be created or written
)";
}

}  // namespace goroscope::cli
