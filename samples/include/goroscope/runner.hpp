// runner.hpp — running one sample on the engine, headless.
#pragma once

#include "goroscope/sample.hpp"
#include <gor/runtime.hpp>

namespace goroscope {

// SampleRun is the result of run_sample(): the engine's report, what the sample reported
// (possibly partial if it panicked or deadlocked), and the run's wall-clock duration.
struct SampleRun {
  gor::RunResult result;
  SampleOutcome outcome;
  double wall_seconds = 0;
};

// sample_config() is the engine configuration a sample runs with by default: its default
// procs, seed 0, dilation 1, tracing off.
gor::Config sample_config(const Sample& sample);

// run_sample() runs `sample` with `params` under `cfg` (gor::run) and returns when the run
// ends. It blocks the calling thread, which must not be a goroutine.
SampleRun run_sample(const Sample& sample, const SampleParams& params, const gor::Config& cfg);

}  // namespace goroscope
