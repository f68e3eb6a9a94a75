// run_sample.hpp — test helper: run a registered sample with a few parameters overridden.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "goroscope/registry.hpp"
#include "goroscope/runner.hpp"
#include <gor/trace.hpp>

namespace goroscope::testing {

// run() runs sample `id` with `overrides` (KEY, VALUE text) at its default procs, seed 0,
// dilation 1. A missing sample fails the calling test (ADD_FAILURE) and returns an empty run.
// With an `observer` (a gor::TraceRecorder, say) the run is traced into it.
// With race, the run has the race detector on (Config::race).
inline SampleRun run(const std::string& id, const std::vector<std::pair<std::string, std::string>>& overrides = {},
                     int procs = 0, gor::TraceObserver* observer = nullptr, bool race = false) {
  const Sample* s = find_sample(id);
  if (s == nullptr) {
    ADD_FAILURE() << "no sample '" << id << "'";
    return {};
  }
  SampleParams params(s->info);
  for (const auto& [k, v] : overrides) params.parse(k, v);
  gor::Config cfg = sample_config(*s);
  if (procs > 0) cfg.procs = procs;
  cfg.race = race;
  if (observer != nullptr) {
    cfg.trace = true;
    cfg.observer = observer;
  }
  return run_sample(*s, params, cfg);
}

}  // namespace goroscope::testing
