// run_end_text.cpp — a run's end as Go prints it (see run_end_text.hpp).
#include "run_end_text.hpp"

namespace goroscope::trace {

std::string run_end_text(const gor::RunResult& r, const std::vector<gor::DeadlockInfo>& partial_deadlocks, bool race) {
  std::string out;
  if (race && r.races > 0) {
    for (const std::string& report : r.race_reports) out += report;
    out += "Found " + std::to_string(r.races) + " data race(s)\n";
  }
  if (r.status != gor::RunStatus::Deadlock) {
    for (const gor::DeadlockInfo& d : partial_deadlocks) out += "warning: partial deadlock: " + d.description + "\n";
  }
  if (r.status != gor::RunStatus::Ok) {
    out += r.preamble + (r.fatal ? "fatal error: " : "panic: ") + r.message + "\n\n" + r.dump;
    if (!r.dump.empty() && r.dump.back() != '\n') out += '\n';
  }
  return out;
}

}  // namespace goroscope::trace
