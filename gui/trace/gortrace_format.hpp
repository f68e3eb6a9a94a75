// gortrace_format.hpp — .gortrace files: Goroscope's binary trace format (docs/gortrace-format.md).
//
// A .gortrace file is written while a run goes (GortraceWriter is the run's Config::observer)
// and read later (read_gortrace_file) by goroscope-cli export/dump and the GUI. The reader
// never trusts the file: a truncated or corrupt file gives a GortraceError naming what is
// wrong and where, never a crash, and no allocation is larger than the file itself.
// Qt-free, plain C++20: only <gor/trace.hpp> and <gor/runtime.hpp>.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <optional>
#include <unordered_map>
#include <vector>

#include <gor/runtime.hpp>
#include <gor/trace.hpp>

namespace goroscope::trace {

// kGortraceMagic opens every .gortrace file; kGortraceVersion is the version this code writes
// and the only one it reads.
inline constexpr char kGortraceMagic[8] = {'G', 'O', 'R', 'T', 'R', 'A', 'C', 'E'};
inline constexpr uint32_t kGortraceVersion = 2;
// kGortraceOldestVersion is the oldest version this code still reads (1: no mode, no schedule).
inline constexpr uint32_t kGortraceOldestVersion = 1;
// kHeaderDeterministicBit marks a deterministic run in the header's flags (version 2).
inline constexpr uint32_t kHeaderDeterministicBit = 1u << 0;
// kFooterFatalBit marks a fatal error in the footer's status word (docs/gortrace-format.md).
inline constexpr uint32_t kFooterFatalBit = 1u << 8;

// ChunkType is the type of a chunk after the header (docs/gortrace-format.md).
enum class ChunkType : uint32_t { Strings = 1, Events = 2, Footer = 3, Schedule = 4 };

// kEventRecordSize is the size of one event record in an event batch chunk.
inline constexpr size_t kEventRecordSize = 48;

// GortraceError is a .gortrace file that cannot be read or written; what() starts with
// "gortrace: ", e.g. "gortrace: truncated file at offset 4180 (event batch chunk)".
class GortraceError : public std::runtime_error {
 public:
  explicit GortraceError(const std::string& what) : std::runtime_error("gortrace: " + what) {}
};

// TraceHeader describes the run: what ran and how.
struct TraceHeader {
  uint32_t version = kGortraceVersion;
  int32_t procs = 0;
  uint64_t seed = 0;
  double dilation = 1.0;
  int64_t start_wall_ns = 0;  // wall clock (Unix epoch, ns) when the run started; 0 for a
                              // deterministic run, whose file holds no wall-clock field
  std::string sample;         // sample id ("worker-pool"), or a program name
  std::string params;         // parameters as text ("workers=4 jobs=20 buffer=0")
  bool deterministic = false; // Config::deterministic (version 2)
  int64_t op_cost_ns = 0;     // Config::op_cost of a deterministic run (version 2)
  bool race = false;          // Config::race (version 2)
};

// TraceFooter is written once the run has ended: how it ended and what it counted. A file
// without one is truncated (the writer died or the run was cut short).
struct TraceFooter {
  gor::RunStatus status = gor::RunStatus::Ok;
  bool fatal = false;   // Go's "fatal error:" rather than "panic:" (RunResult::fatal)
  std::string message;  // panic message or the deadlock text (RunResult::message)
  std::string dump;     // goroutine dump for a panic or deadlock
  uint64_t events = 0;  // events in the file (checked by the reader)
  uint64_t strings = 0; // string definitions in the file (checked by the reader)
  uint64_t goroutines_created = 0;
  uint64_t steals = 0;
  uint64_t preempt_requests = 0;
  uint64_t syscall_handoffs = 0;
  uint64_t leaked = 0;
  uint64_t max_threads = 0;
  uint64_t panicking_goid = 0;
  uint64_t trace_waits = 0;
};

// TraceFile is a whole trace in memory: what the reader returns and the exporters take.
struct TraceFile {
  TraceHeader header;
  std::vector<gor::Event> events;                 // sorted by ts (stable)
  std::unordered_map<uint64_t, std::string> strings;  // string id -> text
  TraceFooter footer;
  // schedule is a deterministic run's decisions (the schedule chunk), for Config::replay.
  std::optional<gor::Schedule> schedule;
  // unknown_events counts records of kinds this build does not know (written by a newer
  // engine): the reader checks and skips them, so they are not in `events`.
  uint64_t unknown_events = 0;

