// trace_format_test.cpp — .gortrace: round trip of a real run, the reader's errors, and a
// randomized corruption test (flipped bytes, truncation, overwritten lengths): the reader
// either succeeds or throws GortraceError, never crashes (run under ASan in the asan preset).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chrome_export.hpp"
#include "gortrace_format.hpp"
#include "trace_summary.hpp"
#include "trace_test_support.hpp"

namespace goroscope::trace {
namespace {

using testing::read_bytes;
using testing::traced_program;
using testing::write_bytes;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "gortrace_" + std::to_string(::getpid()) + "_" + name;
}

TraceHeader test_header() {
  TraceHeader h;
  h.procs = 4;
  h.seed = 1;
  h.dilation = 1.5;
  h.start_wall_ns = 1'700'000'000'123'456'789;
  h.sample = "trace-test";
  h.params = "spinners=24 note=\xc3\xa9t\xc3\xa9";
  return h;
}

// A real trace, written once per test program and shared by the tests below.
struct RealTrace {
  std::string path;
  std::string bytes;
  TraceFile memory;  // the same run as seen by a MemoryTrace
  gor::RunResult result;
};

const RealTrace& real_trace() {
  static const RealTrace t = [] {
    RealTrace r;
    r.path = temp_path("real.gortrace");
    GortraceWriter writer(r.path, test_header());
    MemoryTrace memory(test_header());
    TeeObserver tee(&writer, &memory);
    r.result = traced_program(&tee, 12, 4);
    writer.finish(r.result);
    memory.finish(r.result);
    r.memory = memory.take();
    r.bytes = read_bytes(r.path);
    return r;
  }();
  return t;
}

// ChunkAt is where a chunk is in a valid image.
struct ChunkAt {
  size_t offset;  // of its type field
  uint32_t type;
  uint32_t len;
};

uint32_t u32_at(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

void set_u32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::vector<ChunkAt> chunks_of(const std::string& b) {
  std::vector<ChunkAt> out;
  size_t pos = 16 + u32_at(b, 12);
  while (pos + 8 <= b.size()) {
    ChunkAt c{pos, u32_at(b, pos), u32_at(b, pos + 4)};
    out.push_back(c);
    pos += 8 + c.len;
  }
  return out;
}

std::string error_of(const std::string& bytes) {
  try {
    parse_gortrace(bytes);
  } catch (const GortraceError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GortraceTest, RoundTripMatchesWhatTheObserverSaw) {
  const RealTrace& t = real_trace();
  ASSERT_EQ(t.result.status, gor::RunStatus::Ok) << t.result.message;
  const TraceFile f = read_gortrace_file(t.path);
  EXPECT_EQ(f.header.version, kGortraceVersion);
  EXPECT_EQ(f.header.procs, 4);
  EXPECT_EQ(f.header.seed, 1u);
  EXPECT_EQ(f.header.dilation, 1.5);
  EXPECT_EQ(f.header.start_wall_ns, test_header().start_wall_ns);
  EXPECT_EQ(f.header.sample, "trace-test");
  EXPECT_EQ(f.header.params, test_header().params);
  ASSERT_EQ(f.events.size(), t.memory.events.size());
  ASSERT_GT(f.events.size(), 100u);
  EXPECT_EQ(f.events.size(), t.result.trace_events);
  for (size_t i = 0; i < f.events.size(); ++i) {
    const gor::Event& a = f.events[i];
    const gor::Event& b = t.memory.events[i];
    ASSERT_TRUE(a.ts == b.ts && a.g == b.g && a.a0 == b.a0 && a.a1 == b.a1 && a.a2 == b.a2 && a.p == b.p &&
                a.m == b.m && a.kind == b.kind)
        << "event " << i;
  }
  EXPECT_EQ(f.strings, t.memory.strings);
  EXPECT_EQ(f.footer.status, gor::RunStatus::Ok);
  EXPECT_EQ(f.footer.events, f.events.size());
  EXPECT_EQ(f.footer.goroutines_created, t.result.goroutines_created);
  EXPECT_EQ(f.footer.steals, t.result.steals);
  bool labelled = false;
  for (const gor::Event& e : f.events)
    if (e.kind == gor::EventKind::GoCreate && f.string(e.a2) == "producer") labelled = true;
  EXPECT_TRUE(labelled) << "GoCreate's label string is in the file";
  EXPECT_EQ(f.events.back().kind, gor::EventKind::RunEnd);
}

TEST(GortraceTest, SummaryCountsKindsGoroutinesStealsAndModeSwitches) {
  const TraceFile f = read_gortrace_file(real_trace().path);
  const TraceSummary s = summarize(f);
  EXPECT_EQ(s.events, f.events.size());
  EXPECT_EQ(s.per_kind[static_cast<size_t>(gor::EventKind::RunEnd)], 1u);
  EXPECT_GE(s.goroutines, 12u + 3u);
  EXPECT_EQ(s.steals, s.per_kind[static_cast<size_t>(gor::EventKind::Steal)]);
  EXPECT_GE(s.mutex_starving, 1u) << "the polite goroutine waited over 1 ms";
  EXPECT_EQ(s.logs, 4u);
  std::ostringstream text;
  write_summary(f, s, text);
  EXPECT_NE(text.str().find("status: ok"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("mutex mode switches: "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("  go_start "), std::string::npos) << text.str();
}

TEST(GortraceTest, ClearErrorsForBadFiles) {
  const std::string& good = real_trace().bytes;
  EXPECT_EQ(error_of(""), "gortrace: not a .gortrace file (it does not start with \"GORTRACE\")");
  EXPECT_EQ(error_of("{\"traceEvents\":[]}"), "gortrace: not a .gortrace file (it does not start with \"GORTRACE\")");

  std::string v7 = good;
  set_u32(v7, 8, 7);
  EXPECT_EQ(error_of(v7), "gortrace: unsupported version 7 (this build reads versions 1 to 2)");

  EXPECT_EQ(error_of(good.substr(0, 12)), "gortrace: truncated file at offset 12 (file header)");

  const std::vector<ChunkAt> chunks = chunks_of(good);
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(chunks.back().type, static_cast<uint32_t>(ChunkType::Footer));
  size_t first_events = 0;
  for (const ChunkAt& c : chunks) {
    if (c.type == static_cast<uint32_t>(ChunkType::Events) && c.len >= 4 + 4 * kEventRecordSize) {
      first_events = c.offset;
      break;
    }
  }
  ASSERT_NE(first_events, 0u);
  const size_t cut = first_events + 8 + 4 + 100;  // inside the event batch
  EXPECT_EQ(error_of(good.substr(0, cut)),
            "gortrace: truncated file at offset " + std::to_string(cut) + " (event batch chunk)");
  const size_t footer_at = chunks.back().offset;
  EXPECT_EQ(error_of(good.substr(0, footer_at)),
            "gortrace: truncated file at offset " + std::to_string(footer_at) +
                " (no footer: the run did not finish writing it)");

  // A kind this build does not know (a newer writer's) is skipped and counted, not an error.
  std::string kind = good;
  const size_t record = first_events + 8 + 4;
  kind[record + 44] = static_cast<char>(200);
  const goroscope::trace::TraceFile with_unknown = goroscope::trace::parse_gortrace(kind);
  const goroscope::trace::TraceFile original = goroscope::trace::parse_gortrace(good);
  EXPECT_EQ(with_unknown.unknown_events, 1u);
  EXPECT_EQ(original.unknown_events, 0u);
  EXPECT_EQ(with_unknown.events.size() + 1, original.events.size());
  kind[record + 40] = static_cast<char>(0xfe);  // ... but its other fields are still checked
  kind[record + 41] = static_cast<char>(0xff);
  EXPECT_EQ(error_of(kind), "gortrace: event P -2 out of range at offset " + std::to_string(record) +
                                " (event batch chunk)");

  std::string huge = good;
  set_u32(huge, first_events + 4, 0xffffffffu);
  EXPECT_EQ(error_of(huge),
            "gortrace: truncated file at offset " + std::to_string(good.size()) + " (event batch chunk)");

  std::string unknown = good;
  set_u32(unknown, first_events, 9);
  EXPECT_EQ(error_of(unknown), "gortrace: unknown chunk type 9 at offset " + std::to_string(first_events));

  EXPECT_EQ(error_of(good + "x"), "gortrace: trailing data after the footer at offset " + std::to_string(good.size()));

  try {
    read_gortrace_file("/nonexistent/x.gortrace");
    ADD_FAILURE() << "no error";
  } catch (const GortraceError& e) {
    EXPECT_EQ(std::string(e.what()), "gortrace: cannot open '/nonexistent/x.gortrace': No such file or directory");
  }
  const std::string cut_path = temp_path("cut.gortrace");
  write_bytes(cut_path, good.substr(0, cut));
  try {
    read_gortrace_file(cut_path);
    ADD_FAILURE() << "no error";
  } catch (const GortraceError& e) {
    EXPECT_EQ(std::string(e.what()),
              "gortrace: " + cut_path + ": truncated file at offset " + std::to_string(cut) + " (event batch chunk)");
  }
  std::remove(cut_path.c_str());
}

// The footer's status word carries RunResult::fatal in bit 8, so a replay prints Go's
// "fatal error:" for a sync misuse that ended the run with status Panic; other high bits are
// corruption.
TEST(GortraceTest, FooterKeepsTheFatalFlag) {
  const std::string& good = real_trace().bytes;
  const size_t status_at = chunks_of(good).back().offset + 8;
  EXPECT_FALSE(goroscope::trace::parse_gortrace(good).footer.fatal);
  std::string fatal = good;
  set_u32(fatal, status_at, static_cast<uint32_t>(gor::RunStatus::Panic) | kFooterFatalBit);
  const goroscope::trace::TraceFile f = goroscope::trace::parse_gortrace(fatal);
  EXPECT_EQ(f.footer.status, gor::RunStatus::Panic);
  EXPECT_TRUE(f.footer.fatal);
  std::string bad = good;
  set_u32(bad, status_at, 1u | (1u << 9));
  EXPECT_NE(error_of(bad).find("run status 513 out of range"), std::string::npos) << error_of(bad);

  gor::RunResult r;
  r.status = gor::RunStatus::Panic;
  r.fatal = true;
  r.message = "sync: unlock of unlocked mutex";
  EXPECT_TRUE(goroscope::trace::footer_from(r).fatal);
  TraceFile t = goroscope::trace::parse_gortrace(good);
  t.footer = goroscope::trace::footer_from(r);
  const std::string path = temp_path("fatal.gortrace");
  goroscope::trace::write_gortrace_file(t, path);
  const TraceFile back = read_gortrace_file(path);
  EXPECT_EQ(back.footer.status, gor::RunStatus::Panic);
  EXPECT_TRUE(back.footer.fatal);
  EXPECT_EQ(back.footer.message, "sync: unlock of unlocked mutex");
  std::remove(path.c_str());
}

TEST(GortraceTest, WriterWithoutFinishLeavesADetectablyTruncatedFile) {
  const std::string path = temp_path("unfinished.gortrace");
  {
    GortraceWriter writer(path, test_header());
    traced_program(&writer, 2, 2);
  }  // destroyed without finish(): no footer
  const std::string err = error_of(read_bytes(path));
  EXPECT_NE(err.find("(no footer: the run did not finish writing it)"), std::string::npos) << err;
  std::remove(path.c_str());
  EXPECT_THROW(GortraceWriter("/nonexistent/dir/x.gortrace", test_header()), GortraceError);
}

// mutate() damages a valid image one of four ways, chosen by the seed.
std::string mutate(const std::string& good, const std::vector<ChunkAt>& chunks, uint64_t seed, int& mode) {
  std::mt19937_64 rng(seed);
  std::string b = good;
  mode = static_cast<int>(seed % 4);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  switch (mode) {
    case 0: {  // flip 1..8 random bytes
      const size_t flips = 1 + pick(8);
      for (size_t i = 0; i < flips; ++i) b[pick(b.size())] ^= static_cast<char>(1 + pick(255));
      break;
    }
    case 1:  // truncate
      b.resize(pick(b.size()));
      break;
    case 2: {  // overwrite a length: a chunk's, the header's, or a count at a chunk start
      const uint32_t values[] = {0, 1, 7, 0x7fffffffu, 0xffffffffu, static_cast<uint32_t>(rng())};
      const uint32_t v = values[pick(6)];
      const size_t which = pick(chunks.size() + 1);
      if (which == chunks.size()) set_u32(b, 12, v);
      else if (rng() % 2 == 0) set_u32(b, chunks[which].offset + 4, v);
      else if (chunks[which].len >= 4) set_u32(b, chunks[which].offset + 8, v);
      break;
    }
    default: {  // overwrite a random 4-byte word
      const size_t at = pick(b.size() - 4);
      set_u32(b, at, rng() % 3 == 0 ? 0xffffffffu : static_cast<uint32_t>(rng()));
      break;
    }
  }
  return b;
}

TEST(GortraceTest, RandomCorruptionGivesAnErrorOrAValidTraceNeverACrash) {
  // A small corpus, generated here: one short real run.
  const std::string path = temp_path("small.gortrace");
  GortraceWriter writer(path, test_header());
  const gor::RunResult r = traced_program(&writer, 3, 2);
  writer.finish(r);
  const std::string good = read_bytes(path);
  std::remove(path.c_str());
  ASSERT_NO_THROW(parse_gortrace(good));
  const std::vector<ChunkAt> chunks = chunks_of(good);
  ASSERT_FALSE(chunks.empty());

  int errors[4] = {0, 0, 0, 0};
  int accepted[4] = {0, 0, 0, 0};
  for (uint64_t seed = 0; seed < 400; ++seed) {
    int mode = 0;
    const std::string bad = mutate(good, chunks, seed, mode);
    try {
      const TraceFile f = parse_gortrace(bad);
      // Whatever the reader accepts, the summary and the exporter must handle.
      std::ostringstream sink;
      write_summary(f, summarize(f), sink);
      write_chrome_trace(f, sink);
      ++accepted[mode];
    } catch (const GortraceError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("gortrace: ", 0), 0u) << e.what();
      ++errors[mode];
    }
  }
  std::cout << "[ info ] " << good.size() << "-byte trace; errors/accepted per mode (flip, truncate, length, word): "
            << errors[0] << "/" << accepted[0] << ", " << errors[1] << "/" << accepted[1] << ", " << errors[2] << "/"
            << accepted[2] << ", " << errors[3] << "/" << accepted[3] << "\n";
  EXPECT_EQ(accepted[1], 0) << "every truncation is detected";
  EXPECT_GT(errors[0], 0);
  EXPECT_GT(errors[2], 50) << "most overwritten lengths are detected";
  EXPECT_GT(errors[3], 0);
}

}  // namespace
}  // namespace goroscope::trace
