#include "model/running_overlay.hpp"

#include <algorithm>

namespace goroscope::gui {

ProcessorTracker::State& ProcessorTracker::at(int p) {
  if (p >= static_cast<int>(procs_.size())) procs_.resize(static_cast<size_t>(p) + 1);
  return procs_[static_cast<size_t>(p)];
}

void ProcessorTracker::apply(const gor::Event& e) {
  using K = gor::EventKind;
  if (e.p < 0 || e.p > 4096) return;
  State& s = at(e.p);
  switch (e.kind) {
    case K::GoStart:
      s.running = e.g;
      s.busy = true;
      break;
    case K::GoBlock:
    case K::GoEnd:
    case K::GoYield:
    case K::GoPreempted:
    case K::SyscallEnter:
      if (s.running == e.g) s.running = 0;
      break;
    case K::ProcIdle:
      s.busy = false;
      s.running = 0;
      break;
    case K::ProcBusy: s.busy = true; break;
    default: break;
  }
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
