// cli_args.hpp — goroscope-cli's command line: parsing and validation, without running anything.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace goroscope::cli {

// Exit statuses of goroscope-cli (documented in --help).
inline constexpr int kExitOk = 0;        // the run ended normally (or list/help/info succeeded)
inline constexpr int kExitPanic = 2;     // a goroutine panicked (Go exits with 2 too)
inline constexpr int kExitDeadlock = 3;  // all goroutines asleep: fatal error
inline constexpr int kExitTimeout = 4;   // --timeout elapsed before the run ended
inline constexpr int kExitRace = 66;     // --race found data races in a run that otherwise ended ok (Go: 66)
inline constexpr int kExitUsage = 64;    // bad command line: unknown sample, flag or value (EX_USAGE)
inline constexpr int kExitBadInput = 65; // an input file is unreadable, not a .gortrace or corrupt (EX_DATAERR)
inline constexpr int kExitCantWrite = 73;// an output file (--trace, --chrome) cannot be written (EX_CANTCREAT)

// UsageError is a command-line mistake; what() is the message without the program-name prefix,
// e.g. "--procs must be an integer between 1 and 256 (got 'abc')".
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// RunOptions are the options of `goroscope-cli run`, each validated (ranges as in --help).
struct RunOptions {
  std::string sample;                  // sample id as typed (checked against the registry later)
  std::optional<int> procs;            // 1..256; unset: the sample's default_procs
  std::optional<uint64_t> seed;        // unset: a random one (printed in the summary)
  bool deterministic = false;          // --deterministic: virtual time, seeded schedule
  std::optional<std::string> replay_path;  // --replay FILE.gortrace: re-execute its schedule
  double dilation = 1.0;               // 0.01..1e6
  std::optional<double> timeout_seconds;  // > 0
  std::vector<std::pair<std::string, std::string>> params;  // KEY=VALUE in command-line order
  std::optional<std::string> trace_path;   // --trace FILE.gortrace: record the run to it
  std::optional<std::string> chrome_path;  // --chrome FILE.json: Chrome Trace Event JSON of the run
  std::optional<std::string> timeline_path;  // --timeline FILE.png|FILE.svg: the run's timeline picture
  bool timeline_lanes = false;               // --lanes: the picture has a lane per goroutine
  bool race = false;                   // --race: run with the race detector (Config::race), print its reports
};

// ExploreArgs are the options of `goroscope-cli explore` (explore_args.cpp), each validated.
struct ExploreArgs {
  std::string sample;                  // sample id as typed (checked against the registry later)
  int runs = 1000;                     // --runs N, >= 1
  std::string strategy = "pct";        // --strategy random|pct|bounded
  std::optional<int> depth;            // --depth D: pct's d (>= 1), bounded's k (>= 0)
  std::optional<int> procs;            // 1..256; unset: the sample's default_procs
  uint64_t seed = 1;                   // --seed S: the exploration's seed
  std::vector<std::pair<std::string, std::string>> params;  // KEY=VALUE in command-line order
  int jobs = 0;                        // --jobs J worker processes, 1..256; 0: the machine's cores
  bool json = false;                   // --json: one JSON object on stdout instead of the report
  std::optional<std::string> save_dir; // --save-dir DIR: one replayable .gortrace per outcome
  bool race = true;                    // --no-race turns the race detector off
  int shrink_budget = 600;             // --shrink-runs N (0: no shrinking)
};

// parse_explore() parses `explore SAMPLE [options]` (args[0] is "explore"). Throws UsageError.
ExploreArgs parse_explore(const std::vector<std::string>& args);

// Command is a parsed command line.
struct Command {
  enum class Kind { Help, List, Info, Run, Export, Dump, Explore } kind = Kind::Help;
  std::string sample;  // Info: the sample id
  RunOptions run;      // Run: its options
  ExploreArgs explore; // Explore: its options
  std::string input;   // Export, Dump: the .gortrace file
  std::string chrome;  // Export: the JSON file to write
};

// parse_args() parses the arguments after the program name. `help`, `--help` or `-h` anywhere
// gives Kind::Help. Throws UsageError for a missing or unknown command, an unknown flag, a
// missing, non-numeric or out-of-range value, or an unexpected extra argument.
Command parse_args(const std::vector<std::string>& args);

// usage_text() is the --help text, ending with a newline.
std::string usage_text();

}  // namespace goroscope::cli
