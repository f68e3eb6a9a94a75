// dump_format_test.cpp — dumps and race reports in Go's words (issue 19 item 8, issue 17
// item 8): project-relative paths, short Go-style function names, "created by F in goroutine
// N", the panic's own site on the panicking goroutine's entry, and Go's default
// GOTRACEBACK=single for panics (every goroutine with GOTRACEBACK=all, and always for fatal
// errors such as a deadlock).
#include <chrono>
#include <cstdlib>
#include <regex>
#include <source_location>
#include <string>

#include "../../engine/src/go_names.hpp"
#include "test_util.hpp"

using gor::detail::go_function_name;
using gor::detail::project_path;

namespace {

TEST(GoNames, FunctionNamesLoseTheirCxxNoise) {
  EXPECT_EQ(go_function_name("void goroscope::samples::{anonymous}::deadlock_main(const goroscope::SampleParams&, "
                             "goroscope::SampleOutcome&)"),
            "main.deadlock_main");
  EXPECT_EQ(go_function_name("goroscope::samples::{anonymous}::deadlock_main(const goroscope::SampleParams&, "
                             "goroscope::SampleOutcome&)::<lambda()>"),
            "main.deadlock_main.func");
  EXPECT_EQ(go_function_name("goroscope::samples::{anonymous}::f(int)::<lambda(int)>::<lambda()>"), "main.f.func.func");
  EXPECT_EQ(go_function_name("void {anonymous}::Probe::mark(std::source_location)"), "main.(*Probe).mark");
  EXPECT_EQ(go_function_name("virtual void {anonymous}::Foo_Bar_Test::TestBody()"), "main.(*Foo_Bar_Test).TestBody");
  EXPECT_EQ(go_function_name("std::vector<int> ns::make_list(std::map<int, std::string>)"), "main.make_list");
  EXPECT_EQ(go_function_name("void (anonymous namespace)::worker(gor::Chan<int>)"), "main.worker");
  EXPECT_EQ(go_function_name("int main()"), "main.main");
  EXPECT_EQ(go_function_name("void gor::detail::Scheduler::run()", "gor"), "gor.(*Scheduler).run");
}

TEST(GoNames, PathsAreRelativeToTheProject) {
  const std::string here = std::source_location::current().file_name();
  EXPECT_EQ(project_path(here), "tests/engine/dump_format_test.cpp");
  EXPECT_EQ(project_path("/usr/include/c++/12/bits/stl_vector.h"), "/usr/include/c++/12/bits/stl_vector.h");
}

// entry_of() is goroutine `id`'s entry in a dump ("" if absent).
std::string entry_of(const std::string& dump, uint64_t id) {
  const std::string head = "goroutine " + std::to_string(id) + " [";
  size_t at = dump.find(head);
  if (at == std::string::npos) return "";
  size_t end = dump.find("\n\n", at);
  return dump.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
}

// A deadlock's dump is Go's: every goroutine, a frame per blocked one, "created by".
TEST(DumpFormat, DeadlockDumpIsInGoShape) {
  int recv_line = 0, go_line = 0;
  uint64_t worker = 0;
  gor::RunResult r = gortest::run_on(2, [&] {
    auto c = gor::make_chan<int>();
    auto started = gor::make_chan<uint64_t>(1);
    go_line = __LINE__; gor::go([&, c, started] { started.send(gor::goid()); recv_line = __LINE__; (void)c.recv(); });
    worker = started.recv();
    (void)gor::make_chan<int>().recv();
  });
  ASSERT_EQ(r.status, gor::RunStatus::Deadlock) << r.message;
  const std::string e = entry_of(r.dump, worker);
  const std::regex shape(
      "goroutine " + std::to_string(worker) + " \\[chan receive\\]:\n"
      "main\\.\\(\\*DumpFormat_DeadlockDumpIsInGoShape_Test\\)\\.TestBody\\.func\\.func\\(\\.\\.\\.\\)\n"
      "\ttests/engine/dump_format_test\\.cpp:" + std::to_string(recv_line) + "\n"
      "created by main\\.\\(\\*DumpFormat_DeadlockDumpIsInGoShape_Test\\)\\.TestBody\\.func in goroutine 1\n"
      "\ttests/engine/dump_format_test\\.cpp:" + std::to_string(go_line) + "\n");
  EXPECT_TRUE(std::regex_match(e, shape)) << e;
  const std::string main_entry = entry_of(r.dump, 1);
  EXPECT_EQ(main_entry.find("created by"), std::string::npos) << "main has no creator: " << main_entry;
  EXPECT_EQ(r.dump.find("\t/"), std::string::npos) << "absolute path in:\n" << r.dump;
  EXPECT_EQ(r.dump.find("const"), std::string::npos) << "C++ signature in:\n" << r.dump;
}

// send-on-closed: the panicking goroutine's entry points at the send, and by default
// (GOTRACEBACK=single) it is the only entry, as in Go.
TEST(DumpFormat, PanicShowsItsSiteAndOnlyThePanickingGoroutine) {
  ::unsetenv("GOTRACEBACK");
  int send_line = 0;
  auto program = [&] {
    auto c = gor::make_chan<int>(1);
    auto ready = gor::make_chan<int>();
    gor::go([ready] {  // a bystander, blocked for good
      ready.send(1);
      (void)gor::Chan<int>().recv();
    });
    (void)ready.recv();
    gor::sleep(std::chrono::milliseconds(2));  // let it reach its nil-channel receive
    c.close();
    send_line = __LINE__; c.send(1);
  };
  gor::RunResult r = gortest::run_on(2, program);
  ASSERT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_EQ(r.message, "send on closed channel");
  const std::string site = "\ttests/engine/dump_format_test.cpp:" + std::to_string(send_line) + "\n";
  EXPECT_EQ(r.dump.find("goroutine 1 [running]"), 0u) << r.dump;
  EXPECT_NE(r.dump.find("(...)\n" + site), std::string::npos) << r.dump;
  EXPECT_EQ(r.dump.find("goroutine 2"), std::string::npos) << "single: only the panicking goroutine\n" << r.dump;

  ::setenv("GOTRACEBACK", "all", 1);
  gor::RunResult all = gortest::run_on(2, program);
  ::unsetenv("GOTRACEBACK");
  ASSERT_EQ(all.status, gor::RunStatus::Panic);
  EXPECT_EQ(all.dump.find("goroutine 1 [running]"), 0u) << all.dump;
  EXPECT_NE(all.dump.find("goroutine 2 [chan receive (nil chan)]"), std::string::npos) << all.dump;
}

// A user panic shows where it was raised; close of a closed channel shows the close.
TEST(DumpFormat, UserPanicAndCloseOfClosedChannelShowTheirSites) {
  int line = 0;
  gor::RunResult r = gortest::run_on(1, [&] { line = __LINE__; throw gor::Panic("boom"); });
  ASSERT_EQ(r.status, gor::RunStatus::Panic);
  EXPECT_NE(r.dump.find("\ttests/engine/dump_format_test.cpp:" + std::to_string(line) + "\n"), std::string::npos)
      << r.dump;
  gor::RunResult c = gortest::run_on(1, [&] {
    auto ch = gor::make_chan<int>();
    ch.close();
    line = __LINE__; ch.close();
  });
  ASSERT_EQ(c.status, gor::RunStatus::Panic);
  EXPECT_EQ(c.message, "close of closed channel");
  EXPECT_NE(c.dump.find("\ttests/engine/dump_format_test.cpp:" + std::to_string(line) + "\n"), std::string::npos)
      << c.dump;
}

// A race report names functions and paths as Go's does.
TEST(DumpFormat, RaceReportFramesAreGoStyle) {
  gor::Config cfg;
  cfg.procs = 2;
  cfg.seed = 1;
  cfg.race = true;
  int shared = 0;
  gor::RunResult r = gor::run(cfg, [&] {
    gor::WaitGroup wg;
    wg.go([&] { gor::race_write(&shared, sizeof shared); });  // annotated only: no real C++ race
    wg.go([&] { gor::race_write(&shared, sizeof shared); });
    wg.wait();
  });
  ASSERT_FALSE(r.race_reports.empty());
  const std::string& rep = r.race_reports[0];
  EXPECT_NE(rep.find("  main.(*DumpFormat_RaceReportFramesAreGoStyle_Test).TestBody.func.func()\n"
                     "      tests/engine/dump_format_test.cpp:"),
            std::string::npos)
      << rep;
  EXPECT_EQ(rep.find("      /"), std::string::npos) << "absolute path in:\n" << rep;
}

}  // namespace
