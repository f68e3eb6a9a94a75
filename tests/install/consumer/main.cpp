// gor_consumer — a worker squares 0..9 received on a channel; main prints the sum (285).
#include <cstdio>

#include <gor/gor.hpp>

int main() {
  gor::Config cfg;
  cfg.procs = 2;
  int sum = 0;
  const gor::RunResult r = gor::run(cfg, [&sum] {
    auto jobs = gor::make_chan<int>(10, "jobs");
    auto results = gor::make_chan<int>(10, "results");
    gor::go([jobs, results] {
      for (int j : jobs) results.send(j * j);
      results.close();
    });
    for (int i = 0; i < 10; ++i) jobs.send(i);
    jobs.close();
    for (int v : results) sum += v;
  });
  if (r.status != gor::RunStatus::Ok) return 1;
  std::printf("sum %d\n", sum);
  return 0;
}
