// explore_command.cpp — `goroscope-cli explore` (explore_command.hpp): worker processes,
// progress, shrinking, saved schedules and the report.
#include "explore_command.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <thread>

#include "gortrace_format.hpp"
#include "goroscope/registry.hpp"
#include "goroscope/runner.hpp"

namespace goroscope::cli {

using namespace goroscope::explore;

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

// write_all() writes every byte of s to fd (false on an error).
bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string escape_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}

std::string unescape_line(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
  }
  return out;
}

// Worker is one forked worker process and what it has reported so far.
struct Worker {
  pid_t pid = -1;
  int fd = -1;
  std::string buffer;     // bytes not yet split into lines
  uint64_t done = 0;      // runs done
  bool finished = false;  // its "E" line arrived
};

// OutcomeCount is one outcome as the workers report it: its count and first run.
struct OutcomeCount {
  OutcomeKind kind = OutcomeKind::Ok;
  std::string message;
  uint64_t count = 0;
  uint64_t first_run = UINT64_MAX;
};

// worker_main() is a worker's body: runs j, j + jobs, ... of the plan, reporting progress
// ("P done") at most every 20 ms and, at the end, one "O kind first count message" line per
// outcome and "E runs". Never returns.
[[noreturn]] void worker_main(const ExplorePlan& plan, uint64_t j, uint64_t jobs, int fd) {
  auto last = std::chrono::steady_clock::now();
  ExploreSummary s = explore_runs(plan, j, jobs, UINT64_MAX, [&](uint64_t done) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(20)) return;
    last = now;
    write_all(fd, "P " + std::to_string(done) + "\n");
  });
  std::string out = "P " + std::to_string(s.runs) + "\n";
  for (const OutcomeStats& o : s.outcomes) {
    out += "O " + std::to_string(static_cast<int>(o.outcome.kind)) + " " + std::to_string(o.first_run) + " " +
           std::to_string(o.count) + " " + escape_line(o.outcome.message) + "\n";
  }
  out += "E " + std::to_string(s.runs) + "\n";
  const bool ok = write_all(fd, out);
  ::close(fd);
  std::_Exit(ok ? 0 : 1);
}

// take_lines() consumes the complete lines of w.buffer into `counts` and w's progress.
void take_lines(Worker& w, std::map<std::pair<int, std::string>, OutcomeCount>& counts) {
  size_t nl;
  while ((nl = w.buffer.find('\n')) != std::string::npos) {
    const std::string line = w.buffer.substr(0, nl);
    w.buffer.erase(0, nl + 1);
    std::istringstream in(line);
    char tag = 0;
    in >> tag;
    if (tag == 'P') {
      in >> w.done;
    } else if (tag == 'E') {
      in >> w.done;
      w.finished = true;
    } else if (tag == 'O') {
      int kind = 0;
      uint64_t first = 0, count = 0;
      in >> kind >> first >> count;
      in.get();
      std::string msg;
      std::getline(in, msg);
      msg = unescape_line(msg);
      OutcomeCount& c = counts[{kind, msg}];
      c.kind = static_cast<OutcomeKind>(kind);
      c.message = msg;
      c.count += count;
      c.first_run = std::min(c.first_run, first);
    }
  }
}

void draw_progress(std::ostream& err, uint64_t done, uint64_t total, double seconds, size_t failures) {
  const int width = 30;
  const int filled = total == 0 ? width : static_cast<int>(width * done / total);
  err << "\r[" << std::string(static_cast<size_t>(filled), '#') << std::string(static_cast<size_t>(width - filled), '.')
      << "] " << done << "/" << total << " runs";
  if (seconds > 0) err << ", " << static_cast<uint64_t>(static_cast<double>(done) / seconds) << " runs/s";
  err << ", " << failures << " failing outcome" << (failures == 1 ? "" : "s") << "   " << std::flush;
}

std::string file_name(const std::string& sample, const OutcomeStats& o, int nth) {
  return sample + "-" + outcome_name(o.outcome.kind) + (nth > 1 ? "-" + std::to_string(nth) : "") + ".gortrace";
}

std::string percent(uint64_t n, uint64_t total) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << (total == 0 ? 0.0 : 100.0 * static_cast<double>(n) / static_cast<double>(total))
    << "%";
  return s.str();
}

}  // namespace

