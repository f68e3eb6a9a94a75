#include "model/running_overlay.hpp"

#include <algorithm>

namespace goroscope::gui {

namespace {
// stops_running() says whether an event of kind k ends its goroutine's turn on its P.
bool stops_running(gor::EventKind k) {
  using K = gor::EventKind;
  return k == K::GoBlock || k == K::GoEnd || k == K::GoYield || k == K::GoPreempted || k == K::SyscallEnter;
}
}  // namespace

ProcessorTracker::State& ProcessorTracker::at(int p) {
  if (p >= static_cast<int>(procs_.size())) procs_.resize(static_cast<size_t>(p) + 1);
  return procs_[static_cast<size_t>(p)];
}

void ProcessorTracker::apply(const gor::Event& e) {
  using K = gor::EventKind;
  if (e.p < 0 || e.p > 4096) return;
  State& s = at(e.p);
  if (stops_running(e.kind)) {
    if (s.running == e.g) s.running = 0;
    return;
  }
  switch (e.kind) {
    case K::GoStart:
    case K::SyscallExit:  // back from a syscall on this P: it runs here again
      s.running = e.g;
      s.busy = true;
      break;
    case K::ProcIdle:
      s.busy = false;
      s.running = 0;
      break;
    case K::ProcBusy: s.busy = true; break;
    default: break;
  }
}

bool ProcessorTracker::rewind_from(const std::vector<gor::Event>& events, size_t end, int procs, size_t max_back) {
  using K = gor::EventKind;
  if (procs <= 0) return true;
  end = std::min(end, events.size());
  // Per P, walking back: `running` is decided at its last GoStart (unless that goroutine
  // stopped after it) or at a ProcIdle; `busy` at its last GoStart, ProcBusy or ProcIdle.
  struct Rewind {
    bool running_known = false, busy_known = false;
    State state;
    std::vector<uint64_t> stopped;  // goroutines that stopped on this P after the point reached
  };
  std::vector<Rewind> r(static_cast<size_t>(procs));
  int undecided = procs;
  const size_t stop_at = end > max_back ? end - max_back : 0;
  for (size_t i = end; i > stop_at && undecided > 0; --i) {
    const gor::Event& e = events[i - 1];
    if (e.p < 0 || e.p >= procs) continue;
    Rewind& w = r[static_cast<size_t>(e.p)];
    if (w.running_known && w.busy_known) continue;
    if (stops_running(e.kind)) {
      if (!w.running_known) w.stopped.push_back(e.g);
      continue;
    }
    switch (e.kind) {
      case K::GoStart:
      case K::SyscallExit:
        if (!w.running_known) {
          const bool stopped = std::find(w.stopped.begin(), w.stopped.end(), e.g) != w.stopped.end();
          w.state.running = stopped ? 0 : e.g;
          w.running_known = true;
        }
        if (!w.busy_known) {
          w.state.busy = true;
          w.busy_known = true;
        }
        break;
      case K::ProcIdle:
        if (!w.running_known) w.state.running = 0;
        if (!w.busy_known) w.state.busy = false;
        w.running_known = w.busy_known = true;
        break;
      case K::ProcBusy:
        if (!w.busy_known) {
          w.state.busy = true;
          w.busy_known = true;
        }
        break;
      default: break;
    }
    if (w.running_known && w.busy_known) --undecided;
  }
  if (undecided > 0 && stop_at > 0) return false;
  // Read back to the first event: what is still undecided is what apply() starts from.
  procs_.assign(static_cast<size_t>(procs), State{});
  for (size_t p = 0; p < r.size(); ++p) {
    if (r[p].running_known) procs_[p].running = r[p].state.running;
    if (r[p].busy_known) procs_[p].busy = r[p].state.busy;
  }
  return true;
}

uint64_t ProcessorTracker::running(int p) const {
  return p >= 0 && p < static_cast<int>(procs_.size()) ? procs_[static_cast<size_t>(p)].running : 0;
}

bool ProcessorTracker::busy(int p) const {
  return p >= 0 && p < static_cast<int>(procs_.size()) && procs_[static_cast<size_t>(p)].busy;
}

void restore_running(gor::Snapshot& s, const ProcessorTracker& tracker) {
  if (s.paused || s.ended) return;
  auto erase = [](std::vector<uint64_t>& q, uint64_t g) {
    auto it = std::find(q.begin(), q.end(), g);
    if (it == q.end()) return false;
    q.erase(it);
    return true;
  };
  for (gor::ProcessorInfo& p : s.procs) {
    if (p.status != "stopped") continue;
    p.status = tracker.busy(p.id) ? "running" : "idle";
    const uint64_t g = tracker.running(p.id);
    if (g == 0 || p.running != 0) continue;
    auto info = std::find_if(s.goroutines.begin(), s.goroutines.end(), [g](const gor::GoroutineInfo& i) { return i.id == g; });
    if (info == s.goroutines.end() || info->state != "runnable") continue;
    bool found = false;
    for (gor::ProcessorInfo& q : s.procs) {
      if (q.runnext == g) {
        q.runnext = 0;
        found = true;
      }
      found = erase(q.local_queue, g) || found;
    }
    found = erase(s.global_queue, g) || found;
    if (!found) continue;
    p.running = g;
    p.status = "running";
    info->state = "running";
    info->p = p.id;
  }
}

}  // namespace goroscope::gui
