// explore_internal.hpp — what explore.cpp and explore_shrink.cpp share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "goroscope/explore.hpp"

namespace goroscope::explore::detail {

// mix() is splitmix64's finaliser: a well-spread function of x.
uint64_t mix(uint64_t x) noexcept;

// Recorder is the base of every exploration strategy: it records each answered choice (a
// Choice, with whether it deviates from "keep going") and asks pick() for the answer. The base
// class's pick() never deviates: no forced preemption, keep the goroutine that moved last.
class Recorder : public gor::Strategy {
 public:
  uint32_t choose(const gor::ChoicePoint& p) final;
  // pick() answers p; `c` has kind, candidates and (Preempt) goroutine and nth filled in;
  // `sticky` is the non-deviating answer.
  virtual uint32_t pick(const gor::ChoicePoint& p, const Choice& c, uint32_t sticky) {
    (void)p, (void)c;
    return sticky;
  }

  std::vector<Choice> choices;
  uint64_t preemptions = 0;
  uint64_t switches = 0;

 private:
  uint32_t sticky_index(const gor::ChoicePoint& p) const;
  std::map<uint64_t, uint32_t> points_;  // goroutine -> its Preempt points so far
  uint64_t last_ = 0;                    // the goroutine chosen last at a Thread choice
};

// bounded_points() is the i-th set of preemption points of the bounded enumeration (every set
// of size 0, then 1, ... up to depth, each in lexicographic order); bounded_space() its size.
std::vector<uint64_t> bounded_points(uint64_t steps, int depth, uint64_t i);
uint64_t bounded_space(uint64_t steps, int depth);

// strategy_for() is run i's strategy; seed_for() its program seed (Config::seed).
std::shared_ptr<Recorder> strategy_for(const ExplorePlan& plan, uint64_t i);
uint64_t seed_for(const ExplorePlan& plan, uint64_t i);

// base_config() is a plan's run configuration: deterministic, preemption points, race as asked.
gor::Config base_config(const ExplorePlan& plan, uint64_t seed);

// run_with() runs the sample once with `strategy` and classifies the run.
RunRecord run_with(const ExplorePlan& plan, uint64_t seed, const std::shared_ptr<Recorder>& strategy);

}  // namespace goroscope::explore::detail
