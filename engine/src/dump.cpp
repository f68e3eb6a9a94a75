// dump.cpp — the goroutine dump, in the shape of Go's traceback (Go ≥ 1.21):
//
//   goroutine 7 [chan receive, 12 minutes] "worker 3":
//   main.worker(...)
//   	samples/deadlock.cpp:31
//   created by main.deadlock_main in goroutine 1
//   	samples/deadlock.cpp:52
//
// Paths are relative to the project and functions are short Go-style names (go_names.hpp).
// A goroutine's only frame is where it blocked (the engine keeps no other stack), or, for the
// panicking goroutine, the line that panicked. The main goroutine has no "created by" line,
// as in Go; a label given with go_named() follows the header in quotes.
//
// GOTRACEBACK: as in Go, a panic's dump shows only the panicking goroutine by default
// ("single"); GOTRACEBACK=all (or system, crash) shows every goroutine. (GOTRACEBACK=none
// is taken as single: the panicking goroutine's entry is always kept.) Fatal errors (a deadlock, "sync: unlock of unlocked mutex", ...) always show every
// goroutine, as Go's throw does.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>

#include "go_names.hpp"
#include "gor/panic.hpp"
#include "scheduler.hpp"

namespace gor::detail {

namespace {

// panic_site() is the site of the Panic being handled on this thread (record_panic builds the
// panicking goroutine's entry inside the catch), when it is in the program's code.
std::source_location panic_site() {
  std::exception_ptr ep = std::current_exception();
  if (!ep) return {};
  try {
    std::rethrow_exception(ep);
  } catch (const Panic& p) {
    const char* file = p.where().file_name();
    if (file != nullptr && !project_path(file).starts_with("engine/")) return p.where();
  } catch (...) {
  }
  return {};
}

}  // namespace

TracebackLevel traceback_level() noexcept {
  const char* v = std::getenv("GOTRACEBACK");
  if (v == nullptr || v[0] == '\0' || std::strcmp(v, "single") == 0 || std::strcmp(v, "1") == 0)
    return TracebackLevel::Single;
  if (std::strcmp(v, "none") == 0 || std::strcmp(v, "0") == 0) return TracebackLevel::None;
  return TracebackLevel::All;  // all, system, crash, wer, 2
}

std::string Scheduler::dump_entry(const G* g, int64_t now, bool running) {
  GState s = running ? GState::Running : g->state.load(std::memory_order_acquire);
  std::string what;
  if (s == GState::Waiting || s == GState::Syscall) {
    what = wait_reason_text(g->wait_reason);
    if (what.empty()) what = gstate_text(s);
  } else {
    what = gstate_text(s);
  }
  int64_t minutes = s == GState::Waiting ? (now - g->state_since.load(std::memory_order_relaxed)) / 60'000'000'000LL : 0;
  std::ostringstream out;
  out << "goroutine " << g->id << " [" << what;
  if (minutes > 0) out << ", " << minutes << " minutes";
  out << "]";
  if (!g->label.empty() && !g->is_main) out << " \"" << g->label << "\"";  // main is just "goroutine 1", as in Go
  out << ":\n";
  if (s == GState::Waiting || s == GState::Syscall) {
    out << go_frame(g->blocked_at);
  } else if (running) {
    out << go_frame(panic_site());
  }
  if (!g->is_main) {
    const std::source_location& c = g->created_at;
    if (c.line() != 0 && c.file_name() != nullptr && c.file_name()[0] != '\0') {
      const std::string path = project_path(c.file_name());
      const char* fn = c.function_name();
      out << "created by "
          << (fn != nullptr && fn[0] != '\0' ? go_function_name(fn, path.starts_with("engine/") ? "gor" : "main")
                                             : std::string("main.func"))
          << " in goroutine " << g->parent_id << "\n\t" << path << ":" << c.line() << "\n";
    }
  }
  return out.str();
}

std::string Scheduler::dump_goroutines(const G* culprit, uint64_t skip_id) {
  // The panicking goroutine's own entry is already in the dump (skip_id): the others follow
  // it only when Go's traceback would show them. The caller holds result_lock_.
  if (skip_id != 0 && result_.status == RunStatus::Panic && !result_.fatal &&
      traceback_level() != TracebackLevel::All) {
    return "";
  }
  std::vector<G*> gs;
  {
    std::lock_guard<std::mutex> guard(allgs_lock_);
    for (auto& g : allgs_) {
      if (g->state.load(std::memory_order_acquire) != GState::Dead && (skip_id == 0 || g->id != skip_id)) {
        gs.push_back(g.get());
      }
    }
  }
  std::sort(gs.begin(), gs.end(), [](const G* a, const G* b) { return a->id < b->id; });
  if (culprit != nullptr) {
    auto it = std::find(gs.begin(), gs.end(), culprit);
    if (it != gs.end()) std::rotate(gs.begin(), it, it + 1);
  }
  int64_t now = clock.now();
  std::string out;
  for (G* g : gs) {
    if (!out.empty()) out += "\n";
    out += dump_entry(g, now, false);
  }
  return out;
}

}  // namespace gor::detail
