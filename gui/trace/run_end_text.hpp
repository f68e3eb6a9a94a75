// run_end_text.hpp — how a run ends, in the words Go prints on stderr: shared by goroscope-cli
// (which writes it to stderr) and the app's Output tab (which shows it after the sample's own
// lines), so both say exactly the same thing.
#pragma once

#include <string>
#include <vector>

#include <gor/control.hpp>
#include <gor/runtime.hpp>

namespace goroscope::trace {

// run_end_text() is what goroscope-cli prints on stderr after a run, in this order: with the
// race detector on and races found, each WARNING: DATA RACE report and "Found N data race(s)";
// unless the run ended in Go's global deadlock, one "warning: partial deadlock: ..." line per
// entry of `partial_deadlocks`; unless the run ended ok, "panic: MSG" or "fatal error: MSG", a
// blank line and the goroutine dump (ending in a newline). "" when there is none of these.
std::string run_end_text(const gor::RunResult& r, const std::vector<gor::DeadlockInfo>& partial_deadlocks, bool race);

}  // namespace goroscope::trace
