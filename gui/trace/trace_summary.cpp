// trace_summary.cpp — summarize() and write_summary().
#include "trace_summary.hpp"

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <unordered_set>

namespace goroscope::trace {

namespace {

const char* status_text(gor::RunStatus s) {
  switch (s) {
    case gor::RunStatus::Ok: return "ok";
    case gor::RunStatus::Panic: return "panic";
    case gor::RunStatus::Deadlock: return "deadlock";
  }
  return "?";
}

}  // namespace

TraceSummary summarize(const TraceFile& trace) {
  TraceSummary s;
  std::unordered_set<uint64_t> created;
  int64_t live = 0;
  for (const gor::Event& e : trace.events) {
    const auto k = static_cast<size_t>(e.kind);
    if (k < s.per_kind.size()) ++s.per_kind[k];
    ++s.events;
    if (e.p >= 0) s.procs_seen = std::max(s.procs_seen, e.p + 1);
    switch (e.kind) {
      case gor::EventKind::GoCreate:
        created.insert(e.g);
        ++live;
        s.max_live_goroutines = std::max(s.max_live_goroutines, static_cast<uint64_t>(std::max<int64_t>(live, 0)));
        break;
      case gor::EventKind::GoEnd: live = std::max<int64_t>(live - 1, 0); break;
      case gor::EventKind::Steal:
        ++s.steals;
        s.goroutines_stolen += e.a1;
        break;
      case gor::EventKind::MutexMode:
        ++s.mutex_mode_switches;
        if (e.a1 == 1) ++s.mutex_starving;
        break;
      case gor::EventKind::Handoff: ++s.handoffs; break;
      case gor::EventKind::PreemptRequest: ++s.preempt_requests; break;
      case gor::EventKind::Log: ++s.logs; break;
      default: break;
    }
  }
  s.goroutines = created.size();
  if (!trace.events.empty()) s.duration_ns = trace.events.back().ts - trace.events.front().ts;
  s.status = trace.footer.status;
  s.message = trace.footer.message;
  return s;
}

void write_summary(const TraceFile& trace, const TraceSummary& s, std::ostream& out) {
  const TraceHeader& h = trace.header;
  out << "gortrace version " << h.version << ": " << (h.sample.empty() ? "(unnamed program)" : h.sample);
  if (!h.params.empty()) out << " [" << h.params << "]";
  out << "\nprocs " << h.procs << ", seed " << h.seed << ", dilation " << h.dilation << "\n";
  out << "status: " << status_text(s.status);
  if (!s.message.empty()) out << " (" << s.message << ")";
  out << "\n";
  out << "events: " << s.events << " over " << std::fixed << std::setprecision(3)
      << static_cast<double>(s.duration_ns) / 1e6 << std::defaultfloat << " ms\n";
  out << "goroutines: " << s.goroutines << " created, at most " << s.max_live_goroutines << " alive at once\n";
  out << "steals: " << s.steals << " (" << s.goroutines_stolen << " goroutines taken)\n";
  out << "mutex mode switches: " << s.mutex_mode_switches << " (" << s.mutex_starving << " into starvation, "
      << (s.mutex_mode_switches - s.mutex_starving) << " back to normal)\n";
  out << "syscall handoffs: " << s.handoffs << ", preempt requests: " << s.preempt_requests << ", logs: " << s.logs
      << "\n";
  out << "strings: " << trace.strings.size() << "\n";
  out << "events per kind:\n";
  for (size_t k = 0; k < s.per_kind.size(); ++k) {
    if (s.per_kind[k] == 0) continue;
    out << "  " << std::left << std::setw(16) << gor::event_kind_name(static_cast<gor::EventKind>(k)) << std::right
        << ' ' << s.per_kind[k] << '\n';
  }
}

}  // namespace goroscope::trace
