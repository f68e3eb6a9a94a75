// gortrace_fuzz_target.cpp — the fuzz target for the .gortrace reader (libFuzzer's entry point,
// also driven by mutation_driver.cpp where libFuzzer is not available).
//
// It feeds arbitrary bytes to parse_gortrace() and, when the reader accepts them, to every
// consumer of a TraceFile that has no Qt: the summary and the Chrome export. It aborts (a
// finding) when the reader throws anything but a GortraceError, when a GortraceError's text
// does not start with "gortrace: ", when an accepted trace breaks the reader's promises
// (events sorted by ts, every event of a kind this build knows) or when a consumer throws on
// it; ASan and UBSan report memory and undefined-behaviour errors on their own.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "chrome_export.hpp"
#include "gortrace_format.hpp"
#include "trace_summary.hpp"

namespace {

// NullBuffer counts and drops what the exporters write.
class NullBuffer : public std::streambuf {
 public:
  size_t written = 0;

 protected:
  int overflow(int c) override {
    ++written;
    return c == EOF ? 0 : c;
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    written += static_cast<size_t>(n);
    return n;
  }
};

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "gortrace_fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

void check_accepted(const goroscope::trace::TraceFile& t) {
  for (size_t i = 0; i < t.events.size(); ++i) {
    if (i > 0 && t.events[i].ts < t.events[i - 1].ts) finding("accepted events are not sorted by ts at " + std::to_string(i));
    if (t.events[i].kind >= gor::EventKind::Count_) finding("accepted an event of an unknown kind");
  }
}

}  // namespace

// gortrace_fuzz_accepted counts the inputs the reader accepted (the mutation driver prints it:
// the share of mutants that reach the exporters).
extern "C" {
size_t gortrace_fuzz_accepted = 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  goroscope::trace::TraceFile t;
  try {
    t = goroscope::trace::parse_gortrace(bytes);
  } catch (const goroscope::trace::GortraceError& e) {
    if (std::string_view(e.what()).substr(0, 10) != "gortrace: ") finding(std::string("bad error text: ") + e.what());
    return 0;
  } catch (const std::exception& e) {
    finding(std::string("the reader threw something else than a GortraceError: ") + e.what());
  }
  check_accepted(t);
  ++gortrace_fuzz_accepted;
  NullBuffer sink;
  std::ostream out(&sink);
  try {
    goroscope::trace::write_summary(t, goroscope::trace::summarize(t), out);
    goroscope::trace::write_chrome_trace(t, out);
  } catch (const std::exception& e) {
    finding(std::string("a consumer threw on an accepted trace: ") + e.what());
  }
  return 0;
}
