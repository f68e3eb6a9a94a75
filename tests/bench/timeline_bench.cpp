// timeline_bench — the timeline on a 10,000,000-event trace (issue 7's performance target:
// opens in seconds, zooms and pans at >= 30 frames per second, <= 1 GiB for the process).
//
// 1. Writes a synthetic .gortrace (8 Ps, 10,000 goroutines; slices of 50 ns to 5 us ending in
//    blocks, yields, preemptions and syscalls; wake-ups by the running goroutine; steals and
//    mutex mode switches) with the real GortraceWriter.
// 2. Opens it in the real MainWindow (File > Open's path: TraceLoader on a worker thread, then
//    the TraceStore and the Timeline tab) and times it.
// 3. Renders the Timeline tab's canvas offscreen frame after frame (the widget's paintEvent:
//    level of detail, markers, axis) while zooming from the whole run down to single slices,
//    panning, and zooming out again; reports per-frame times and peak RSS (VmHWM).
//
//   cmake --build build/release --target timeline_bench
//   QT_QPA_PLATFORM=offscreen build/release/tests/bench/timeline_bench [EVENTS] [FILE]
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>
#include <QStyleFactory>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gor/detail/park.hpp>
#include <gortrace_format.hpp>

#include "model/replay_state.hpp"
#include "views/timeline_canvas.hpp"
#include "views/timeline_view.hpp"
#include "window/main_window.hpp"

using namespace goroscope::gui;
using K = gor::EventKind;

