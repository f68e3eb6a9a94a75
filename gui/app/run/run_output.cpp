// run_output.cpp — the Output tab's text (see run_output.hpp).
#include "run/run_output.hpp"

#include <QStringList>

#include "run_end_text.hpp"

namespace goroscope::gui {

QString output_text(const RunOutcome& outcome, const gor::Snapshot* final_snapshot) {
  QStringList lines;
  for (const std::string& l : outcome.outcome.lines) lines << QString::fromStdString(l);
  QString text = lines.join(QLatin1Char('\n'));
  // Race reports exist only when the detector ran, so `race` is true: nothing to print otherwise.
  const std::string end = trace::run_end_text(
      outcome.result, final_snapshot ? final_snapshot->deadlocks : std::vector<gor::DeadlockInfo>{}, /*race=*/true);
  if (!end.empty()) {
    if (!text.isEmpty()) text += QLatin1Char('\n');
    text += QString::fromStdString(end);
  }
  return text;
}

}  // namespace goroscope::gui
