// cli_args_test.cpp — parse_args(): accepted forms and the messages for bad input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli_args.hpp"

namespace goroscope::cli {
namespace {

using Args = std::vector<std::string>;

std::string error_of(const Args& args) {
  try {
    parse_args(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CliArgsTest, HelpForms) {
  for (const Args& a : {Args{"help"}, Args{"--help"}, Args{"-h"}, Args{"run", "worker-pool", "--help"},
                        Args{"list", "-h"}}) {
    EXPECT_EQ(parse_args(a).kind, Command::Kind::Help);
  }
  EXPECT_NE(usage_text().find("Exit status"), std::string::npos);
  EXPECT_EQ(usage_text().back(), '\n');
}

TEST(CliArgsTest, ListAndInfo) {
  EXPECT_EQ(parse_args({"list"}).kind, Command::Kind::List);
  Command c = parse_args({"info", "deadlock"});
  EXPECT_EQ(c.kind, Command::Kind::Info);
  EXPECT_EQ(c.sample, "deadlock");
}

TEST(CliArgsTest, RunWithDefaults) {
  Command c = parse_args({"run", "worker-pool"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_EQ(c.run.sample, "worker-pool");
  EXPECT_FALSE(c.run.procs.has_value());
  EXPECT_FALSE(c.run.seed.has_value());  // a random seed, printed in the summary
  EXPECT_FALSE(c.run.deterministic);
  EXPECT_EQ(c.run.dilation, 1.0);
  EXPECT_FALSE(c.run.timeout_seconds.has_value());
  EXPECT_TRUE(c.run.params.empty());
}

TEST(CliArgsTest, RunWithEveryOptionInBothForms) {
  Command c = parse_args({"run", "--procs", "3", "worker-pool", "--seed=42", "--dilation", "2.5", "--timeout=1.5",
                          "--param", "workers=8", "--param=jobs=1_000", "--param", "note=a=b"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_EQ(c.run.sample, "worker-pool");
  EXPECT_EQ(c.run.procs, 3);
  EXPECT_EQ(c.run.seed, 42u);
  EXPECT_EQ(c.run.dilation, 2.5);
  EXPECT_EQ(c.run.timeout_seconds, 1.5);
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(c.run.params, (std::vector<P>{{"workers", "8"}, {"jobs", "1_000"}, {"note", "a=b"}}));
  EXPECT_EQ(parse_args({"run", "x", "--procs=256", "--dilation=0.01"}).run.procs, 256);
  EXPECT_EQ(parse_args({"run", "x", "--dilation", "1e6"}).run.dilation, 1e6);
}

TEST(CliArgsTest, RejectsBadCommands) {
  EXPECT_EQ(error_of({}), "missing command (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"frobnicate"}), "unknown command 'frobnicate' (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"--verbose"}), "unknown flag '--verbose' (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"list", "extra"}), "list: unexpected argument 'extra'");
  EXPECT_EQ(error_of({"info"}), "info: expected exactly one SAMPLE");
  EXPECT_EQ(error_of({"run"}), "run: missing SAMPLE (run 'goroscope-cli list' to see them)");
  EXPECT_EQ(error_of({"run", "a", "b"}), "unexpected argument 'b' after sample 'a'");
}

TEST(CliArgsTest, RejectsUnknownFlagsAndMissingValues) {
  EXPECT_EQ(error_of({"run", "x", "--fast"}), "unknown flag '--fast' (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"run", "x", "--fast=1"}), "unknown flag '--fast' (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"run", "x", "--procs"}), "--procs needs a value");
  EXPECT_EQ(error_of({"run", "x", "--param"}), "--param needs a value");
}

TEST(CliArgsTest, RejectsBadValues) {
  EXPECT_EQ(error_of({"run", "x", "--procs", "abc"}), "--procs must be an integer between 1 and 256 (got 'abc')");
  EXPECT_EQ(error_of({"run", "x", "--procs", "0"}), "--procs must be an integer between 1 and 256 (got '0')");
  EXPECT_EQ(error_of({"run", "x", "--procs=257"}), "--procs must be an integer between 1 and 256 (got '257')");
  EXPECT_EQ(error_of({"run", "x", "--procs", "2.5"}), "--procs must be an integer between 1 and 256 (got '2.5')");
  EXPECT_EQ(error_of({"run", "x", "--seed", "-1"}), "--seed must be a non-negative integer (got '-1')");
  EXPECT_EQ(error_of({"run", "x", "--dilation", "0.001"}),
            "--dilation must be a number between 0.01 and 1e6 (got '0.001')");
  EXPECT_EQ(error_of({"run", "x", "--dilation", "nan"}), "--dilation must be a number between 0.01 and 1e6 (got 'nan')");
  EXPECT_EQ(error_of({"run", "x", "--dilation=2e6"}), "--dilation must be a number between 0.01 and 1e6 (got '2e6')");
  EXPECT_EQ(error_of({"run", "x", "--timeout", "0"}), "--timeout must be a positive number of seconds (got '0')");
  EXPECT_EQ(error_of({"run", "x", "--timeout", "soon"}), "--timeout must be a positive number of seconds (got 'soon')");
  EXPECT_EQ(error_of({"run", "x", "--param", "workers"}), "--param must be KEY=VALUE (got 'workers')");
  EXPECT_EQ(error_of({"run", "x", "--param", "=3"}), "--param must be KEY=VALUE (got '=3')");
}


TEST(CliArgsTest, RunRaceSwitch) {
  EXPECT_FALSE(parse_args({"run", "race-counter"}).run.race);
  Command c = parse_args({"run", "--race", "race-counter", "--procs", "2"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_TRUE(c.run.race);
  EXPECT_EQ(c.run.sample, "race-counter");
  EXPECT_EQ(c.run.procs, 2);
}

TEST(CliArgsTest, RunTraceAndChromeFlags) {
  Command c = parse_args({"run", "worker-pool", "--trace", "out.gortrace", "--chrome=out.json"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_EQ(c.run.trace_path, "out.gortrace");
  EXPECT_EQ(c.run.chrome_path, "out.json");
  Command plain = parse_args({"run", "worker-pool"});
  EXPECT_FALSE(plain.run.trace_path.has_value());
  EXPECT_FALSE(plain.run.chrome_path.has_value());
  EXPECT_EQ(error_of({"run", "x", "--trace"}), "--trace needs a value");
  EXPECT_EQ(error_of({"run", "x", "--chrome="}), "--chrome must be a file name (got '')");
}

TEST(CliArgsTest, TimelineLanesSwitch) {
  EXPECT_FALSE(parse_args({"run", "worker-pool", "--timeline", "t.png"}).run.timeline_lanes);
  Command c = parse_args({"run", "worker-pool", "--lanes", "--timeline", "t.svg"});
  ASSERT_EQ(c.kind, Command::Kind::Run);
  EXPECT_TRUE(c.run.timeline_lanes);
  EXPECT_EQ(c.run.timeline_path, "t.svg");
  EXPECT_EQ(error_of({"run", "worker-pool", "--lanes"}),
            "--lanes draws goroutine lanes on --timeline's picture: give --timeline FILE");
}

TEST(CliArgsTest, ExportAndDump) {
  Command e = parse_args({"export", "in.gortrace", "--chrome", "out.json"});
  ASSERT_EQ(e.kind, Command::Kind::Export);
  EXPECT_EQ(e.input, "in.gortrace");
  EXPECT_EQ(e.chrome, "out.json");
  Command e2 = parse_args({"export", "--chrome=o.json", "i.gortrace"});
  EXPECT_EQ(e2.input, "i.gortrace");
  EXPECT_EQ(e2.chrome, "o.json");
  Command d = parse_args({"dump", "in.gortrace"});
  ASSERT_EQ(d.kind, Command::Kind::Dump);
  EXPECT_EQ(d.input, "in.gortrace");
  EXPECT_EQ(parse_args({"dump", "x", "--help"}).kind, Command::Kind::Help);

  EXPECT_EQ(error_of({"export"}), "export: missing FILE.gortrace");
  EXPECT_EQ(error_of({"export", "in.gortrace"}), "export: missing --chrome FILE.json (the only export format so far)");
  EXPECT_EQ(error_of({"export", "in.gortrace", "--chrome"}), "--chrome needs a value");
  EXPECT_EQ(error_of({"export", "a", "b", "--chrome", "c"}), "export: unexpected argument 'b'");
  EXPECT_EQ(error_of({"export", "a", "--perfetto=x"}), "unknown flag '--perfetto' (run 'goroscope-cli --help')");
  EXPECT_EQ(error_of({"dump"}), "dump: expected exactly one FILE.gortrace");
  EXPECT_EQ(error_of({"dump", "a", "b"}), "dump: expected exactly one FILE.gortrace");
  EXPECT_EQ(error_of({"dump", "--all"}), "unknown flag '--all' (run 'goroscope-cli --help')");
  EXPECT_NE(usage_text().find("65  bad input file"), std::string::npos);
  EXPECT_NE(usage_text().find("--chrome FILE"), std::string::npos);
}

}  // namespace
}  // namespace goroscope::cli
