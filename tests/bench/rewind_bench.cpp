// rewind_bench — how long a step back, or a jump to any moment, takes in a run of 1M and of
// 10M events (issue 15's targets: p95 <= 100 ms at 1M, <= 300 ms at 10M).
//
// Records a deterministic run of a busy program (workers passing values over channels, a
// mutex, a WaitGroup) with gor::TraceRecorder until it has about the asked number of events,
// puts them in a TraceStore, and asks the app's ReplayIndex for the state after N events the
// way the RunPlayer does (ReplayIndex::snapshot_after plus the shared copy the views get):
//   - cold: the first jump to the end (it lays the checkpoints down);
//   - jumps: 200 jumps to random moments;
//   - step back: 200 times, the state one event before a random moment just shown.
//
//   cmake --build build/release --target rewind_bench
//   build/release/tests/bench/rewind_bench [EVENTS...]   (default: 1000000 10000000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include <gor/gor.hpp>

#include "model/replay_state.hpp"
#include "model/trace_store.hpp"

using namespace goroscope::gui;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// busy() runs `rounds` rounds of 16 workers sending to a collector, locking a mutex each time.
void busy(int rounds) {
  constexpr int kWorkers = 16;
  auto ch = gor::make_chan<int>(4, "values");
  gor::Mutex mu("mu");
  gor::WaitGroup wg;
  long total = 0;
  for (int w = 0; w < kWorkers; ++w) {
    wg.add(1);
    gor::go([&, ch, w] {
      for (int i = 0; i < rounds; ++i) {
        mu.lock();
        total += i;
        mu.unlock();
        ch.send(w);
      }
      wg.done();
    });
  }
  gor::go([&, ch] {
    wg.wait();
    ch.close();
  });
  for (int v : ch) (void)v;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> targets;
  for (int i = 1; i < argc; ++i) targets.push_back(std::strtoull(argv[i], nullptr, 10));
  if (targets.empty()) targets = {1'000'000, 10'000'000};
  std::printf("%-10s %-9s %10s %10s %10s %10s %10s\n", "events", "what", "p50 ms", "p95 ms", "max ms", "cold ms", "checkpts");
  for (size_t target : targets) {
    gor::TraceRecorder rec;
    gor::Config cfg;
    cfg.procs = 4;
    cfg.seed = 1;
    cfg.deterministic = true;
    cfg.trace = true;
    cfg.observer = &rec;
    // About 6 events per worker round (lock, unlock, send, wake-ups, switches).
    const int rounds = static_cast<int>(std::max<size_t>(1, target / (16 * 6)));
    gor::run(cfg, [rounds] { busy(rounds); });
    TraceStore store;
    store.append(rec.events());
    const size_t n = store.size();
    ReplayIndex index;
    auto t = Clock::now();
    auto shown = std::make_shared<const gor::Snapshot>(index.snapshot_after(store, n, cfg.procs));
    const double cold = ms_since(t);
    std::mt19937_64 rng(42);
    std::vector<double> jumps, backs;
    for (int i = 0; i < 200; ++i) {
      const size_t at = 1 + rng() % n;
      t = Clock::now();
      shown = std::make_shared<const gor::Snapshot>(index.snapshot_after(store, at, cfg.procs));
      jumps.push_back(ms_since(t));
      t = Clock::now();
      shown = std::make_shared<const gor::Snapshot>(index.snapshot_after(store, at - 1, cfg.procs));
      backs.push_back(ms_since(t));
    }
    std::printf("%-10zu %-9s %10.2f %10.2f %10.2f %10.1f %10zu\n", n, "jump", percentile(jumps, 0.5), percentile(jumps, 0.95),
                percentile(jumps, 1.0), cold, index.checkpoints());
    std::printf("%-10zu %-9s %10.2f %10.2f %10.2f %10s %10s\n", n, "step back", percentile(backs, 0.5), percentile(backs, 0.95),
                percentile(backs, 1.0), "", "");
  }
  return 0;
}