namespace {

long vm_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  return -1;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// write_synthetic() writes about `target` events to `path`; returns the exact count.
uint64_t write_synthetic(const std::string& path, uint64_t target) {
  constexpr int kProcs = 8;
  constexpr uint64_t kGoroutines = 10'000;
  goroscope::trace::TraceHeader h;
  h.procs = kProcs;
  h.sample = "synthetic";
  h.params = "events=" + std::to_string(target);
  goroscope::trace::GortraceWriter writer(path, h);
  writer.on_string(1, "bench.cpp:1");
  std::mt19937_64 rng(7);
  std::vector<gor::Event> batch;
  batch.reserve(1 << 16);
  uint64_t written = 0;
  auto put = [&](int64_t ts, K kind, uint64_t g, int p, uint64_t a0 = 0, uint64_t a1 = 0) {
    gor::Event e;
    e.ts = ts;
    e.kind = kind;
    e.g = g;
    e.p = static_cast<int16_t>(p);
    e.m = static_cast<int16_t>(p);
    e.a0 = a0;
    e.a1 = a1;
    batch.push_back(e);
    if (batch.size() == batch.capacity()) {
      writer.on_events(batch.data(), batch.size());
      written += batch.size();
      batch.clear();
    }
  };
  std::deque<uint64_t> runnable, blocked;
  for (uint64_t g = 1; g <= kGoroutines; ++g) runnable.push_back(g);
  struct Slot { uint64_t g = 0; int64_t end = 0; };
  Slot running[kProcs];
  uint64_t slices = 0;
  int64_t t = 0;
  while (written + batch.size() < target) {
    t += 50;
    for (int p = 0; p < kProcs; ++p) {
      Slot& s = running[p];
      if (s.g && t >= s.end) {
        const unsigned r = static_cast<unsigned>(rng() % 100);
        if (r < 55) {
          put(t, K::GoBlock, s.g, p, static_cast<uint64_t>(gor::detail::WaitReason::ChanReceive), 7);
          blocked.push_back(s.g);
        } else if (r < 80) {
          put(t, K::GoYield, s.g, p);
          runnable.push_back(s.g);
        } else if (r < 92) {
          put(t, K::GoPreempted, s.g, p);
          runnable.push_back(s.g);
        } else {
          put(t, K::SyscallEnter, s.g, p, 1);
          put(t, K::SyscallExit, s.g, p, 1);
          runnable.push_back(s.g);
        }
        s.g = 0;
      }
      if (!s.g && !runnable.empty()) {
        s.g = runnable.front();
        runnable.pop_front();
        // Slice lengths spread over two orders of magnitude: 50 ns .. 5 us.
        s.end = t + 50 * static_cast<int64_t>(1 + (rng() % 100) * (rng() % 100) / 100);
        put(t, K::GoStart, s.g, p);
        if (!blocked.empty() && rng() % 100 < 60) {
          put(t, K::GoUnblock, blocked.front(), p, s.g, 1);
          runnable.push_back(blocked.front());
          blocked.pop_front();
        }
        if (++slices % 997 == 0) put(t, K::Steal, 0, p, static_cast<uint64_t>((p + 1) % kProcs), 3);
        if (slices % 4999 == 0) put(t, K::MutexMode, s.g, p, 9, (slices / 4999) % 2);
      }
      if (runnable.empty() && !blocked.empty()) {  // keep the Ps busy
        runnable.push_back(blocked.front());
        put(t, K::GoUnblock, blocked.front(), p, 0, 2);
        blocked.pop_front();
      }
    }
  }
  put(t + 50, K::RunEnd, 0, -1, 0);
  writer.on_events(batch.data(), batch.size());
  written += batch.size();
  writer.finish(gor::RunResult{});
  return written;
}

struct Frames {
  std::vector<double> ms;
  void add(double v) { ms.push_back(v); }
  double pct(double q) const {
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    return s.empty() ? 0 : s[std::min(s.size() - 1, static_cast<size_t>(q * static_cast<double>(s.size())))];
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  uint64_t target = 10'000'000;
  if (argc > 1) {
    char* end = nullptr;
    target = std::strtoull(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || target < 1000) {
      std::fprintf(stderr,
                   "usage: timeline_bench [EVENTS (>= 1000, default 10000000)] [TRACE_PATH (default "
                   "/tmp/timeline_bench.gortrace)]\n");
      return argv[1] == std::string_view("--help") || argv[1] == std::string_view("-h") ? 0 : 2;
    }
  }
  const std::string path = argc > 2 ? argv[2] : "/tmp/timeline_bench.gortrace";

  auto t0 = std::chrono::steady_clock::now();
  const uint64_t events = write_synthetic(path, target);
  std::printf("synthetic trace: %llu events, %.1f MiB, written in %.2f s (%s)\n",
              static_cast<unsigned long long>(events),
              static_cast<double>(std::ifstream(path, std::ios::ate | std::ios::binary).tellg()) / (1 << 20),
              seconds_since(t0), path.c_str());
  std::printf("RSS before opening: %ld MiB\n", vm_kib("VmRSS:") / 1024);

  MainWindow w(/*persist_settings=*/false);
  w.resize(1600, 1000);
  w.show();
  QApplication::processEvents();
  QSignalSpy opened(&w, &MainWindow::traceOpened);
  t0 = std::chrono::steady_clock::now();
  w.open_trace(QString::fromStdString(path));
  if (!opened.wait(600'000) || !opened.takeFirst().at(0).toBool()) {
    std::fprintf(stderr, "timeline_bench: the trace did not open\n");
    return 1;
  }
  const double open_s = seconds_since(t0);
  QApplication::processEvents();
  const TimelineModel& m = w.timeline().model();
  size_t slices = 0;
  for (int l = 0; l < m.lane_count(); ++l) slices += m.spans(l).size();
  std::printf("opened in the window in %.2f s: %d lanes, %zu slices, %zu wake-ups, %.3f s of engine time\n", open_s,
              m.lane_count(), slices, m.wakes().size(), static_cast<double>(m.end_ns()) / 1e9);
  std::printf("RSS after opening: %ld MiB (peak so far %ld MiB)\n", vm_kib("VmRSS:") / 1024, vm_kib("VmHWM:") / 1024);

  TimelineCanvas& c = w.timeline().canvas();
  c.resize(1600, 320);
  c.fit();
  QImage frame(c.size(), QImage::Format_ARGB32_Premultiplied);
  auto paint = [&] {
    QElapsedTimer timer;
    timer.start();
    c.render(&frame);
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
  };
  Frames fitted, zoom_in, pan, zoom_out, lod;
  for (int i = 0; i < 10; ++i) fitted.add(paint());
  std::vector<DrawSpan> blocks;
  size_t drawn = 0;
  for (int i = 0; i < 10; ++i) {  // the model's share of a fitted frame
    QElapsedTimer timer;
    timer.start();
    blocks.clear();
    for (int l = 0; l < m.lane_count(); ++l)
      m.level_of_detail(l, c.geometry().t0(), c.geometry().t1(), c.geometry().ns_per_px(), blocks);
    lod.add(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    drawn = blocks.size();
  }
  const double mid = c.geometry().width() * 0.37;
  int steps = 0;
  while (c.geometry().ns_per_px() > 0.5 && steps < 200) {  // down to 2 px per ns
    c.geometry().zoom(1.25, mid);
    zoom_in.add(paint());
    ++steps;
  }
  c.geometry().show(m.end_ns() / 3, m.end_ns() / 3 + 200'000);  // 200 us across the width
  for (int i = 0; i < 120; ++i) {
    c.geometry().pan(i < 60 ? 40 : -40);
    pan.add(paint());
  }
  while (c.geometry().t1() - c.geometry().t0() < m.end_ns()) {
    c.geometry().zoom(1 / 1.25, mid);
    zoom_out.add(paint());
  }
  auto report = [](const char* what, const Frames& f) {
    std::printf("  %-26s %4zu frames  median %6.2f ms  p95 %6.2f ms  max %6.2f ms  (%5.0f fps at p95)\n", what,
                f.ms.size(), f.pct(0.5), f.pct(0.95), f.pct(1.0), f.pct(0.95) > 0 ? 1000 / f.pct(0.95) : 0);
  };
  std::printf("frames of the 1600x320 Timeline canvas (paintEvent into an offscreen image):\n");
  report("whole run (fitted)", fitted);
  report("  its level of detail only", lod);
  std::printf("  (%zu slices drawn as %zu rectangles)\n", slices, drawn);
  report("zoom in x1.25 per frame", zoom_in);
  report("pan 40 px per frame", pan);
  report("zoom out /1.25 per frame", zoom_out);
  {
    QElapsedTimer timer;  // what a click on the replay cursor costs (UI thread)
    timer.start();
    const gor::Snapshot s = replay_snapshot(w.controller().store(), m.end_ns() / 2, m.lane_count());
    std::printf("replay state at the middle of the run (cursor click): %.2f s, %zu goroutines, %zu globally queued\n",
                static_cast<double>(timer.nsecsElapsed()) / 1e9, s.goroutines.size(), s.global_queue.size());
  }
  {
    // Scrubbing with the window's ReplayIndex (what dragging the replay cursor uses): a sweep
    // from the start to the end (each move may build checkpoints up to it), then moves to
    // random times (served from the nearest checkpoint). Checkpoints stay in memory: the
    // peak RSS below includes all of them.
    ReplayIndex index;
    const int64_t end = m.end_ns();
    Frames sweep, jump;
    for (int k = 1; k <= 40; ++k) {
      QElapsedTimer timer;
      timer.start();
      (void)index.snapshot(w.controller().store(), end * k / 40, m.lane_count());
      sweep.ms.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    std::mt19937_64 rng(7);
    for (int k = 0; k < 40; ++k) {
      QElapsedTimer timer;
      timer.start();
      (void)index.snapshot(w.controller().store(), static_cast<int64_t>(rng() % static_cast<uint64_t>(end)),
                           m.lane_count());
      jump.ms.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
    }
    std::printf("scrubbing the replay cursor (ReplayIndex, %zu checkpoints kept):\n", index.checkpoints());
    report("sweep start -> end", sweep);
    report("random moves", jump);
  }
  std::printf("peak RSS (VmHWM) of the whole process: %ld MiB\n", vm_kib("VmHWM:") / 1024);
  frame.save(QStringLiteral("/tmp/timeline_bench_last_frame.png"));
  return 0;
}
