// deterministic_bench.cpp — scheduling events per second of a pingpong in deterministic mode
// next to real mode, one run each at procs 1, 2 and 4, tracing on (every event counted).
//
//   taskset -c 0 build/release/tests/bench/gor_deterministic_bench [round trips, default 200000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gor/gor.hpp>
#include <gor/trace.hpp>

namespace {

// Counter counts the events delivered (what a scheduling event is: one trace event).
struct Counter : gor::TraceObserver {
  size_t events = 0;
  void on_string(uint64_t, const std::string&) override {}
  void on_events(const gor::Event*, size_t n) override { events += n; }
};

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 200000;
  if (rounds <= 0) {
    std::fprintf(stderr, "usage: gor_deterministic_bench [round trips > 0]\n");
    return 64;
  }
  std::printf("| mode | procs | events | wall s | M events/s | ns per round trip | actor switches |\n|---|---|---|---|---|---|---|\n");
  for (int det = 1; det >= 0; --det) {
    for (int procs : {1, 2, 4}) {
      Counter counter;
      gor::Config cfg;
      cfg.procs = procs;
      cfg.seed = 1;
      cfg.deterministic = det == 1;
      cfg.trace = true;
      cfg.observer = &counter;
      const auto t0 = std::chrono::steady_clock::now();
      gor::RunResult r = gor::run(cfg, [&] {
        auto ping = gor::make_chan<int>(0);
        auto pong = gor::make_chan<int>(0);
        gor::go([=] {
          for (int i = 0; i < rounds; ++i) pong.send(ping.recv());
        });
        for (int i = 0; i < rounds; ++i) {
          ping.send(i);
          pong.recv();
        }
      });
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r.status != gor::RunStatus::Ok) {
        std::fprintf(stderr, "run failed: %s\n", r.message.c_str());
        return 1;
      }
      std::printf("| %s | %d | %zu | %.3f | %.2f | %.0f | %llu |\n", det ? "deterministic" : "real", procs,
                  counter.events, s, static_cast<double>(counter.events) / s / 1e6, s * 1e9 / rounds,
                  static_cast<unsigned long long>(r.actor_switches));
    }
  }
  return 0;
}
