// race_free_samples_test.cpp — every sample run with the race detector on: its default
// variant and its "fixed*" variants report no race (no false positives from the engine's
// edges), the racy ones do: race-counter's "racy", happens-before's "flag", once-lazy-init's
// "naive" (check-then-act on the config), lost-wakeup's "racy" (the check outside the lock), and send-on-closed's "buggy" (a producer's send races with another producer's close: a race on the channel, as Go's
// -race reports it). One test per sample, default parameters except goroutines-are-cheap's count
// (1,000: quick under the sanitizers; 10,000 with race on costs little since the shared-base
// vector clocks, see BENCHMARKS.md).
#include <string>
#include <utility>
#include <vector>

#include "goroscope/registry.hpp"
#include "run_sample.hpp"

namespace goroscope {
namespace {

bool racy_variant(const std::string& id, const std::string& variant) {
  return (id == "race-counter" && variant == "racy") || (id == "happens-before" && variant == "flag") ||
         (id == "send-on-closed" && variant == "buggy") || (id == "once-lazy-init" && variant == "naive") ||
         (id == "lost-wakeup" && variant == "racy");
}

// schedule_dependent() is a buggy variant whose race happens only in some schedules (the
// exploration tests, tests/explore, find it): close-while-sending's close races with a send only
// when the closer's wg.Wait came before a sender's wg.Add.
bool schedule_dependent(const std::string& id, const std::string& variant) {
  return id == "close-while-sending" && variant == "add-in-goroutine";
}

std::vector<std::string> sample_ids() {
  std::vector<std::string> ids;
  for (const Sample& s : all_samples()) ids.push_back(s.info.id);
  return ids;
}

class RaceFreeSamples : public ::testing::TestWithParam<std::string> {};

TEST_P(RaceFreeSamples, DefaultAndFixedVariantsReportNoRace) {
  const Sample* s = find_sample(GetParam());
  ASSERT_NE(s, nullptr);
  std::vector<std::string> variants{""};  // "": the defaults
  for (const SampleParam& p : s->info.params) {
    if (p.key != "variant" || p.kind != SampleParam::Kind::Choice) continue;
    variants = {p.choices.at(static_cast<size_t>(p.def))};
    for (const std::string& c : p.choices)
      if (c.rfind("fixed", 0) == 0 && c != variants[0]) variants.push_back(c);
    if (s->info.id == "race-counter") variants = {"racy", "mutex", "channel"};
    if (s->info.id == "happens-before") variants = {"flag", "channel"};
    if (s->info.id == "once-lazy-init") variants = {"naive", "once"};
  }
  for (const std::string& v : variants) {
    SCOPED_TRACE(v.empty() ? "defaults" : "variant " + v);
    std::vector<std::pair<std::string, std::string>> overrides;
    if (!v.empty()) overrides.emplace_back("variant", v);
    if (s->info.id == "goroutines-are-cheap") overrides.emplace_back("count", "1000");
    SampleRun r = testing::run(s->info.id, overrides, 0, nullptr, /*race=*/true);
    EXPECT_FALSE(r.outcome.lines.empty());
    if (racy_variant(s->info.id, v)) {
      EXPECT_GT(r.result.races, 0u);
    } else if (schedule_dependent(s->info.id, v)) {
      // either way is right; the count and the reports still agree (below)
    } else {
      EXPECT_EQ(r.result.races, 0u) << (r.result.race_reports.empty() ? "" : r.result.race_reports[0]);
    }
    EXPECT_EQ(r.result.races, r.result.race_reports.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Samples, RaceFreeSamples, ::testing::ValuesIn(sample_ids()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           std::string name;
                           for (char c : i.param) name += (c == '-') ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace goroscope
