// sample_params_test.cpp — SampleParams: defaults, parsing, validation messages, typed access.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope {
namespace {

SampleInfo pool_info() {
  SampleInfo info;
  info.id = "worker-pool";
  info.params = {int_param("workers", "Workers", "w", 4, 1, 64), int_param("jobs", "Jobs", "j", 40, 1, 100000),
                 int_param("buffer", "Buffer", "b", 10, 0, 10000)};
  return info;
}

SampleInfo mixed_info() {
  SampleInfo info;
  info.id = "mixed";
  info.params = {choice_param("variant", "Variant", "v", {"buggy", "fixed"}), bool_param("verbose", "Verbose", "v", false),
                 int_param("delta", "Delta", "d", -5, -10, 10)};
  return info;
}

std::string error_of(SampleParams& p, const std::string& key, const std::string& text) {
  try {
    p.parse(key, text);
  } catch (const SampleParamError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SampleParamsTest, HoldsDefaults) {
  SampleParams p(pool_info());
  EXPECT_EQ(p.get_int("workers"), 4);
  EXPECT_EQ(p.get_int("jobs"), 40);
  EXPECT_EQ(p.get_int("buffer"), 10);
  SampleParams m(mixed_info());
  EXPECT_EQ(m.get_choice("variant"), "buggy");
  EXPECT_FALSE(m.get_bool("verbose"));
  EXPECT_EQ(m.get_int("delta"), -5);
  EXPECT_EQ(m.describe(), "variant=buggy verbose=false delta=-5");
}

TEST(SampleParamsTest, ParsesValidValues) {
  SampleParams p(pool_info());
  p.parse("workers", "64");
  p.parse("jobs", "1_000");
  p.parse("buffer", "+0");
  EXPECT_EQ(p.get_int("workers"), 64);
  EXPECT_EQ(p.get_int("jobs"), 1000);
  EXPECT_EQ(p.get_int("buffer"), 0);
  SampleParams m(mixed_info());
  m.parse("variant", "fixed");
  m.parse("verbose", "YES");
  m.parse("delta", "-10");
  EXPECT_EQ(m.get_choice("variant"), "fixed");
  EXPECT_TRUE(m.get_bool("verbose"));
  EXPECT_EQ(m.get_int("delta"), -10);
  for (const char* f : {"false", "0", "no", "off", "False"}) {
    m.parse("verbose", f);
    EXPECT_FALSE(m.get_bool("verbose")) << f;
  }
}

TEST(SampleParamsTest, RejectsOutOfRangeWithClearMessage) {
  SampleParams p(pool_info());
  EXPECT_EQ(error_of(p, "workers", "0"), "parameter 'workers' must be between 1 and 64 (got 0)");
  EXPECT_EQ(error_of(p, "workers", "65"), "parameter 'workers' must be between 1 and 64 (got 65)");
  EXPECT_EQ(error_of(p, "jobs", "99999999999999999999"),
            "parameter 'jobs' must be between 1 and 100000 (got 99999999999999999999)");
  EXPECT_EQ(p.get_int("workers"), 4) << "a rejected value leaves the old one";
}

TEST(SampleParamsTest, RejectsUnknownKeyListingKnownOnes) {
  SampleParams p(pool_info());
  EXPECT_EQ(error_of(p, "x", "1"), "unknown parameter 'x' for sample 'worker-pool' (known: workers, jobs, buffer)");
  SampleInfo none;
  none.id = "bare";
  SampleParams q(none);
  EXPECT_EQ(error_of(q, "x", "1"), "unknown parameter 'x' for sample 'bare' (known: none)");
}

TEST(SampleParamsTest, RejectsMalformedValues) {
  SampleParams p(pool_info());
  EXPECT_EQ(error_of(p, "workers", "abc"), "parameter 'workers' must be an integer (got 'abc')");
  EXPECT_EQ(error_of(p, "workers", ""), "parameter 'workers' must be an integer (got '')");
  EXPECT_EQ(error_of(p, "workers", "4x"), "parameter 'workers' must be an integer (got '4x')");
  EXPECT_EQ(error_of(p, "workers", "1.5"), "parameter 'workers' must be an integer (got '1.5')");
  EXPECT_EQ(error_of(p, "workers", "_4"), "parameter 'workers' must be an integer (got '_4')");
  SampleParams m(mixed_info());
  EXPECT_EQ(error_of(m, "variant", "Buggy"), "parameter 'variant' must be one of buggy, fixed (got 'Buggy')");
  EXPECT_EQ(error_of(m, "verbose", "maybe"), "parameter 'verbose' must be true or false (got 'maybe')");
}

TEST(SampleParamsTest, WrongKindOrUndeclaredKeyIsAProgrammingError) {
  SampleParams m(mixed_info());
  EXPECT_THROW(m.get_int("variant"), std::logic_error);
  EXPECT_THROW(m.get_bool("delta"), std::logic_error);
  EXPECT_THROW(m.get_choice("nope"), std::logic_error);
}

TEST(SampleOutcomeTest, LinesAndMetrics) {
  SampleOutcome out;
  out.say("a ", 1, " b ", 2.5);
  out.set("x", 3);
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(out.lines[0], "a 1 b 2.5");
  EXPECT_TRUE(out.has("x"));
  EXPECT_EQ(out.metric("x"), 3);
  EXPECT_THROW(out.metric("y"), std::out_of_range);
}

}  // namespace
}  // namespace goroscope
