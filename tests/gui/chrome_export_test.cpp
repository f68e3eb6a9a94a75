// chrome_export_test.cpp — the Chrome Trace Event JSON export, read back and checked against
// what Perfetto's importer needs: slices on one track never overlap (else it drops them), each
// flow end lies inside a slice on its own track (else it drops the arrow), times convert to
// exact ns the way Perfetto converts them. Also: Python's json module loads the file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../gui_app/test_events.hpp"

#include "chrome_export.hpp"
#include "gortrace_format.hpp"
#include "trace_test_support.hpp"

namespace goroscope::trace {
namespace {

using testing::Json;
using testing::parse_json;

// perfetto_ns() converts a JSON number in µs to ns as Perfetto's importer does.
int64_t perfetto_ns(const std::string& us) { return static_cast<int64_t>(std::strtod(us.c_str(), nullptr) * 1000.0); }

// rounded_ns() converts a JSON number in µs to ns as newer Perfetto importers do (llround).
int64_t rounded_ns(const std::string& us) { return std::llround(std::strtod(us.c_str(), nullptr) * 1000.0); }

// exact_ns() reads "12.3453" as 12345 exactly (the exporter's 3 decimals plus its 0.3 ns bias).
int64_t exact_ns(const std::string& us) {
  const size_t dot = us.find('.');
  if (dot == std::string::npos) return std::stoll(us) * 1000;
  return std::stoll(us.substr(0, dot)) * 1000 + std::stoll(us.substr(dot + 1, 3));
}

struct SliceSeen {
  int64_t start, end;
  std::string name;
  std::string why;  // args.end: what ended it
};

// Checked is what check_export() found in an exported trace.
struct Checked {
  std::map<int64_t, std::string> thread_names;        // tid -> name
  std::map<int64_t, std::vector<SliceSeen>> slices;   // tid -> its X slices, by start
  std::multiset<std::string> instants;                // names
  std::set<std::string> counters;                     // names
  size_t flows = 0;
  std::vector<std::string> regions;                   // "g:name" of every closed region, in end order
};

// check_export() parses the JSON and asserts the importer's rules; returns what it saw.
Checked check_export(const std::string& text) {
  Checked c;
  Json doc;
  EXPECT_NO_THROW(doc = parse_json(text));
  const Json* events = doc.get("traceEvents");
  EXPECT_TRUE(events != nullptr && events->type == Json::Type::Array);
  if (events == nullptr) return c;
  struct FlowEnd {
    int64_t tid, ts;
  };
  std::map<std::string, std::vector<std::pair<std::string, FlowEnd>>> flows;  // id -> (ph, where)
  std::map<std::string, std::vector<std::string>> open_regions;                 // id -> names
  for (const Json& e : events->array) {
    const std::string ph = e.str("ph");
    EXPECT_EQ(e.num("pid"), "1");
    const std::string tid_text = e.num("tid");
    const int64_t tid = tid_text.empty() ? -1 : std::stoll(tid_text);
    if (ph == "M") {
      if (e.str("name") == "thread_name") c.thread_names[tid] = e.get("args")->str("name");
      continue;
    }
    const std::string ts = e.num("ts");
    EXPECT_FALSE(ts.empty()) << ph;
    EXPECT_EQ(perfetto_ns(ts), exact_ns(ts)) << "ts " << ts << " must survive Perfetto's µs->ns truncation";
    if (ph == "X") {
      const std::string dur = e.num("dur");
      EXPECT_EQ(perfetto_ns(dur), exact_ns(dur)) << dur;
      EXPECT_EQ(rounded_ns(dur), exact_ns(dur)) << dur;
      EXPECT_GE(exact_ns(dur), 0);
      const int64_t start = exact_ns(ts), end = start + exact_ns(dur);
      // A reader that adds ts and dur in µs before converting (chrome://tracing does) finds
      // the same end, truncating or rounding: else consecutive slices overlap by 1 ns.
      const double sum = std::strtod(ts.c_str(), nullptr) + std::strtod(dur.c_str(), nullptr);
      EXPECT_EQ(static_cast<int64_t>(sum * 1000.0), end) << ts << " + " << dur;
      EXPECT_EQ(std::llround(sum * 1000.0), end) << ts << " + " << dur;
      c.slices[tid].push_back({perfetto_ns(ts), perfetto_ns(ts) + perfetto_ns(dur), e.str("name"), e.get("args")->str("end")});
    } else if (ph == "i") {
      c.instants.insert(e.str("name"));
    } else if (ph == "C") {
      c.counters.insert(e.str("name"));
      for (const auto& [k, v] : e.get("args")->object) {
        EXPECT_EQ(v.type, Json::Type::Number);
        EXPECT_NE(v.text.front(), '-') << e.str("name") << " went negative";
      }
    } else if (ph == "s" || ph == "f") {
      flows[e.num("id")].push_back({ph, FlowEnd{tid, perfetto_ns(ts)}});
    } else if (ph == "b" || ph == "e") {
      // Async slices of one id must nest: every end closes that id's innermost open region.
      EXPECT_EQ(e.str("cat"), "region");
      std::vector<std::string>& open = open_regions[e.num("id")];
      if (ph == "b") {
        open.push_back(e.str("name"));
      } else if (open.empty()) {
        ADD_FAILURE() << "region end without a begin: " << e.str("name");
      } else {
        EXPECT_EQ(open.back(), e.str("name"));
        c.regions.push_back(e.num("id") + ":" + open.back());
        open.pop_back();
      }
    } else {
      ADD_FAILURE() << "unexpected ph " << ph;
    }
  }
  // Slices on one track must not overlap (touching is fine).
  for (auto& [tid, v] : c.slices) {
    std::stable_sort(v.begin(), v.end(), [](const SliceSeen& a, const SliceSeen& b) { return a.start < b.start; });
    for (size_t i = 1; i < v.size(); ++i) {
      EXPECT_GE(v[i].start, v[i - 1].end) << "tid " << tid << ": '" << v[i].name << "' at " << v[i].start
                                          << " overlaps '" << v[i - 1].name << "' ending at " << v[i - 1].end;
    }
    EXPECT_TRUE(c.thread_names.count(tid)) << "track " << tid << " has a name";
  }
  // Every flow has one start and one end, each strictly inside a slice on its own track
  // (Perfetto binds to the slice open at that time; a slice is closed at its end).
  for (const auto& [id, ends] : flows) {
    EXPECT_EQ(ends.size(), 2u) << "flow " << id;
    if (ends.size() != 2) continue;
    EXPECT_EQ(ends[0].first == "s" ? ends[1].first : ends[0].first, "f") << "flow " << id;
    for (const auto& [ph, at] : ends) {
      const auto it = c.slices.find(at.tid);
      bool inside = false;
      if (it != c.slices.end())
        for (const SliceSeen& s : it->second)
          if (s.start <= at.ts && at.ts < s.end) inside = true;
      EXPECT_TRUE(inside) << "flow " << id << " " << ph << " at " << at.ts << " on tid " << at.tid;
    }
    ++c.flows;
  }
  return c;
}

bool has_python3() { return std::system("command -v python3 >/dev/null 2>&1") == 0; }

void expect_python_loads(const std::string& path) {
  if (!has_python3()) {
    std::cout << "[ SKIPPED part ] python3 not found: not checking the JSON with Python\n";
    return;
  }
  const std::string cmd = "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '" + path + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "chrome_" + std::to_string(::getpid()) + "_" + name;
}

TEST(ChromeExportTest, TimestampsAreExactAfterPerfettosConversion) {
  EXPECT_EQ(chrome_ts(0), "0.0003");
  EXPECT_EQ(chrome_ts(12345), "12.3453");
  EXPECT_EQ(chrome_ts(1001), "1.0013");
  EXPECT_EQ(chrome_ts(7), "0.0073");
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    const int64_t ns = static_cast<int64_t>(rng() % 100'000'000'000'000ull);  // up to ~28 hours
    ASSERT_EQ(perfetto_ns(chrome_ts(ns)), ns) << chrome_ts(ns);
  }
}

TEST(ChromeExportTest, JsonEscapeKeepsTheJsonValid) {
  EXPECT_EQ(json_escape("a\"b\\c\n\x01"), "a\\\"b\\\\c\\n\\u0001");
  EXPECT_EQ(json_escape("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(json_escape("bad \xff\xc3"), "bad \\ufffd\\ufffd");
  EXPECT_EQ(json_escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd") << "no UTF-16 surrogates";
}

TEST(ChromeExportTest, RealRunHasPTracksStealsFlowsCountersAndMutexStarving) {
  MemoryTrace memory(TraceHeader{1, 4, 1, 1.0, wall_now_ns(), "trace-test", "spinners=24"});
  const gor::RunResult r = testing::traced_program(&memory, 24, 4);
  memory.finish(r);
  ASSERT_EQ(r.status, gor::RunStatus::Ok) << r.message;
  const std::string path = temp_path("real.json");
  const ChromeExportStats stats = export_chrome_file(memory.trace(), path);
  const std::string text = testing::read_bytes(path);
  const Checked c = check_export(text);
  std::cout << "[ info ] " << memory.trace().events.size() << " events -> " << stats.slices << " slices ("
            << stats.overflow_slices << " on overflow tracks), " << stats.flows << " flows (" << stats.flows_skipped
            << " skipped), " << stats.instants << " instants, " << stats.counter_samples << " counter samples; "
            << r.steals << " steals\n";

  for (int p = 0; p < 4; ++p) EXPECT_EQ(c.thread_names.at(p), "P" + std::to_string(p));
  EXPECT_EQ(c.slices.at(0).empty(), false);
  EXPECT_GT(stats.slices, 24u);
  EXPECT_GE(c.instants.count("steal"), 1u) << "idle Ps steal the spinners queued on one P (steals: " << r.steals
                                           << ")";
  EXPECT_GE(c.instants.count("mutex starving"), 1u);
  EXPECT_GE(c.instants.count("phase: channel"), 1u) << "gor::log texts are instants";
  EXPECT_TRUE(c.counters.count("goroutines"));
  EXPECT_TRUE(c.counters.count("runnable"));
  bool chan_counter = false;
  for (const std::string& n : c.counters) chan_counter |= n.rfind("chan ", 0) == 0;
  EXPECT_TRUE(chan_counter);
  EXPECT_GT(c.flows, 0u);
  EXPECT_EQ(c.flows, stats.flows);
  bool labelled = false;
  for (const auto& [tid, v] : c.slices)
    for (const SliceSeen& s : v) labelled |= s.name.find(" producer") != std::string::npos;
  EXPECT_TRUE(labelled) << "slices carry the goroutine's label";
  expect_python_loads(path);
  std::remove(path.c_str());
}

// A hand-made trace: G1 enters a syscall on P0, which is handed off to G2; G1 leaves the
// syscall on P1 and readies G3; G4 starts on P0 while G2 never stopped there (a trace that
// contradicts itself: its slice goes to an overflow track); a deadlock ends the run.
TraceFile synthetic() {
  using K = gor::EventKind;
  TraceFile t;
  t.header.procs = 2;
  t.header.sample = "synthetic \"quoted\"";
  t.strings[1] = "site.cpp:1 in main";
  t.strings[2] = "worker \xff";
  auto ev = [&](int64_t ts, K kind, uint64_t g, int p, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    t.events.push_back(gui_test::ev(ts, kind, g, p, a0, a1, a2));
  };
  ev(0, K::GoCreate, 1, 0, 0, 1);
  ev(0, K::GoCreate, 3, 0, 1, 1, 2);
  ev(10, K::GoStart, 1, 0);
  ev(20, K::SyscallEnter, 1, 0, 1);
  ev(30, K::Handoff, 0, 0);
  ev(40, K::GoStart, 2, 0);
  ev(45, K::SyscallExit, 1, 1, 0);   // G1 got the idle P1 and runs on
  ev(50, K::GoUnblock, 3, 1, 1, 1);  // G1 readies G3
  ev(52, K::GoStart, 4, 0);          // overlaps G2 on P0
  ev(54, K::GoEnd, 4, 0);
  ev(55, K::Steal, 0, 1, 0, 1);
  ev(58, K::GoBlock, 1, 1, 1, 9);
  ev(60, K::GoStart, 3, 1);
  ev(70, K::ChanSend, 3, 1, 9, 1);
  ev(80, K::GoBlock, 3, 1, 1, 9);
  ev(90, K::GoEnd, 2, 0);
  ev(95, K::MutexMode, 2, 0, 4, 1);
  ev(96, K::MutexMode, 2, 0, 4, 0);
  ev(110, K::RunEnd, 0, -1, 2);
  t.footer.status = gor::RunStatus::Deadlock;
  t.footer.message = "all goroutines are asleep - deadlock!";
  t.footer.events = t.events.size();
  return t;
}

TEST(ChromeExportTest, OverlapsGoToAnOverflowTrackAndFlowsBindInsideSlices) {
  std::ostringstream out;
  const ChromeExportStats stats = write_chrome_trace(synthetic(), out);
  const Checked c = check_export(out.str());
  EXPECT_EQ(stats.slices, 5u);
  EXPECT_EQ(stats.overflow_slices, 1u);
  ASSERT_TRUE(c.slices.count(0));
  ASSERT_TRUE(c.slices.count(100000)) << out.str();
  EXPECT_EQ(c.thread_names.at(100000), "P0 overflow 1");
  EXPECT_EQ(c.slices.at(0).front().name, "G1");
  EXPECT_EQ(c.slices.at(100000).front().name, "G4");
  ASSERT_EQ(c.slices.at(1).size(), 2u);
  EXPECT_EQ(c.slices.at(1)[1].name, "G3 worker \xef\xbf\xbd");
  EXPECT_EQ(stats.flows, 1u);
  EXPECT_EQ(c.flows, 1u);
  EXPECT_EQ(c.instants.count("steal"), 1u);
  EXPECT_EQ(c.instants.count("handoff"), 1u);
  EXPECT_EQ(c.instants.count("mutex starving"), 1u);
  EXPECT_EQ(c.instants.count("mutex normal"), 1u);
  EXPECT_EQ(c.instants.count("deadlock"), 1u);
  EXPECT_TRUE(c.counters.count("chan 9"));
  EXPECT_EQ(c.thread_names.at(1), "P1");
  EXPECT_EQ(c.thread_names.at(40001), "P1 events");
  EXPECT_EQ(c.thread_names.at(99999), "runtime");
  const std::string path = temp_path("synthetic.json");
  testing::write_bytes(path, out.str());
  expect_python_loads(path);
  std::remove(path.c_str());
}

// A syscall ends the run slice (the P may be handed off while it lasts, as the app's timeline
// shows), and leaving it with a P starts the next slice there.
TEST(ChromeExportTest, ASyscallEndsTheRunSliceAndLeavingItOnAPStartsOne) {
  std::ostringstream out;
  write_chrome_trace(synthetic(), out);
  const Checked c = check_export(out.str());
  ASSERT_TRUE(c.slices.count(0) && c.slices.count(1));
  const SliceSeen& before = c.slices.at(0).front();
  EXPECT_EQ(before.name, "G1");
  EXPECT_EQ(before.start, 10);
  EXPECT_EQ(before.end, 20);
  EXPECT_EQ(before.why, "syscall");
  const SliceSeen& after = c.slices.at(1).front();
  EXPECT_EQ(after.name, "G1");
  EXPECT_EQ(after.start, 45);
  EXPECT_EQ(after.end, 58);
  EXPECT_EQ(after.why, "blocked");
}

// Consecutive slices on one P touch exactly: a run of touching slices of every length from
// 0 to 3 µs at odd offsets converts with no overlap however a reader turns µs into ns.
TEST(ChromeExportTest, ConsecutiveSlicesTouchWithoutOverlapUnderEveryConversion) {
  using K = gor::EventKind;
  TraceFile t;
  t.header.procs = 1;
  int64_t ts = 1'234'567'891;
  for (uint64_t g = 1; g <= 3000; ++g) {
    t.events.push_back(gui_test::ev(ts, K::GoStart, g, 0));
    ts += static_cast<int64_t>(g) % 3001;
    t.events.push_back(gui_test::ev(ts, K::GoYield, g, 0));
  }
  std::ostringstream out;
  const ChromeExportStats stats = write_chrome_trace(t, out);
  EXPECT_EQ(stats.overflow_slices, 0u);
  const Checked c = check_export(out.str());
  ASSERT_EQ(c.slices.at(0).size(), 3000u);
  EXPECT_EQ(chrome_dur(1001), "1.0011");
  EXPECT_EQ(chrome_dur(0), "0.0001");
}

TEST(ChromeExportTest, RegionsNestPerGoroutineAndRaceAndContextAreInstants) {
  using K = gor::EventKind;
  TraceFile t;
  t.header.procs = 1;
  t.strings[1] = "outer";
  t.strings[2] = "inner";
  t.strings[3] = "WARNING: DATA RACE ...";
  auto ev = [&](int64_t ts, K kind, uint64_t g, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0) {
    gor::Event e;
    e.ts = ts;
    e.kind = kind;
    e.g = g;
    e.p = 0;
    e.a0 = a0;
    e.a1 = a1;
    e.a2 = a2;
    t.events.push_back(e);
  };
  ev(0, K::GoStart, 1);
  ev(1, K::RegionEnd, 1, 2);  // began before tracing: dropped
  ev(2, K::RegionBegin, 1, 1);
  ev(3, K::RegionBegin, 1, 2);
  ev(4, K::RegionBegin, 2, 2);  // another goroutine's region, left open
  ev(5, K::RegionEnd, 1, 2);
  ev(6, K::Race, 2, 1, 0, 3);
  ev(7, K::ContextCancel, 1, 9, 1, 0);
  ev(8, K::ContextCancel, 0, 10, 2, 9);
  ev(9, K::RegionEnd, 1, 1);
  ev(10, K::GoEnd, 1);
  ev(11, K::RunEnd, 0);
  t.footer.events = t.events.size();
  std::ostringstream out;
  const ChromeExportStats stats = write_chrome_trace(t, out);
  const Checked c = check_export(out.str());
  EXPECT_EQ(stats.regions, 3u);
  EXPECT_EQ(c.regions, (std::vector<std::string>{"1:inner", "1:outer", "2:inner"}));
  EXPECT_EQ(c.instants.count("race"), 1u);
  EXPECT_EQ(c.instants.count("context canceled"), 1u);
  EXPECT_EQ(c.instants.count("context deadline exceeded"), 1u);
  EXPECT_NE(out.str().find("WARNING: DATA RACE"), std::string::npos);
}

TEST(ChromeExportTest, PanicInstantAndEmptyTrace) {
  TraceFile t = synthetic();
  t.footer.status = gor::RunStatus::Panic;
  t.footer.message = "send on closed channel";
  std::ostringstream out;
  write_chrome_trace(t, out);
  const Checked c = check_export(out.str());
  EXPECT_EQ(c.instants.count("panic"), 1u);
  EXPECT_EQ(c.instants.count("deadlock"), 0u);

  std::ostringstream empty;
  const ChromeExportStats stats = write_chrome_trace(TraceFile{}, empty);
  EXPECT_EQ(stats.slices, 0u);
  check_export(empty.str());
}

}  // namespace
}  // namespace goroscope::trace
