// cli_commands_test.cpp — list, info and run in-process, on string streams.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "cli_commands.hpp"
#include "goroscope/registry.hpp"

namespace goroscope::cli {
namespace {

TEST(CliCommandsTest, ListPrintsIdThenSummaryForEverySample) {
  std::ostringstream out;
  EXPECT_EQ(list_command(out), kExitOk);
  std::istringstream lines(out.str());
  std::string line;
  size_t i = 0;
  for (; std::getline(lines, line); ++i) {
    ASSERT_LT(i, all_samples().size());
    const SampleInfo& info = all_samples()[i].info;
    EXPECT_EQ(line, info.id + "  " + info.summary);
  }
  EXPECT_EQ(i, all_samples().size());
}

TEST(CliCommandsTest, InfoShowsParametersAndExplanation) {
  std::ostringstream out;
  EXPECT_EQ(info_command("worker-pool", out), kExitOk);
  EXPECT_NE(out.str().find("workers  (Workers) integer 1..64, default 4"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(find_sample("worker-pool")->info.explanation), std::string::npos);
  EXPECT_THROW(info_command("nope", out), UsageError);
}

TEST(CliCommandsTest, RunPrintsOutcomeAndSummary) {
  RunOptions opts;
  opts.sample = "worker-pool";
  opts.procs = 2;
  opts.params = {{"jobs", "6"}, {"workers", "2"}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_command(opts, out, err), kExitOk);
  EXPECT_NE(out.str().find("6 of 6 jobs done"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("--- worker-pool: ok in "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("(procs 2, seed 0, dilation 1)"), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "");
}

TEST(CliCommandsTest, RunDeadlockPrintsGoFatalErrorAndDump) {
  RunOptions opts;
  opts.sample = "deadlock";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_command(opts, out, err), kExitDeadlock);
  EXPECT_EQ(err.str().rfind("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]", 0), 0u)
      << err.str();
  EXPECT_NE(out.str().find("--- deadlock: deadlock in "), std::string::npos) << out.str();
}

TEST(CliCommandsTest, RunPanicPrintsGoPanic) {
  RunOptions opts;
  opts.sample = "send-on-closed";
  opts.params = {{"variant", "buggy"}, {"values", "1"}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_command(opts, out, err), kExitPanic);
  EXPECT_EQ(err.str().rfind("panic: send on closed channel\n\n", 0), 0u) << err.str();
}

TEST(CliCommandsTest, RunRejectsUnknownSampleAndBadParameters) {
  std::ostringstream out;
  std::ostringstream err;
  RunOptions opts;
  opts.sample = "xyz";
  try {
    run_command(opts, out, err);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown sample 'xyz' (run 'goroscope-cli list')");
  }
  opts.sample = "worker-pool";
  opts.params = {{"workers", "0"}};
  try {
    run_command(opts, out, err);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "parameter 'workers' must be between 1 and 64 (got 0)");
  }
  EXPECT_EQ(out.str(), "") << "nothing runs when the command line is wrong";
}

TEST(CliCommandsTest, ExitStatusFollowsRunStatus) {
  EXPECT_EQ(exit_status(gor::RunStatus::Ok), 0);
  EXPECT_EQ(exit_status(gor::RunStatus::Panic), 2);
  EXPECT_EQ(exit_status(gor::RunStatus::Deadlock), 3);
}

}  // namespace
}  // namespace goroscope::cli
