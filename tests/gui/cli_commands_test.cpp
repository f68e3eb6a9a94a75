// cli_commands_test.cpp — list, info and run in-process, on string streams.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
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
  EXPECT_NE(out.str().find("workers  (Workers) integer 1..10000, default 4"), std::string::npos) << out.str();
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
  // No --seed: a random one is picked and printed, so the run can be repeated.
  EXPECT_NE(out.str().find("(real threads, procs 2, seed "), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("seed 0,"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(", dilation 1)"), std::string::npos) << out.str();
  EXPECT_EQ(err.str(), "");
}

TEST(CliCommandsTest, RunWithRacePrintsTheReportsAndExits66) {
  RunOptions opts;
  opts.sample = "race-counter";
  opts.race = true;
  opts.params = {{"workers", "3"}, {"increments", "20"}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_command(opts, out, err), kExitRace);
  EXPECT_NE(err.str().find("==================\nWARNING: DATA RACE\n"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("Location is Shared \"counter\""), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("Found 2 data race(s)\n"), std::string::npos) << err.str();
  EXPECT_NE(out.str().find(", data races 2\n"), std::string::npos) << out.str();

  opts.params.emplace_back("variant", "mutex");
  std::ostringstream out2;
  std::ostringstream err2;
  EXPECT_EQ(run_command(opts, out2, err2), kExitOk);
  EXPECT_EQ(err2.str(), "");
  EXPECT_NE(out2.str().find(", data races 0\n"), std::string::npos) << out2.str();
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

TEST(CliCommandsTest, RunWarnsOfAPartialDeadlockStillStandingAtTheEnd) {
  RunOptions opts;
  opts.sample = "partial-deadlock";
  opts.params = {{"ticks", "6"}};
  std::ostringstream out, err;
  EXPECT_EQ(run_command(opts, out, err), kExitOk) << err.str();  // Go says nothing; the run is ok
  EXPECT_NE(err.str().find("warning: partial deadlock: "), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("mutex ledger"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("mutex accounts"), std::string::npos) << err.str();

  opts.params = {{"ticks", "6"}, {"variant", "fixed"}};
  std::ostringstream out2, err2;
  EXPECT_EQ(run_command(opts, out2, err2), kExitOk);
  EXPECT_EQ(err2.str().find("partial deadlock"), std::string::npos) << err2.str();
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
    EXPECT_STREQ(e.what(), "parameter 'workers' must be between 1 and 10000 (got 0)");
  }
  EXPECT_EQ(out.str(), "") << "nothing runs when the command line is wrong";
}

TEST(CliCommandsTest, ExitStatusFollowsRunStatus) {
  EXPECT_EQ(exit_status(gor::RunStatus::Ok), 0);
  EXPECT_EQ(exit_status(gor::RunStatus::Panic), 2);
  EXPECT_EQ(exit_status(gor::RunStatus::Deadlock), 3);
}


std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "cli_commands_" + std::to_string(::getpid()) + "_" + name;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliCommandsTest, RunWritesTraceAndChromeThenDumpAndExportReadTheTrace) {
  RunOptions opts;
  opts.sample = "worker-pool";
  opts.procs = 2;
  opts.params = {{"jobs", "8"}};
  opts.trace_path = temp_path("wp.gortrace");
  opts.chrome_path = temp_path("wp.json");
  std::ostringstream out;
  std::ostringstream err;
  ASSERT_EQ(run_command(opts, out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("trace: "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(" events written to " + *opts.trace_path), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("written to " + *opts.chrome_path), std::string::npos) << out.str();
  const std::string json = file_text(*opts.chrome_path);
  EXPECT_NE(json.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(json.find("\"args\":{\"name\":\"P1\"}"), std::string::npos);

  std::ostringstream dump;
  EXPECT_EQ(dump_command(*opts.trace_path, dump, err), kExitOk) << err.str();
  EXPECT_NE(dump.str().find("gortrace version 2: worker-pool [workers=4 jobs=8 buffer=10]"), std::string::npos)
      << dump.str();
  EXPECT_NE(dump.str().find("status: ok"), std::string::npos) << dump.str();
  EXPECT_NE(dump.str().find("\nsteals: "), std::string::npos) << dump.str();
  EXPECT_NE(dump.str().find("  go_create "), std::string::npos) << dump.str();

  const std::string exported = temp_path("exported.json");
  std::ostringstream eout;
  EXPECT_EQ(export_command(*opts.trace_path, exported, eout, err), kExitOk) << err.str();
  EXPECT_EQ(file_text(exported), json) << "export of the file gives what the run wrote";
  EXPECT_EQ(err.str(), "");
  for (const std::string& p : {*opts.trace_path, *opts.chrome_path, exported}) std::remove(p.c_str());
}

TEST(CliCommandsTest, BadTraceFilesGive65AndAClearMessage) {
  const std::string bad = temp_path("bad.gortrace");
  {
    std::ofstream f(bad, std::ios::binary);
    f << std::string("GORTRACE\x07\x00\x00\x00", 12);
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(dump_command(bad, out, err), kExitBadInput);
  EXPECT_EQ(err.str(), "goroscope-cli: gortrace: " + bad + ": unsupported version 7 (this build reads versions 1 to 2)\n");
  std::ostringstream err2;
  EXPECT_EQ(export_command(temp_path("missing.gortrace"), temp_path("x.json"), out, err2), kExitBadInput);
  EXPECT_NE(err2.str().find("cannot open"), std::string::npos) << err2.str();
  EXPECT_EQ(out.str(), "");
  std::remove(bad.c_str());
}

TEST(CliCommandsTest, UnwritableOutputGives73BeforeRunning) {
  RunOptions opts;
  opts.sample = "worker-pool";
  opts.trace_path = "/nonexistent-dir/x.gortrace";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(run_command(opts, out, err), kExitCantWrite);
  EXPECT_EQ(err.str(), "goroscope-cli: gortrace: cannot create '/nonexistent-dir/x.gortrace': No such file or directory\n");
  EXPECT_EQ(out.str(), "") << "nothing ran";
}

}  // namespace
}  // namespace goroscope::cli
