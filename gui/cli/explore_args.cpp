// explore_args.cpp — parse_explore(): the command line of `goroscope-cli explore`.
#include <charconv>
#include <string>
#include <vector>

#include "cli_args.hpp"

namespace goroscope::cli {

namespace {

template <class T>
bool parse_integer(const std::string& text, T& value) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = first + text.size();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, value);
  return ec == std::errc() && ptr == last;
}

[[noreturn]] void bad(const std::string& flag, const std::string& must, const std::string& got) {
  throw UsageError(flag + " must be " + must + " (got '" + got + "')");
}

int int_in(const std::string& flag, const std::string& value, int lo, int hi, const std::string& must) {
  int n = 0;
  if (!parse_integer(value, n) || n < lo || n > hi) bad(flag, must, value);
  return n;
}

}  // namespace

ExploreArgs parse_explore(const std::vector<std::string>& args) {
  ExploreArgs opts;
  bool have_sample = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("-", 0) == 0 && a.size() > 1) {
      std::string flag = a;
      std::optional<std::string> value;
      if (const size_t eq = a.find('='); eq != std::string::npos) {
        flag = a.substr(0, eq);
        value = a.substr(eq + 1);
      }
      if (flag == "--json" || flag == "--no-race") {  // switches: no value
        if (value) throw UsageError(flag + " takes no value (got '" + a + "')");
        (flag == "--json" ? opts.json : opts.race) = flag == "--json";
        continue;
      }
      static const char* const kValued[] = {"--runs",  "--strategy", "--depth",    "--procs",      "--seed",
                                            "--param", "--jobs",     "--save-dir", "--shrink-runs"};
      bool known = false;
      for (const char* k : kValued) known = known || flag == k;
      if (!known) throw UsageError("unknown flag '" + flag + "' (run 'goroscope-cli --help')");
      if (!value) {
        if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
        value = args[++i];
      }
      const std::string& v = *value;
      if (flag == "--runs") {
        opts.runs = int_in(flag, v, 1, 100000000, "an integer between 1 and 100000000");
      } else if (flag == "--strategy") {
        if (v != "random" && v != "pct" && v != "bounded") bad(flag, "random, pct or bounded", v);
        opts.strategy = v;
      } else if (flag == "--depth") {
        opts.depth = int_in(flag, v, 0, 64, "an integer between 0 and 64");
      } else if (flag == "--procs") {
        opts.procs = int_in(flag, v, 1, 256, "an integer between 1 and 256");
      } else if (flag == "--seed") {
        uint64_t s = 0;
        if (!parse_integer(v, s)) bad(flag, "a non-negative integer", v);
        opts.seed = s;
      } else if (flag == "--param") {
        const size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0) bad(flag, "KEY=VALUE", v);
        opts.params.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      } else if (flag == "--jobs") {
        opts.jobs = int_in(flag, v, 1, 256, "an integer between 1 and 256");
      } else if (flag == "--save-dir") {
        if (v.empty()) bad(flag, "a directory name", v);
        opts.save_dir = v;
      } else {  // --shrink-runs
        opts.shrink_budget = int_in(flag, v, 0, 1000000, "an integer between 0 and 1000000");
      }
    } else if (!have_sample) {
      opts.sample = a;
      have_sample = true;
    } else {
      throw UsageError("unexpected argument '" + a + "' after sample '" + opts.sample + "'");
    }
  }
  if (!have_sample) throw UsageError("explore: missing SAMPLE (run 'goroscope-cli list' to see them)");
  if (opts.strategy == "pct" && opts.depth && *opts.depth < 1)
    throw UsageError("--depth for pct must be at least 1 (got '" + std::to_string(*opts.depth) + "')");
  return opts;
}

}  // namespace goroscope::cli
