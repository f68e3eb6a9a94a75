// main.cpp — goroscope-cli: Goroscope's samples headless (see usage_text() in cli_args.cpp).
#include <unistd.h>

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "cli_commands.hpp"
#include "explore_command.hpp"
#ifdef GOROSCOPE_CLI_TIMELINE
#include "views/timeline_export.hpp"
#endif

int main(int argc, char** argv) {
  using namespace goroscope::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
#ifdef GOROSCOPE_CLI_TIMELINE
  set_timeline_writer([](const goroscope::trace::TraceFile& t, const std::string& path, bool lanes, std::string* error) {
    goroscope::gui::TraceTimelineOptions options;
    options.goroutine_lanes = lanes;
    return goroscope::gui::export_trace_timeline(t, path, options, error);
  });
#endif
  try {
    Command cmd = parse_args(args);
    switch (cmd.kind) {
      case Command::Kind::Help: std::cout << usage_text(); return kExitOk;
      case Command::Kind::List: return list_command(std::cout);
      case Command::Kind::Info: return info_command(cmd.sample, std::cout);
      case Command::Kind::Run: return run_command(cmd.run, std::cout, std::cerr);
      case Command::Kind::Export: return export_command(cmd.input, cmd.chrome, std::cout, std::cerr);
      case Command::Kind::Dump: return dump_command(cmd.input, std::cout, std::cerr);
      case Command::Kind::Explore:
        return explore_command(cmd.explore, std::cout, std::cerr, !cmd.explore.json && isatty(STDERR_FILENO) == 1);
    }
  } catch (const UsageError& e) {
    std::cerr << "goroscope-cli: " << e.what() << '\n';
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "goroscope-cli: internal error: " << e.what() << '\n';
    return 70;  // EX_SOFTWARE
  }
  return kExitOk;
}
