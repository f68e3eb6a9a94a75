// playback_frame_bench — how long the UI thread is busy per frame while a deterministic run
// plays in the real MainWindow (issue 15: frame p95 <= 16 ms at any pace).
//
// For each sample and pace, runs the sample (recorded ahead by the engine, played by the
// RunPlayer: state rebuilt at the cursor, scene, table, inspector, timeline cursor) for a few
// seconds offscreen and times ticks of the player that moved the cursor, each with the views'
// update it triggers (RunPlayer::moved is emitted synchronously inside tick()) and a repaint
// of the whole window.
//
//   cmake --build build/release --target playback_frame_bench
//   QT_QPA_PLATFORM=offscreen build/release/tests/bench/playback_frame_bench [SECONDS]
#include <QApplication>
#include <QElapsedTimer>
#include <QStyleFactory>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "run/pace.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

using namespace goroscope::gui;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  const int seconds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 4;
  MainWindow w(/*persist_settings=*/false);
  w.resize(1600, 1000);
  w.show();
  std::printf("%-22s %-12s %8s %8s %8s %8s %10s\n", "sample", "pace", "frames", "p50 ms", "p95 ms", "max ms", "events");
  for (const char* sample : {"work-stealing", "worker-pool", "mutex-starvation", "goroutines-are-cheap", "closed-channel-spin"}) {
    for (const Pace& pace : {Pace::events_per_second(10), Pace::engine_fraction(1e-3), Pace::engine_fraction(1e-1), Pace::fastest()}) {
      w.open_sample(QString::fromLatin1(sample));
      w.toolbar().set_pace(pace);
      w.toolbar().set_deterministic(true);
      std::vector<double> frames;
      // Frames timed here: a tick of the player (advance the cursor, rebuild the state after it)
      // with every view's update that follows it synchronously (scene, table, inspector,
      // timeline cursor, scrub bar), every 16 ms as the player's own timer does.
      w.player().set_self_ticking(false);
      QTimer probe;
      probe.setInterval(16);
      QObject::connect(&probe, &QTimer::timeout, &w, [&] {
        QElapsedTimer t;
        t.start();
        const size_t before = w.player().cursor();
        w.player().tick();
        w.repaint();  // the paint of the whole window, at once (an upper bound: Qt repaints only what changed)
        if (w.player().cursor() != before) frames.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
      });
      if (!w.run_current()) return 1;
      probe.start();
      QElapsedTimer wall;
      wall.start();
      while (wall.elapsed() < seconds * 1000) QApplication::processEvents(QEventLoop::AllEvents, 20);
      probe.stop();
      if (w.controller().running()) w.controller().stop();
      while (w.controller().running()) QApplication::processEvents(QEventLoop::AllEvents, 20);
      std::printf("%-22s %-12s %8zu %8.2f %8.2f %8.2f %10zu\n", sample, pace.spec().c_str(), frames.size(),
                  percentile(frames, 0.5), percentile(frames, 0.95), percentile(frames, 1.0), w.player().cursor());
      std::fflush(stdout);
    }
  }
  return 0;
}
