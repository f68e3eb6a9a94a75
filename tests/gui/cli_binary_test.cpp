// cli_binary_test.cpp — the built goroscope-cli, run as a user would: output and exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

// Exec is what one invocation of goroscope-cli produced.
struct Exec {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string out;
  std::string err;
};

// cli() runs goroscope-cli with `args` (already shell-quoted where needed).
Exec cli(const std::string& args) {
  const std::string err_path = ::testing::TempDir() + "goroscope_cli_err_" + std::to_string(::getpid()) + ".txt";
  const std::string cmd = std::string("'") + GOROSCOPE_CLI + "' " + args + " 2>'" + err_path + "'";
  Exec e;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return e;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) e.out.append(buf, n);
  const int raw = ::pclose(pipe);
  if (WIFEXITED(raw)) e.status = WEXITSTATUS(raw);
  std::ifstream err(err_path);
  std::ostringstream text;
  text << err.rdbuf();
  e.err = text.str();
  std::remove(err_path.c_str());
  return e;
}

TEST(CliBinaryTest, ListShowsWorkerPoolFirst) {
  Exec e = cli("list");
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(e.out.rfind("worker-pool  ", 0), 0u) << e.out;
  EXPECT_NE(e.out.find("\ndeadlock  "), std::string::npos) << e.out;
}

TEST(CliBinaryTest, HelpDocumentsExitStatuses) {
  for (const char* form : {"--help", "-h", "help"}) {
    Exec e = cli(form);
    EXPECT_EQ(e.status, 0) << form;
    EXPECT_NE(e.out.find("64  usage error"), std::string::npos) << form << ": " << e.out;
  }
}

TEST(CliBinaryTest, RunWorkerPoolSucceeds) {
  Exec e = cli("run worker-pool --param jobs=12 --procs=2 --seed 7");
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("12 of 12 jobs done"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("--- worker-pool: ok in "), std::string::npos) << e.out;
  EXPECT_EQ(e.err, "");
}

TEST(CliBinaryTest, DeadlockExitsWith3AndGoFatalError) {
  Exec e = cli("run deadlock");
  EXPECT_EQ(e.status, 3);
  EXPECT_EQ(e.err.rfind("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 ", 0), 0u) << e.err;
}

TEST(CliBinaryTest, PanicExitsWith2AndGoPanic) {
  Exec e = cli("run send-on-closed --param variant=buggy");
  EXPECT_EQ(e.status, 2);
  EXPECT_EQ(e.err.rfind("panic: send on closed channel\n\n", 0), 0u) << e.err;
  Exec fixed = cli("run send-on-closed --param=variant=fixed");
  EXPECT_EQ(fixed.status, 0) << fixed.err;
}

TEST(CliBinaryTest, UsageErrorsExitWith64) {
  Exec unknown = cli("run xyz");
  EXPECT_EQ(unknown.status, 64);
  EXPECT_EQ(unknown.err, "goroscope-cli: unknown sample 'xyz' (run 'goroscope-cli list')\n");
  EXPECT_EQ(unknown.out, "");
  Exec flag = cli("run worker-pool --turbo");
  EXPECT_EQ(flag.status, 64);
  EXPECT_EQ(flag.err, "goroscope-cli: unknown flag '--turbo' (run 'goroscope-cli --help')\n");
  Exec param = cli("run worker-pool --param x=1");
  EXPECT_EQ(param.status, 64);
  EXPECT_EQ(param.err, "goroscope-cli: unknown parameter 'x' for sample 'worker-pool' (known: workers, jobs, buffer)\n");
  Exec procs = cli("run worker-pool --procs 999");
  EXPECT_EQ(procs.status, 64);
  EXPECT_EQ(procs.err, "goroscope-cli: --procs must be an integer between 1 and 256 (got '999')\n");
  EXPECT_EQ(cli("").status, 64);
}

TEST(CliBinaryTest, TimeoutExitsWith4) {
  // 100,000 jobs of 5 ms on one worker would take minutes.
  Exec e = cli("run worker-pool --param workers=1 --param jobs=100000 --timeout 0.3");
  EXPECT_EQ(e.status, 4);
  EXPECT_NE(e.err.find("goroscope-cli: timeout: sample 'worker-pool' still running after 0.3 s"), std::string::npos)
      << e.err;
}