  // string() is the text of a string id ("" if unknown or 0).
  const std::string& string(uint64_t id) const;
};

// encode_schedule_chunk() is the schedule chunk of a deterministic run's result.
std::string encode_schedule_chunk(const gor::Schedule& s);

// footer_from() fills a footer's run fields from a RunResult (counts are the writer's job).
TraceFooter footer_from(const gor::RunResult& r);

// parse_gortrace() reads a whole .gortrace image. Throws GortraceError.
TraceFile parse_gortrace(std::string_view bytes);

// read_gortrace_file() reads the file at `path`. Throws GortraceError (also when the file
// cannot be opened: "gortrace: cannot open 'x.gortrace': No such file or directory").
TraceFile read_gortrace_file(const std::string& path);

// write_gortrace_file() writes a whole in-memory trace to `path` (the GUI's File > Save trace):
// header, string definitions, events in batches and a footer whose event and string counts are
// those written (t.footer's run fields are kept). The bytes go to "PATH.part" first and replace
// `path` only once complete, so a failure never leaves a half-written file under that name.
// Throws GortraceError ("gortrace: cannot create 'x': Permission denied").
void write_gortrace_file(const TraceFile& t, const std::string& path);

// GortraceWriter streams a run's events to a .gortrace file: pass it as Config::observer
// (with Config::trace = true), then call finish() with the run's result. The header is
// written by the constructor; each batch the engine delivers becomes a strings chunk (if new
// strings were defined) and event batch chunks, flushed at once, so a file cut short by a
// crash still holds everything up to its last batch. I/O errors never throw on the engine's
// drain thread: the writer stops writing and finish() reports them. For a deterministic run
// (header.deterministic) the events are held in memory and written by finish(), so that the
// same run gives the same bytes however it was paused (a file cut short then holds only the
// header: the run itself can be repeated exactly).
class GortraceWriter : public gor::TraceObserver {
 public:
  // Opens (truncates) `path` and writes the header. Throws GortraceError if it cannot.
  GortraceWriter(const std::string& path, const TraceHeader& header);
  ~GortraceWriter() override;
  GortraceWriter(const GortraceWriter&) = delete;
  GortraceWriter& operator=(const GortraceWriter&) = delete;

  void on_string(uint64_t id, const std::string& text) override;
  void on_events(const gor::Event* events, size_t count) override;

  // finish() writes the footer and closes the file. Throws GortraceError for any write error
  // since the file was opened. Call once, after gor::run returned.
  void finish(const gor::RunResult& result);

  uint64_t events_written() const;

 private:
  void write_bytes(const std::string& bytes);  // under mu_
  void flush_strings();                        // under mu_
  void write_events(const gor::Event* events, size_t count);  // under mu_
  static constexpr size_t kCanonicalBatch = 8192;
  // canonical_ (a deterministic run's header): events are held and written at finish() in one
  // canonical layout, so the file's bytes do not depend on when the run delivered them.
  bool canonical_ = false;
  std::vector<gor::Event> held_events_;

  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string error_;  // first I/O error
  std::vector<std::pair<uint64_t, std::string>> pending_strings_;
  uint64_t events_ = 0;
  uint64_t strings_ = 0;
};

// MemoryTrace is a TraceObserver that builds a TraceFile in memory (for --chrome without
// --trace, and for tests). Call finish() after the run, then take trace().
class MemoryTrace : public gor::TraceObserver {
 public:
  explicit MemoryTrace(TraceHeader header);
  void on_string(uint64_t id, const std::string& text) override;
  void on_events(const gor::Event* events, size_t count) override;
  // finish() sets the footer from the run's result and sorts the events by ts.
  void finish(const gor::RunResult& result);
  const TraceFile& trace() const { return trace_; }
  TraceFile take() { return std::move(trace_); }

 private:
  std::mutex mu_;
  TraceFile trace_;
};

// TeeObserver forwards every call to two observers (either may be nullptr).
class TeeObserver : public gor::TraceObserver {
 public:
  TeeObserver(gor::TraceObserver* a, gor::TraceObserver* b) : a_(a), b_(b) {}
  void on_string(uint64_t id, const std::string& text) override;
  void on_events(const gor::Event* events, size_t count) override;

 private:
  gor::TraceObserver* a_;
  gor::TraceObserver* b_;
};

// wall_now_ns() is the wall clock as Unix epoch ns (for TraceHeader::start_wall_ns).
int64_t wall_now_ns();

}  // namespace goroscope::trace
