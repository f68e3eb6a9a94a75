// run_output.hpp — the Output tab's text after a run: what the sample printed, then how the
// run ended exactly as goroscope-cli prints it (race reports, partial deadlocks, the panic or
// fatal error and the goroutine dump).
#pragma once

#include <QString>

#include <gor/control.hpp>

#include "run/run_spec.hpp"

namespace goroscope::gui {

// output_text() is the sample's lines (SampleOutcome::lines, one per line) followed by
// trace::run_end_text() of the run (its partial deadlocks from `final_snapshot`, which may be
// null). A clean run without races gives the sample's lines only.
QString output_text(const RunOutcome& outcome, const gor::Snapshot* final_snapshot);

}  // namespace goroscope::gui
