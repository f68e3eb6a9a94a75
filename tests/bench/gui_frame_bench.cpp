// gui_frame_bench — the desktop app's UI-thread cost per frame while a sample runs at 1x.
//
//   gui_frame_bench [--quick] [--repeat N] [SAMPLE...]
//
// SAMPLE runs only those scenarios (goroutines-are-cheap, select-fairness, worker-pool,
// worker-pool-10k); --repeat runs each N times and pools the frames (a short
// run such as goroutines-are-cheap gives only a handful of frames per run).
//
// For each scenario it opens the main window offscreen (1600x1000), runs a sample at real
// time and, every 16 ms, records the frame's UI-thread work: delivering the engine's events
// and snapshot into the store and views (RunController::last_delivery_us) plus a synchronous
// repaint of the whole window. It prints events per second, the live goroutines seen and the
// p50/p95/max frame time (wall clock), and the p50/p95 of the UI thread's CPU time in those
// frames (the difference is time spent waiting for a core on a loaded machine). Target
// (issue 6): p95 <= 16 ms at >= 1,000,000 events/s and with 10,000 live goroutines.
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "run/run_controller.hpp"
#include "views/sample_details.hpp"
#include "window/main_window.hpp"
#include "window/run_toolbar.hpp"

using namespace goroscope::gui;

namespace {

struct Scenario {
  const char* name;  // what SAMPLE on the command line selects
  const char* sample;
  std::vector<std::pair<std::string, std::string>> params;
  int procs;
};

// Frames is what the runs of one scenario measured (pooled over --repeat runs).
struct Frames {
  std::vector<int64_t> wall, cpu;
  size_t events = 0, max_goroutines = 0;
  double seconds = 0;
};

void run_scenario(const Scenario& sc, Frames& out) {
  MainWindow w(/*persist_settings=*/false);
  w.resize(1600, 1000);
  w.show();
  w.open_sample(QString::fromLatin1(sc.sample));
  w.toolbar().set_dilation(1);
  w.toolbar().set_procs(sc.procs);
  std::vector<int64_t>& frames = out.wall;
  std::vector<int64_t>& cpu_frames = out.cpu;
  size_t& max_goroutines = out.max_goroutines;
  bool finished = false;
  QObject::connect(&w, &MainWindow::runFinished, [&] { finished = true; });
  QElapsedTimer wall;
  wall.start();
  if (!w.run_current(sc.params)) {
    std::printf("%s: cannot run\n", sc.sample);
    return;
  }
  QTimer sampler;
  sampler.setInterval(16);
  QObject::connect(&sampler, &QTimer::timeout, [&] {
    QElapsedTimer paint;
    paint.start();
    const int64_t paint_cpu = thread_cpu_us();
    w.repaint();
    const int64_t paint_us = paint.nsecsElapsed() / 1000;
    frames.push_back(w.controller().last_delivery_us() + paint_us);
    cpu_frames.push_back(w.controller().last_delivery_cpu_us() + thread_cpu_us() - paint_cpu);
    if (w.controller().snapshot()) max_goroutines = std::max(max_goroutines, w.controller().snapshot()->goroutines.size());
  });
  sampler.start();
  while (!finished) QApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  sampler.stop();
  out.seconds += wall.nsecsElapsed() / 1e9;
  out.events += w.controller().store().size();
}

void report(const Scenario& sc, Frames& f) {
  std::vector<int64_t>& frames = f.wall;
  std::vector<int64_t>& cpu_frames = f.cpu;
  std::sort(frames.begin(), frames.end());
  std::sort(cpu_frames.begin(), cpu_frames.end());
  auto pct_of = [](const std::vector<int64_t>& v, double p) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(p * v.size()))] / 1000.0;
  };
  auto pct = [&](double p) { return pct_of(frames, p); };
  const double rate = f.events / f.seconds;
  std::printf("%-22s %-28s %9zu events %7.2f s %10.0f ev/s %6zu goroutines  frames %4zu  p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms"
              "  (UI-thread CPU p50 %6.2f ms  p95 %6.2f ms)\n",
              sc.name, [&] {
                static std::string text;
                text.clear();
                for (auto& [k, v] : sc.params) text += k + "=" + v + " ";
                return text.c_str();
              }(),
              f.events, f.seconds, rate, f.max_goroutines, frames.size(), pct(0.5), pct(0.95),
              frames.empty() ? 0.0 : frames.back() / 1000.0, pct_of(cpu_frames, 0.5), pct_of(cpu_frames, 0.95));
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  bool quick = false;
  int repeat = 1;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else only.emplace_back(argv[i]);
  }
  std::vector<Scenario> scenarios = {
      {"goroutines-are-cheap", "goroutines-are-cheap", {{"count", "10000"}}, 2},
      {"select-fairness", "select-fairness", {{"rounds", quick ? "100000" : "1000000"}}, 2},
      {"worker-pool", "worker-pool", {{"workers", "64"}, {"jobs", quick ? "2000" : "20000"}}, 4},
      // The target in one run: 10,000 live goroutines (workers parked in a receive or a
      // sleep) while jobs flow at several million events per second.
      {"worker-pool-10k", "worker-pool", {{"workers", "10000"}, {"jobs", quick ? "50000" : "300000"}, {"buffer", "100"}}, 2},
  };
  for (const Scenario& sc : scenarios) {
    if (!only.empty() && std::find(only.begin(), only.end(), sc.name) == only.end()) continue;
    Frames f;
    for (int r = 0; r < repeat; ++r) run_scenario(sc, f);
    report(sc, f);
  }
  return 0;
}
