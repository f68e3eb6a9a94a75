// Every sample's story plays for 20–90 s at the pace the app suggests: each sample is run in
// deterministic mode with its defaults (seed 1), and its engine time and event count must match
// the table behind the suggestion (within a factor of two) and give a play time in range.
// On a mismatch the test prints the table line to put in gui/app/run/sample_timing.cpp.
#include <QtTest>

#include <cmath>

#include <gor/trace.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "run/pace.hpp"
#include "run/sample_timing.hpp"

using namespace goroscope;
using namespace goroscope::gui;

class SampleTimingTest : public QObject {
  Q_OBJECT
 private slots:
  void every_sample_plays_for_20_to_90_seconds_at_its_suggested_pace() {
    QStringList stale;
    for (const Sample& sample : all_samples()) {
      gor::TraceRecorder recorder;
      gor::Config cfg = sample_config(sample);
      cfg.deterministic = true;
      cfg.seed = 1;
      cfg.trace = true;
      cfg.observer = &recorder;
      const SampleRun run = run_sample(sample, SampleParams(sample.info), cfg);
      const std::vector<gor::Event> events = recorder.events();
      QVERIFY2(!events.empty(), sample.info.id.c_str());
      const int64_t engine_ns = events.back().ts - events.front().ts;
      const QString line = QStringLiteral("    {\"%1\", %2, %3},").arg(QString::fromStdString(sample.info.id)).arg(engine_ns).arg(events.size());
      const std::optional<SampleTiming> t = sample_timing(sample.info.id);
      auto within_two = [](double a, double b) { return a <= 2 * b + 1000 && b <= 2 * a + 1000; };
      if (!t || !within_two(static_cast<double>(t->engine_ns), static_cast<double>(engine_ns)) ||
          !within_two(static_cast<double>(t->events), static_cast<double>(events.size()))) {
        stale << line;
        continue;
      }
      const Pace p = sample_pace(sample.info.id);
      const double fresh = p.play_seconds(engine_ns, events.size());
      QVERIFY2(fresh >= 20 && fresh <= 90, qPrintable(QStringLiteral("%1 plays %2 s at %3").arg(line).arg(fresh).arg(QString::fromStdString(p.text()))));
      QVERIFY(run.result.deterministic);
    }
    if (!stale.isEmpty()) QFAIL(qPrintable(QStringLiteral("sample_timing.cpp is stale; these lines are measured now:\n") + stale.join('\n')));
  }
};

QTEST_MAIN(SampleTimingTest)
#include "sample_timing_test.moc"
