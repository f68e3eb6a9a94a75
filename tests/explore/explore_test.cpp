// explore_test.cpp — schedule exploration finds each buggy sample's failure with a fixed seed
// within 1,000 runs, shows only ok for the fixed variants, and shrinks and replays what it finds.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "goroscope/explore.hpp"
#include "goroscope/registry.hpp"
#include "goroscope/runner.hpp"

namespace goroscope::explore {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

ExplorePlan plan_for(const std::string& sample, Params params, int runs = 1000,
                     StrategyKind strategy = StrategyKind::Pct, uint64_t seed = 1) {
  ExploreOptions o;
  o.sample = sample;
  o.params = std::move(params);
  o.runs = runs;
  o.strategy = strategy;
  o.seed = seed;
  return make_plan(o);
}

std::string table(const ExploreSummary& s) {
  std::string t = std::to_string(s.runs) + " runs:";
  for (const OutcomeStats& o : s.outcomes)
    t += "\n  " + std::string(outcome_name(o.outcome.kind)) + " x" + std::to_string(o.count) + " (first run " +
         std::to_string(o.first_run) + "): " + o.outcome.message;
  return t;
}

const OutcomeStats* find(const ExploreSummary& s, OutcomeKind k) {
  for (const OutcomeStats& o : s.outcomes)
    if (o.outcome.kind == k) return &o;
  return nullptr;
}

struct Bug {
  const char* sample;
  Params params;
  OutcomeKind kind;
  const char* message_part;
};

class BuggyVariant : public ::testing::TestWithParam<Bug> {};

TEST_P(BuggyVariant, DefaultStrategyFindsItWithin1000Runs) {
  const Bug& bug = GetParam();
  ExplorePlan plan = plan_for(bug.sample, bug.params);
  ExploreSummary s = explore_runs(plan, 0, 1, 1000);
  EXPECT_EQ(s.runs, 1000u);
  const OutcomeStats* o = find(s, bug.kind);
  ASSERT_NE(o, nullptr) << table(s);
  EXPECT_NE(o->outcome.message.find(bug.message_part), std::string::npos) << o->outcome.message;
  EXPECT_LT(o->first_run, 1000u);
}

INSTANTIATE_TEST_SUITE_P(
    Samples, BuggyVariant,
    ::testing::Values(
        Bug{"race-counter", {{"variant", "racy"}}, OutcomeKind::Check, "counter == workers x increments"},
        Bug{"happens-before", {{"variant", "flag"}}, OutcomeKind::Race, "data race"},
        Bug{"once-lazy-init", {{"variant", "naive"}}, OutcomeKind::Check, "load() runs exactly once"},
        Bug{"lost-wakeup", {{"variant", "racy"}}, OutcomeKind::Deadlock, "all goroutines are asleep"},
        Bug{"close-while-sending", {{"variant", "add-in-goroutine"}}, OutcomeKind::Panic, "send on closed channel"},
        Bug{"bank-transfer", {{"variant", "racy"}}, OutcomeKind::Deadlock, "all goroutines are asleep"},
        Bug{"timeout-leak", {{"variant", "leaky"}}, OutcomeKind::Leak, "chan send"}),
    [](const auto& info) {
      std::string n = info.param.sample;
      for (char& c : n)
        if (c == '-') c = '_';
      return n;
    });

class FixedVariant : public ::testing::TestWithParam<std::pair<const char*, Params>> {};

TEST_P(FixedVariant, ShowsOnlyOkIn1000Runs) {
  const auto& [sample, params] = GetParam();
  ExplorePlan plan = plan_for(sample, params);
  ExploreSummary s = explore_runs(plan, 0, 1, 1000);
  EXPECT_EQ(s.runs, 1000u);
  ASSERT_EQ(s.outcomes.size(), 1u) << table(s);
  EXPECT_EQ(s.outcomes[0].outcome.kind, OutcomeKind::Ok) << table(s);
  EXPECT_EQ(s.outcomes[0].count, 1000u);
}

INSTANTIATE_TEST_SUITE_P(Samples, FixedVariant,
                         ::testing::Values(std::pair("race-counter", Params{{"variant", "mutex"}}),
                                           std::pair("race-counter", Params{{"variant", "channel"}}),
                                           std::pair("happens-before", Params{{"variant", "channel"}}),
                                           std::pair("once-lazy-init", Params{{"variant", "once"}}),
                                           std::pair("lost-wakeup", Params{{"variant", "fixed"}}),
                                           std::pair("close-while-sending", Params{{"variant", "add-before-go"}}),
                                           std::pair("bank-transfer", Params{{"variant", "ordered"}}),
                                           std::pair("timeout-leak", Params{{"variant", "fixed"}})));

TEST(Explore, ARunIsAPureFunctionOfItsIndex) {
  ExplorePlan plan = plan_for("race-counter", {{"variant", "racy"}, {"increments", "20"}});
  for (uint64_t i : {0u, 7u, 99u}) {
    RunRecord a = run_index(plan, i);
    RunRecord b = run_index(plan, i);
    EXPECT_EQ(a.schedule, b.schedule) << i;
    EXPECT_EQ(a.outcome.message, b.outcome.message);
    EXPECT_EQ(a.outcome.detail, b.outcome.detail);
    EXPECT_EQ(a.preemptions, b.preemptions);
  }
}

TEST(Explore, SlicesMergeIntoTheWholeSummary) {
  ExplorePlan plan = plan_for("lost-wakeup", {{"variant", "racy"}}, 200, StrategyKind::Random, 5);
  ExploreSummary whole = explore_runs(plan, 0, 1, 200);
  ExploreSummary even = explore_runs(plan, 0, 2, 200);
  ExploreSummary odd = explore_runs(plan, 1, 2, 200);
  EXPECT_EQ(even.runs + odd.runs, 200u);
  even.merge(std::move(odd));
  ASSERT_EQ(even.outcomes.size(), whole.outcomes.size()) << table(whole) << "\n" << table(even);
  ASSERT_GE(whole.outcomes.size(), 2u) << "the racy lost-wakeup should both pass and fail: " << table(whole);
  for (size_t i = 0; i < whole.outcomes.size(); ++i) {
    EXPECT_EQ(even.outcomes[i].outcome.kind, whole.outcomes[i].outcome.kind);
    EXPECT_EQ(even.outcomes[i].count, whole.outcomes[i].count);
    EXPECT_EQ(even.outcomes[i].first_run, whole.outcomes[i].first_run);
  }
  EXPECT_EQ(even.runs, 200u);
}

TEST(Explore, BoundedTriesNoPreemptionThenEachSinglePoint) {
  ExplorePlan plan = plan_for("close-while-sending", {{"variant", "add-in-goroutine"}}, 1000, StrategyKind::Bounded);
  plan.depth = 1;
  EXPECT_EQ(run_index(plan, 0).preemptions, 0u);
  for (uint64_t i = 1; i < std::min<uint64_t>(plan.steps, 20); ++i) EXPECT_LE(run_index(plan, i).preemptions, 1u) << i;
  ExploreSummary s = explore_runs(plan, 0, 1, 1000);
  EXPECT_TRUE(s.failures()) << table(s);
}

TEST(Explore, EveryStrategyFindsTheLostUpdate) {
  for (StrategyKind k : {StrategyKind::Random, StrategyKind::Pct, StrategyKind::Bounded}) {
    ExplorePlan plan = plan_for("race-counter", {{"variant", "racy"}, {"increments", "10"}}, 300, k);
    ExploreSummary s = explore_runs(plan, 0, 1, 300);
    EXPECT_NE(find(s, OutcomeKind::Check), nullptr) << strategy_name(k) << ": " << table(s);
  }
}

TEST(Explore, ShrinkingKeepsTheOutcomeWithNoMoreDeviations) {
  for (const auto& [sample, variant] : {std::pair("race-counter", "racy"), std::pair("bank-transfer", "racy"),
                                        std::pair("close-while-sending", "add-in-goroutine")}) {
    SCOPED_TRACE(sample);
    ExplorePlan plan = plan_for(sample, {{"variant", variant}}, 300, StrategyKind::Random, 3);
    ExploreSummary s = explore_runs(plan, 0, 1, 300);
    for (OutcomeStats& o : s.outcomes) {
      if (o.outcome.kind == OutcomeKind::Ok || o.outcome.kind == OutcomeKind::Race) continue;
      shrink(plan, o);
      ASSERT_TRUE(o.shrunk.has_value());
      EXPECT_EQ(o.shrunk->outcome.kind, o.outcome.kind);
      EXPECT_EQ(o.shrunk->outcome.message, o.outcome.message);
      EXPECT_LE(o.shrunk->preemptions + o.shrunk->switches, o.first.preemptions + o.first.switches);
      // The shrunk schedule replays to the same outcome without the strategy.
      gor::Config cfg = replay_config(plan, *o.shrunk);
      gor::RunControl control;
      cfg.control = &control;
      SampleRun again = run_sample(*plan.sample, plan.params, cfg);
      Outcome replayed = classify(again.result, again.outcome, control.final_snapshot());
      EXPECT_EQ(replayed.kind, o.outcome.kind) << again.result.message;
      EXPECT_EQ(replayed.message, o.outcome.message);
      // Its table has a column per goroutine and marks each forced preemption.
      InterleavingTable t = interleaving(plan, *o.shrunk);
      EXPECT_GE(t.goroutines.size(), 2u);
      size_t forced = 0;
      for (const auto& row : t.rows) forced += row.forced;
      EXPECT_EQ(forced, o.shrunk->preemptions);
    }
  }
}

TEST(Explore, BadOptionsAreExploreErrors) {
  ExploreOptions o;
  o.sample = "no-such-sample";
  EXPECT_THROW(make_plan(o), ExploreError);
  o.sample = "race-counter";
  o.runs = 0;
  EXPECT_THROW(make_plan(o), ExploreError);
  o.runs = 10;
  o.depth = 0;
  o.strategy = StrategyKind::Pct;
  EXPECT_THROW(make_plan(o), ExploreError);
  o.depth = -1;
  o.strategy = StrategyKind::Bounded;
  EXPECT_THROW(make_plan(o), ExploreError);
  o.depth.reset();
  o.params = {{"workers", "0"}};
  EXPECT_THROW(make_plan(o), ExploreError);
  EXPECT_FALSE(parse_strategy("chess").has_value());
}

}  // namespace
}  // namespace goroscope::explore