namespace {

// write_here() records `rec` (re-executed from its schedule) at `path` in this process: "" or the error.
std::string write_here(const ExplorePlan& plan, const RunRecord& rec, const std::string& path) {
  try {
    gor::Config cfg = replay_config(plan, rec);
    trace::TraceHeader h;
    h.procs = cfg.procs;
    h.seed = rec.seed;
    h.deterministic = true;
    h.dilation = 1.0;
    h.start_wall_ns = 0;
    h.op_cost_ns = cfg.op_cost.count();
    h.race = cfg.race;
    h.sample = plan.sample->info.id;
    h.params = plan.params.describe();
    trace::GortraceWriter writer(path, h);
    cfg.trace = true;
    cfg.observer = &writer;
    gor::RunControl control;  // as run_command has: its final snapshot reports partial deadlocks
    cfg.control = &control;
    SampleRun run = run_sample(*plan.sample, plan.params, cfg);
    writer.finish(run.result);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}

// Saver is a process forked before this one ran anything: each file it is asked for is written
// by a fresh fork of it, whose object ids (process-wide) start where a new `goroscope-cli run
// --replay` process's do, so that the replay's event-by-event check matches.
struct Saver {
  pid_t pid = -1;
  int req = -1;   // parent -> saver: "seed preemption-points hex-schedule path\n"
  int resp = -1;  // saver -> parent: '0' written, '1' failed
};

[[noreturn]] void saver_main(const ExploreArgs& args, int req, int resp) {
  const Sample* sample = find_sample(args.sample);
  FILE* in = ::fdopen(req, "r");
  char* line = nullptr;
  size_t cap = 0;
  while (sample != nullptr && in != nullptr && ::getline(&line, &cap, in) > 0) {
    std::istringstream words(line);
    RunRecord rec;
    std::string path, hex;
    bool pp = false;
    words >> rec.seed >> pp >> hex;
    words.get();
    std::getline(words, path);
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      rec.schedule.bytes.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    rec.schedule.preemption_points = pp;
    rec.schedule.seed = rec.seed;
    char result = '1';
    const pid_t child = ::fork();
    if (child == 0) {
      ExplorePlan plan(sample->info);
      plan.sample = sample;
      plan.options.race = args.race;
      plan.procs = args.procs.value_or(sample->info.default_procs);
      bool ok = true;
      try {
        for (const auto& [k, v] : args.params) plan.params.parse(k, v);
      } catch (const std::exception&) {
        ok = false;
      }
      std::_Exit(ok && write_here(plan, rec, path).empty() ? 0 : 1);
    }
    if (child > 0) {
      int status = 0;
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) result = '0';
    }
    write_all(resp, std::string(1, result));
  }
  std::_Exit(0);
}

}  // namespace

