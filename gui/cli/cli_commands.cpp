// cli_commands.cpp — list, info and run.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iomanip>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

#include <gor/control.hpp>

#include "cli_commands.hpp"
#include "goroscope/registry.hpp"
#include "goroscope/runner.hpp"
#include "chrome_export.hpp"
#include "gortrace_format.hpp"
#include "run_end_text.hpp"
#include "trace_summary.hpp"

namespace goroscope::cli {

namespace {

const Sample& lookup(const std::string& id) {
  const Sample* s = find_sample(id);
  if (s == nullptr) throw UsageError("unknown sample '" + id + "' (run 'goroscope-cli list')");
  return *s;
}

void write_param(const SampleParam& p, std::ostream& out) {
  out << "  " << p.key << "  (" << p.label << ") ";
  switch (p.kind) {
    case SampleParam::Kind::Int: out << "integer " << p.min << ".." << p.max << ", default " << p.def; break;
    case SampleParam::Kind::Bool: out << "true/false, default " << (p.def ? "true" : "false"); break;
    case SampleParam::Kind::Choice: {
      out << "one of";
      for (const std::string& c : p.choices) out << ' ' << c;
      out << ", default " << p.choices.at(static_cast<size_t>(p.def));
      break;
    }
  }
  out << "\n      " << p.help << '\n';
}

// wait_or_exit() waits for `done` to be ready, or past the timeout ends the process.
void wait_or_exit(std::future<void>& done, const RunOptions& opts, std::ostream& out, std::ostream& err) {
  if (!opts.timeout_seconds) {
    done.wait();
    return;
  }
  const auto limit = std::chrono::duration<double>(*opts.timeout_seconds);
  if (done.wait_for(limit) == std::future_status::ready) return;
  out.flush();
  err << "goroscope-cli: timeout: sample '" << opts.sample << "' still running after " << *opts.timeout_seconds
      << " s; exiting with status " << kExitTimeout << " (the engine cannot interrupt a run yet)" << std::endl;
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(kExitTimeout);
}

}  // namespace

int exit_status(gor::RunStatus status) {
  switch (status) {
    case gor::RunStatus::Ok: return kExitOk;
    case gor::RunStatus::Panic: return kExitPanic;
    case gor::RunStatus::Deadlock: return kExitDeadlock;
  }
  return kExitPanic;
}

const char* status_name(gor::RunStatus status) {
  switch (status) {
    case gor::RunStatus::Ok: return "ok";
    case gor::RunStatus::Panic: return "panic";
    case gor::RunStatus::Deadlock: return "deadlock";
  }
  return "?";
}

int list_command(std::ostream& out) {
  for (const Sample& s : all_samples()) out << s.info.id << "  " << s.info.summary << '\n';
  return kExitOk;
}

int info_command(const std::string& id, std::ostream& out) {
  const SampleInfo& info = lookup(id).info;
  out << info.title << " (" << info.id << ", topic: " << info.topic << ")\n" << info.summary << "\n\n";
  out << "default procs " << info.default_procs << ", suggested dilation " << info.suggested_dilation << "\n";
  out << (info.params.empty() ? "no parameters\n" : "parameters (--param KEY=VALUE):\n");
  for (const SampleParam& p : info.params) write_param(p, out);
  out << '\n' << info.explanation << '\n';
  return kExitOk;
}

namespace {

TimelineWriter timeline_writer = nullptr;

// Tracing is what run_command() records for --trace, --chrome and --timeline.
struct Tracing {
  std::unique_ptr<trace::GortraceWriter> writer;  // --trace
  std::unique_ptr<trace::MemoryTrace> memory;     // --chrome, --timeline
  std::unique_ptr<trace::TeeObserver> tee;        // both
  gor::TraceObserver* observer = nullptr;
};

// start_tracing() creates the output files (so a bad path fails before the run). Throws
// trace::GortraceError.
Tracing start_tracing(const RunOptions& opts, const Sample& sample, const SampleParams& params,
                      const gor::Config& cfg) {
  Tracing t;
  if (!opts.trace_path && !opts.chrome_path && !opts.timeline_path) return t;
  trace::TraceHeader h;
  h.procs = cfg.procs;
  h.seed = cfg.seed;
  h.deterministic = cfg.deterministic.value_or(false);
  // A deterministic run's file holds no wall-clock field (same run, same bytes), and it is
  // unpaced: its dilation is 1 whatever was asked.
  h.dilation = h.deterministic ? 1.0 : cfg.dilation;
  h.start_wall_ns = h.deterministic ? 0 : trace::wall_now_ns();
  h.op_cost_ns = h.deterministic ? cfg.op_cost.count() : 0;
  h.race = cfg.race;
  h.sample = sample.info.id;
  h.params = params.describe();
  for (const auto* path : {&opts.chrome_path, &opts.timeline_path}) {
    if (!*path) continue;
    std::ofstream probe(**path, std::ios::trunc);
    if (!probe) throw trace::GortraceError("cannot create '" + **path + "': " + std::strerror(errno));
  }
  if (opts.chrome_path || opts.timeline_path) {
    t.memory = std::make_unique<trace::MemoryTrace>(h);
    t.observer = t.memory.get();
  }
  if (opts.trace_path) {
    t.writer = std::make_unique<trace::GortraceWriter>(*opts.trace_path, h);
    t.observer = t.writer.get();
  }
  if (t.writer && t.memory) {
    t.tee = std::make_unique<trace::TeeObserver>(t.writer.get(), t.memory.get());
    t.observer = t.tee.get();
  }
  return t;
}

// finish_tracing() writes the footer and the JSON, one line per file on `out`. Returns false
// (with the message on `err`) if a file could not be written.
bool finish_tracing(Tracing& t, const RunOptions& opts, const gor::RunResult& r, std::ostream& out,
                    std::ostream& err) {
  bool ok = true;
  if (t.writer) {
    try {
      const uint64_t n = t.writer->events_written();
      t.writer->finish(r);
      out << "trace: " << n << " events written to " << *opts.trace_path << '\n';
    } catch (const trace::GortraceError& e) {
      err << "goroscope-cli: " << e.what() << '\n';
      ok = false;
    }
  }
  if (t.memory) t.memory->finish(r);
  if (t.memory && opts.timeline_path) {
    std::string error = "goroscope-cli was built without Qt: no --timeline";
    if (timeline_writer && timeline_writer(t.memory->trace(), *opts.timeline_path, opts.timeline_lanes, &error)) {
      out << "timeline: " << t.memory->trace().events.size() << " events drawn to " << *opts.timeline_path << '\n';
    } else {
      err << "goroscope-cli: " << error << '\n';
      ok = false;
    }
  }
  if (t.memory && opts.chrome_path) {
    try {
      const trace::ChromeExportStats s = trace::export_chrome_file(t.memory->trace(), *opts.chrome_path);
      out << "chrome: " << s.slices << " goroutine slices, " << s.flows << " arrows, " << s.instants
          << " instants written to " << *opts.chrome_path << " (open it in ui.perfetto.dev or chrome://tracing)\n";
    } catch (const trace::GortraceError& e) {
      err << "goroscope-cli: " << e.what() << '\n';
      ok = false;
    }
  }
  return ok;
}

// environment_deterministic() is GOR_DETERMINISTIC=1 (the engine applies it to a run whose
// Config leaves the mode unset; the CLI needs to know first, for the file's header).
bool environment_deterministic() {
  const char* e = std::getenv("GOR_DETERMINISTIC");
  return e != nullptr && std::string(e) == "1";
}

// random_seed() is a fresh nonzero seed, like Go's runtime seeding itself from the OS.
uint64_t random_seed() {
  std::random_device rd;
  uint64_t s = 0;
  while (s == 0) s = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return s;
}

// ReplaySource is what --replay takes from a recorded file.
struct ReplaySource {
  trace::TraceFile file;
  std::shared_ptr<const gor::Schedule> schedule;
};

// load_replay() reads FILE.gortrace for --replay of `sample`; on failure writes one line on
// `err` and returns nullopt.
std::optional<ReplaySource> load_replay(const std::string& path, const Sample& sample, std::ostream& err) {
  ReplaySource src;
  try {
    src.file = trace::read_gortrace_file(path);
  } catch (const trace::GortraceError& e) {
    err << "goroscope-cli: --replay: " << e.what() << '\n';
    return std::nullopt;
  }
  const trace::TraceHeader& h = src.file.header;
  if (!h.deterministic || !src.file.schedule) {
    err << "goroscope-cli: --replay: '" << path << "' holds no schedule (record it with run --deterministic --trace)\n";
    return std::nullopt;
  }
  if (h.sample != sample.info.id) {
    err << "goroscope-cli: --replay: '" << path << "' was recorded from sample '" << h.sample << "', not '"
        << sample.info.id << "'\n";
    return std::nullopt;
  }
  if (h.procs < 1 || h.procs > 256) {
    err << "goroscope-cli: --replay: '" << path << "' records procs " << h.procs << " (not 1..256)\n";
    return std::nullopt;
  }
  src.schedule = std::make_shared<const gor::Schedule>(*src.file.schedule);
  return src;
}

// event_text() is one event, for naming the first difference of a diverging replay.
std::string event_text(const gor::Event& e) {
  std::ostringstream s;
  s << gor::event_kind_name(e.kind) << " at " << e.ts << " ns (G" << e.g << ", P" << e.p << ", M" << e.m << ", args "
    << e.a0 << ' ' << e.a1 << ' ' << e.a2 << ')';
  return s.str();
}

// first_difference() compares a replayed run's events with the recorded ones: "" if equal,
// else which event is the first to differ.
std::string first_difference(const trace::TraceFile& recorded, const trace::TraceFile& replayed) {
  const auto& a = recorded.events;
  const auto& b = replayed.events;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const gor::Event& x = a[i];
    const gor::Event& y = b[i];
    if (x.ts != y.ts || x.kind != y.kind || x.g != y.g || x.a0 != y.a0 || x.a1 != y.a1 || x.a2 != y.a2 ||
        x.p != y.p || x.m != y.m) {
      return "event #" + std::to_string(i + 1) + " differs: recorded " + event_text(x) + ", replayed " + event_text(y);
    }
  }
  if (a.size() != b.size()) {
    return "the recorded run has " + std::to_string(a.size()) + " events, the replay " + std::to_string(b.size()) +
           (a.size() > b.size() ? "; the first missing is " + event_text(a[n]) : "; the first extra is " + event_text(b[n]));
  }
  return {};
}

// read_input() reads a .gortrace for export and dump; on failure writes the message on `err`.
bool read_input(const std::string& input, trace::TraceFile& t, std::ostream& err) {
  try {
    t = trace::read_gortrace_file(input);
    return true;
  } catch (const trace::GortraceError& e) {
    err << "goroscope-cli: " << e.what() << '\n';
    return false;
  }
}

}  // namespace

