#include "window/app_options.hpp"

#include <QCommandLineParser>
#include <QRegularExpression>

#include <goroscope/registry.hpp>

#include "run/pace.hpp"

namespace goroscope::gui {

std::optional<AppOptions> parse_app_options(const QStringList& args, QString* error, QString* help_text) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("Goroscope: watch Go's scheduler, channels and mutexes at work."));
  const QCommandLineOption help_option = parser.addHelpOption();
  const QCommandLineOption version_option = parser.addVersionOption();
  QCommandLineOption sample({"s", "sample"}, QStringLiteral("Open sample ID (see goroscope-cli list)."), QStringLiteral("ID"));
  QCommandLineOption procs("procs", QStringLiteral("GOMAXPROCS, 1..64."), QStringLiteral("N"));
  QCommandLineOption seed("seed", QStringLiteral("Seed for the scheduler's random choices."), QStringLiteral("S"));
  QCommandLineOption speed("speed", QStringLiteral("Slow motion factor, 1 (real time) .. 1000."), QStringLiteral("K"));
  QCommandLineOption run("run", QStringLiteral("Start the sample at once."));
  QCommandLineOption mode("mode", QStringLiteral("deterministic (virtual time, a seeded schedule, played at the pace; the default) or real (real threads, wall time)."), QStringLiteral("MODE"));
  QCommandLineOption pace("pace", QStringLiteral("Playback pace: fastest, scheduling events per second (e.g. 5) or a fraction of engine time (e.g. 1/1000)."), QStringLiteral("PACE"));
  QCommandLineOption paused("paused", QStringLiteral("Start the run paused, before its first scheduling event."));
  QCommandLineOption rewind_to("rewind-to", QStringLiteral("With --screenshot: once the run has ended, show it at engine time NS before the screenshot."), QStringLiteral("NS"));
  QCommandLineOption race("race", QStringLiteral("Run with the race detector (like go run -race)."));
  QCommandLineOption no_race("no-race", QStringLiteral("Run without the race detector."));
  QCommandLineOption show_race("show-race", QStringLiteral("When the run or replay ends, show its first data race (both goroutines, timeline)."));
  QCommandLineOption theme("theme", QStringLiteral("light, dark or system."), QStringLiteral("THEME"));
  QCommandLineOption param("param", QStringLiteral("Sample parameter (repeatable)."), QStringLiteral("KEY=VALUE"));
  QCommandLineOption screenshot("screenshot", QStringLiteral("Save a PNG of the window when the run ends."), QStringLiteral("FILE"));
  QCommandLineOption screenshot_after("screenshot-after", QStringLiteral("Take the screenshot MS after the start instead."), QStringLiteral("MS"));
  QCommandLineOption quit("quit", QStringLiteral("Quit after the screenshot."));
  QCommandLineOption size("size", QStringLiteral("Window size, e.g. 1600x1000."), QStringLiteral("WxH"));
  QCommandLineOption tab("tab", QStringLiteral("Bottom tab to show: goroutines, timeline, charts, output or explore."), QStringLiteral("NAME"));
  QCommandLineOption explore("explore", QStringLiteral("Explore the sample's schedules at once (the Explore tab); a screenshot waits for it."));
  for (auto* o : {&sample, &procs, &seed, &speed, &run, &mode, &pace, &paused, &rewind_to, &race, &no_race, &show_race, &theme, &param, &screenshot, &screenshot_after, &quit, &size, &tab, &explore})
    parser.addOption(*o);
  parser.addPositionalArgument(QStringLiteral("FILE.gortrace"), QStringLiteral("A saved trace to replay (no engine)."));
  auto fail = [&](const QString& text) -> std::optional<AppOptions> {
    if (error) *error = text;
    return std::nullopt;
  };
  if (!parser.parse(args)) return fail(parser.errorText());
  if (parser.isSet(help_option)) {
    if (help_text) *help_text = parser.helpText();
    return std::nullopt;
  }
  if (parser.isSet(version_option)) {
    if (help_text) *help_text = QStringLiteral("goroscope 0.1.0\n");
    return std::nullopt;
  }
  if (parser.positionalArguments().size() > 1)
    return fail(QStringLiteral("unexpected argument '%1' (one trace file at most)").arg(parser.positionalArguments().at(1)));
  AppOptions o;
  if (!parser.positionalArguments().isEmpty()) {
    o.trace_file = parser.positionalArguments().first();
    if (!o.trace_file.endsWith(QLatin1String(".gortrace"), Qt::CaseInsensitive))
      return fail(QStringLiteral("unexpected argument '%1' (a trace file ends in .gortrace; a sample is --sample ID)").arg(o.trace_file));
  }
  if (parser.isSet(tab)) {
    o.tab = parser.value(tab).toLower();
    if (o.tab != "goroutines" && o.tab != "timeline" && o.tab != "charts" && o.tab != "output" && o.tab != "explore")
      return fail(QStringLiteral("--tab must be goroutines, timeline, charts, output or explore (got '%1')").arg(parser.value(tab)));
  }
  if (parser.isSet(sample)) {
    o.sample = parser.value(sample);
    if (!find_sample(o.sample.toStdString()))
      return fail(QStringLiteral("unknown sample '%1' (goroscope-cli list shows them)").arg(o.sample));
  }
  bool ok = false;
  if (parser.isSet(procs)) {
    const int n = parser.value(procs).toInt(&ok);
    if (!ok || n < 1 || n > 64) return fail(QStringLiteral("--procs must be between 1 and 64 (got '%1')").arg(parser.value(procs)));
    o.procs = n;
  }
  if (parser.isSet(seed)) {
    const qulonglong s = parser.value(seed).toULongLong(&ok);
    if (!ok) return fail(QStringLiteral("--seed must be a non-negative integer (got '%1')").arg(parser.value(seed)));
    o.seed = s;
  }
  if (parser.isSet(speed)) {
    const double k = parser.value(speed).toDouble(&ok);
    if (!ok || k < 1 || k > 1000) return fail(QStringLiteral("--speed must be between 1 and 1000 (got '%1')").arg(parser.value(speed)));
    o.speed = k;
  }
  if (parser.isSet(mode)) {
    const QString m = parser.value(mode);
    if (m != "deterministic" && m != "real") return fail(QStringLiteral("--mode must be deterministic or real (got '%1')").arg(m));
    o.deterministic = m == "deterministic";
  }
  if (parser.isSet(pace)) {
    std::string why;
    if (!Pace::parse(parser.value(pace).toStdString(), &why)) return fail(QStringLiteral("--pace: %1").arg(QString::fromStdString(why)));
    o.pace = parser.value(pace).toStdString();
  }
  o.paused = parser.isSet(paused);
  if (parser.isSet(rewind_to)) {
    const qlonglong ns = parser.value(rewind_to).toLongLong(&ok);
    if (!ok || ns < 0) return fail(QStringLiteral("--rewind-to must be engine nanoseconds >= 0 (got '%1')").arg(parser.value(rewind_to)));
    if (!parser.isSet(screenshot)) return fail(QStringLiteral("--rewind-to needs --screenshot FILE"));
    o.rewind_to_ns = ns;
  }
  if (parser.isSet(theme)) {
    o.theme = parser.value(theme);
    if (o.theme != "light" && o.theme != "dark" && o.theme != "system")
      return fail(QStringLiteral("--theme must be light, dark or system (got '%1')").arg(o.theme));
  }
  if (parser.isSet(screenshot_after)) {
    o.screenshot_after_ms = parser.value(screenshot_after).toInt(&ok);
    if (!ok || o.screenshot_after_ms < 0) return fail(QStringLiteral("--screenshot-after must be milliseconds >= 0"));
  }
  if (parser.isSet(size)) {
    o.size = parser.value(size);
    if (!QRegularExpression(QStringLiteral("^\\d{3,5}x\\d{3,5}$")).match(o.size).hasMatch())
      return fail(QStringLiteral("--size must look like 1600x1000 (got '%1')").arg(o.size));
  }
  for (const QString& p : parser.values(param)) {
    if (!p.contains(QLatin1Char('='))) return fail(QStringLiteral("--param must be KEY=VALUE (got '%1')").arg(p));
    o.params << p;
  }
  o.run = parser.isSet(run);
  o.explore = parser.isSet(explore);
  if (parser.isSet(race) && parser.isSet(no_race)) return fail(QStringLiteral("--race and --no-race contradict each other"));
  if (parser.isSet(race)) o.race = true;
  if (parser.isSet(no_race)) o.race = false;
  o.show_race = parser.isSet(show_race);
  o.screenshot = parser.value(screenshot);
  o.quit = parser.isSet(quit);
  if (o.quit && o.screenshot.isEmpty()) return fail(QStringLiteral("--quit needs --screenshot FILE"));
  return o;
}

}  // namespace goroscope::gui
