// explore.hpp — finding the interleaving that breaks a sample: schedule exploration over
// deterministic runs (Config::deterministic with preemption points and a gor::Strategy),
// outcome classes, shrinking by delta debugging, and the shrunk run as an interleaving table.
//
//   ExplorePlan plan = make_plan(opts);               // throws ExploreError for bad options
//   ExploreSummary s = explore_runs(plan, 0, 1, plan.runs);   // or slices of it, merged
//   for (OutcomeStats& o : s.outcomes) if (o.kind != OutcomeKind::Ok) shrink(plan, o);
//
// Each run is one deterministic run of the sample in which every goroutine scheduling point
// (engine call, Shared<T> access, race annotation) may be a forced preemption and every tie
// between threads is a choice; the strategy answers those choices. Run i of a plan is a pure
// function of (plan, i): slices of the runs may go to other threads or processes and be merged
// (merge()) into the same summary whatever the split.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gor/control.hpp>
#include <gor/runtime.hpp>
#include <gor/strategy.hpp>

#include "goroscope/sample.hpp"

namespace goroscope::explore {

// ExploreError is a bad exploration request (unknown sample or strategy, runs < 1, a bad
// depth or parameter); what() is a complete user-facing sentence.
class ExploreError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// StrategyKind is how the choices of each run are made.
//   Random:  every run has its own seed; threads tie-broken mostly keeping the running one,
//            sometimes at random; each scheduling point preempted with a probability drawn per
//            run from 1/2 .. 1/32 (a random walk, Shuttle's default).
//   Pct:     PCT (Burckhardt et al., ASPLOS'10): random goroutine priorities, the highest
//            priority runs at a tie, and depth-1 change points, drawn uniformly over the run's
//            scheduling points, where the running goroutine is preempted and drops below all.
//   Bounded: CHESS-style preemption bounding, systematic: run 0 has no forced preemption,
//            then every single preemption point, then every pair, ... up to depth preemptions
//            (in that order, until the runs are spent or the space is covered).
enum class StrategyKind { Random, Pct, Bounded };

// strategy_name() is "random", "pct" or "bounded"; parse_strategy() the inverse (nullopt for
// an unknown name).
const char* strategy_name(StrategyKind k) noexcept;
std::optional<StrategyKind> parse_strategy(std::string_view name) noexcept;

// ExploreOptions is what the user asks for.
struct ExploreOptions {
  std::string sample;                                       // sample id
  std::vector<std::pair<std::string, std::string>> params;  // KEY=VALUE overrides, in order
  int runs = 1000;                                          // >= 1
  StrategyKind strategy = StrategyKind::Pct;
  std::optional<int> depth;       // pct: d >= 1 (default 3); bounded: k >= 0 (default 2)
  std::optional<int> procs;       // 1..256; unset: the sample's default
  uint64_t seed = 1;              // the exploration's seed (run i derives its own from it)
  bool race = true;               // run with the race detector (outcome `race`)
};

// ExplorePlan is validated options plus what the strategies need to know of the program: the
// number of goroutine scheduling points in a run without forced preemptions.
struct ExplorePlan {
  const Sample* sample = nullptr;
  SampleParams params;
  ExploreOptions options;
  int procs = 1;
  int depth = 0;
  uint64_t steps = 0;    // scheduling points of the baseline run (>= 1)
  uint64_t runs = 0;     // runs to do: options.runs, fewer when bounded covers its space
  explicit ExplorePlan(const SampleInfo& info) : params(info) {}
};

// make_plan() validates `opts` and runs the baseline. Throws ExploreError.
ExplorePlan make_plan(const ExploreOptions& opts);

// OutcomeKind is how one run ended (its class), most severe first.
enum class OutcomeKind { Fatal, Panic, Deadlock, PartialDeadlock, Check, Leak, Race, Ok };
// outcome_name() is "fatal", "panic", "deadlock", "partial-deadlock", "check", "leak", "race", "ok".
const char* outcome_name(OutcomeKind k) noexcept;

// Outcome is one run's class: kind and message together name a distinct outcome (the message
// holds no run-specific numbers), detail is this run's particulars (a check's values, the
// blocked goroutines).
struct Outcome {
  OutcomeKind kind = OutcomeKind::Ok;
  std::string message;
  std::string detail;
};

// classify() is the class of a finished run: fatal error, panic, global deadlock, partial
// deadlock (a wait-for cycle of two or more goroutines standing when main returned, with the
// objects named), a failed SampleOutcome::check, a leak (goroutines still blocked when main
// returned, with what they waited on and where), a data race (the first pair of sites), else ok.
// `last` is the run's final snapshot (RunControl::final_snapshot), if any.
Outcome classify(const gor::RunResult& r, const SampleOutcome& out, const std::optional<gor::Snapshot>& last);

// Choice is one answered choice point of a run (the strategy's view of the Schedule).
struct Choice {
  gor::ChoiceKind kind = gor::ChoiceKind::Thread;
  uint32_t candidates = 0;
  uint32_t chosen = 0;
  uint64_t goroutine = 0;   // Preempt: the goroutine at the point; Thread: the chosen one's
  uint32_t nth = 0;         // Preempt: its scheduling points so far (0-based)
  bool deviation = false;   // a forced preemption, or a thread choice other than keeping the
                            // goroutine that moved last: what shrinking removes
};

// RunRecord is one run: its class, its Schedule (for Config::replay), its choices, the seed.
struct RunRecord {
  Outcome outcome;
  gor::Schedule schedule;
  std::vector<Choice> choices;
  uint64_t seed = 0;
  uint64_t preemptions = 0;  // forced preemptions
  uint64_t switches = 0;     // deviations that are thread choices
};

// run_index() runs run `i` of the plan (a pure function of plan and i).
RunRecord run_index(const ExplorePlan& plan, uint64_t i);

// OutcomeStats is one distinct outcome of an exploration: how many runs hit it and the first.
struct OutcomeStats {
  Outcome outcome;               // of the first run that hit it
  uint64_t count = 0;
  uint64_t first_run = 0;        // run index
  RunRecord first;               // that run
  std::optional<RunRecord> shrunk;  // shrink()'s result
};

// ExploreSummary is the outcome table of runs done so far, most severe outcome first, then by
// first run.
struct ExploreSummary {
  uint64_t runs = 0;
  std::vector<OutcomeStats> outcomes;
  // add() counts one run.
  void add(uint64_t index, RunRecord&& rec);
  // merge() adds another slice's summary (first runs compared by index).
  void merge(ExploreSummary&& other);
  // failures() is whether any outcome other than ok was seen.
  bool failures() const;
};

// explore_runs() does runs first, first + stride, ... (count of them, stopping at plan.runs),
// calling progress(done) after each run when given; stops early when *cancel becomes true.
ExploreSummary explore_runs(const ExplorePlan& plan, uint64_t first, uint64_t stride, uint64_t count,
                            const std::function<void(uint64_t)>& progress = {},
                            const std::atomic<bool>* cancel = nullptr);

// shrink() looks for a run with the same outcome (kind and message) and as few deviations as
// it can find (forced preemptions first, then thread switches) by delta debugging over the
// deviations of o.first (ddmin), within `budget` runs; sets o.shrunk (o.first itself when
// nothing smaller gives the outcome).
void shrink(const ExplorePlan& plan, OutcomeStats& o, int budget = 600);

// replay_config() is the engine configuration that re-executes `rec` exactly (Config::replay
// with its schedule), tracing off.
gor::Config replay_config(const ExplorePlan& plan, const RunRecord& rec);

// InterleavingTable is a run as Lincheck shows one: a column per goroutine, the steps in
// order, each a cell in its goroutine's column, forced preemptions marked.
struct InterleavingTable {
  std::vector<uint64_t> goroutines;     // column order (by first appearance)
  std::vector<std::string> headers;     // "G1 main", "G5 worker 1"
  struct Row {
    size_t column = 0;
    std::string text;                    // one or more lines of what the goroutine did
    bool forced = false;                 // the step ends in a forced preemption
  };
  std::vector<Row> rows;
  // render() is the table as text, columns `width` characters wide.
  std::string render(size_t width = 28) const;
};

// interleaving() replays `rec` with tracing and builds its table.
InterleavingTable interleaving(const ExplorePlan& plan, const RunRecord& rec);

}  // namespace goroscope::explore