int run_command(const RunOptions& opts_in, std::ostream& out, std::ostream& err) {
  RunOptions opts = opts_in;
  const Sample& sample = lookup(opts.sample);
  std::optional<ReplaySource> replay;
  if (opts.replay_path) {
    replay = load_replay(*opts.replay_path, sample, err);
    if (!replay) return kExitBadInput;
    // The recorded run's settings, exactly: its parameters, procs, race detector and seed.
    std::istringstream words(replay->file.header.params);
    for (std::string word; words >> word;) {
      const size_t eq = word.find('=');
      if (eq == std::string::npos) {
        err << "goroscope-cli: --replay: unreadable parameters '" << replay->file.header.params << "'\n";
        return kExitBadInput;
      }
      opts.params.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    opts.procs = replay->file.header.procs;
    opts.race = replay->file.header.race;
    opts.seed = replay->schedule->seed;
    opts.deterministic = true;
  }
  SampleParams params(sample.info);
  for (const auto& [key, value] : opts.params) {
    try {
      params.parse(key, value);
    } catch (const SampleParamError& e) {
      if (replay) {
        err << "goroscope-cli: --replay: the recorded parameters do not fit this build's sample: " << e.what() << '\n';
        return kExitBadInput;
      }
      throw UsageError(e.what());
    }
  }
  gor::Config cfg = sample_config(sample);
  if (opts.procs) cfg.procs = *opts.procs;
  const bool deterministic = opts.deterministic || environment_deterministic();
  cfg.deterministic = deterministic;
  if (opts.seed) {
    cfg.seed = *opts.seed;
  } else if (const char* s = std::getenv("GOR_SEED"); deterministic && s != nullptr && *s != '\0') {
    cfg.seed = std::strtoull(s, nullptr, 10);
  }
  if (cfg.seed == 0) cfg.seed = random_seed();
  cfg.dilation = opts.dilation;
  cfg.race = opts.race;
  if (replay) {
    cfg.replay = replay->schedule;
    cfg.op_cost = std::chrono::nanoseconds(replay->file.header.op_cost_ns);
  }
  // A replay is compared event for event with the recording.
  std::unique_ptr<trace::MemoryTrace> replayed;

  Tracing tracing;
  try {
    tracing = start_tracing(opts, sample, params, cfg);
  } catch (const trace::GortraceError& e) {
    err << "goroscope-cli: " << e.what() << '\n';
    return kExitCantWrite;
  }
  std::unique_ptr<trace::TeeObserver> replay_tee;
  if (replay) {
    replayed = std::make_unique<trace::MemoryTrace>(replay->file.header);
    if (tracing.observer != nullptr) {
      replay_tee = std::make_unique<trace::TeeObserver>(tracing.observer, replayed.get());
      tracing.observer = replay_tee.get();
    } else {
      tracing.observer = replayed.get();
    }
  }
  if (tracing.observer != nullptr) {
    cfg.trace = true;
    cfg.observer = tracing.observer;
  }

  // A control handle only to read the run's final state: the partial deadlocks still standing
  // when it ended (Go reports none of them; we warn like the detector in the app does).
  gor::RunControl control;
  cfg.control = &control;

  // The run goes on its own thread so that this one can give up on it at the timeout.
  SampleRun run;
  std::packaged_task<void()> task([&] { run = run_sample(sample, params, cfg); });
  std::future<void> done = task.get_future();
  std::thread runner(std::move(task));
  wait_or_exit(done, opts, out, err);
  runner.join();
  done.get();  // rethrows what run_sample threw (a std::logic_error from a misused API)

  for (const std::string& line : run.outcome.lines) out << line << '\n';
  const gor::RunResult& r = run.result;
  // Race reports, partial deadlocks, the panic or fatal error with its dump: on stderr, as Go.
  const std::optional<gor::Snapshot> last = control.final_snapshot();
  if (const std::string end = trace::run_end_text(r, last ? last->deadlocks : std::vector<gor::DeadlockInfo>{}, opts.race);
      !end.empty()) {
    out.flush();
    err << end;
    err.flush();
  }
  out << "--- " << sample.info.id << ": " << status_name(r.status) << " in " << std::fixed << std::setprecision(3)
      << run.wall_seconds << " s wall (";
  if (r.deterministic) {
    out << (replay ? "replayed" : "deterministic") << ", procs " << cfg.procs << ", seed " << r.seed << ", engine "
        << std::setprecision(3) << static_cast<double>(r.engine_ns) / 1e6 << " ms";
  } else {
    out << "real threads, procs " << cfg.procs << ", seed " << r.seed << ", dilation " << std::defaultfloat
        << cfg.dilation;
  }
  out << std::defaultfloat << "); goroutines created " << r.goroutines_created << ", steals " << r.steals
      << ", max threads " << r.max_threads << ", leaked " << r.leaked;
  if (opts.race) out << ", data races " << r.races;
  out << '\n';
  const bool written = finish_tracing(tracing, opts, r, out, err);
  out.flush();
  if (replay) {
    replayed->finish(r);
    const std::string diff = first_difference(replay->file, replayed->trace());
    if (!diff.empty()) {
      err << "goroscope-cli: replay diverged from '" << *opts.replay_path << "': " << diff << '\n';
      return kExitBadInput;
    }
  }
  int status = exit_status(r.status);
  if (!written) {
    status = kExitCantWrite;
  } else if (r.status == gor::RunStatus::Ok && r.races > 0) {
    status = kExitRace;
  }
  if (!r.abandoned.empty()) {
    // Threads the run could not stop are still running (a loop with no engine call, a call
    // that never returns): end the process now, as Go's exit does, rather than run static
    // destructors under them.
    for (const std::string& line : r.abandoned) err << "goroscope-cli: " << line << '\n';
    out.flush();
    err.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(status);
  }
  return status;
}

void set_timeline_writer(TimelineWriter writer) { timeline_writer = writer; }

int export_command(const std::string& input, const std::string& chrome, std::ostream& out, std::ostream& err) {
  trace::TraceFile t;
  if (!read_input(input, t, err)) return kExitBadInput;
  try {
    const trace::ChromeExportStats s = trace::export_chrome_file(t, chrome);
    out << "chrome: " << s.slices << " goroutine slices, " << s.flows << " arrows, " << s.instants
        << " instants from " << t.events.size() << " events written to " << chrome
        << " (open it in ui.perfetto.dev or chrome://tracing)\n";
  } catch (const trace::GortraceError& e) {
    err << "goroscope-cli: " << e.what() << '\n';
    return kExitCantWrite;
  }
  return kExitOk;
}

int dump_command(const std::string& input, std::ostream& out, std::ostream& err) {
  trace::TraceFile t;
  if (!read_input(input, t, err)) return kExitBadInput;
  trace::write_summary(t, trace::summarize(t), out);
  return kExitOk;
}

}  // namespace goroscope::cli
