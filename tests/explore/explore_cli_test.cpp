// explore_cli_test.cpp — `goroscope-cli explore`: its arguments (usage errors), its exit status,
// its JSON, and the saved schedules that `run --replay` reproduces.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

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

// shell() runs a command line and returns its output (stdout and stderr) and exit status.
std::pair<std::string, int> shell(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {"popen failed", -1};
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

TEST(ExploreCommand, FindsTheLostUpdateSavesItAndTheFileReplays) {
  // The real binary, as a user runs it: explore, then replay the saved file in a fresh process
  // (object ids are process-wide, so neither may run in this test process).
  const std::filesystem::path dir = fresh_dir("racy");
  const auto [json, status] = shell(std::string(GOROSCOPE_CLI_PATH) +
                                    " explore race-counter --param variant=racy --param increments=20 --runs 60 "
                                    "--jobs 2 --json --save-dir '" + dir.string() + "'");
  EXPECT_EQ(status, 1) << json;
  EXPECT_EQ(json.rfind("{\"sample\": \"race-counter\"", 0), 0u) << json;
  EXPECT_NE(json.find("\"runs\": 60"), std::string::npos) << json;
  EXPECT_NE(json.find("\"strategy\": \"pct\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\": \"check\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"message\": \"counter == workers x increments\""), std::string::npos) << json;
  const std::filesystem::path file = dir / "race-counter-check.gortrace";
  ASSERT_TRUE(std::filesystem::exists(file)) << json;
  EXPECT_NE(json.find(file.string()), std::string::npos);

  // `goroscope-cli run race-counter --replay FILE` reproduces it event for event.
  const auto [replay, replay_status] = shell(std::string(GOROSCOPE_CLI_PATH) + " run race-counter --replay '" + file.string() + "'");
  EXPECT_EQ(replay_status, kExitRace) << replay;
  EXPECT_EQ(replay.find("diverged"), std::string::npos) << replay;
  EXPECT_EQ(replay.find("counter = 80,"), std::string::npos) << "the replay must lose updates: " << replay;
  std::filesystem::remove_all(dir.parent_path());
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
