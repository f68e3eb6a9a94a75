// app_options.hpp — the desktop app's command line: `goroscope [--sample ID] [options]`.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <string>

namespace goroscope::gui {

// AppOptions is what the command line asked for. Unset optionals keep the remembered settings.
struct AppOptions {
  QString sample;                 // --sample ID
  std::optional<int> procs;       // --procs N (1..64)
  std::optional<qulonglong> seed; // --seed S
  std::optional<double> speed;    // --speed K: slow motion 1..1000 (pace x1/K)
  std::optional<bool> deterministic;  // --mode deterministic|real
  std::optional<std::string> pace;    // --pace fastest|EVENTS_PER_SECOND|1/N (checked by Pace::parse)
  bool paused = false;            // --paused: start the run paused at its first scheduling event
  std::optional<qint64> rewind_to_ns;  // --rewind-to NS: before the screenshot, show the ended run at engine time NS
  bool run = false;               // --run: start the sample at once
  bool explore = false;           // --explore: explore the sample's schedules at once (Explore tab)
  std::optional<bool> race;       // --race / --no-race: the race detector toggle
  bool show_race = false;         // --show-race: when the run (or replay) ends, show its first race
  QString theme;                  // --theme light|dark|system
  QString screenshot;             // --screenshot FILE.png: save the window once the run ends (or after
                                  // --screenshot-after), and FILE.json with the run's state beside it
  int screenshot_after_ms = -1;   // --screenshot-after MS: take it this long after start instead
  bool quit = false;              // --quit: exit after the screenshot (headless use)
  QStringList params;             // --param KEY=VALUE (repeatable)
  QString size;                   // --size WxH: window size
  QString tab;                    // --tab NAME: the bottom tab to show (goroutines, timeline, charts, output)
  QString trace_file;             // FILE.gortrace (positional): open it in replay mode
};

// parse_app_options() parses `args` (args[0] is the program). On a bad flag or value it
// returns nullopt and sets `error` to a one-line message; `--help`/`--version` set `help_text`
// and return nullopt with an empty error.
std::optional<AppOptions> parse_app_options(const QStringList& args, QString* error, QString* help_text);

}  // namespace goroscope::gui
