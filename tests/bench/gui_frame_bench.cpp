// gui_frame_bench — the desktop app's UI-thread cost per frame while a sample runs at 1x.
//
//   gui_frame_bench [--quick] [--repeat N] [--tab goroutines|timeline|charts|output] [SAMPLE...]
//
// --tab shows that tab of the bottom dock during the runs (default: the Goroutines table).
// SAMPLE runs only those scenarios (goroutines-are-cheap, select-fairness, worker-pool,
// worker-pool-10k); --repeat runs each N times and pools the frames (a short
// run such as goroutines-are-cheap gives only a handful of frames per run).
//
// For each scenario it opens the main window offscreen (1600x1000), runs a sample at real
// time and, every 16 ms, records one frame: all the UI thread did since the previous frame
// (delivering the engine's events and snapshots into the store and views, the goroutine
// table's and timeline's updates, the app's own paints: the scene animates at 60 fps), as
// wall time (its time on a CPU plus its time runnable but waiting for one, from the kernel's
// schedstat: all but the time it slept waiting for events) and as CPU time. It prints events per second, the live goroutines seen and the
// p50/p95/max of the wall times and the p50/p95 of the CPU times. Target (issue 6): p95 <= 16 ms at >= 1,000,000 events/s and with 10,000
// live goroutines (worker-pool-10k is both at once).
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
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

// thread_demand_ns() is the calling thread's time on a CPU plus its time waiting for one
// (/proc/thread-self/schedstat), in ns.
int64_t thread_demand_ns() {
  long long on_cpu = 0, waiting = 0;
  if (FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
    if (std::fscanf(f, "%lld %lld", &on_cpu, &waiting) != 2) on_cpu = waiting = 0;
    std::fclose(f);
  }
  return on_cpu + waiting;
}

void run_scenario(const Scenario& sc, const QString& tab, Frames& out) {
  MainWindow w(/*persist_settings=*/false);
  w.resize(1600, 1000);
  w.show();
  if (!tab.isEmpty()) w.show_bottom_tab(tab);
  w.open_sample(QString::fromLatin1(sc.sample));
  w.toolbar().set_dilation(1);
  w.toolbar().set_procs(sc.procs);
  {  // the window's first paints and layouts happen before a user presses Run
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
  }
  std::vector<int64_t>& frames = out.wall;
  std::vector<int64_t>& cpu_frames = out.cpu;
  size_t& max_goroutines = out.max_goroutines;
  QElapsedTimer wall;
  wall.start();
  // A real event loop, blocking between events (processEvents() in a loop would spin the UI
  // thread at 100% CPU and take a core from the engine).
  QEventLoop loop;
  // The frames after the run's end count too, until the timeline and charts hold all of it.
  QTimer until_caught_up;
  until_caught_up.setInterval(5);
  QObject::connect(&until_caught_up, &QTimer::timeout, &loop, [&] {
    if (!w.catching_up()) loop.quit();
  });
  double run_seconds = 0;  // the run itself: the event rate is over this, not the catch-up after it
  QObject::connect(&w, &MainWindow::runFinished, &until_caught_up, [&] {
    run_seconds = wall.nsecsElapsed() / 1e9;
    until_caught_up.start();
  });
  if (!w.run_current(sc.params)) {
    std::printf("%s: cannot run\n", sc.sample);
    return;
  }
  // A frame's cost is everything the UI thread did since the previous frame: the time it ran
  // plus the time it was runnable but waiting for a core (the kernel's schedstat for the
  // thread), i.e. all the wall time it was not asleep waiting for events; and its CPU time.
  int64_t last_demand = thread_demand_ns(), last_cpu = thread_cpu_us();
  QTimer sampler;
  sampler.setInterval(16);
  QObject::connect(&sampler, &QTimer::timeout, [&] {
    const int64_t demand = thread_demand_ns(), cpu = thread_cpu_us();
    frames.push_back((demand - last_demand) / 1000);
    cpu_frames.push_back(cpu - last_cpu);
    last_demand = demand;
    last_cpu = cpu;
    if (w.controller().snapshot()) max_goroutines = std::max(max_goroutines, w.controller().snapshot()->goroutines.size());
  });
  sampler.start();
  loop.exec();
  sampler.stop();
  out.seconds += run_seconds > 0 ? run_seconds : wall.nsecsElapsed() / 1e9;
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
  QString tab;  // the bottom dock's tab shown during the run (default: Goroutines)
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--tab") == 0 && i + 1 < argc) tab = QString::fromLatin1(argv[++i]);
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
    for (int r = 0; r < repeat; ++r) run_scenario(sc, tab, f);
    report(sc, f);
  }
  return 0;
}
