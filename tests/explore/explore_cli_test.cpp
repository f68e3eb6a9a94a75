// explore_cli_test.cpp — `goroscope-cli explore`: its arguments (usage errors), its exit status,
// its JSON, and the saved schedules that `run --replay` reproduces.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "cli_commands.hpp"
#include "explore_command.hpp"

namespace goroscope::cli {
namespace {

Command parse(std::vector<std::string> args) { return parse_args(args); }

TEST(ExploreArgs, ParsesEveryOption) {
  Command c = parse({"explore", "race-counter", "--runs", "50", "--strategy=bounded", "--depth", "1", "--procs", "1",
                     "--seed", "9", "--param", "workers=2", "--jobs", "2", "--json", "--save-dir", "/tmp/x",
                     "--no-race", "--shrink-runs", "5"});
  ASSERT_EQ(c.kind, Command::Kind::Explore);
  const ExploreArgs& a = c.explore;
  EXPECT_EQ(a.sample, "race-counter");
  EXPECT_EQ(a.runs, 50);
  EXPECT_EQ(a.strategy, "bounded");
  EXPECT_EQ(a.depth, 1);
  EXPECT_EQ(a.procs, 1);
  EXPECT_EQ(a.seed, 9u);
  ASSERT_EQ(a.params.size(), 1u);
  EXPECT_EQ(a.params[0].first, "workers");
  EXPECT_EQ(a.jobs, 2);
  EXPECT_TRUE(a.json);
  EXPECT_EQ(a.save_dir, "/tmp/x");
  EXPECT_FALSE(a.race);
  EXPECT_EQ(a.shrink_budget, 5);
}

TEST(ExploreArgs, BadInputIsAUsageError) {
  const std::vector<std::vector<std::string>> bad = {
      {"explore"},
      {"explore", "race-counter", "--runs", "0"},
      {"explore", "race-counter", "--runs", "-3"},
      {"explore", "race-counter", "--runs", "many"},
      {"explore", "race-counter", "--depth", "-1"},
      {"explore", "race-counter", "--depth", "0"},  // pct's depth is at least 1
      {"explore", "race-counter", "--strategy", "chess"},
      {"explore", "race-counter", "--json=yes"},
      {"explore", "race-counter", "--jobs", "0"},
      {"explore", "race-counter", "--param", "novalue"},
      {"explore", "race-counter", "--frobnicate"},
      {"explore", "race-counter", "extra"},
      {"explore", "race-counter", "--runs"},
  };
  for (const auto& args : bad) {
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_THROW(parse(args), UsageError) << line;
  }
  // Bounded allows depth 0 (only the schedule without forced preemptions).
  EXPECT_EQ(parse({"explore", "race-counter", "--strategy", "bounded", "--depth", "0"}).explore.depth, 0);
}

TEST(ExploreCommand, UnknownSampleOrParameterIsAUsageError) {
  std::ostringstream out, err;
  ExploreArgs a;
  a.sample = "no-such-sample";
  EXPECT_THROW(explore_command(a, out, err, false), UsageError);
  a.sample = "race-counter";
  a.params = {{"workers", "1000"}};
  EXPECT_THROW(explore_command(a, out, err, false), UsageError);
}

std::filesystem::path fresh_dir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("explore_cli_test_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  return d;
}

TEST(ExploreCommand, FindsTheLostUpdateSavesItAndTheFileReplays) {
  ExploreArgs a;
  a.sample = "race-counter";
  a.params = {{"variant", "racy"}, {"increments", "20"}};
  a.runs = 60;
  a.jobs = 2;
  a.json = true;
  a.save_dir = fresh_dir("racy").string();
  std::ostringstream out, err;
  EXPECT_EQ(explore_command(a, out, err, false), 1) << err.str();
  const std::string json = out.str();
  EXPECT_EQ(json.rfind("{\"sample\": \"race-counter\"", 0), 0u) << json;
  EXPECT_NE(json.find("\"runs\": 60"), std::string::npos) << json;
  EXPECT_NE(json.find("\"strategy\": \"pct\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\": \"check\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"message\": \"counter == workers x increments\""), std::string::npos) << json;
  const std::filesystem::path file = std::filesystem::path(*a.save_dir) / "race-counter-check.gortrace";
  ASSERT_TRUE(std::filesystem::exists(file)) << json;
  EXPECT_NE(json.find(file.string()), std::string::npos);

  // `goroscope-cli run race-counter --replay FILE` reproduces it event for event.
  RunOptions r;
  r.sample = "race-counter";
  r.replay_path = file.string();
  r.deterministic = true;
  std::ostringstream rout, rerr;
  const int status = run_command(r, rout, rerr);
  EXPECT_EQ(status, kExitRace) << rout.str() << rerr.str();
  EXPECT_EQ(rerr.str().find("diverged"), std::string::npos) << rerr.str();
  EXPECT_EQ(rout.str().find("counter = 80"), std::string::npos) << "the replay must lose updates: " << rout.str();
  std::filesystem::remove_all(std::filesystem::path(*a.save_dir).parent_path());
}

TEST(ExploreCommand, AFixedVariantExitsZeroWithTheReport) {
  ExploreArgs a;
  a.sample = "race-counter";
  a.params = {{"variant", "mutex"}, {"increments", "20"}};
  a.runs = 40;
  a.jobs = 2;
  a.save_dir = fresh_dir("mutex").string();
  std::ostringstream out, err;
  EXPECT_EQ(explore_command(a, out, err, false), 0) << err.str();
  EXPECT_NE(out.str().find("40 runs, strategy pct depth 3"), std::string::npos) << out.str();
  const std::string report = out.str();
  const size_t row = report.find("\n  ok ");
  ASSERT_NE(row, std::string::npos) << report;
  const std::string line = report.substr(row + 1, report.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find(" 40 "), std::string::npos) << line;
  EXPECT_NE(line.find("100.0%"), std::string::npos) << line;
  EXPECT_EQ(report.find("== "), std::string::npos) << "no failing outcome to show: " << report;
  std::filesystem::remove_all(std::filesystem::path(*a.save_dir).parent_path());
}

TEST(ExploreCommand, JsonStringsAreEscaped) {
  EXPECT_EQ(json_string("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
}

}  // namespace
}  // namespace goroscope::cli
