// dump.cpp — the goroutine dump, in the shape of Go's traceback:
//
//   goroutine 7 [chan receive, 12 ms]:
//   	blocked at samples/deadlock.cpp:31 in void worker(gor::Chan<int>)
//   created by goroutine 1 at samples/deadlock.cpp:52 in void deadlock_main()
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "scheduler.hpp"

namespace gor::detail {

namespace {
std::string site_text(const std::source_location& s) {
  if (s.line() == 0 || s.file_name() == nullptr || s.file_name()[0] == '\0') return "";
  std::ostringstream out;
  out << s.file_name() << ":" << s.line();
  if (s.function_name() != nullptr && s.function_name()[0] != '\0') out << " in " << s.function_name();
  return out.str();
}
}  // namespace

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
  if (!g->label.empty()) out << " \"" << g->label << "\"";
  out << ":\n";
  std::string blocked = site_text(g->blocked_at);
  if ((s == GState::Waiting || s == GState::Syscall) && !blocked.empty()) {
    out << "\tblocked at " << blocked << "\n";
  }
  std::string created = site_text(g->created_at);
  if (g->is_main) {
    out << "\tmain goroutine\n";
  } else if (!created.empty()) {
    out << "created by goroutine " << g->parent_id << " at " << created << "\n";
  }
  return out.str();
}

std::string Scheduler::dump_goroutines(const G* culprit, uint64_t skip_id) {
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
