// sample_registry_test.cpp — the registry: content, lookup, validation, and every sample's
// ending with its default parameters.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "goroscope/registry.hpp"
#include "goroscope/sample_kit.hpp"
#include "run_sample.hpp"

namespace goroscope {
namespace {

TEST(SampleRegistryTest, HasTheFirstSamplesWithWorkerPoolAsDefault) {
  std::set<std::string> ids;
  for (const Sample& s : all_samples()) ids.insert(s.info.id);
  for (const char* id : {"worker-pool", "goroutines-are-cheap", "unbuffered-vs-buffered", "send-on-closed", "deadlock",
                         "mutex-starvation", "select-fairness"})
    EXPECT_TRUE(ids.count(id)) << id;
  EXPECT_EQ(ids.size(), all_samples().size()) << "ids are unique";
  EXPECT_EQ(default_sample().info.id, "worker-pool");
}

TEST(SampleRegistryTest, FindsByExactId) {
  const Sample* s = find_sample("deadlock");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->info.id, "deadlock");
  EXPECT_EQ(find_sample("Deadlock"), nullptr);
  EXPECT_EQ(find_sample("xyz"), nullptr);
  EXPECT_EQ(find_sample(""), nullptr);
}

TEST(SampleRegistryTest, EverySampleIsCompleteAndItsDefaultsParse) {
  for (const Sample& s : all_samples()) {
    SCOPED_TRACE(s.info.id);
    EXPECT_NO_THROW(validate_sample(s.info));
    EXPECT_TRUE(s.main);
    EXPECT_GE(s.info.explanation.size(), 600u) << "several paragraphs";
    SampleParams p(s.info);
    for (const SampleParam& param : s.info.params) {
      if (param.kind == SampleParam::Kind::Int) {
        EXPECT_NO_THROW(p.parse(param.key, std::to_string(param.min)));
        EXPECT_NO_THROW(p.parse(param.key, std::to_string(param.max)));
      }
    }
  }
}

TEST(SampleRegistryTest, ValidationRejectsBrokenMetadata) {
  SampleInfo good = find_sample("worker-pool")->info;
  EXPECT_NO_THROW(validate_sample(good));
  SampleInfo bad = good;
  bad.id = "Worker_Pool";
  EXPECT_THROW(validate_sample(bad), std::logic_error);
  bad = good;
  bad.summary = "two\nlines";
  EXPECT_THROW(validate_sample(bad), std::logic_error);
  bad = good;
  bad.explanation = "one paragraph";
  EXPECT_THROW(validate_sample(bad), std::logic_error);
  bad = good;
  bad.params[0].def = bad.params[0].max + 1;  // a default outside its own range
  EXPECT_THROW(validate_sample(bad), std::logic_error);
  bad = good;
  bad.params.push_back(bad.params[0]);
  EXPECT_THROW(validate_sample(bad), std::logic_error);
}

// Every sample ends on its own with its default parameters, with the status its story needs.
TEST(SampleRegistryTest, EverySampleEndsWithDefaultParameters) {
  for (const Sample& s : all_samples()) {
    SCOPED_TRACE(s.info.id);
    SampleRun r = testing::run(s.info.id);
    gor::RunStatus expected = gor::RunStatus::Ok;
    if (s.info.id == "send-on-closed") expected = gor::RunStatus::Panic;
    if (s.info.id == "deadlock") expected = gor::RunStatus::Deadlock;
    if (s.info.id == "defer-unlock") expected = gor::RunStatus::Deadlock;  // the manual variant's point
    EXPECT_EQ(r.result.status, expected) << r.result.message;
    EXPECT_FALSE(r.outcome.lines.empty());
  }
}

}  // namespace
}  // namespace goroscope
