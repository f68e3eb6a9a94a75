// runner.cpp — run_sample(): one headless run of a sample.
#include <chrono>

#include "goroscope/runner.hpp"

namespace goroscope {

gor::Config sample_config(const Sample& sample) {
  gor::Config cfg;
  cfg.procs = sample.info.default_procs;
  return cfg;
}

SampleRun run_sample(const Sample& sample, const SampleParams& params, const gor::Config& cfg) {
  SampleRun r;
  auto start = std::chrono::steady_clock::now();
  r.result = gor::run(cfg, [&] { sample.main(params, r.outcome); });
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sample.info.after_run) sample.info.after_run(r.result, r.outcome);
  return r;
}

}  // namespace goroscope