bool save_run(const ExplorePlan& plan, const RunRecord& rec, const std::string& path, std::string* error) {
  int fds[2];
  if (::pipe(fds) != 0) {
    if (error) *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    if (error) *error = std::string("fork: ") + std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  if (pid == 0) {
    ::close(fds[0]);
    const std::string message = write_here(plan, rec, path);
    write_all(fds[1], message);
    ::close(fds[1]);
    std::_Exit(message.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string message;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    message.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  if (error) *error = message.empty() ? "the process writing '" + path + "' failed" : message;
  return false;
}

int explore_command(const ExploreArgs& args, std::ostream& out, std::ostream& err, bool progress) {
  ExploreOptions opts;
  opts.sample = args.sample;
  opts.params = args.params;
  opts.runs = args.runs;
  const std::optional<StrategyKind> strategy = parse_strategy(args.strategy);
  if (!strategy) throw UsageError("--strategy must be random, pct or bounded (got '" + args.strategy + "')");
  opts.strategy = *strategy;
  opts.depth = args.depth;
  opts.procs = args.procs;
  opts.seed = args.seed;
  opts.race = args.race;
  // The saver is forked before this process runs anything (make_plan's baseline is a run).
  Saver saver;
  {
    int req[2], resp[2];
    out.flush();
    err.flush();
    if (::pipe(req) == 0 && ::pipe(resp) == 0) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(req[1]);
        ::close(resp[0]);
        saver_main(args, req[0], resp[1]);
      }
      ::close(req[0]);
      ::close(resp[1]);
      if (pid > 0) {
        saver = {pid, req[1], resp[0]};
      } else {
        ::close(req[1]);
        ::close(resp[0]);
      }
    }
  }
  struct StopSaver {
    Saver& s;
    ~StopSaver() {
      if (s.pid <= 0) return;
      ::close(s.req);
      ::close(s.resp);
      int status = 0;
      while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
  } stop_saver{saver};
  std::optional<ExplorePlan> plan_storage;
  try {
    plan_storage.emplace(make_plan(opts));
  } catch (const ExploreError& e) {
    throw UsageError(e.what());
  }
  const ExplorePlan& plan = *plan_storage;

  namespace fs = std::filesystem;
  fs::path dir = args.save_dir ? fs::path(*args.save_dir)
                               : fs::temp_directory_path() / "goroscope-explore" /
                                     (plan.sample->info.id + "-" + strategy_name(opts.strategy) + "-seed" +
                                      std::to_string(opts.seed));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    err << "goroscope-cli: cannot create directory '" << dir.string() << "': " << ec.message() << '\n';
    return kExitCantWrite;
  }

  // The runs, over forked workers (each process deterministic on its own thread).
  uint64_t jobs = args.jobs > 0 ? static_cast<uint64_t>(args.jobs) : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::max<uint64_t>(1, std::min<uint64_t>(jobs, plan.runs));
  out.flush();
  err.flush();
  std::vector<Worker> workers(jobs);
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t j = 0; j < jobs; ++j) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::close(fds[0]);
      for (uint64_t k = 0; k < j; ++k) ::close(workers[k].fd);
      worker_main(plan, j, jobs, fds[1]);
    }
    ::close(fds[1]);
    workers[j].pid = pid;
    workers[j].fd = fds[0];
  }
  std::map<std::pair<int, std::string>, OutcomeCount> counts;
  size_t open = jobs;
  auto last_draw = std::chrono::steady_clock::time_point{};
  while (open > 0) {
    std::vector<pollfd> pfds;
    std::vector<size_t> which;
    for (size_t j = 0; j < workers.size(); ++j) {
      if (workers[j].fd < 0) continue;
      pfds.push_back({workers[j].fd, POLLIN, 0});
      which.push_back(j);
    }
    const int n = ::poll(pfds.data(), pfds.size(), 100);
    if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    for (size_t k = 0; k < pfds.size() && n > 0; ++k) {
      if ((pfds[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      Worker& w = workers[which[k]];
      char buf[65536];
      const ssize_t got = ::read(w.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(w.fd);
        w.fd = -1;
        --open;
        continue;
      }
      w.buffer.append(buf, static_cast<size_t>(got));
      take_lines(w, counts);
    }
    const auto now = std::chrono::steady_clock::now();
    if (progress && (now - last_draw > std::chrono::milliseconds(100) || open == 0)) {
      last_draw = now;
      uint64_t done = 0;
      for (const Worker& w : workers) done += w.done;
      size_t failing = 0;
      for (const auto& [key, c] : counts) failing += c.kind != OutcomeKind::Ok;
      draw_progress(err, done, plan.runs, std::chrono::duration<double>(now - start).count(), failing);
    }
  }
  bool workers_ok = true;
  uint64_t runs_done = 0;
  for (Worker& w : workers) {
    int status = 0;
    while (::waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    runs_done += w.done;
    if (!w.finished || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      workers_ok = false;
      err << (progress ? "\n" : "") << "goroscope-cli: explore: a worker process failed ("
          << (WIFSIGNALED(status) ? std::string("signal ") + strsignal(WTERMSIG(status))
                                  : "exit status " + std::to_string(WEXITSTATUS(status)))
          << ")\n";
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) err << '\n';
  if (!workers_ok) return 70;  // EX_SOFTWARE

  // Each outcome's first run again, here (a pure function of the plan and its index), shrunk.
  std::vector<OutcomeStats> outcomes;
  for (const auto& [key, c] : counts) {
    OutcomeStats o;
    o.count = c.count;
    o.first_run = c.first_run;
    o.first = run_index(plan, c.first_run);
    o.outcome = o.first.outcome;
    if (o.outcome.kind != c.kind || o.outcome.message != c.message) {
      err << "goroscope-cli: explore: run " << c.first_run << " did not repeat: a worker saw " << outcome_name(c.kind)
          << " (" << c.message << "), this process " << outcome_name(o.outcome.kind) << " (" << o.outcome.message
          << ")\n";
      return 70;
    }
    outcomes.push_back(std::move(o));
  }
  std::sort(outcomes.begin(), outcomes.end(), [](const OutcomeStats& a, const OutcomeStats& b) {
    return std::pair(a.outcome.kind, a.first_run) < std::pair(b.outcome.kind, b.first_run);
  });
  if (progress && std::any_of(outcomes.begin(), outcomes.end(), [](auto& o) { return o.outcome.kind != OutcomeKind::Ok; }))
    err << "shrinking..." << std::flush;
  for (OutcomeStats& o : outcomes)
    if (o.outcome.kind != OutcomeKind::Ok && args.shrink_budget > 0) shrink(plan, o, args.shrink_budget);
  if (progress) err << "\r              \r" << std::flush;

  // Every outcome's run (the shrunk one when there is one) as a replayable file.
  std::vector<std::string> files;
  std::map<OutcomeKind, int> nth;
  bool saved = true;
  for (const OutcomeStats& o : outcomes) {
    const fs::path path = dir / file_name(plan.sample->info.id, o, ++nth[o.outcome.kind]);
    std::string error;
    const RunRecord& rec = o.shrunk ? *o.shrunk : o.first;
    bool written = false;
    if (saver.pid > 0) {
      static const char* const kHex = "0123456789abcdef";
      std::string hex;
      for (uint8_t b : rec.schedule.bytes) hex += std::string{kHex[b >> 4], kHex[b & 15]};
      char result = '1';
      written = write_all(saver.req, std::to_string(rec.seed) + " " + (rec.schedule.preemption_points ? "1" : "0") +
                                         " " + hex + " " + path.string() + "\n") &&
                ::read(saver.resp, &result, 1) == 1 && result == '0';
      if (!written) error = "cannot write '" + path.string() + "'";
    } else {
      written = save_run(plan, rec, path.string(), &error);
    }
    if (!written) {
      err << "goroscope-cli: " << error << '\n';
      saved = false;
      files.emplace_back();
    } else {
      files.push_back(path.string());
    }
  }

  const bool failures =
      std::any_of(outcomes.begin(), outcomes.end(), [](const OutcomeStats& o) { return o.outcome.kind != OutcomeKind::Ok; });
  if (args.json) {
    out << "{\"sample\": " << json_string(plan.sample->info.id) << ", \"params\": " << json_string(plan.params.describe())
        << ", \"runs\": " << runs_done << ", \"strategy\": " << json_string(strategy_name(opts.strategy))
        << ", \"depth\": " << plan.depth << ", \"procs\": " << plan.procs << ", \"seed\": " << opts.seed
        << ", \"race\": " << (opts.race ? "true" : "false") << ", \"seconds\": " << seconds
        << ", \"runs_per_second\": " << (seconds > 0 ? static_cast<double>(runs_done) / seconds : 0.0)
        << ", \"outcomes\": [";
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const OutcomeStats& o = outcomes[i];
      const RunRecord& shown = o.shrunk ? *o.shrunk : o.first;
      out << (i ? ", " : "") << "{\"kind\": " << json_string(outcome_name(o.outcome.kind))
          << ", \"message\": " << json_string(o.outcome.message) << ", \"detail\": " << json_string(shown.outcome.detail)
          << ", \"count\": " << o.count << ", \"first_run\": " << o.first_run << ", \"seed\": " << shown.seed
          << ", \"schedule_file\": " << (files[i].empty() ? "null" : json_string(files[i]))
          << ", \"preemptions\": " << shown.preemptions << ", \"switches\": " << shown.switches
          << ", \"first_run_preemptions\": " << o.first.preemptions << "}";
    }
    out << "]}\n";
  } else {
    out << "explored " << plan.sample->info.id << " (" << plan.params.describe() << "): " << runs_done << " runs, strategy "
        << strategy_name(opts.strategy);
    if (opts.strategy != StrategyKind::Random) out << " depth " << plan.depth;
    out << ", procs " << plan.procs << ", seed " << opts.seed << (opts.race ? ", race detector on" : "") << ", "
        << std::fixed << std::setprecision(2) << seconds << " s (" << std::setprecision(0)
        << (seconds > 0 ? static_cast<double>(runs_done) / seconds : 0.0) << " runs/s)" << std::defaultfloat << "\n\n";
    out << "  outcome            runs      share  first run\n";
    for (const OutcomeStats& o : outcomes) {
      std::ostringstream row;
      row << "  " << std::left << std::setw(17) << outcome_name(o.outcome.kind) << std::right << std::setw(6) << o.count
          << std::setw(11) << percent(o.count, runs_done) << std::setw(11) << o.first_run;
      out << row.str() << "  " << o.outcome.message << '\n';
    }
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const OutcomeStats& o = outcomes[i];
      if (o.outcome.kind == OutcomeKind::Ok) continue;
      const RunRecord& shown = o.shrunk ? *o.shrunk : o.first;
      out << "\n== " << outcome_name(o.outcome.kind) << ": " << o.outcome.message << '\n';
      if (!shown.outcome.detail.empty()) out << "   " << shown.outcome.detail << '\n';
      out << "   first found in run " << o.first_run << " with " << o.first.preemptions << " forced preemption"
          << (o.first.preemptions == 1 ? "" : "s") << "; shrunk to " << shown.preemptions << " forced preemption"
          << (shown.preemptions == 1 ? "" : "s") << " and " << shown.switches << " thread switch"
          << (shown.switches == 1 ? "" : "es") << '\n';
      if (!files[i].empty())
        out << "   replay: goroscope-cli run " << plan.sample->info.id << " --replay " << files[i] << '\n';
      out << '\n' << interleaving(plan, shown).render();
    }
  }
  out.flush();
  if (!saved) return kExitCantWrite;
  return failures ? 1 : 0;
}

}  // namespace goroscope::cli
