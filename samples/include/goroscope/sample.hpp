// sample.hpp — what a Goroscope sample is: metadata, typed parameters, its outcome, its code.
//
// A sample is a small Go-style program on the gor API. Its `main` runs inside the main
// goroutine of a gor::run (see runner.hpp); the GUI and goroscope-cli read the samples from
// the registry (registry.hpp). How to add one: samples/README.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gor {
struct RunResult;
}

namespace goroscope {

// SampleParam describes one parameter a user may change before a run. For Int, def/min/max
// are the default and the inclusive range; for Bool, def is 0 or 1; for Choice, def is the
// index of the default in `choices` (min/max unused).
struct SampleParam {
  std::string key;    // kebab-case, as typed after --param (`workers`)
  std::string label;  // short human label for the GUI ("Workers")
  std::string help;   // one sentence
  enum class Kind { Int, Bool, Choice } kind = Kind::Int;
  int64_t def = 0;
  int64_t min = 0;
  int64_t max = 0;
  std::vector<std::string> choices;
};

// SampleInfo is a sample's metadata.
struct SampleOutcome;

struct SampleInfo {
  std::string id;           // stable kebab-case id (`worker-pool`)
  std::string title;        // "Worker pool"
  std::string topic;        // topic group ("Channels", "sync", ...)
  std::string summary;      // one line
  std::string explanation;  // several paragraphs: what to watch, what Go does, pitfall and fix
  int default_procs = 2;    // GOMAXPROCS when the user does not choose
  double suggested_dilation = 1.0;  // slow motion at which the story is watchable in the GUI
  std::vector<SampleParam> params;
  // after_run, if set, adds to the outcome what only the finished run knows (its RunResult's
  // counters: steals, syscall handoffs, ...); run_sample() calls it after the run.
  std::function<void(const gor::RunResult&, SampleOutcome&)> after_run;
};

// SampleParamError is a bad parameter key or value; what() is a complete, user-facing sentence
// such as "parameter 'workers' must be between 1 and 64 (got 0)".
class SampleParamError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// SampleParams holds one value per parameter of a sample: the defaults, then any overrides
// given to parse(). Every value it holds is valid (in range, a known choice).
class SampleParams {
 public:
  // SampleParams() holds the defaults of `info`'s parameters.
  explicit SampleParams(const SampleInfo& info);

  // parse() sets parameter `key` from user text, validating type and range. Ints are decimal
  // (an optional sign, digits, `_` separators allowed); bools are true/false/1/0/yes/no/on/off;
  // choices are one of the listed names. Throws SampleParamError, leaving the value unchanged.
  void parse(std::string_view key, std::string_view text);

  // get_int(), get_bool(), get_choice() return the value of `key`. Asking for a key the sample
  // does not declare, or with the wrong kind, is a programming error: std::logic_error.
  int64_t get_int(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::string get_choice(std::string_view key) const;

  // describe() is every parameter as `key=value`, space-separated, in declaration order.
  std::string describe() const;

 private:
  size_t index_of(std::string_view key, SampleParam::Kind kind) const;

  std::string sample_id_;
  std::vector<SampleParam> specs_;
  std::vector<int64_t> values_;  // Int: the value; Bool: 0/1; Choice: index into choices
};

// SampleOutcome is what a sample reports: lines the CLI prints (and the GUI shows) and named
// metrics that tests and the GUI read. Write it from the sample's main goroutine only (or
// under a gor::Mutex): several goroutines may run on different threads.
struct SampleOutcome {
  std::vector<std::string> lines;
  std::map<std::string, double, std::less<>> metrics;

  // say() appends one line made of its arguments streamed one after another.
  template <class... Args>
  void say(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    lines.push_back(out.str());
  }
  // set() records metric `key` (replacing an earlier value).
  void set(std::string key, double value) { metrics[std::move(key)] = value; }
  // metric() is the value of `key`; throws std::out_of_range naming the key if it was never set.
  double metric(std::string_view key) const;
  // has() tells whether metric `key` was set.
  bool has(std::string_view key) const { return metrics.find(key) != metrics.end(); }

  // FailedCheck is one invariant that did not hold: its statement ("counter == workers x
  // increments") and what was seen instead ("counter = 397").
  struct FailedCheck {
    std::string invariant;
    std::string detail;
  };
  // failed_checks lists, in order, every check() that failed in the run (each invariant once).
  std::vector<FailedCheck> failed_checks;
  // check() states the sample's own invariant `invariant` (its text is the outcome's name when
  // it fails, so keep it free of run-specific numbers; put those in `detail`). Returns `holds`.
  // A failed check makes a schedule explorer count the run as outcome `check`; the run goes on.
  bool check(bool holds, std::string invariant, std::string detail = {}) {
    if (holds) return true;
    for (const FailedCheck& f : failed_checks)
      if (f.invariant == invariant) return false;
    failed_checks.push_back({std::move(invariant), std::move(detail)});
    return false;
  }
};

// SampleMain is a sample's code. It runs inside the main goroutine of a gor::run; when it
// returns the run ends (like Go's main), so it waits for what it started.
using SampleMain = std::function<void(const SampleParams&, SampleOutcome&)>;

// Sample is one runnable sample: its metadata and its code.
struct Sample {
  SampleInfo info;
  SampleMain main;
};

}  // namespace goroscope
