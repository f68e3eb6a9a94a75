// The reducer's state equals the engine's own snapshot (issue 15 item 4, issue 18 item 8): every
// sample of samples.def runs deterministically (fixed seed) at procs 1, 2 and 4, traced and
// controlled; it starts frozen (RunControl::start_paused) and then moves by random step()s
// (goroutine starts) and step_events() (trace events: a freeze after any event), in turn, short
// ones first. At every freeze the engine's snapshot is compared field by
// field, queue order included, with a RunReducer fed exactly the events delivered so far; the
// first differing field is reported with both values. Fields the events cannot carry are
// skipped by first_difference() (run_reducer.hpp's kNotFromEvents, docs/gortrace-format.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include <gor/control.hpp>
#include <gor/trace.hpp>
#include <goroscope/registry.hpp>
#include <goroscope/runner.hpp>

#include "run_reducer.hpp"

namespace {

using goroscope::trace::first_difference;
using goroscope::trace::RunReducer;

struct Case {
  std::string sample;
  int procs;
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string name = info.param.sample + "_procs" + std::to_string(info.param.procs);
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

std::vector<Case> every_sample_at_1_2_4() {
  std::vector<Case> cases;
  for (const goroscope::Sample& s : goroscope::all_samples())
    for (int procs : {1, 2, 4}) cases.push_back(Case{s.info.id, procs});
  return cases;
}

// recent() is the last n events, one per line ("go_block g=7 p=1 a0=2 a1=37 a2=4"), for a mismatch.
std::string recent(const std::vector<gor::Event>& events, size_t n) {
  std::string out;
  for (size_t i = events.size() > n ? events.size() - n : 0; i < events.size(); ++i) {
    const gor::Event& e = events[i];
    out += "\n  " + std::to_string(i) + " " + gor::event_kind_name(e.kind) + " g=" + std::to_string(e.g) +
           " p=" + std::to_string(e.p) + " m=" + std::to_string(e.m) + " a0=" + std::to_string(e.a0) +
           " a1=" + std::to_string(e.a1) + " a2=" + std::to_string(e.a2);
  }
  return out;
}

// Comparison is the result of one controlled run.
struct Comparison {
  int freezes = 0;             // snapshots compared
  size_t events = 0;           // events the run recorded
  size_t starts = 0;           // of which go_start
  std::string first_mismatch;  // "after N events: field: engine vs reducer", "" if none
  std::string problem;         // the reducer's first impossible transition, "" if none
};

// compare_run() runs `sample` deterministically under `seed` and compares at every freeze.
Comparison compare_run(const goroscope::Sample& sample, int procs, uint64_t seed) {
  gor::Config cfg = goroscope::sample_config(sample);
  cfg.deterministic = true;
  cfg.seed = seed;
  cfg.procs = procs;
  gor::TraceRecorder recorder;
  cfg.trace = true;
  cfg.observer = &recorder;
  gor::RunControl control;
  control.start_paused(true);
  cfg.control = &control;
  std::atomic<bool> done{false};
  std::thread runner([&] {
    goroscope::run_sample(sample, goroscope::SampleParams(sample.info), cfg);
    done = true;
  });
  Comparison out;
  RunReducer reducer(procs);
  std::mt19937_64 rng(seed * 7919 + static_cast<uint64_t>(procs));
  // Until the run has attached (it then waits, frozen at its first scheduling decision).
  while (!control.active() && !done) std::this_thread::sleep_for(std::chrono::microseconds(50));
  bool frozen = control.pause(std::chrono::seconds(30)).ok;
  while (frozen) {
    const std::optional<gor::Snapshot> live = control.snapshot();
    if (!live) break;
    const std::vector<gor::Event> events = recorder.events();
    for (size_t i = reducer.events(); i < events.size(); ++i) reducer.apply(events[i]);
    ++out.freezes;
    const std::string diff = first_difference(*live, reducer.snapshot([&](uint64_t id) { return recorder.string(id); }));
    if (!diff.empty()) {
      out.first_mismatch = "after " + std::to_string(events.size()) + " events (freeze " + std::to_string(out.freezes) +
                           "): " + diff + "\nlast events:" + recent(events, 16);
      break;
    }
    // Small steps first (a short run still freezes several times), longer ones in a long run;
    // by goroutine starts (step) and by events (step_events: a freeze at any event) in turn.
    if (out.freezes % 2 == 1) {
      const int most = 1 + out.freezes / 2 + out.freezes * out.freezes / 16;
      frozen = control.step(1 + static_cast<int>(rng() % static_cast<uint64_t>(most)), std::chrono::seconds(30)).ok;
    } else {
      const uint64_t most = 2 + static_cast<uint64_t>(out.freezes) * static_cast<uint64_t>(out.freezes) / 4;
      frozen = control.step_events(1 + rng() % most, std::chrono::seconds(30)).ok;
    }
  }
  if (!done) control.resume();
  runner.join();
  out.events = recorder.events().size();
  out.starts = recorder.count(gor::EventKind::GoStart);
  if (!reducer.problems().empty()) {
    const goroscope::trace::ReducerProblem& p = reducer.problems().front();
    out.problem = "event " + std::to_string(p.event) + ": " + p.what;
  }
  return out;
}

class ReducerEqualsEngine : public testing::TestWithParam<Case> {};

TEST_P(ReducerEqualsEngine, at_every_freeze_of_a_deterministic_run) {
  const goroscope::Sample* sample = goroscope::find_sample(GetParam().sample);
  ASSERT_NE(sample, nullptr);
  const Comparison c = compare_run(*sample, GetParam().procs, 20261208);
  EXPECT_EQ(c.first_mismatch, "");
  EXPECT_EQ(c.problem, "");
  // At its start, and after its first step unless that one start was the whole run.
  EXPECT_GE(c.freezes, c.starts > 1 ? 2 : 1) << c.starts << " goroutine starts";
  RecordProperty("freezes", c.freezes);
  RecordProperty("events", static_cast<int>(c.events));
}

// RunControl::step_events(n) freezes a deterministic run once n more events were recorded, at
// the next scheduling decision: never before them, and (for n = 1) within one scheduling step.
TEST(StepEvents, freezes_after_the_nth_event_at_the_next_choice) {
  const goroscope::Sample* sample = goroscope::find_sample("worker-pool");
  ASSERT_NE(sample, nullptr);
  gor::Config cfg = goroscope::sample_config(*sample);
  cfg.deterministic = true;
  cfg.seed = 5;
  cfg.procs = 2;
  gor::TraceRecorder recorder;
  cfg.trace = true;
  cfg.observer = &recorder;
  gor::RunControl control;
  control.start_paused(true);
  cfg.control = &control;
  std::thread runner([&] { goroscope::run_sample(*sample, goroscope::SampleParams(sample->info), cfg); });
  while (!control.active()) std::this_thread::sleep_for(std::chrono::microseconds(50));
  ASSERT_TRUE(control.pause(std::chrono::seconds(30)).ok);
  size_t before = recorder.events().size();
  size_t largest = 0;
  int steps = 0;
  for (uint64_t n : {1, 1, 1, 3, 1, 7, 1, 1, 20, 1}) {
    if (!control.step_events(n, std::chrono::seconds(30)).ok) break;
    const size_t now = recorder.events().size();
    EXPECT_GE(now, before + n) << "step " << steps;
    largest = std::max(largest, now - before - n);
    before = now;
    ++steps;
  }
  control.resume();
  runner.join();
  EXPECT_EQ(steps, 10);
  EXPECT_LT(largest, 40u) << "a freeze lands at the first scheduling decision after the n-th event";
}

INSTANTIATE_TEST_SUITE_P(EverySample, ReducerEqualsEngine, testing::ValuesIn(every_sample_at_1_2_4()), case_name);

}  // namespace