std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "cli_binary_" + std::to_string(::getpid()) + "_" + name;
}

// python_loads() is whether Python's json module loads `path` (true when python3 is missing).
bool python_loads(const std::string& path) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) return true;
  const std::string cmd = "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '" + path + "'";
  return std::system(cmd.c_str()) == 0;
}

TEST(CliBinaryTest, RunWithChromeWritesJsonWithPTracksAndSteals) {
  const std::string json = temp_path("wp.json");
  const std::string gortrace = temp_path("wp.gortrace");
  Exec e = cli("run worker-pool --procs 2 --chrome '" + json + "' --trace '" + gortrace + "'");
  ASSERT_EQ(e.status, 0) << e.err;
  const std::string text = file_text(json);
  EXPECT_TRUE(python_loads(json));
  EXPECT_NE(text.find("{\"name\":\"P0\"}"), std::string::npos);
  EXPECT_NE(text.find("{\"name\":\"P1\"}"), std::string::npos);
  // Steals depend on the schedule: when the run reports some, each is a `steal` instant (the
  // trace tests force steals with a program of their own).
  const size_t at = e.out.find(", steals ");
  ASSERT_NE(at, std::string::npos) << e.out;
  const long steals = std::stol(e.out.substr(at + 9));
  if (steals > 0) EXPECT_NE(text.find("\"name\":\"steal\""), std::string::npos);

  Exec dump = cli("dump '" + gortrace + "'");
  EXPECT_EQ(dump.status, 0) << dump.err;
  EXPECT_NE(dump.out.find("steals: " + std::to_string(steals) + " "), std::string::npos) << dump.out;
  const std::string again = temp_path("again.json");
  Exec ex = cli("export '" + gortrace + "' --chrome '" + again + "'");
  EXPECT_EQ(ex.status, 0) << ex.err;
  EXPECT_EQ(file_text(again), text);
  for (const std::string& p : {json, gortrace, again}) std::remove(p.c_str());
}

TEST(CliBinaryTest, WorkStealingChromeTraceHasStealInstantsOnPTracks) {
  const std::string json = temp_path("ws.json");
  Exec e = cli("run work-stealing --procs 2 --chrome '" + json + "'");
  ASSERT_EQ(e.status, 0) << e.err;
  const std::string text = file_text(json);
  EXPECT_TRUE(python_loads(json));
  EXPECT_NE(text.find("{\"name\":\"P0\"}"), std::string::npos);
  EXPECT_NE(text.find("{\"name\":\"P1\"}"), std::string::npos);
  EXPECT_NE(text.find("\"name\":\"steal\""), std::string::npos) << e.out;
  std::remove(json.c_str());
}

TEST(CliBinaryTest, MutexStarvationChromeTraceShowsMutexStarving) {
  const std::string json = temp_path("ms.json");
  Exec e = cli("run mutex-starvation --chrome '" + json + "'");
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(file_text(json).find("\"name\":\"mutex starving\""), std::string::npos);
  EXPECT_TRUE(python_loads(json));
  std::remove(json.c_str());
}

TEST(CliBinaryTest, BadTraceFilesExitWith65) {
  const std::string bad = temp_path("bad.gortrace");
  {
    std::ofstream f(bad, std::ios::binary);
    f << "not a trace";
  }
  Exec dump = cli("dump '" + bad + "'");
  EXPECT_EQ(dump.status, 65);
  EXPECT_EQ(dump.err, "goroscope-cli: gortrace: " + bad + ": not a .gortrace file (it does not start with \"GORTRACE\")\n");
  Exec missing = cli("export '" + bad + ".missing' --chrome '" + temp_path("x.json") + "'");
  EXPECT_EQ(missing.status, 65);
  Exec usage = cli("export '" + bad + "'");
  EXPECT_EQ(usage.status, 64);
  Exec help = cli("--help");
  EXPECT_NE(help.out.find("65  bad input file"), std::string::npos);
  std::remove(bad.c_str());
}

}  // namespace
